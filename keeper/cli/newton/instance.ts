import type { ContractTransactionResponse, Wallet } from "ethers";

import { MAX_EXPIRE_AFTER } from "../../chain";
import type { Hex } from "../../common";
import type { EigenDaProxyClient } from "../../da";
import { fetchJsonArtifact, parseJson, readInput, sendTx, validateJson } from "./artifacts";
import {
  connectChain,
  daClient,
  defaultTarget,
  requireFunds,
  signerFor,
  type ChainContext,
  type RunContext,
} from "./context";
import { checkError } from "./errors";
import { parseAddress, parseBlock, parseBytes32, parseUint64 } from "./options";

/** The params of an instance: the bytes stored on-chain (compact UTF-8 JSON) and the parsed value. */
export interface InstanceParams {
  /** `JSON.stringify(JSON.parse(file))` as UTF-8; `{}` when no file was given. */
  readonly bytes: Uint8Array;
  readonly value: unknown;
  /** For messages: the file name or "(default {})". */
  readonly label: string;
}

/** Options shared by both `instance deploy` commands. */
export interface DeployOptions {
  template: string;
  client?: string;
  params?: string;
  expireAfter: string;
  dryRun?: boolean;
}

/** What differs between deploying a policy instance and a policy-data instance. */
export interface InstanceDeployment {
  readonly kind: string;
  /** The id `deployInstance` would derive on `ctx` for `client`. */
  instanceId(ctx: ChainContext, client: string): Hex;
  isDeployed(ctx: ChainContext, id: Hex): Promise<boolean>;
  /** The template's row: registered, and its params schema hash and namespace. */
  template(ctx: ChainContext): Promise<{ registered: boolean; paramsSchemaHash: string; namespace: number }>;
  canDeploy(ctx: ChainContext, account: string): Promise<boolean>;
  /** Checks beyond the common ones (data instances: arity, kind, owner). */
  preflight?(ctx: ChainContext, client: string): Promise<void>;
  send(ctx: ChainContext, signer: Wallet, client: string): Promise<ContractTransactionResponse>;
}

/**
 * Reads `--params` as JSON and re-serializes it compactly, so the on-chain bytes (and the id) do not depend on
 * whitespace. @throws NewtonError `NEWTON_ERROR_USAGE` when unreadable or not JSON.
 */
export function readParams(run: RunContext, file: string | undefined): InstanceParams {
  if (file === undefined) return { bytes: new TextEncoder().encode("{}"), value: {}, label: "params (default {})" };
  const value = parseJson(readInput(run, "params", file), "params", file);
  return { bytes: new TextEncoder().encode(JSON.stringify(value)), value, label: `params ${file}` };
}

/**
 * Deploys one instance with every on-chain check first; an existing id is success ("already deployed").
 * @returns 0 deployed / already deployed / dry run; throws otherwise.
 * @throws NewtonError `NEWTON_ERROR_CHECK` for a failed pre-flight (nothing sent), `NEWTON_ERROR_TX`, `NEWTON_ERROR_DA`.
 */
export async function deployInstanceFlow(
  run: RunContext,
  o: DeployOptions,
  d: InstanceDeployment,
  params: InstanceParams,
): Promise<number> {
  const expireAfter = parseUint64("--expire-after", o.expireAfter);
  if (expireAfter > MAX_EXPIRE_AFTER) {
    throw checkError(
      "expireAfter",
      `--expire-after must be at most ${MAX_EXPIRE_AFTER} blocks (one year at one block per second; ExpireAfterTooLarge)`,
    );
  }
  const ctx = await connectChain(run, defaultTarget(run));
  // A dry run with --client needs no key; with a key configured it still checks the key's permission.
  const hasKey = run.settings.get("signer-key", ctx.target.profiles) !== undefined;
  const signer = o.dryRun && o.client !== undefined && !hasKey ? undefined : signerFor(run, ctx);
  if (signer !== undefined && !o.dryRun) await requireFunds(ctx, signer);
  const client = o.client !== undefined ? parseAddress("--client", o.client) : signer!.address;
  const id = d.instanceId(ctx, client);
  if (await d.isDeployed(ctx, id)) return report(run, ctx, d, id, "already deployed");
  if (expireAfter === 0n) throw checkError("expireAfter", "--expire-after must be at least 1 block (ExpireAfterZero)");
  await commonChecks(run, ctx, d, params, signer?.address);
  await d.preflight?.(ctx, client);
  if (o.dryRun) return report(run, ctx, d, id, "would deploy");
  const sent = await sendTx(run, ctx, "deployInstance", () => d.send(ctx, signer!, client));
  return report(run, ctx, d, id, "deployed", sent);
}

async function commonChecks(
  run: RunContext,
  ctx: ChainContext,
  d: InstanceDeployment,
  params: InstanceParams,
  signer: string | undefined,
): Promise<void> {
  const where = ctx.target.label;
  const t = await d.template(ctx);
  if (!t.registered) {
    throw checkError(
      "templateRegistered",
      `${where}: the ${d.kind.replace(" instance", " template")} is not registered on this chain; register it first with \`newton ${d.kind.startsWith("policy-data") ? "policy-data" : "policy"} template register … --chains ${where}\``,
      where,
    );
  }
  if (signer !== undefined && !(await d.canDeploy(ctx, signer))) {
    throw checkError(
      "canDeployInstance",
      `${where}: ${signer} may not deploy instances (allowlist-only); ask the registry owner to call setInstanceDeployer(${signer}, true) or use an allowed --signer-key`,
      where,
    );
  }
  const da = lazyDa(run, "fetching the params schema");
  const schema = await fetchJsonArtifact(run, ctx, da, t.namespace, t.paramsSchemaHash, "params schema");
  if (schema !== undefined) validateJson(schema, params.value, "params", params.label);
}

/** A DA client created on first use (commands that need no DA never require `da-url`). */
export function lazyDa(run: RunContext, why: string): () => EigenDaProxyClient {
  let client: EigenDaProxyClient | undefined;
  return () => (client ??= daClient(run, why));
}

function report(
  run: RunContext,
  ctx: ChainContext,
  d: InstanceDeployment,
  id: Hex,
  status: string,
  sent?: { txHash: Hex; blockNumber: number },
): number {
  run.out.result({ chain: ctx.target.label, instanceId: id, status, ...sent });
  run.out.line(`${d.kind} ${id}: ${status}${sent ? ` (tx ${sent.txHash}, block ${sent.blockNumber})` : ""}`);
  return 0;
}

/**
 * Points the signer's current instance at `id` (client only); a no-op when it already is.
 * @throws NewtonError `NEWTON_ERROR_CHECK` when not deployed or the signer is not the client.
 */
export async function setCurrentFlow(
  run: RunContext,
  id: Hex,
  kind: string,
  rowOf: (ctx: ChainContext) => Promise<{ client: string; registeredAt: bigint; templateId: string }>,
  currentOf: (ctx: ChainContext, client: string, templateId: string) => Promise<string>,
  send: (ctx: ChainContext, signer: Wallet) => Promise<ContractTransactionResponse>,
): Promise<number> {
  const ctx = await connectChain(run, defaultTarget(run));
  const row = await rowOf(ctx);
  if (row.registeredAt === 0n)
    throw checkError("instanceDeployed", `${ctx.target.label}: ${kind} ${id} is not deployed; deploy it first`);
  const signer = signerFor(run, ctx);
  await requireFunds(ctx, signer);
  if (signer.address !== row.client) {
    throw checkError(
      "client",
      `${ctx.target.label}: only the client ${row.client} may point at ${kind} ${id}, but the signer is ${signer.address}; use the client's --signer-key`,
    );
  }
  if ((await currentOf(ctx, row.client, row.templateId)) === id) {
    run.out.result({ chain: ctx.target.label, instanceId: id, status: "already current" });
    run.out.line(`${kind} ${id}: already current`);
    return 0;
  }
  const sent = await sendTx(run, ctx, "setCurrentInstance", () => send(ctx, signer));
  run.out.result({ chain: ctx.target.label, instanceId: id, status: "current", ...sent });
  run.out.line(`${kind} ${id}: current (tx ${sent.txHash}, block ${sent.blockNumber})`);
  return 0;
}

/** One `InstanceDeployed` log, as both registries emit it (instanceId, templateId and client indexed). */
export interface InstanceDeployedLog {
  readonly args: { readonly instanceId: string; readonly templateId: string; readonly client: string };
  readonly blockNumber: number;
}

/**
 * `… instance list [--client a] [--template id] [--from-block n]`: the registry's `InstanceDeployed` logs,
 * filtered by the indexed template and client, from the deployment block unless `--from-block` is given.
 * @throws NewtonError `NEWTON_ERROR_USAGE` for a malformed `--template`, `--client` or `--from-block`.
 */
export async function listInstancesFlow(
  run: RunContext,
  o: { client?: string; template?: string; fromBlock?: string },
  query: (
    ctx: ChainContext,
    template: string | undefined,
    client: string | undefined,
    fromBlock: number,
  ) => Promise<InstanceDeployedLog[]>,
): Promise<number> {
  const ctx = await connectChain(run, defaultTarget(run));
  const template = o.template && parseBytes32("--template", o.template);
  const client = o.client && parseAddress("--client", o.client);
  const logs = await query(
    ctx,
    template || undefined,
    client || undefined,
    parseBlock("--from-block", o.fromBlock) ?? ctx.fromBlock,
  );
  const rows = logs.map((l) => ({
    instanceId: l.args.instanceId,
    templateId: l.args.templateId,
    client: l.args.client,
    block: l.blockNumber,
  }));
  run.out.result({ chain: ctx.target.label, instances: rows });
  run.out.table(
    ["instance id", "template id", "client", "block"],
    rows.map((r) => [r.instanceId, r.templateId, r.client, String(r.block)]),
  );
  return 0;
}

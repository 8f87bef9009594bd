import type { ContractTransactionResponse, Wallet } from "ethers";

import type { Hex } from "../../common";
import { ArtifactUploader, sendTx, type Artifact, type ArtifactRefArg } from "./artifacts";
import {
  chainsTarget,
  connectChain,
  daClient,
  defaultTarget,
  requireFunds,
  signerFor,
  type ChainContext,
  type ChainTarget,
  type RunContext,
} from "./context";
import { NewtonError, checkError } from "./errors";
import { feeFor, waitForTxWrites } from "./writes";

/** An artifact with the namespace the registry writes it to (0x04–0x08). */
export interface NamespacedArtifact {
  readonly namespace: number;
  readonly artifact: Artifact;
}

/** What differs between registering a policy template and a policy-data template. */
export interface TemplateRegistration {
  /** "policy template" / "policy-data template", for messages. */
  readonly kind: string;
  readonly templateId: Hex;
  /** The artifacts, in the order `registerTemplate` takes them. */
  readonly artifacts: readonly NamespacedArtifact[];
  /** The registry of that kind on `ctx`. */
  registry(ctx: ChainContext): TemplateRegistry;
  /** Extra pre-flight checks on `ctx` (e.g. data templates registered); throws `NEWTON_ERROR_CHECK`. */
  preflight?(ctx: ChainContext): Promise<void>;
  /** Sends `registerTemplate` with the artifact references, paying `value` wei of write fees (the rest is refunded). */
  send(ctx: ChainContext, signer: Wallet, refs: ArtifactRefArg[], value: bigint): Promise<ContractTransactionResponse>;
}

/** The views of either registry the flow needs. */
export interface TemplateRegistry {
  isTemplateRegistered(id: string): Promise<boolean>;
  canRegisterTemplate(account: string): Promise<boolean>;
  artifactWritten(namespace: number, hash: string): Promise<boolean>;
}

/** One row of the per-chain result table. */
export interface ChainResult {
  readonly chain: string;
  status: "registered" | "skipped" | "failed" | "would register";
  txHash?: Hex;
  blockNumber?: number;
  error?: string;
  exitCode?: 1 | 2;
}

interface Pending {
  readonly ctx: ChainContext;
  readonly signer: Wallet;
  readonly result: ChainResult;
}

/**
 * Registers a template on every chain of `--chains` (default: the command's chain): connects and pre-flights
 * each chain (skipping those where the template exists), uploads each needed artifact to DA once, then sends one
 * `registerTemplate` per remaining chain. A failing chain does not stop the others.
 * @returns the exit code: 0 when no chain failed, else the highest failure code (1 check/tx/DA, 2 config).
 */
export async function registerOnChains(
  run: RunContext,
  reg: TemplateRegistration,
  chains: string | undefined,
  dryRun: boolean,
  wait = false,
): Promise<number> {
  const targets = chains === undefined ? [defaultTarget(run)] : splitList(chains).map((c) => chainsTarget(run, c));
  const results: ChainResult[] = [];
  const pending: Pending[] = [];
  for (const target of targets) {
    const result: ChainResult = { chain: target.label, status: "failed" };
    results.push(result);
    await attempt(run, result, async () => {
      const p = await prepareChain(run, reg, target, result);
      if (p !== undefined) pending.push(p);
    });
  }
  if (dryRun) {
    for (const p of pending) p.result.status = "would register";
  } else if (pending.length > 0) {
    await sendAll(run, reg, pending, wait);
  }
  printResults(run, reg, results, dryRun);
  return Math.max(0, ...results.map((r) => (r.status === "failed" ? (r.exitCode ?? 1) : 0)));
}

async function prepareChain(
  run: RunContext,
  reg: TemplateRegistration,
  target: ChainTarget,
  result: ChainResult,
): Promise<Pending | undefined> {
  const ctx = await connectChain(run, target);
  const registry = reg.registry(ctx);
  if (await registry.isTemplateRegistered(reg.templateId)) {
    result.status = "skipped";
    run.out.progress(`${target.label}: ${reg.kind} ${reg.templateId} already registered, skipping`);
    return undefined;
  }
  const signer = signerFor(run, ctx);
  await requireFunds(ctx, signer);
  if (!(await registry.canRegisterTemplate(signer.address))) {
    throw checkError(
      "canRegisterTemplate",
      `${target.label}: ${signer.address} may not register templates (allowlist-only); ask the registry owner to call setTemplateAuthor(${signer.address}, true) or use an allowed --signer-key`,
      target.label,
    );
  }
  await reg.preflight?.(ctx);
  return { ctx, signer, result };
}

async function sendAll(
  run: RunContext,
  reg: TemplateRegistration,
  all: readonly Pending[],
  wait: boolean,
): Promise<void> {
  // Confirm every mainnet before paying for DA uploads; an unconfirmed chain fails alone.
  const pending: Pending[] = [];
  for (const p of all) {
    await attempt(run, p.result, async () => {
      await run.guardMainnet(p.ctx, p.signer.address, `register ${reg.kind} ${reg.templateId}`);
      pending.push(p);
    });
  }
  if (pending.length === 0) return;
  const uploader = new ArtifactUploader(run, () => daClient(run, "uploading artifacts"));
  const certs = new Map<Hex, Hex>();
  try {
    for (const { namespace, artifact } of reg.artifacts) {
      const needed = await Promise.all(
        pending.map((p) => reg.registry(p.ctx).artifactWritten(namespace, artifact.hash)),
      );
      if (needed.some((written) => !written)) certs.set(artifact.hash, await uploader.cert(artifact));
    }
  } catch (err) {
    for (const p of pending) record(run, p.result, err);
    return;
  }
  const refs = reg.artifacts.map(({ artifact: a }) => ({
    contentHash: a.hash,
    byteLength: a.bytes.length,
    daCert: certs.get(a.hash) ?? ("0x" as Hex),
  }));
  for (const p of pending) {
    await attempt(run, p.result, async () => {
      const registry = reg.registry(p.ctx);
      const lengths: number[] = [];
      for (const { namespace, artifact } of reg.artifacts) {
        if (!(await registry.artifactWritten(namespace, artifact.hash))) lengths.push(artifact.bytes.length);
      }
      const value = await feeFor(p.ctx, lengths);
      const sent = await sendTx(run, p.ctx, "registerTemplate", () => reg.send(p.ctx, p.signer, refs, value));
      Object.assign(p.result, { status: "registered", ...sent });
    });
  }
  if (!wait) return;
  for (const p of pending) {
    if (p.result.txHash === undefined) continue;
    await attempt(run, p.result, () => waitForTxWrites(run, p.ctx, p.result.txHash!));
  }
}

/** Runs `fn`; a thrown error marks `result` failed (message on stderr) instead of propagating. */
async function attempt(run: RunContext, result: ChainResult, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    record(run, result, err);
  }
}

function record(run: RunContext, result: ChainResult, err: unknown): void {
  result.status = "failed";
  result.error = err instanceof Error ? err.message : String(err);
  result.exitCode = err instanceof NewtonError ? err.exitCode : 1;
  run.out.progress(`${result.chain}: failed: ${result.error}`);
}

function printResults(
  run: RunContext,
  reg: TemplateRegistration,
  results: readonly ChainResult[],
  dryRun: boolean,
): void {
  const { out } = run;
  out.result({ templateId: reg.templateId, dryRun, chains: results.map(({ exitCode: _e, ...r }) => r) });
  out.line(`${reg.kind} ${reg.templateId}`);
  out.table(
    ["chain", "template id", "status", "tx"],
    results.map((r) => [r.chain, reg.templateId, r.status, r.txHash ?? ""]),
  );
}

/** Splits `a,b` into trimmed non-empty items. */
export function splitList(value: string): string[] {
  return value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

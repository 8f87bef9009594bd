import type { Command } from "commander";

import { EMPTY_ARTIFACT_HASH, POLICY_NAMESPACES } from "../../chain";
import type { Hex } from "../../common";
import { connectChain, defaultTarget, type ChainContext, type RunContext } from "./context";
import { usageError } from "./errors";
import { parseBytes32 } from "./options";
import { writeStatus } from "./writes";

/** One node of the template/instance DAG and its state; `fix` is the `newton` command that repairs it. */
export interface DescribeItem {
  readonly item: string;
  readonly id: string;
  readonly status:
    | "registered"
    | "deployed"
    | "set"
    | "current"
    | "missing"
    | "not set"
    | "not current"
    | "committed"
    | "waiting"
    | "not written";
  readonly fix?: string;
  /** Artifact writes: the write's index, and the commit sequence holding it or the backlog ahead of it. */
  readonly write?: { writeIndex: string; sequenceNo?: string; writesAhead?: string; bytesAhead?: string };
}

/** Adds one item per non-empty artifact: whether its write is committed (in which sequence) or how much waits ahead. */
async function pushArtifacts(
  ctx: ChainContext,
  items: DescribeItem[],
  indent: string,
  artifacts: readonly { name: string; namespace: number; hash: string }[],
): Promise<void> {
  for (const a of artifacts) {
    if (a.hash === EMPTY_ARTIFACT_HASH) continue;
    const s = await writeStatus(ctx, a.namespace, a.hash as Hex);
    const item = `${indent}${a.name}`;
    if (s.status === "not written") {
      items.push({ item, id: a.hash, status: "not written" });
    } else if (s.status === "committed") {
      items.push({
        item,
        id: a.hash,
        status: "committed",
        write: { writeIndex: s.writeIndex.toString(), sequenceNo: s.sequenceNo.toString() },
      });
    } else {
      items.push({
        item,
        id: a.hash,
        status: "waiting",
        write: {
          writeIndex: s.writeIndex.toString(),
          writesAhead: s.writesAhead.toString(),
          bytesAhead: s.bytesAhead.toString(),
        },
      });
    }
  }
}

const MISSING = new Set<DescribeItem["status"]>(["missing", "not set", "not current"]);

/**
 * `policy describe --policy-instance <id> | --policy-template <id>`: walks template → data templates →
 * instances → secrets and pointers, printing each with its state and, when missing, the command that fixes it.
 * @returns 0 when nothing is missing, 1 otherwise.
 */
export async function describePolicy(
  run: RunContext,
  o: { policyInstance?: string; policyTemplate?: string },
): Promise<number> {
  if ((o.policyInstance === undefined) === (o.policyTemplate === undefined)) {
    throw usageError("--policy-instance", "", "give exactly one of --policy-instance <id> or --policy-template <id>");
  }
  const ctx = await connectChain(run, defaultTarget(run));
  const items: DescribeItem[] = [];
  if (o.policyInstance !== undefined)
    await walkInstance(ctx, parseBytes32("--policy-instance", o.policyInstance), items);
  else await walkTemplate(ctx, parseBytes32("--policy-template", o.policyTemplate!), items, "  ");
  const missing = items.filter((i) => MISSING.has(i.status)).length;
  // JSON: item names without the text layout's indentation; `depth` (0 = root) carries the nesting instead.
  const jsonItems = items.map((i) => ({
    ...i,
    item: i.item.trimStart(),
    depth: (i.item.length - i.item.trimStart().length) / 2,
  }));
  run.out.result({ chain: ctx.target.label, complete: missing === 0, items: jsonItems });
  for (const i of items) {
    run.out.line(`${i.item} ${i.id}: ${i.status}${writeNote(i)}`);
    if (i.fix !== undefined) run.out.line(`${" ".repeat(i.item.length - i.item.trimStart().length)}  fix: ${i.fix}`);
  }
  run.out.line(missing === 0 ? "complete" : `${missing} item(s) missing`);
  return missing === 0 ? 0 : 1;
}

/** ` (write #5 in sequence 3)` / ` (write #9: 2 writes, 1.5 MiB ahead)` for artifact items. */
function writeNote(i: DescribeItem): string {
  const w = i.write;
  if (w === undefined) return "";
  if (w.sequenceNo !== undefined) return ` (write #${w.writeIndex} in sequence ${w.sequenceNo})`;
  const mib = (Number(w.bytesAhead ?? 0) / 1024 / 1024).toFixed(2);
  return ` (write #${w.writeIndex}: ${w.writesAhead} write(s), ${mib} MiB ahead)`;
}

async function walkTemplate(ctx: ChainContext, id: Hex, items: DescribeItem[], indent: string): Promise<void> {
  const row = await ctx.policyRegistry.templates(id);
  if (row.registeredAt === 0n) {
    items.push({
      item: `${indent}policy template`,
      id,
      status: "missing",
      fix: `newton policy template register --rego <policy.rego> [--params-schema <schema.json>] [--data-templates <ids>] --chains ${ctx.target.label}`,
    });
    return;
  }
  items.push({ item: `${indent}policy template`, id, status: "registered" });
  await pushArtifacts(ctx, items, `${indent}  `, [
    { name: "rego", namespace: POLICY_NAMESPACES.rego, hash: row.regoHash },
    { name: "params schema", namespace: POLICY_NAMESPACES.policyParamsSchema, hash: row.paramsSchemaHash },
  ]);
  for (const dt of await ctx.policyRegistry.policyDataTemplateIdsOf(id)) {
    const registered = await ctx.policyDataRegistry.isTemplateRegistered(dt);
    if (registered) {
      const t = await ctx.policyDataRegistry.templates(dt);
      items.push({ item: `${indent}  policy-data template`, id: dt, status: "registered" });
      await pushArtifacts(ctx, items, `${indent}    `, [
        { name: "wasm", namespace: POLICY_NAMESPACES.wasm, hash: t.wasmHash },
        { name: "params schema", namespace: POLICY_NAMESPACES.policyDataParamsSchema, hash: t.paramsSchemaHash },
        { name: "secrets schema", namespace: POLICY_NAMESPACES.secretsSchema, hash: t.secretsSchemaHash },
      ]);
      continue;
    }
    items.push({
      item: `${indent}  policy-data template`,
      id: dt,
      status: registered ? "registered" : "missing",
      fix: registered
        ? undefined
        : `newton policy-data template register --wasm <file.wasm> … --chains ${ctx.target.label}`,
    });
  }
}

async function walkInstance(ctx: ChainContext, id: Hex, items: DescribeItem[]): Promise<void> {
  const row = await ctx.policyRegistry.instances(id);
  if (row.registeredAt === 0n) {
    items.push({
      item: "policy instance",
      id,
      status: "missing",
      fix: "newton policy instance deploy --template <id> --client <address> --params <params.json> --expire-after <blocks> --data-instances <ids>",
    });
    return;
  }
  items.push({ item: "policy instance", id, status: "deployed" });
  const current = (await ctx.policyRegistry.currentPolicyInstance(row.client)) === id;
  items.push({
    item: "  current pointer",
    id,
    status: current ? "current" : "not current",
    fix: current
      ? undefined
      : `newton policy instance set-current --instance ${id} (signed by the client ${row.client})`,
  });
  await walkTemplate(ctx, row.templateId as Hex, items, "  ");
  const expected = await ctx.policyRegistry.policyDataTemplateIdsOf(row.templateId);
  for (const [i, dataId] of (await ctx.policyRegistry.policyDataInstanceIdsOf(id)).entries()) {
    await walkDataInstance(ctx, dataId as Hex, expected[i] as Hex, row.client, items);
  }
}

async function walkDataInstance(
  ctx: ChainContext,
  id: Hex,
  templateId: Hex,
  client: string,
  items: DescribeItem[],
): Promise<void> {
  const reg = ctx.policyDataRegistry;
  const row = await reg.instances(id);
  if (row.registeredAt === 0n) {
    items.push({
      item: "  policy-data instance",
      id,
      status: "missing",
      fix: `newton policy-data instance deploy --template ${templateId} --client ${client} --params <params.json> --expire-after <blocks>`,
    });
    return;
  }
  items.push({ item: "  policy-data instance", id, status: "deployed" });
  const current = (await reg.currentPolicyDataInstance(row.client, row.templateId)) === id;
  items.push({
    item: "    current pointer",
    id,
    status: current ? "current" : "not current",
    fix: current
      ? undefined
      : `newton policy-data instance set-current --instance ${id} (signed by the client ${row.client})`,
  });
  const template = await reg.templates(row.templateId);
  if (template.secretsSchemaHash === EMPTY_ARTIFACT_HASH) return;
  const secrets = await reg.secretsOf(id);
  const set = secrets.updatedAt !== 0n && BigInt(secrets.envelopeHash) !== 0n;
  items.push({
    item: "    secrets",
    id,
    status: set ? "set" : "not set",
    fix: set
      ? undefined
      : `newton policy-data instance set-secrets --instance ${id} --secrets <secrets.json> --operator-url <url> (signed by the client ${row.client})`,
  });
}

/** Adds `policy describe` to `parent` (the `policy` command). */
export function addDescribeCommand(
  parent: Command,
  act: (fn: (run: RunContext, o: never) => Promise<number> | number) => (...args: unknown[]) => Promise<void>,
): void {
  parent
    .command("describe")
    .description("walk template → data templates → instances → secrets; print what is missing and how to fix it")
    .option("--policy-instance <id>", "a policy instance id")
    .option("--policy-template <id>", "a policy template id")
    .action(act(describePolicy));
}

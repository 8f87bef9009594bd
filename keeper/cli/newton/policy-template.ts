import type { Command } from "commander";

import { POLICY_NAMESPACES, policyTemplateId } from "../../chain";
import type { Hex } from "../../common";
import { checkRego, readArtifact } from "./artifacts";
import { connectChain, defaultTarget, type ChainContext, type RunContext } from "./context";
import { checkError, usageError } from "./errors";
import { parseAddress, parseBlock, parseBytes32, parseIdList } from "./options";
import { registerOnChains, type TemplateRegistration } from "./register";

/** The most data templates a policy template may name (`PolicyRegistry.MAX_POLICY_DATA_TEMPLATES`). */
export const MAX_POLICY_DATA_TEMPLATES = 32;

/** Options of `newton policy template register|compute-id`. */
export interface PolicyTemplateFiles {
  rego: string;
  paramsSchema?: string;
  dataTemplates?: string;
}

/** What `policy template compute-id` / `register` derive from the files. */
function policyTemplateSpec(run: RunContext, o: PolicyTemplateFiles) {
  const rego = readArtifact(run, "rego", o.rego);
  if (rego.bytes.length === 0)
    throw usageError("--rego", o.rego, `--rego ${o.rego} is empty; a policy needs Rego source`);
  checkRego(rego.bytes, o.rego);
  const paramsSchema = readArtifact(run, "params schema", o.paramsSchema, true);
  const ids = parseIdList("--data-templates", o.dataTemplates);
  const sorted = [...new Set(ids)].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  if (sorted.length !== ids.length)
    throw usageError("--data-templates", o.dataTemplates ?? "", "--data-templates lists an id twice");
  if (sorted.length > MAX_POLICY_DATA_TEMPLATES) {
    throw usageError(
      "--data-templates",
      o.dataTemplates ?? "",
      `at most ${MAX_POLICY_DATA_TEMPLATES} data templates, got ${sorted.length}`,
    );
  }
  return {
    rego,
    paramsSchema,
    dataTemplateIds: sorted,
    templateId: policyTemplateId(rego.hash, paramsSchema.hash, sorted),
  };
}

/** `policy template compute-id`: the id, off-chain (data template ids sorted ascending as the contract requires). */
export function computePolicyTemplateId(run: RunContext, o: PolicyTemplateFiles): number {
  const spec = policyTemplateSpec(run, o);
  run.out.result({
    templateId: spec.templateId,
    regoHash: spec.rego.hash,
    paramsSchemaHash: spec.paramsSchema.hash,
    policyDataTemplateIds: spec.dataTemplateIds,
  });
  run.out.line(spec.templateId);
  return 0;
}

/** `policy template register`: uploads the artifacts once and registers on every `--chains` chain. */
export async function registerPolicyTemplate(
  run: RunContext,
  o: PolicyTemplateFiles & { chains?: string; dryRun?: boolean; wait?: boolean },
): Promise<number> {
  const spec = policyTemplateSpec(run, o);
  const reg: TemplateRegistration = {
    kind: "policy template",
    templateId: spec.templateId,
    artifacts: [
      { namespace: POLICY_NAMESPACES.rego, artifact: spec.rego },
      { namespace: POLICY_NAMESPACES.policyParamsSchema, artifact: spec.paramsSchema },
    ],
    registry: (ctx) => ctx.policyRegistry,
    preflight: (ctx) => checkDataTemplates(ctx, spec.dataTemplateIds),
    send: (ctx, signer, refs, value) =>
      ctx.policyRegistry.connect(signer).registerTemplate(refs[0], refs[1], spec.dataTemplateIds, { value }),
  };
  return registerOnChains(run, reg, o.chains, o.dryRun === true, o.wait === true);
}

async function checkDataTemplates(ctx: ChainContext, ids: readonly Hex[]): Promise<void> {
  for (const id of ids) {
    if (!(await ctx.policyDataRegistry.isTemplateRegistered(id))) {
      throw checkError(
        "dataTemplateRegistered",
        `${ctx.target.label}: policy-data template ${id} is not registered on this chain; register it first: newton policy-data template register --wasm <file.wasm> [--params-schema <schema.json>] [--secrets-schema <schema.json>] --chains ${ctx.target.label}`,
        ctx.target.label,
      );
    }
  }
}

/** `policy template show --template <id>`. Exit 1 when not registered on the chain. */
export async function showPolicyTemplate(run: RunContext, o: { template: string }): Promise<number> {
  const id = parseBytes32("--template", o.template);
  const ctx = await connectChain(run, defaultTarget(run));
  const row = await ctx.policyRegistry.templates(id);
  if (row.registeredAt === 0n) {
    throw checkError(
      "templateRegistered",
      `${ctx.target.label}: policy template ${id} is not registered; register it with \`newton policy template register --rego <policy.rego> …\``,
    );
  }
  const dataTemplateIds = await ctx.policyRegistry.policyDataTemplateIdsOf(id);
  const view = {
    chain: ctx.target.label,
    templateId: id,
    regoHash: row.regoHash,
    paramsSchemaHash: row.paramsSchemaHash,
    author: row.author,
    registeredAt: row.registeredAt,
    policyDataTemplateIds: [...dataTemplateIds],
  };
  run.out.result(view);
  printFields(run, view);
  return 0;
}

/** `policy template list [--author a] [--from-block n]`: `TemplateRegistered` logs of the chain. */
export async function listPolicyTemplates(
  run: RunContext,
  o: { author?: string; fromBlock?: string },
): Promise<number> {
  const ctx = await connectChain(run, defaultTarget(run));
  const author = o.author === undefined ? undefined : parseAddress("--author", o.author);
  const reg = ctx.policyRegistry;
  const logs = await reg.queryFilter(
    reg.filters.TemplateRegistered(undefined, author),
    parseBlock("--from-block", o.fromBlock) ?? ctx.fromBlock,
  );
  const rows = logs.map((l) => ({
    templateId: l.args.templateId,
    author: l.args.author,
    regoHash: l.args.regoHash,
    dataTemplates: l.args.policyDataTemplateIds.length,
    block: l.blockNumber,
  }));
  run.out.result({ chain: ctx.target.label, templates: rows });
  run.out.table(
    ["template id", "author", "data templates", "block"],
    rows.map((r) => [r.templateId, r.author, String(r.dataTemplates), String(r.block)]),
  );
  return 0;
}

/** Prints `key: value` lines (arrays one item per line). */
export function printFields(run: RunContext, view: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(view)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      run.out.line(`${key}: ${value.length === 0 ? "(none)" : ""}`);
      for (const v of value) run.out.line(`  - ${String(v)}`);
    } else {
      run.out.line(`${key}: ${String(value)}`);
    }
  }
}

/** Adds the `policy template …` commands to `parent`. */
export function addPolicyTemplateCommands(
  parent: Command,
  act: (fn: (run: RunContext, o: never) => Promise<number> | number) => (...args: unknown[]) => Promise<void>,
): void {
  const t = parent.command("template").description("policy templates (Rego + params schema + data templates)");
  const files = (c: Command) =>
    c
      .requiredOption("--rego <file>", "Rego source")
      .option("--params-schema <file>", "params JSON schema (draft 2020-12); omitted = none")
      .option("--data-templates <ids>", "policy-data template ids, comma-separated (sorted for you)");
  files(t.command("register").description("upload artifacts to DA and register on each chain"))
    .option("--chains <names>", "profiles or network names, comma-separated (default: the current chain)")
    .option("--dry-run", "print the id and the pre-flight result; send nothing")
    .option("--wait", "block until the artifact writes are committed (progress: writes and bytes ahead)")
    .action(act(registerPolicyTemplate));
  files(t.command("compute-id").description("print the template id (offline)")).action(act(computePolicyTemplateId));
  t.command("show")
    .description("show a registered template")
    .requiredOption("--template <id>", "policy template id")
    .action(act(showPolicyTemplate));
  t.command("list")
    .description("list registered templates")
    .option("--author <address>", "only this author")
    .option("--from-block <n>", "first block to scan")
    .action(act(listPolicyTemplates));
}

import type { Command } from "commander";

import { POLICY_NAMESPACES, policyDataTemplateId } from "../../chain";
import { checkWasm, readArtifact } from "./artifacts";
import { connectChain, defaultTarget, type RunContext } from "./context";
import { checkError, usageError } from "./errors";
import { parseAddress, parseBlock, parseBytes32 } from "./options";
import { printFields } from "./policy-template";
import { registerOnChains, type TemplateRegistration } from "./register";

/** Options of `newton policy-data template register|compute-id`. */
export interface PolicyDataTemplateFiles {
  wasm: string;
  paramsSchema?: string;
  secretsSchema?: string;
}

function dataTemplateSpec(run: RunContext, o: PolicyDataTemplateFiles) {
  const wasm = readArtifact(run, "wasm", o.wasm);
  if (wasm.bytes.length === 0)
    throw usageError("--wasm", o.wasm, `--wasm ${o.wasm} is empty; a data template needs a WASM module`);
  checkWasm(wasm.bytes, o.wasm);
  const paramsSchema = readArtifact(run, "params schema", o.paramsSchema, true);
  const secretsSchema = readArtifact(run, "secrets schema", o.secretsSchema, true);
  return {
    wasm,
    paramsSchema,
    secretsSchema,
    templateId: policyDataTemplateId(wasm.hash, paramsSchema.hash, secretsSchema.hash),
  };
}

/** `policy-data template compute-id`: the id, off-chain. */
export function computeDataTemplateId(run: RunContext, o: PolicyDataTemplateFiles): number {
  const s = dataTemplateSpec(run, o);
  run.out.result({
    templateId: s.templateId,
    wasmHash: s.wasm.hash,
    paramsSchemaHash: s.paramsSchema.hash,
    secretsSchemaHash: s.secretsSchema.hash,
  });
  run.out.line(s.templateId);
  return 0;
}

/** `policy-data template register`: uploads the artifacts once and registers on every `--chains` chain. */
export async function registerDataTemplate(
  run: RunContext,
  o: PolicyDataTemplateFiles & { chains?: string; dryRun?: boolean; wait?: boolean },
): Promise<number> {
  const s = dataTemplateSpec(run, o);
  const reg: TemplateRegistration = {
    kind: "policy-data template",
    templateId: s.templateId,
    artifacts: [
      { namespace: POLICY_NAMESPACES.wasm, artifact: s.wasm },
      { namespace: POLICY_NAMESPACES.policyDataParamsSchema, artifact: s.paramsSchema },
      { namespace: POLICY_NAMESPACES.secretsSchema, artifact: s.secretsSchema },
    ],
    registry: (ctx) => ctx.policyDataRegistry,
    send: (ctx, signer, refs, value) =>
      ctx.policyDataRegistry.connect(signer).registerTemplate(refs[0], refs[1], refs[2], { value }),
  };
  return registerOnChains(run, reg, o.chains, o.dryRun === true, o.wait === true);
}

/** `policy-data template show --template <id>`. Exit 1 when not registered on the chain. */
export async function showDataTemplate(run: RunContext, o: { template: string }): Promise<number> {
  const id = parseBytes32("--template", o.template);
  const ctx = await connectChain(run, defaultTarget(run));
  const row = await ctx.policyDataRegistry.templates(id);
  if (row.registeredAt === 0n) {
    throw checkError(
      "templateRegistered",
      `${ctx.target.label}: policy-data template ${id} is not registered; register it with \`newton policy-data template register --wasm <file.wasm> …\``,
    );
  }
  const view = {
    chain: ctx.target.label,
    templateId: id,
    wasmHash: row.wasmHash,
    paramsSchemaHash: row.paramsSchemaHash,
    secretsSchemaHash: row.secretsSchemaHash,
    author: row.author,
    registeredAt: row.registeredAt,
  };
  run.out.result(view);
  printFields(run, view);
  return 0;
}

/** `policy-data template list [--author a] [--from-block n]`. */
export async function listDataTemplates(run: RunContext, o: { author?: string; fromBlock?: string }): Promise<number> {
  const ctx = await connectChain(run, defaultTarget(run));
  const author = o.author === undefined ? undefined : parseAddress("--author", o.author);
  const reg = ctx.policyDataRegistry;
  const logs = await reg.queryFilter(
    reg.filters.TemplateRegistered(undefined, author),
    parseBlock("--from-block", o.fromBlock) ?? ctx.fromBlock,
  );
  const rows = logs.map((l) => ({
    templateId: l.args.templateId,
    author: l.args.author,
    wasmHash: l.args.wasmHash,
    block: l.blockNumber,
  }));
  run.out.result({ chain: ctx.target.label, templates: rows });
  run.out.table(
    ["template id", "author", "wasm hash", "block"],
    rows.map((r) => [r.templateId, r.author, r.wasmHash, String(r.block)]),
  );
  return 0;
}

/** Adds the `policy-data template …` commands to `parent`. */
export function addDataTemplateCommands(
  parent: Command,
  act: (fn: (run: RunContext, o: never) => Promise<number> | number) => (...args: unknown[]) => Promise<void>,
): void {
  const t = parent.command("template").description("policy-data templates (WASM + params schema + secrets schema)");
  const files = (c: Command) =>
    c
      .requiredOption("--wasm <file>", "WASM data plugin")
      .option("--params-schema <file>", "params JSON schema; omitted = none")
      .option("--secrets-schema <file>", "secrets JSON schema; omitted = none");
  files(t.command("register").description("upload artifacts to DA and register on each chain"))
    .option("--chains <names>", "profiles or network names, comma-separated (default: the current chain)")
    .option("--dry-run", "print the id and the pre-flight result; send nothing")
    .option("--wait", "block until the artifact writes are committed (progress: writes and bytes ahead)")
    .action(act(registerDataTemplate));
  files(t.command("compute-id").description("print the template id (offline)")).action(act(computeDataTemplateId));
  t.command("show")
    .description("show a registered template")
    .requiredOption("--template <id>", "policy-data template id")
    .action(act(showDataTemplate));
  t.command("list")
    .description("list registered templates")
    .option("--author <address>", "only this author")
    .option("--from-block <n>", "first block to scan")
    .action(act(listDataTemplates));
}

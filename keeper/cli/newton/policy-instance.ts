import type { Command } from "commander";

import { POLICY_NAMESPACES, policyInstanceId } from "../../chain";
import type { Hex } from "../../common";
import { connectChain, defaultTarget, type ChainContext, type RunContext } from "./context";
import { checkError } from "./errors";
import { deployInstanceFlow, listInstancesFlow, readParams, setCurrentFlow, type DeployOptions } from "./instance";
import { parseBytes32, parseIdList, parseUint64 } from "./options";
import { printFields } from "./policy-template";

/** `policy instance deploy`: params, expiry and one data instance per data template, all checked first. */
export async function deployPolicyInstance(
  run: RunContext,
  o: DeployOptions & { dataInstances?: string },
): Promise<number> {
  const templateId = parseBytes32("--template", o.template);
  const dataIds = parseIdList("--data-instances", o.dataInstances);
  const params = readParams(run, o.params);
  const expireAfter = parseUint64("--expire-after", o.expireAfter);
  return deployInstanceFlow(
    run,
    o,
    {
      kind: "policy instance",
      instanceId: (ctx, client) =>
        policyInstanceId(ctx.chainId, client, templateId, params.bytes, expireAfter, dataIds),
      isDeployed: (ctx, id) => ctx.policyRegistry.isInstanceDeployed(id),
      template: async (ctx) => {
        const row = await ctx.policyRegistry.templates(templateId);
        return {
          registered: row.registeredAt !== 0n,
          paramsSchemaHash: row.paramsSchemaHash,
          namespace: POLICY_NAMESPACES.policyParamsSchema,
        };
      },
      canDeploy: (ctx, a) => ctx.policyRegistry.canDeployInstance(a),
      preflight: (ctx, client) => checkDataInstances(ctx, templateId, dataIds, client),
      send: (ctx, signer, client) =>
        ctx.policyRegistry.connect(signer).deployInstance(templateId, client, params.bytes, expireAfter, dataIds),
    },
    params,
  );
}

/** Arity, existence, owner and kind of each data instance, in the template's order (as the contract checks). */
async function checkDataInstances(
  ctx: ChainContext,
  templateId: Hex,
  dataIds: readonly Hex[],
  client: string,
): Promise<void> {
  const where = ctx.target.label;
  const expected = await ctx.policyRegistry.policyDataTemplateIdsOf(templateId);
  if (expected.length !== dataIds.length) {
    throw checkError(
      "dataInstanceCount",
      `${where}: the template has ${expected.length} data template(s) but --data-instances lists ${dataIds.length}; give one data instance per data template, in order: ${expected.join(",") || "(none)"}`,
      where,
    );
  }
  for (const [i, id] of dataIds.entries()) {
    const row = await ctx.policyDataRegistry.instances(id);
    if (row.registeredAt === 0n) {
      throw checkError(
        "dataInstanceDeployed",
        `${where}: data instance #${i} ${id} is not deployed; deploy it with \`newton policy-data instance deploy --template ${expected[i]} --client ${client} --params <params.json> --expire-after <blocks>\``,
        where,
      );
    }
    if (row.client !== client) {
      throw checkError(
        "dataInstanceClient",
        `${where}: data instance #${i} ${id} belongs to ${row.client}, not to the client ${client}; deploy one for ${client}`,
        where,
      );
    }
    if (row.templateId !== expected[i]) {
      throw checkError(
        "dataInstanceTemplate",
        `${where}: data instance #${i} ${id} instantiates ${row.templateId}, but the template's data template #${i} is ${expected[i]}; list the data instances in the template's order`,
        where,
      );
    }
  }
}

/** `policy instance show --instance <id>`. */
export async function showPolicyInstance(run: RunContext, o: { instance: string }): Promise<number> {
  const id = parseBytes32("--instance", o.instance);
  const ctx = await connectChain(run, defaultTarget(run));
  const row = await ctx.policyRegistry.instances(id);
  if (row.registeredAt === 0n)
    throw checkError(
      "instanceDeployed",
      `${ctx.target.label}: policy instance ${id} is not deployed; deploy it with \`newton policy instance deploy …\``,
    );
  const params = Buffer.from((await ctx.policyRegistry.instanceParams(id)).slice(2), "hex").toString("utf8");
  const current = (await ctx.policyRegistry.currentPolicyInstance(row.client)) === id;
  const view = {
    chain: ctx.target.label,
    instanceId: id,
    templateId: row.templateId,
    client: row.client,
    deployer: row.deployer,
    expireAfter: row.expireAfter,
    registeredAt: row.registeredAt,
    current,
    params,
    policyDataInstanceIds: [...(await ctx.policyRegistry.policyDataInstanceIdsOf(id))],
  };
  run.out.result(view);
  printFields(run, view);
  return 0;
}

/** `policy instance list [--client a] [--template id]`: `InstanceDeployed` logs. */
export async function listPolicyInstances(
  run: RunContext,
  o: { client?: string; template?: string; fromBlock?: string },
): Promise<number> {
  return listInstancesFlow(run, o, (ctx, template, client, fromBlock) =>
    ctx.policyRegistry.queryFilter(ctx.policyRegistry.filters.InstanceDeployed(undefined, template, client), fromBlock),
  );
}

/** `policy instance set-current --instance <id>` (signed by the client). */
export async function setCurrentPolicyInstance(run: RunContext, o: { instance: string }): Promise<number> {
  const id = parseBytes32("--instance", o.instance);
  return setCurrentFlow(
    run,
    id,
    "policy instance",
    (ctx) => ctx.policyRegistry.instances(id),
    (ctx, client) => ctx.policyRegistry.currentPolicyInstance(client),
    (ctx, signer) => ctx.policyRegistry.connect(signer).setCurrentInstance(id),
  );
}

/** Adds the `policy instance …` commands to `parent`. */
export function addPolicyInstanceCommands(
  parent: Command,
  act: (fn: (run: RunContext, o: never) => Promise<number> | number) => (...args: unknown[]) => Promise<void>,
): void {
  const i = parent.command("instance").description("policy instances (a client's configuration of a template)");
  i.command("deploy")
    .description("deploy an instance after checking everything on-chain")
    .requiredOption("--template <id>", "policy template id")
    .option("--client <address>", "the client the instance belongs to (default: the signer)")
    .option("--params <file>", "params JSON (validated against the template's params schema; default {})")
    .requiredOption("--expire-after <blocks>", "attestation lifetime in blocks (> 0)")
    .option("--data-instances <ids>", "one policy-data instance per data template, in the template's order")
    .option("--dry-run", "print the id and the pre-flight result; send nothing")
    .action(act(deployPolicyInstance));
  i.command("show").requiredOption("--instance <id>", "policy instance id").action(act(showPolicyInstance));
  i.command("list")
    .option("--client <address>")
    .option("--template <id>")
    .option("--from-block <n>")
    .action(act(listPolicyInstances));
  i.command("set-current")
    .description("point the client's current policy instance at it")
    .requiredOption("--instance <id>", "policy instance id")
    .action(act(setCurrentPolicyInstance));
}

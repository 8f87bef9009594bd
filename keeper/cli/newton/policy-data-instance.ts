import type { Command } from "commander";

import { POLICY_NAMESPACES, policyDataInstanceId } from "../../chain";
import { connectChain, defaultTarget, type RunContext } from "./context";
import { checkError } from "./errors";
import { deployInstanceFlow, listInstancesFlow, readParams, setCurrentFlow, type DeployOptions } from "./instance";
import { parseBytes32, parseUint64 } from "./options";
import { printFields } from "./policy-template";
import { resealSecrets, setSecrets, showSecrets } from "./secrets";

/** `policy-data instance deploy`: params (checked against the template's schema) and expiry. */
export async function deployDataInstance(run: RunContext, o: DeployOptions): Promise<number> {
  const templateId = parseBytes32("--template", o.template);
  const params = readParams(run, o.params);
  const expireAfter = parseUint64("--expire-after", o.expireAfter);
  return deployInstanceFlow(
    run,
    o,
    {
      kind: "policy-data instance",
      instanceId: (ctx, client) => policyDataInstanceId(ctx.chainId, client, templateId, params.bytes, expireAfter),
      isDeployed: (ctx, id) => ctx.policyDataRegistry.isInstanceDeployed(id),
      template: async (ctx) => {
        const row = await ctx.policyDataRegistry.templates(templateId);
        return {
          registered: row.registeredAt !== 0n,
          paramsSchemaHash: row.paramsSchemaHash,
          namespace: POLICY_NAMESPACES.policyDataParamsSchema,
        };
      },
      canDeploy: (ctx, a) => ctx.policyDataRegistry.canDeployInstance(a),
      send: (ctx, signer, client) =>
        ctx.policyDataRegistry.connect(signer).deployInstance(templateId, client, params.bytes, expireAfter),
    },
    params,
  );
}

/** `policy-data instance show --instance <id>`. */
export async function showDataInstance(run: RunContext, o: { instance: string }): Promise<number> {
  const id = parseBytes32("--instance", o.instance);
  const ctx = await connectChain(run, defaultTarget(run));
  const reg = ctx.policyDataRegistry;
  const row = await reg.instances(id);
  if (row.registeredAt === 0n)
    throw checkError(
      "instanceDeployed",
      `${ctx.target.label}: policy-data instance ${id} is not deployed; deploy it with \`newton policy-data instance deploy …\``,
    );
  const params = Buffer.from((await reg.instanceParams(id)).slice(2), "hex").toString("utf8");
  const secrets = await reg.secretsOf(id);
  const current = (await reg.currentPolicyDataInstance(row.client, row.templateId)) === id;
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
    secretsEnvelopeHash: secrets.envelopeHash,
    secretsUpdatedAt: secrets.updatedAt,
  };
  run.out.result(view);
  printFields(run, view);
  return 0;
}

/** `policy-data instance list [--client a] [--template id]`. */
export async function listDataInstances(
  run: RunContext,
  o: { client?: string; template?: string; fromBlock?: string },
): Promise<number> {
  return listInstancesFlow(run, o, (ctx, template, client, fromBlock) =>
    ctx.policyDataRegistry.queryFilter(
      ctx.policyDataRegistry.filters.InstanceDeployed(undefined, template, client),
      fromBlock,
    ),
  );
}

/** `policy-data instance set-current --instance <id>` (signed by the client). */
export async function setCurrentDataInstance(run: RunContext, o: { instance: string }): Promise<number> {
  const id = parseBytes32("--instance", o.instance);
  return setCurrentFlow(
    run,
    id,
    "policy-data instance",
    (ctx) => ctx.policyDataRegistry.instances(id),
    (ctx, client, templateId) => ctx.policyDataRegistry.currentPolicyDataInstance(client, templateId),
    (ctx, signer) => ctx.policyDataRegistry.connect(signer).setCurrentInstance(id),
  );
}

/** Adds the `policy-data instance …` commands to `parent`. */
export function addDataInstanceCommands(
  parent: Command,
  act: (fn: (run: RunContext, o: never) => Promise<number> | number) => (...args: unknown[]) => Promise<void>,
): void {
  const i = parent
    .command("instance")
    .description("policy-data instances (a client's configuration of a data template)");
  i.command("deploy")
    .description("deploy an instance after checking everything on-chain")
    .requiredOption("--template <id>", "policy-data template id")
    .option("--client <address>", "the client the instance belongs to (default: the signer)")
    .option("--params <file>", "params JSON (validated against the template's params schema; default {})")
    .requiredOption("--expire-after <blocks>", "attestation lifetime in blocks (> 0)")
    .option("--dry-run", "print the id and the pre-flight result; send nothing")
    .action(act(deployDataInstance));
  i.command("show").requiredOption("--instance <id>", "policy-data instance id").action(act(showDataInstance));
  i.command("list")
    .option("--client <address>")
    .option("--template <id>")
    .option("--from-block <n>")
    .action(act(listDataInstances));
  i.command("set-current")
    .description("point the client's current instance of its template at it")
    .requiredOption("--instance <id>", "policy-data instance id")
    .action(act(setCurrentDataInstance));
  i.command("set-secrets")
    .description("seal secrets to the operators' key (HPKE), upload, and setSecrets")
    .requiredOption("--instance <id>", "policy-data instance id")
    .requiredOption("--secrets <file>", "secrets JSON (validated against the template's secrets schema)")
    .option("--operator-url <url>", "operator base URL serving GET /v1/secrets-key (or profile operator-url)")
    .option("--dry-run", "check and seal, but upload and send nothing")
    .option("--wait", "block until the secrets write is committed (progress: writes and bytes ahead)")
    .action(act(setSecrets));
  i.command("reseal")
    .description("after a secrets key rotation: re-seal the secrets to the operators' current key epoch")
    .requiredOption("--instance <id>", "policy-data instance id")
    .requiredOption("--secrets <file>", "the secrets JSON again (only the operators can open the old envelope)")
    .option("--operator-url <url>", "operator base URL serving GET /v1/secrets-key (or profile operator-url)")
    .option("--dry-run", "check and seal, but upload and send nothing")
    .action(act(resealSecrets));
  i.command("show-secrets")
    .description("show the secrets envelope; decrypt it with the operators' key")
    .requiredOption("--instance <id>", "policy-data instance id")
    .option("--private-key-file <file>", "operators' X25519 private key (0x-hex, or JSON {privateKey})")
    .action(act(showSecrets));
}

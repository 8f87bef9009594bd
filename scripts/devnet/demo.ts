/**
 * The devnet demo: what a policy author and two clients do with the `newton` CLI, on real artifacts —
 * three Rego policies with their JSON schemas (`examples/`) and two WASM data plugins taken from npm
 * packages (`sql.js`'s `sql-wasm.wasm`, `esbuild-wasm`'s multi-megabyte `esbuild.wasm`). Every artifact is
 * uploaded to DA once and registered on-chain; each client gets policy-data and policy instances, points
 * at its policy instance and seals its plugin secrets to the operators' key.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

import { Wallet } from "ethers";

import type { Hex } from "../../keeper/common";
import { runNewton } from "../../keeper/cli/newton";
import { DEVNET_ACCOUNTS } from "./accounts";
import { ROOT } from "./processes";

/** Where the demo talks to. */
export interface DemoTarget {
  readonly rpcUrl: string;
  readonly daUrl: string;
  readonly deploymentsDir: string;
  /** An operator serving `GET /v1/secrets-key`. */
  readonly operatorUrl: string;
  /** Folder for the demo's params and secrets files. */
  readonly dir: string;
  readonly log: (line: string) => void;
}

/** One client's instances. */
export interface DemoClient {
  readonly address: string;
  readonly policyInstanceId: Hex;
  readonly dataInstances: { readonly templateId: Hex; readonly instanceId: Hex; readonly secrets: unknown }[];
}

/** What the demo registered and deployed. */
export interface DemoResult {
  readonly dataTemplates: { readonly records: Hex; readonly screening: Hex };
  readonly policyTemplates: { readonly spendLimit: Hex; readonly kyc: Hex; readonly sanctions: Hex };
  readonly clients: readonly DemoClient[];
}

const EXAMPLES = path.join(ROOT, "examples");
const ARTIFACTS = {
  sqlWasm: path.join(ROOT, "node_modules/sql.js/dist/sql-wasm.wasm"),
  esbuildWasm: path.join(ROOT, "node_modules/esbuild-wasm/esbuild.wasm"),
};
const EXPIRE_AFTER_BLOCKS = "7200";

/** Runs the whole demo; throws with the CLI's message when a command fails. */
export async function runDemo(t: DemoTarget): Promise<DemoResult> {
  mkdirSync(t.dir, { recursive: true });
  const cli = cliRunner(t);
  const author = DEVNET_ACCOUNTS.deployer;
  const records = await cli.id(author, "templateId", [
    "policy-data",
    "template",
    "register",
    "--wasm",
    ARTIFACTS.sqlWasm,
    "--params-schema",
    ex("policy-data/records-db.params.schema.json"),
    "--secrets-schema",
    ex("policy-data/records-db.secrets.schema.json"),
  ]);
  const screening = await cli.id(author, "templateId", [
    "policy-data",
    "template",
    "register",
    "--wasm",
    ARTIFACTS.esbuildWasm,
    "--params-schema",
    ex("policy-data/screening.params.schema.json"),
    "--secrets-schema",
    ex("policy-data/screening.secrets.schema.json"),
  ]);
  const kinds = new Map<Hex, PluginKind>([
    [records, "records"],
    [screening, "screening"],
  ]);
  const sanctionsData = sortIds([records, screening]);
  const spendLimit = await cli.id(author, "templateId", [
    "policy",
    "template",
    "register",
    "--rego",
    ex("policies/spend-limit.rego"),
    "--params-schema",
    ex("policies/spend-limit.params.schema.json"),
  ]);
  const kyc = await cli.id(author, "templateId", [
    "policy",
    "template",
    "register",
    "--rego",
    ex("policies/kyc-allowlist.rego"),
    "--params-schema",
    ex("policies/kyc-allowlist.params.schema.json"),
    "--data-templates",
    records,
  ]);
  const sanctions = await cli.id(author, "templateId", [
    "policy",
    "template",
    "register",
    "--rego",
    ex("policies/sanctions-check.rego"),
    "--params-schema",
    ex("policies/sanctions-check.params.schema.json"),
    "--data-templates",
    sanctionsData.join(","),
  ]);
  const clients = [
    await deployForClient(
      t,
      cli,
      0,
      { templateId: kyc, params: { min_level: "enhanced", blocked_countries: ["KP", "IR"] }, data: [records] },
      kinds,
    ),
    await deployForClient(
      t,
      cli,
      1,
      { templateId: sanctions, params: { max_risk_score: 70, max_age_seconds: 3600 }, data: sanctionsData },
      kinds,
    ),
  ];
  // A spend limit for the first client too (no data plugin): instances are cheap, pointers are the client's choice.
  await cli.id(author, "instanceId", [
    "policy",
    "instance",
    "deploy",
    "--template",
    spendLimit,
    "--client",
    clients[0].address,
    "--params",
    file(t, "spend-params.json", { max_per_transaction: 5000, max_per_day: 20000, currencies: ["USDC", "EUR"] }),
    "--expire-after",
    EXPIRE_AFTER_BLOCKS,
  ]);
  return { dataTemplates: { records, screening }, policyTemplates: { spendLimit, kyc, sanctions }, clients };
}

/** Deploys a client's data instances and policy instance, points at it and sets the secrets. */
async function deployForClient(
  t: DemoTarget,
  cli: ReturnType<typeof cliRunner>,
  index: number,
  policy: { templateId: Hex; params: unknown; data: readonly Hex[] },
  kinds: ReadonlyMap<Hex, PluginKind>,
): Promise<DemoClient> {
  const clientKey = DEVNET_ACCOUNTS.clients[index];
  const address = new Wallet(clientKey).address;
  const dataInstances = [];
  for (const templateId of policy.data) {
    const params = PLUGIN_SETTINGS[kinds.get(templateId)!];
    const instanceId = await cli.id(DEVNET_ACCOUNTS.deployer, "instanceId", [
      "policy-data",
      "instance",
      "deploy",
      "--template",
      templateId,
      "--client",
      address,
      "--params",
      file(t, `client${index}-${templateId.slice(2, 10)}-params.json`, params.params),
      "--expire-after",
      EXPIRE_AFTER_BLOCKS,
    ]);
    dataInstances.push({ templateId, instanceId, secrets: params.secrets });
  }
  const policyInstanceId = await cli.id(DEVNET_ACCOUNTS.deployer, "instanceId", [
    "policy",
    "instance",
    "deploy",
    "--template",
    policy.templateId,
    "--client",
    address,
    "--params",
    file(t, `client${index}-policy-params.json`, policy.params),
    "--expire-after",
    EXPIRE_AFTER_BLOCKS,
    "--data-instances",
    dataInstances.map((d) => d.instanceId).join(","),
  ]);
  await cli.run(clientKey, ["policy", "instance", "set-current", "--instance", policyInstanceId]);
  for (const d of dataInstances)
    await cli.run(clientKey, ["policy-data", "instance", "set-current", "--instance", d.instanceId]);
  for (const d of dataInstances) {
    await cli.run(clientKey, [
      "policy-data",
      "instance",
      "set-secrets",
      "--instance",
      d.instanceId,
      "--secrets",
      file(t, `client${index}-${d.templateId.slice(2, 10)}-secrets.json`, d.secrets),
      "--operator-url",
      t.operatorUrl,
    ]);
  }
  t.log(
    `client ${address}: policy instance ${policyInstanceId} (current), ${dataInstances.length} data instance(s) with sealed secrets`,
  );
  return { address, policyInstanceId, dataInstances };
}

type PluginKind = "records" | "screening";

/** Params and secrets of a data instance, by plugin: the SQL records plugin or the screening plugin. */
const PLUGIN_SETTINGS: Record<PluginKind, { params: unknown; secrets: unknown }> = {
  records: {
    params: { table: "kyc_records", refresh_seconds: 60 },
    secrets: { database_url: "postgres://kyc@127.0.0.1/records", read_only_token: "devnet-read-only-token-0001" },
  },
  screening: {
    params: { lists: ["ofac-sdn", "eu-consolidated"] },
    secrets: { api_key: "devnet-screening-key-0123456789" },
  },
};

function cliRunner(t: DemoTarget) {
  const run = async (signerKey: string, argv: string[]): Promise<unknown> => {
    let stdout = "";
    let stderr = "";
    const code = await runNewton([...argv, "--chain", "localhost", "--deployments", t.deploymentsDir, "--json"], {
      env: {
        NEWTON_RPC_URL: t.rpcUrl,
        NEWTON_DA_URL: t.daUrl,
        NEWTON_SIGNER_KEY: signerKey,
        NEWTON_HOME: path.join(t.dir, "newton-home"),
      },
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
    });
    if (code !== 0) throw new Error(`newton ${argv.slice(0, 3).join(" ")} failed (exit ${code}): ${stderr.trim()}`);
    t.log(`newton ${argv.slice(0, 3).join(" ")} ✓`);
    return stdout.trim() === "" ? {} : JSON.parse(stdout);
  };
  const id = async (signerKey: string, field: "templateId" | "instanceId", argv: string[]): Promise<Hex> => {
    const result = (await run(signerKey, argv)) as Record<string, unknown>;
    const value = result[field];
    if (typeof value !== "string") throw new Error(`newton ${argv.join(" ")}: no ${field} in its output`);
    return value as Hex;
  };
  return { run, id };
}

function ex(relative: string): string {
  return path.join(EXAMPLES, relative);
}

function file(t: DemoTarget, name: string, content: unknown): string {
  const p = path.join(t.dir, name);
  writeFileSync(p, JSON.stringify(content, null, 2));
  return p;
}

function sortIds(ids: readonly Hex[]): Hex[] {
  return [...ids].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
}

/**
 * `newton policy describe --policy-instance <id>` as text: the template → data templates → instances →
 * secrets DAG, with what is missing and the command that fixes it.
 * @returns the exit code (0: complete; 1: something is missing) and the printed text.
 */
export async function describePolicy(t: DemoTarget, policyInstanceId: Hex): Promise<{ code: number; text: string }> {
  let text = "";
  const code = await runNewton(
    [
      "policy",
      "describe",
      "--policy-instance",
      policyInstanceId,
      "--chain",
      "localhost",
      "--deployments",
      t.deploymentsDir,
    ],
    {
      env: { NEWTON_RPC_URL: t.rpcUrl, NEWTON_DA_URL: t.daUrl, NEWTON_HOME: path.join(t.dir, "newton-home") },
      stdout: { write: (s: string) => (text += s) },
      stderr: { write: (s: string) => (text += s) },
    },
  );
  return { code, text };
}

import { readFileSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import path from "node:path";

import { expect } from "chai";
import hre, { ethers } from "hardhat";

import { MAX_EXPIRE_AFTER, artifactHash, policyDataTemplateId } from "../../../keeper/chain";
import { DaServer } from "../../../keeper/da";
import { generateSecretsKeyPair, type SecretsKeyPair } from "../../../keeper/secrets";
import { deployNewton } from "../../../scripts/lib/deploy";
import type { Deployment } from "../../../scripts/lib/deployment";
import { PolicyDataRegistry__factory, PolicyRegistry__factory } from "../../../typechain-types";
import { freePort } from "../../../scripts/devnet/processes";
import { type CliHarness, hardhatKey, newton, startKeyServer, tempFiles } from "./newton.helpers";

const PARAMS_SCHEMA = { type: "object", required: ["limit"], properties: { limit: { type: "integer" } } };
const SECRETS_SCHEMA = { type: "object", required: ["apiKey"], properties: { apiKey: { type: "string" } } };
const signerKey = hardhatKey(1);
const signer = new ethers.Wallet(signerKey).address;
const clientKey = hardhatKey(2);
const client = new ethers.Wallet(clientKey).address;
const otherClient = new ethers.Wallet(hardhatKey(3)).address;

/** Parses the `--json` document of a run. */
function json<T = Record<string, unknown>>(run: { stdout: string }): T {
  return JSON.parse(run.stdout) as T;
}

describe("keeper/cli newton", function () {
  let h: CliHarness;
  let da: DaServer;
  let keyServer: Server;
  let operatorUrl: string;
  let operatorKeys: SecretsKeyPair;
  let dirs: { a: string; b: string };
  let records: { a: Deployment; b: Deployment };
  const cleanup: string[] = [];

  const registries = (which: "a" | "b" = "a") => ({
    policy: PolicyRegistry__factory.connect(records[which].contracts.PolicyRegistry!.proxy, ethers.provider),
    data: PolicyDataRegistry__factory.connect(records[which].contracts.PolicyDataRegistry!.proxy, ethers.provider),
  });
  const nonce = () => ethers.provider.getTransactionCount(signer);
  /** Runs `argv` and asserts exit 1 with `message` on stderr and no transaction from the signer. */
  async function expectPreflightFailure(argv: string[], message: RegExp, env: Record<string, string> = {}) {
    const before = await nonce();
    const run = await newton(h, argv, env);
    expect(run.code, run.stderr).to.equal(1);
    expect(run.stderr).to.match(message);
    expect(await nonce()).to.equal(before);
  }

  before(async function () {
    const silent = () => undefined;
    dirs = { a: tempFiles({}), b: tempFiles({}) };
    const a = await deployNewton(hre, { deploymentsDir: dirs.a, log: silent });
    const b = await deployNewton(hre, { deploymentsDir: dirs.b, log: silent });
    records = { a: a.deployment, b: b.deployment };
    da = new DaServer();
    const { url: daUrl } = await da.start(0, "127.0.0.1");
    operatorKeys = await generateSecretsKeyPair();
    ({ url: operatorUrl, server: keyServer } = await startKeyServer(operatorKeys.publicKey));
    const cwd = tempFiles({
      "policy.rego": "package newton\nallow := input.amount < data.params.limit\n",
      "params.schema.json": JSON.stringify(PARAMS_SCHEMA),
      "secrets.schema.json": JSON.stringify(SECRETS_SCHEMA),
      "data.wasm": Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]),
      "other.wasm": Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0, 1, 0]),
      "third.wasm": Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0, 2, 1, 0x61]),
      "schema-as.rego": JSON.stringify(PARAMS_SCHEMA),
      "latin1.rego": Uint8Array.from([0x70, 0x61, 0x63, 0x6b, 0xe9, 0x0a]),
      "comments-only.rego": "# a policy\n\n# nothing else\n",
      "commented.rego": "# Copyright\n# SPDX-License-Identifier: MIT\n\npackage newton.commented\nallow := true\n",
      "text.wasm": "(module)\n",
      "truncated.wasm": Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1, 0x60]),
      "params.json": '{ "limit": 100 }',
      "bad-params.json": '{ "limit": "many" }',
      "secrets.json": '{ "apiKey": "s3cret" }',
      "bad-secrets.json": '{ "token": 1 }',
      "operator.key": `0x${Buffer.from(operatorKeys.privateKey).toString("hex")}\n`,
    });
    const home = tempFiles({});
    cleanup.push(dirs.a, dirs.b, cwd, home);
    h = {
      env: { NEWTON_HOME: home, NEWTON_DA_URL: daUrl, NEWTON_SIGNER_KEY: signerKey },
      cwd,
      failingChains: new Set(),
    };
    for (const p of ["a", "b"] as const) {
      const init = await newton(h, [
        "config",
        "init",
        "--profile",
        p,
        "--chain",
        "hardhat",
        "--rpc-url",
        `http://in-process/${p}`,
        "--deployments",
        dirs[p],
      ]);
      expect(init.code, init.stderr).to.equal(0);
    }
  });

  after(async function () {
    await da.stop();
    await new Promise((resolve) => keyServer.close(resolve));
    for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
  });

  describe("config", function () {
    it("init, set, show and use-profile keep profiles in $NEWTON_HOME/config.toml and mask the signer key", async function () {
      const home = tempFiles({});
      cleanup.push(home);
      const env = { NEWTON_HOME: home, NEWTON_SIGNER_KEY: "" };
      const local = { ...h, env: { ...env } };
      expect(
        (await newton(local, ["config", "init", "--profile", "dev", "--chain", "localhost", "--signer-key", signerKey]))
          .code,
      ).to.equal(0);
      expect((await newton(local, ["config", "set", "rpc-url", "http://127.0.0.1:8545"])).code).to.equal(0);
      expect((await newton(local, ["config", "set", "rpc-urls.sepolia", "https://rpc.example"])).code).to.equal(0);
      expect((await newton(local, ["config", "init", "--profile", "prod", "--chain", "mainnet"])).code).to.equal(0);
      const toml = readFileSync(path.join(home, "config.toml"), "utf8");
      expect(toml)
        .to.match(/current = "dev"/)
        .and.match(/\[profiles\.prod\]/);
      const show = await newton(local, ["config", "show", "--rpc-url", "http://flag:1"]);
      expect(show.code).to.equal(0);
      expect(show.stdout)
        .to.include(`0x${signerKey.slice(2, 6)}…${signerKey.slice(-4)}`)
        .and.not.include(signerKey);
      expect(show.stdout)
        .to.match(/rpc-url\s+\| http:\/\/flag:1\s+\| flag/)
        .and.match(/chain\s+\| localhost\s+\| profile/);
      const envShow = json<{ settings: { key: string; source: string }[] }>(
        await newton(local, ["config", "show", "--json"], { NEWTON_CHAIN: "sepolia" }),
      );
      expect(envShow.settings.find((s) => s.key === "chain")?.source).to.equal("env");
      expect((await newton(local, ["config", "use-profile", "prod"])).code).to.equal(0);
      expect(json<{ profile: string }>(await newton(local, ["config", "show", "--json"])).profile).to.equal("prod");
      const missing = await newton(local, ["config", "use-profile", "nope"]);
      expect(missing.code).to.equal(2);
      expect(missing.stderr).to.match(/no profile nope/);
      expect((await newton(local, ["config", "set", "signer-key", "0x12"])).code).to.equal(2);
    });

    it("exits 2 naming the flag, the env var and the profile key when a setting is missing", async function () {
      const local = { ...h, env: { NEWTON_HOME: tempFiles({}) } };
      cleanup.push(local.env.NEWTON_HOME!);
      const run = await newton(local, ["policy", "template", "show", "--template", `0x${"11".repeat(32)}`]);
      expect(run.code).to.equal(2);
      expect(run.stderr).to.match(/--chain, or NEWTON_CHAIN, or `newton config set chain <value>`/);
      const noRpc = await newton(local, ["policy", "template", "list", "--chain", "hardhat"]);
      expect(noRpc.code).to.equal(2);
      expect(noRpc.stderr).to.match(/--rpc-url, or NEWTON_RPC_URL, or `newton config set rpc-url <value>`/);
      expect((await newton(local, ["policy", "template", "nope"])).code).to.equal(2);
      expect((await newton(local, ["--help"])).code).to.equal(0);
    });
  });

  // The remaining suites build on each other's chain state, in order.
  let dataTemplate: string;
  let otherDataTemplate: string;
  let policyTemplate: string;

  describe("policy-data template", function () {
    const files = [
      "--wasm",
      "data.wasm",
      "--params-schema",
      "params.schema.json",
      "--secrets-schema",
      "secrets.schema.json",
    ];

    it("compute-id and --dry-run print the id the contract derives, sending nothing", async function () {
      const computed = json<{
        templateId: string;
        wasmHash: string;
        paramsSchemaHash: string;
        secretsSchemaHash: string;
      }>(await newton(h, ["policy-data", "template", "compute-id", ...files, "--json"]));
      const { data } = registries();
      expect(computed.templateId).to.equal(
        await data.computeTemplateId(computed.wasmHash, computed.paramsSchemaHash, computed.secretsSchemaHash),
      );
      const before = await nonce();
      const requests = da.requestsTotal;
      const dry = await newton(h, ["policy-data", "template", "register", ...files, "--dry-run", "--json"]);
      expect(dry.code, dry.stderr).to.equal(0);
      expect(json<{ templateId: string; chains: { status: string }[] }>(dry)).to.deep.include({
        templateId: computed.templateId,
      });
      expect(json<{ chains: { status: string }[] }>(dry).chains[0].status).to.equal("would register");
      expect(await nonce()).to.equal(before);
      expect(da.requestsTotal).to.equal(requests);
      dataTemplate = computed.templateId;
    });

    it("register uploads each artifact once, registers with one transaction, and a re-run is skipped", async function () {
      const before = await nonce();
      const run = await newton(h, ["policy-data", "template", "register", ...files]);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.match(new RegExp(`hardhat\\s+\\| ${dataTemplate} \\| registered \\| 0x[0-9a-f]{64}`));
      expect(
        run.stderr.match(/uploading (wasm|params schema|secrets schema) \(\d+(\.\d)? (B|KiB)\)… cert 0x/g),
      ).to.have.length(3);
      expect(run.stderr).to.match(/sending registerTemplate… tx 0x[0-9a-f]{64} mined in block \d+/);
      expect(await nonce()).to.equal(before + 1);
      expect(await registries().data.isTemplateRegistered(dataTemplate)).to.equal(true);
      const again = await newton(h, ["policy-data", "template", "register", ...files]);
      expect(again.code).to.equal(0);
      expect(again.stdout).to.match(/\| skipped \|/);
      expect(await nonce()).to.equal(before + 1);
      const other = await newton(h, ["policy-data", "template", "register", "--wasm", "other.wasm", "--json"]);
      otherDataTemplate = json<{ templateId: string }>(other).templateId;
      expect(otherDataTemplate).to.equal(
        policyDataTemplateId(
          artifactHash(readFileSync(path.join(h.cwd, "other.wasm"))),
          artifactHash("0x"),
          artifactHash("0x"),
        ),
      );
    });

    it("show and list read the registered row and the TemplateRegistered logs", async function () {
      const show = json<{ wasmHash: string; author: string }>(
        await newton(h, ["policy-data", "template", "show", "--template", dataTemplate, "--json"]),
      );
      expect(show.author).to.equal(signer);
      const list = json<{ templates: { templateId: string }[] }>(
        await newton(h, ["policy-data", "template", "list", "--author", signer, "--json"]),
      );
      expect(list.templates.map((t) => t.templateId)).to.include.members([dataTemplate, otherDataTemplate]);
      const unknown = await newton(h, ["policy-data", "template", "show", "--template", `0x${"22".repeat(32)}`]);
      expect(unknown.code).to.equal(1);
      expect(unknown.stderr).to.match(/not registered; register it with `newton policy-data template register/);
    });

    it("fails pre-flight without a transaction when the signer may not register templates", async function () {
      const owner = (await ethers.getSigners())[0];
      const { data } = registries();
      await data.connect(owner).setTemplateRegistrationPermissionless(false);
      try {
        await expectPreflightFailure(
          ["policy-data", "template", "register", "--wasm", "third.wasm"],
          /may not register templates \(allowlist-only\); ask the registry owner to call setTemplateAuthor/,
        );
      } finally {
        await data.connect(owner).setTemplateRegistrationPermissionless(true);
      }
    });
  });

  describe("policy template", function () {
    it("fails pre-flight without a transaction when a data template is not registered on the chain", async function () {
      await expectPreflightFailure(
        ["policy", "template", "register", "--rego", "policy.rego", "--data-templates", `0x${"33".repeat(32)}`],
        /policy-data template 0x3333.* is not registered on this chain; register it first: newton policy-data template register/,
      );
    });

    it("registers with its data templates (sorted for the caller); compute-id and the contract agree", async function () {
      const files = [
        "--rego",
        "policy.rego",
        "--params-schema",
        "params.schema.json",
        "--data-templates",
        `${otherDataTemplate},${dataTemplate}`,
      ];
      const computed = json<{
        templateId: string;
        regoHash: string;
        paramsSchemaHash: string;
        policyDataTemplateIds: string[];
      }>(await newton(h, ["policy", "template", "compute-id", ...files, "--json"]));
      const { policy } = registries();
      expect(computed.templateId).to.equal(
        await policy.computeTemplateId(computed.regoHash, computed.paramsSchemaHash, computed.policyDataTemplateIds),
      );
      const run = await newton(h, ["policy", "template", "register", ...files]);
      expect(run.code, run.stderr).to.equal(0);
      policyTemplate = computed.templateId;
      expect(await policy.isTemplateRegistered(policyTemplate)).to.equal(true);
      const show = json<{ policyDataTemplateIds: string[] }>(
        await newton(h, ["policy", "template", "show", "--template", policyTemplate, "--json"]),
      );
      expect(show.policyDataTemplateIds).to.deep.equal(computed.policyDataTemplateIds);
      const list = await newton(h, ["policy", "template", "list"]);
      expect(list.stdout).to.include(policyTemplate);
      expect(
        (
          await newton(h, [
            "policy",
            "template",
            "register",
            "--rego",
            "policy.rego",
            "--data-templates",
            `${dataTemplate},${dataTemplate}`,
          ])
        ).code,
      ).to.equal(2);
    });
  });

  describe("multi-chain registration", function () {
    it("registers on every --chains chain, goes on past a failing chain, and a re-run only touches the missing one", async function () {
      const files = [
        "--wasm",
        "data.wasm",
        "--params-schema",
        "params.schema.json",
        "--secrets-schema",
        "secrets.schema.json",
      ];
      // Chain a has the template already (registered above); b fails on the first run.
      h.failingChains.add("b");
      const first = await newton(h, ["policy-data", "template", "register", ...files, "--chains", "a,b", "--json"]);
      h.failingChains.clear();
      expect(first.code).to.equal(1);
      const firstChains = json<{ chains: { chain: string; status: string; error?: string }[] }>(first).chains;
      expect(firstChains.map((c) => [c.chain, c.status])).to.deep.equal([
        ["a", "skipped"],
        ["b", "failed"],
      ]);
      expect(firstChains[1].error).to.match(/simulated RPC outage on b/);
      expect(await registries("b").data.isTemplateRegistered(dataTemplate)).to.equal(false);
      const before = await nonce();
      const second = await newton(h, ["policy-data", "template", "register", ...files, "--chains", "a,b"]);
      expect(second.code, second.stderr).to.equal(0);
      expect(second.stdout)
        .to.match(/a\s+\| 0x[0-9a-f]{64} \| skipped/)
        .and.match(/b\s+\| 0x[0-9a-f]{64} \| registered \| 0x/);
      expect(await nonce()).to.equal(before + 1);
      expect(await registries("b").data.isTemplateRegistered(dataTemplate)).to.equal(true);
      const unknownChain = await newton(h, ["policy-data", "template", "register", ...files, "--chains", "a,nowhere"]);
      expect(unknownChain.code).to.equal(2);
      expect(unknownChain.stderr).to.match(/no profile "nowhere" and no rpc-urls\.nowhere/);
    });
  });

  let dataInstance: string;
  let otherDataInstance: string;

  describe("policy-data instance", function () {
    const deploy = (extra: string[]) => [
      "policy-data",
      "instance",
      "deploy",
      "--template",
      dataTemplate,
      "--client",
      client,
      "--expire-after",
      "100",
      ...extra,
    ];

    it("deploy --dry-run prints the id the contract then produces; deploying it again is 'already deployed'", async function () {
      const dry = await newton(h, [...deploy(["--params", "params.json"]), "--dry-run", "--json"]);
      expect(dry.code, dry.stderr).to.equal(0);
      const { instanceId, status } = json<{ instanceId: string; status: string }>(dry);
      expect(status).to.equal("would deploy");
      const before = await nonce();
      const run = await newton(h, deploy(["--params", "params.json"]));
      expect(run.code, run.stderr).to.equal(0);
      expect(await nonce()).to.equal(before + 1);
      const { data } = registries();
      const row = await data.instances(instanceId);
      expect(row.client).to.equal(client);
      expect(row.deployer).to.equal(signer);
      expect(ethers.toUtf8String(await data.instanceParams(instanceId))).to.equal('{"limit":100}');
      const again = await newton(h, deploy(["--params", "params.json"]));
      expect(again.code).to.equal(0);
      expect(again.stdout).to.match(/already deployed/);
      expect(await nonce()).to.equal(before + 1);
      dataInstance = instanceId;
      const other = await newton(h, [
        "policy-data",
        "instance",
        "deploy",
        "--template",
        otherDataTemplate,
        "--client",
        client,
        "--expire-after",
        "100",
        "--json",
      ]);
      otherDataInstance = json<{ instanceId: string }>(other).instanceId;
    });

    it("fails pre-flight without a transaction: expire-after 0 or above the maximum, template not registered, params off-schema, deployer not allowed", async function () {
      await expectPreflightFailure(
        deploy(["--params", "params.json", "--expire-after", "0"]),
        /--expire-after must be at least 1 block/,
      );
      await expectPreflightFailure(
        deploy(["--params", "params.json", "--expire-after", String(MAX_EXPIRE_AFTER + 1n)]),
        /--expire-after must be at most 31536000 blocks/,
      );
      await expectPreflightFailure(
        ["policy-data", "instance", "deploy", "--template", `0x${"44".repeat(32)}`, "--expire-after", "5"],
        /template is not registered on this chain; register it first with `newton policy-data template register/,
      );
      await expectPreflightFailure(
        deploy(["--params", "bad-params.json"]),
        /params bad-params.json does not match its schema: \/limit must be integer/,
      );
      await expectPreflightFailure(deploy([]), /must have required property 'limit'/);
      const owner = (await ethers.getSigners())[0];
      const { data } = registries();
      await data.connect(owner).setInstanceDeploymentPermissionless(false);
      try {
        await expectPreflightFailure(
          deploy(["--params", "params.json", "--expire-after", "7"]),
          /may not deploy instances \(allowlist-only\)/,
        );
      } finally {
        await data.connect(owner).setInstanceDeploymentPermissionless(true);
      }
    });

    it("show, list and set-current (client only, idempotent)", async function () {
      const show = json<{ client: string; params: string; current: boolean }>(
        await newton(h, ["policy-data", "instance", "show", "--instance", dataInstance, "--json"]),
      );
      expect(show).to.deep.include({ client, params: '{"limit":100}', current: false });
      const list = json<{ instances: { instanceId: string }[] }>(
        await newton(h, ["policy-data", "instance", "list", "--client", client, "--json"]),
      );
      expect(list.instances.map((i) => i.instanceId)).to.include.members([dataInstance, otherDataInstance]);
      await expectPreflightFailure(
        ["policy-data", "instance", "set-current", "--instance", dataInstance],
        /only the client 0x.* may point at/,
      );
      const set = await newton(h, ["policy-data", "instance", "set-current", "--instance", dataInstance], {
        NEWTON_SIGNER_KEY: clientKey,
      });
      expect(set.code, set.stderr).to.equal(0);
      expect(await registries().data.currentPolicyDataInstance(client, dataTemplate)).to.equal(dataInstance);
      const again = await newton(h, ["policy-data", "instance", "set-current", "--instance", dataInstance], {
        NEWTON_SIGNER_KEY: clientKey,
      });
      expect(again.stdout).to.match(/already current/);
    });
  });

  let policyInstance: string;

  describe("policy instance", function () {
    const deploy = (dataIds: string[], clientAddress = client) => [
      "policy",
      "instance",
      "deploy",
      "--template",
      policyTemplate,
      "--client",
      clientAddress,
      "--params",
      "params.json",
      "--expire-after",
      "50",
      "--data-instances",
      dataIds.join(","),
    ];
    const ordered = async () => {
      const ids = await registries().policy.policyDataTemplateIdsOf(policyTemplate);
      return ids.map((t) => (t === dataTemplate ? dataInstance : otherDataInstance));
    };

    it("fails pre-flight without a transaction: arity, another client's data instance, wrong kind or order", async function () {
      const inOrder = await ordered();
      await expectPreflightFailure(
        deploy([dataInstance]),
        /the template has 2 data template\(s\) but --data-instances lists 1/,
      );
      await expectPreflightFailure(
        deploy([...inOrder].reverse()),
        /data instance #0 0x.* instantiates 0x.*, but the template's data template #0 is/,
      );
      await expectPreflightFailure(deploy(inOrder, otherClient), /belongs to 0x.*, not to the client/);
      await expectPreflightFailure(
        deploy([inOrder[0], `0x${"55".repeat(32)}`]),
        /data instance #1 0x5555.* is not deployed; deploy it with `newton policy-data instance deploy/,
      );
    });

    it("deploys for a client distinct from the signer; the --dry-run id is the contract's; set-current by the client", async function () {
      const inOrder = await ordered();
      const dry = json<{ instanceId: string }>(await newton(h, [...deploy(inOrder), "--dry-run", "--json"]));
      const run = await newton(h, [...deploy(inOrder), "--json"]);
      expect(run.code, run.stderr).to.equal(0);
      policyInstance = json<{ instanceId: string; status: string }>(run).instanceId;
      expect(policyInstance).to.equal(dry.instanceId);
      const row = await registries().policy.instances(policyInstance);
      expect([row.client, row.deployer, row.expireAfter]).to.deep.equal([client, signer, 50n]);
      expect(await registries().policy.policyDataInstanceIdsOf(policyInstance)).to.deep.equal(inOrder);
      const show = json<{ policyDataInstanceIds: string[] }>(
        await newton(h, ["policy", "instance", "show", "--instance", policyInstance, "--json"]),
      );
      expect(show.policyDataInstanceIds).to.deep.equal(inOrder);
      expect((await newton(h, ["policy", "instance", "list", "--template", policyTemplate])).stdout).to.include(
        policyInstance,
      );
      const set = await newton(h, ["policy", "instance", "set-current", "--instance", policyInstance], {
        NEWTON_SIGNER_KEY: clientKey,
      });
      expect(set.code, set.stderr).to.equal(0);
      expect(await registries().policy.currentPolicyInstance(client)).to.equal(policyInstance);
    });
  });

  describe("secrets and describe", function () {
    it("describe lists what is deployed and what is missing, with the command that fixes each", async function () {
      const run = await newton(h, ["policy", "describe", "--policy-instance", policyInstance]);
      expect(run.code).to.equal(1);
      expect(run.stdout).to.match(
        new RegExp(
          `secrets ${dataInstance}: not set\\n\\s+fix: newton policy-data instance set-secrets --instance ${dataInstance}`,
        ),
      );
      expect(run.stdout).to.match(
        new RegExp(
          `current pointer ${otherDataInstance}: not current\\n\\s+fix: newton policy-data instance set-current --instance ${otherDataInstance}`,
        ),
      );
      expect(run.stdout).to.match(/policy template 0x[0-9a-f]{64}: registered/);
      // No keeper commits on this chain: every artifact write waits, with the backlog ahead of it.
      expect(run.stdout).to.match(/rego 0x[0-9a-f]{64}: waiting \(write #\d+: \d+ write\(s\), [0-9.]+ MiB ahead\)/);
      expect(run.stdout).to.match(/wasm 0x[0-9a-f]{64}: waiting \(write #\d+: /);
      const asJson = json<{ items: { item: string; depth: number }[] }>(
        await newton(h, ["policy", "describe", "--policy-instance", policyInstance, "--json"]),
      );
      expect(asJson.items.map((i) => i.item).filter((name) => name !== name.trim())).to.deep.equal([]);
      expect(asJson.items.find((i) => i.item === "secrets")?.depth).to.be.greaterThan(0);
      expect(asJson.items[0].depth).to.equal(0);
      const missing = await newton(h, ["policy", "describe", "--policy-template", `0x${"66".repeat(32)}`]);
      expect(missing.code).to.equal(1);
      expect(missing.stdout).to.match(/missing\n\s+fix: newton policy template register --rego/);
    });

    it("set-secrets checks the secrets schema, seals to the operators' key and sets the envelope; show-secrets decrypts it", async function () {
      const args = [
        "policy-data",
        "instance",
        "set-secrets",
        "--instance",
        dataInstance,
        "--operator-url",
        operatorUrl,
      ];
      const clientEnv = { NEWTON_SIGNER_KEY: clientKey };
      await expectPreflightFailure([...args, "--secrets", "secrets.json"], /only the client 0x.* may set the secrets/);
      const clientNonce = await ethers.provider.getTransactionCount(client);
      const bad = await newton(h, [...args, "--secrets", "bad-secrets.json"], clientEnv);
      expect(bad.code).to.equal(1);
      expect(bad.stderr).to.match(
        /secrets bad-secrets.json does not match its schema: \/ must have required property 'apiKey'/,
      );
      expect(await ethers.provider.getTransactionCount(client)).to.equal(clientNonce);
      const run = await newton(h, [...args, "--secrets", "secrets.json", "--json"], clientEnv);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stderr).to.match(/uploading secrets envelope \(\d+ B\)… cert 0x/);
      const { envelopeHash, byteLength } = json<{ envelopeHash: string; byteLength: number }>(run);
      // A version-2 envelope: version, epoch (4 bytes), enc (32), ciphertext, tag (16).
      expect(byteLength).to.equal(53 + '{"apiKey":"s3cret"}'.length);
      const stored = await registries().data.secretsOf(dataInstance);
      expect([stored.envelopeHash, Number(stored.byteLength)]).to.deep.equal([envelopeHash, byteLength]);
      const shown = json<{ envelopeHash: string; secrets?: unknown }>(
        await newton(h, ["policy-data", "instance", "show-secrets", "--instance", dataInstance, "--json"]),
      );
      expect(shown.envelopeHash).to.equal(envelopeHash);
      expect(shown.secrets).to.equal(undefined);
      const opened = await newton(h, [
        "policy-data",
        "instance",
        "show-secrets",
        "--instance",
        dataInstance,
        "--private-key-file",
        "operator.key",
        "--json",
      ]);
      expect(opened.code, opened.stderr).to.equal(0);
      expect(json<{ secrets: unknown }>(opened).secrets).to.deep.equal({ apiKey: "s3cret" });
      const wrongKey = tempFiles({ k: `0x${"01".repeat(32)}` });
      cleanup.push(wrongKey);
      const wrong = await newton(h, [
        "policy-data",
        "instance",
        "show-secrets",
        "--instance",
        dataInstance,
        "--private-key-file",
        path.join(wrongKey, "k"),
      ]);
      expect(wrong.code).to.equal(1);
      expect(wrong.stderr).to.match(/cannot decrypt: cannot open the secrets envelope/);
    });
  });

  describe("refusals before any upload or transaction", function () {
    /** Runs `argv` and asserts `code`, `message`, and that nothing reached DA or the chain. */
    async function expectRefused(argv: string[], code: number, message: RegExp, env: Record<string, string> = {}) {
      const before = await nonce();
      const requests = da.requestsTotal;
      const run = await newton(h, argv, env);
      expect(run.code, run.stderr).to.equal(code);
      expect(run.stderr).to.match(message);
      expect(await nonce()).to.equal(before);
      expect(da.requestsTotal, "DA requests").to.equal(requests);
    }

    it("refuses a --rego that is not Rego text: not UTF-8, no package clause first, only comments", async function () {
      const register = (file: string) => ["policy", "template", "register", "--rego", file];
      await expectRefused(
        register("schema-as.rego"),
        2,
        /schema-as\.rego is not Rego: its first statement must be a `package` clause, found "\{/,
      );
      await expectRefused(register("latin1.rego"), 2, /latin1\.rego is not Rego: it is not UTF-8 text/);
      await expectRefused(
        register("comments-only.rego"),
        2,
        /comments-only\.rego is not Rego: .* found nothing but comments/,
      );
      await expectRefused(["policy", "template", "compute-id", "--rego", "data.wasm"], 2, /data\.wasm is not Rego/);
      // Comments and blank lines before the package clause are Rego.
      const ok = await newton(h, ["policy", "template", "compute-id", "--rego", "commented.rego"]);
      expect(ok.code, ok.stderr).to.equal(0);
    });

    it("refuses a --wasm that is not a WebAssembly module (WebAssembly.validate)", async function () {
      const register = (file: string) => ["policy-data", "template", "register", "--wasm", file];
      await expectRefused(
        register("text.wasm"),
        2,
        /text\.wasm is not a valid WebAssembly module \(no \\0asm header\)/,
      );
      await expectRefused(
        register("truncated.wasm"),
        2,
        /truncated\.wasm is not a valid WebAssembly module \(it fails validation\)/,
      );
      await expectRefused(register("policy.rego"), 2, /policy\.rego is not a valid WebAssembly module/);
    });

    it("refuses an unfunded signer, naming the account, its balance and the chain", async function () {
      const unfunded = ethers.Wallet.createRandom();
      const env = { NEWTON_SIGNER_KEY: unfunded.privateKey };
      const msg = new RegExp(`account ${unfunded.address} has 0\\.0 ETH on hardhat \\(chain 31337\\); fund it`);
      await expectRefused(["policy-data", "template", "register", "--wasm", "third.wasm"], 1, msg, env);
      await expectRefused(["policy", "template", "register", "--rego", "commented.rego"], 1, msg, env);
    });

    it("names the setting to fix when the RPC is unreachable (flag, env or profile)", async function () {
      const { runNewton } = await import("../../../keeper/cli/newton");
      const closed = `http://127.0.0.1:${await freePort()}`;
      const run = async (argv: string[], env: Record<string, string | undefined>) => {
        let stderr = "";
        const code = await runNewton(argv, {
          env: { ...h.env, ...env },
          cwd: h.cwd,
          stdout: { write: () => true },
          stderr: { write: (s: string) => (stderr += s) },
        });
        return { code, stderr };
      };
      const show = ["policy-data", "template", "show", "--template", `0x${"11".repeat(32)}`, "--chain", "hardhat"];
      const viaFlag = await run([...show, "--rpc-url", closed, "--deployments", dirs.a], {});
      expect(viaFlag.code).to.equal(2);
      expect(viaFlag.stderr).to.include(`cannot reach the RPC at ${closed}`).and.include("fix --rpc-url");
      const viaEnv = await run([...show, "--deployments", dirs.a], { NEWTON_RPC_URL: closed });
      expect(viaEnv.stderr).to.include("fix NEWTON_RPC_URL");
      const home = tempFiles({});
      cleanup.push(home);
      const init = await run(["config", "init", "--profile", "far", "--rpc-url", closed, "--chain", "hardhat"], {
        NEWTON_HOME: home,
      });
      expect(init.code, init.stderr).to.equal(0);
      const viaProfile = await run(["policy-data", "template", "show", "--template", `0x${"11".repeat(32)}`], {
        NEWTON_HOME: home,
      });
      expect(viaProfile.code).to.equal(2);
      expect(viaProfile.stderr).to.include("fix rpc-url of profile far (`newton config set rpc-url <url>`)");
    });
  });

  it("never prints the signer key in full", async function () {
    const run = await newton(h, ["config", "show", "--profile", "a"]);
    expect(run.stdout + run.stderr).to.not.include(signerKey.slice(2));
  });
});

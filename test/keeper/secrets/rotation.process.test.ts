import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

import { expect } from "chai";
import { JsonRpcProvider, Wallet } from "ethers";

import { runNewton } from "../../../keeper/cli/newton";
import { bytesToHex } from "../../../keeper/common";
import { DaServer } from "../../../keeper/da";
import { generateSecretsKeyPair, parseSecretsKey, type SecretsKeyPair } from "../../../keeper/secrets";
import { type KeeperProcess, removeDir, startHardhatNode, tempDir, type Proc } from "../../../scripts/devnet/processes";
import { HARDHAT_KEYS, deployDevnet } from "../roles/helpers/devnet";
import { makeOperatorProcesses } from "../roles/helpers/keepers";

const SECRETS = { apiKey: "s3cret" };

/** `{publicKey, privateKey}` as 0x-hex, the key file fields of one epoch. */
function hexPair(k: SecretsKeyPair): { publicKey: string; privateKey: string } {
  return { publicKey: bytesToHex(k.publicKey), privateKey: bytesToHex(k.privateKey) };
}

/**
 * A whole secrets key changeover against real operator processes: clients seal to epoch 0; the operators
 * restart with epoch 1 as current and epoch 0 as previous and serve epoch 1; the client re-seals
 * (`newton policy-data instance reseal`); the operators drop epoch 0.
 */
describe("secrets key rotation with real operator processes", function () {
  this.timeout(600_000);
  let dir: string;
  let node: { url: string; proc: Proc };
  let operators: KeeperProcess[] = [];
  let urls: string[];
  let keyFile: string;
  let k0: SecretsKeyPair;
  let k1: SecretsKeyPair;
  let instanceId: string;
  let provider: JsonRpcProvider;
  const da = new DaServer();
  const client = new Wallet(HARDHAT_KEYS[3]).address;
  let env: Record<string, string>;

  async function newton(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = "";
    let stderr = "";
    const code = await runNewton(["--deployments", path.join(dir, "deployments"), ...argv], {
      env,
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
    });
    return { code, stdout, stderr };
  }

  async function json(argv: string[]): Promise<Record<string, unknown>> {
    const run = await newton([...argv, "--json"]);
    expect(run.code, run.stderr).to.equal(0);
    return JSON.parse(run.stdout) as Record<string, unknown>;
  }

  async function secretsKey(url: string, query = ""): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${url}/v1/secrets-key${query}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  /** (Re)starts the operators with the key file as it is now, and waits until they answer. */
  async function restartOperators(which: readonly KeeperProcess[] = operators): Promise<void> {
    for (const p of which) await p.stop();
    for (const p of which) p.start();
    const deadline = Date.now() + 240_000;
    for (const url of urls) {
      for (;;) {
        const ok = await fetch(`${url}/healthz`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) break;
        if (Date.now() > deadline) expect.fail(`operator ${url} did not start; logs in ${dir}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  before(async function () {
    dir = tempDir("newton-secrets-rotation-");
    mkdirSync(path.join(dir, "home"));
    node = await startHardhatNode(dir);
    provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true });
    const deployment = await deployDevnet(node.url, dir, [50, 50], 5);
    const { url: daUrl } = await da.start();
    [k0, k1] = [await generateSecretsKeyPair(), await generateSecretsKeyPair()];
    keyFile = path.join(dir, "secrets-key.json");
    // Epoch 0 as today's key files have it: no epoch field.
    writeFileSync(keyFile, JSON.stringify(hexPair(k0)));
    const setup = { dir, rpcUrl: node.url, daUrl, deployment, secretsKeyFile: keyFile, windowSeconds: 60 };
    ({ procs: operators, urls } = await makeOperatorProcesses(setup, [0, 1]));
    await restartOperators();

    env = {
      NEWTON_HOME: path.join(dir, "home"),
      NEWTON_RPC_URL: node.url,
      NEWTON_CHAIN: "localhost",
      NEWTON_DA_URL: daUrl,
      NEWTON_SIGNER_KEY: HARDHAT_KEYS[3],
    };
    const files = {
      "plugin.wasm": Buffer.from("0061736d01000000", "hex"),
      "params.schema.json": JSON.stringify({ type: "object" }),
      "secrets.schema.json": JSON.stringify({ type: "object", required: ["apiKey"] }),
      "secrets.json": JSON.stringify(SECRETS),
      "k0.key": bytesToHex(k0.privateKey),
      "k1.key": bytesToHex(k1.privateKey),
    };
    for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
    const template = await json([
      "policy-data",
      "template",
      "register",
      "--wasm",
      path.join(dir, "plugin.wasm"),
      "--params-schema",
      path.join(dir, "params.schema.json"),
      "--secrets-schema",
      path.join(dir, "secrets.schema.json"),
    ]);
    const instance = await json([
      "policy-data",
      "instance",
      "deploy",
      "--template",
      String(template.templateId),
      "--expire-after",
      "100",
    ]);
    instanceId = String(instance.instanceId);
  });

  after(async function () {
    for (const p of operators) await p.stop();
    provider?.destroy();
    await node?.proc.stop();
    await da.stop();
    if (dir) removeDir(dir);
  });

  const secretsArgs = () => ["--instance", instanceId, "--secrets", path.join(dir, "secrets.json")];
  const show = (key: string) =>
    json([
      "policy-data",
      "instance",
      "show-secrets",
      "--instance",
      instanceId,
      "--private-key-file",
      path.join(dir, key),
    ]);

  it("epoch 0: operators serve the key without an epoch (read as 0); set-secrets seals to epoch 0; reseal has nothing to do", async function () {
    for (const url of urls) {
      const { body } = await secretsKey(url);
      expect(body).to.not.have.property("epoch");
      expect(parseSecretsKey(body)).to.deep.equal({ publicKey: k0.publicKey, epoch: 0 });
    }
    const set = await json(["policy-data", "instance", "set-secrets", ...secretsArgs(), "--operator-url", urls[0]]);
    expect(set).to.include({ status: "set", epoch: 0 });
    expect((await show("k0.key")).secrets).to.deep.equal(SECRETS);
    const nonce = await provider.getTransactionCount(client);
    const again = await json(["policy-data", "instance", "reseal", ...secretsArgs(), "--operator-url", urls[1]]);
    expect(again).to.include({ status: "already sealed to the current epoch", epoch: 0 });
    expect(await provider.getTransactionCount(client)).to.equal(nonce);
  });

  it("changeover: operators restart with epoch 1 current and epoch 0 previous, and serve epoch 1", async function () {
    writeFileSync(keyFile, JSON.stringify({ ...hexPair(k1), epoch: 1, previous: { ...hexPair(k0), epoch: 0 } }));
    await restartOperators();
    for (const url of urls) {
      expect(parseSecretsKey((await secretsKey(url)).body)).to.deep.equal({ publicKey: k1.publicKey, epoch: 1 });
      expect(parseSecretsKey((await secretsKey(url, "?epoch=0")).body)).to.deep.equal({
        publicKey: k0.publicKey,
        epoch: 0,
      });
      expect((await secretsKey(url, "?epoch=2")).status).to.equal(404);
    }
    // The envelope on-chain is still epoch 0: the previous key opens it during the changeover.
    expect((await show("k0.key")).secrets).to.deep.equal(SECRETS);
  });

  it("reseal re-seals the client's secrets to epoch 1 (one transaction), then has nothing left to do", async function () {
    const nonce = await provider.getTransactionCount(client);
    const dry = await json([
      "policy-data",
      "instance",
      "reseal",
      ...secretsArgs(),
      "--operator-url",
      urls[1],
      "--dry-run",
    ]);
    expect(dry).to.include({ status: "would reseal", fromEpoch: 0, epoch: 1 });
    expect(await provider.getTransactionCount(client)).to.equal(nonce);
    const resealed = await json(["policy-data", "instance", "reseal", ...secretsArgs(), "--operator-url", urls[1]]);
    expect(resealed).to.include({ status: "resealed", fromEpoch: 0, epoch: 1 });
    expect(await provider.getTransactionCount(client)).to.equal(nonce + 1);
    expect((await show("k1.key")).secrets).to.deep.equal(SECRETS);
    const stale = await newton([
      "policy-data",
      "instance",
      "show-secrets",
      "--instance",
      instanceId,
      "--private-key-file",
      path.join(dir, "k0.key"),
    ]);
    expect(stale.code).to.equal(1);
    expect(stale.stderr).to.match(/cannot decrypt/);
    const again = await json(["policy-data", "instance", "reseal", ...secretsArgs(), "--operator-url", urls[0]]);
    expect(again).to.include({ status: "already sealed to the current epoch", epoch: 1 });
    expect(await provider.getTransactionCount(client)).to.equal(nonce + 1);
  });

  it("after the changeover the operators drop epoch 0", async function () {
    writeFileSync(keyFile, JSON.stringify({ ...hexPair(k1), epoch: 1 }));
    await restartOperators();
    for (const url of urls) {
      expect(parseSecretsKey((await secretsKey(url)).body).epoch).to.equal(1);
      expect((await secretsKey(url, "?epoch=0")).status).to.equal(404);
    }
  });
});

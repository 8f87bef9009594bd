import { readFileSync } from "node:fs";
import path from "node:path";

import { expect } from "chai";
import { JsonRpcProvider, Network, getBytes, keccak256, toUtf8String } from "ethers";

import { keyHash } from "../keeper/chain";
import type { Hex } from "../keeper/common";
import { type SecretsError, openSecrets } from "../keeper/secrets";
import { type DemoResult, type DemoTarget, describePolicy, runDemo } from "../scripts/devnet/demo";
import { Devnet } from "../scripts/devnet/network";
import { freePort, removeDir, tempDir, waitFor } from "../scripts/devnet/processes";
import { ChallengeVerifier__factory, StateCommitRegistry__factory } from "../typechain-types";

interface LeafReply {
  valueHash: Hex | null;
  value: Hex | null;
  available: boolean;
  proof: { hasLeaf: boolean; leafKeyHash: Hex; leafValueHash: Hex; siblings: Hex[] };
}

/**
 * End to end, as `npm start` runs it: every part a real process (Hardhat node, deploy task, DA server, 4
 * operators, aggregator, challenger), the demo registering the real artifacts through the `newton` CLI.
 * Invariant: every write the demo caused is committed by a quorum; every leaf is served by an operator with
 * a proof the ChallengeVerifier accepts; the secrets open with the operators' key; `describe` finds nothing
 * missing.
 */
describe("devnet (npm start)", function () {
  let dir: string;
  let devnet: Devnet;
  let target: DemoTarget;
  let demo: DemoResult;
  let provider: JsonRpcProvider;
  let sequenceNo: bigint;

  before(async function () {
    dir = tempDir("newton-devnet-test-");
    const ports = {
      node: await freePort(),
      da: await freePort(),
      operators: [await freePort(), await freePort(), await freePort(), await freePort()],
      aggregator: await freePort(),
      challenger: await freePort(),
    };
    devnet = await Devnet.start({ dir, ports, windowSeconds: 2 });
    const h = devnet.handles;
    target = {
      rpcUrl: h.rpcUrl,
      daUrl: h.daUrl,
      deploymentsDir: h.deploymentsDir,
      operatorUrl: h.operatorUrls[0],
      dir: path.join(dir, "demo"),
      log: () => undefined,
    };
    demo = await runDemo(target);
    provider = new JsonRpcProvider(h.rpcUrl, Network.from(31337n), { staticNetwork: true, batchMaxCount: 1 });
    const registry = StateCommitRegistry__factory.connect(contract("StateCommitRegistry"), provider);
    const writes = await registry.writeCount();
    await waitFor(async () => (await registry.latest())[1].writeIndexEnd >= writes, { timeoutMs: 300_000 });
    sequenceNo = (await registry.latest())[0];
    // Every operator has the commit too (they persist a version once the chain holds it).
    for (const url of h.operatorUrls) {
      await waitFor(
        async () =>
          BigInt(((await (await fetch(`${url}/v1/state`)).json()) as { sequenceNo: string }).sequenceNo) >= sequenceNo,
        { timeoutMs: 120_000 },
      );
    }
  });

  after(async function () {
    provider?.destroy();
    await devnet?.stop();
    if (dir) removeDir(dir);
  });

  function contract(name: string): string {
    const record = JSON.parse(readFileSync(devnet.handles.deploymentFile, "utf8")) as {
      contracts: Record<string, { proxy: string }>;
    };
    return record.contracts[name].proxy;
  }

  async function leaf(operatorUrl: string, key: string): Promise<LeafReply> {
    const res = await fetch(`${operatorUrl}/v1/leaves/${key}?sequence=${sequenceNo}`);
    expect(res.status, `GET /v1/leaves/${key}`).to.equal(200);
    return (await res.json()) as LeafReply;
  }

  it("commits every write of the demo, signed by a quorum of the operators", async function () {
    const registry = StateCommitRegistry__factory.connect(contract("StateCommitRegistry"), provider);
    const [latest, record] = await registry.latest();
    expect(latest).to.be.greaterThan(0n);
    expect(record.writeIndexEnd).to.equal(await registry.writeCount());
    expect(record.nonSignerBitmap).to.equal(0n);
  });

  it("serves every artifact and envelope from an operator with a proof that verifies on-chain", async function () {
    const registry = StateCommitRegistry__factory.connect(contract("StateCommitRegistry"), provider);
    const verifier = ChallengeVerifier__factory.connect(contract("ChallengeVerifier"), provider);
    const logs = await registry.queryFilter(registry.filters.WriteProposed());
    const namespaces = new Set<number>();
    const latestByKey = new Map(logs.map((l) => [l.args.keyHash, l.args] as const));
    for (const [key, write] of latestByKey) {
      const reply = await leaf(devnet.handles.operatorUrls[Number(write.writeIndex) % 4], key);
      expect(reply.available, `bytes of ${key}`).to.equal(true);
      expect(keccak256(reply.value!)).to.equal(write.valueHash);
      expect(await verifier.verifyInclusion(sequenceNo, key, write.valueHash, reply.proof)).to.equal(true);
      namespaces.add(Number(write.namespace));
    }
    // Secrets envelopes (0x03), Rego (0x04), params schemas (0x05, 0x07), WASM (0x06), secrets schemas (0x08).
    expect([...namespaces].sort()).to.deep.equal([3, 4, 5, 6, 7, 8]);
    const wasm = logs.filter((l) => Number(l.args.namespace) === 6).map((l) => Number(l.args.byteLength));
    expect(Math.max(...wasm)).to.be.greaterThan(10 * 1024 * 1024); // esbuild.wasm went through DA and the tree
  });

  it("stores secrets that open with the operators' key and only for their instance", async function () {
    const keyFile = JSON.parse(readFileSync(devnet.handles.keys.secretsKeyFile, "utf8")) as { privateKey: Hex };
    for (const client of demo.clients) {
      for (const d of client.dataInstances) {
        const reply = await leaf(devnet.handles.operatorUrls[1], keyHash(3, d.instanceId));
        const plain = await openSecrets(getBytes(keyFile.privateKey), getBytes(d.instanceId), getBytes(reply.value!));
        expect(JSON.parse(toUtf8String(plain))).to.deep.equal(d.secrets);
        const other =
          client.dataInstances.find((x) => x !== d) ?? demo.clients.find((c) => c !== client)!.dataInstances[0];
        const wrongInstance = await openSecrets(
          getBytes(keyFile.privateKey),
          getBytes(other.instanceId),
          getBytes(reply.value!),
        ).then(
          () => "opened",
          (err: unknown) => (err as SecretsError).code,
        );
        expect(wrongInstance).to.equal("SECRETS_ERROR_OPEN_FAILED");
      }
    }
  });

  it("describe reports the full template → data → instance → secrets DAG with nothing missing", async function () {
    for (const client of demo.clients) {
      const { code, text } = await describePolicy(target, client.policyInstanceId);
      expect(code, text).to.equal(0);
      expect(text).to.include(client.policyInstanceId);
      for (const d of client.dataInstances) expect(text).to.include(d.instanceId);
    }
  });
});

import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { expect } from "chai";
import { Contract, JsonRpcProvider, Network } from "ethers";

import { CHALLENGE_VERIFIER_ABI } from "../../../keeper/chain";
import {
  RestartableDa,
  deployDevnet,
  ensureDir,
  freePort,
  funded,
  removeDir,
  startHardhatNode,
  tempDir,
  waitFor,
  writeSecretsKey,
  type DevnetDeployment,
  KeeperProcess,
  type Proc,
} from "../roles/helpers/devnet";
import {
  Writer,
  getJson,
  liveCommits,
  makeAggregatorProcess,
  makeOperatorProcesses,
  metric,
  writeLog,
} from "../roles/helpers/keepers";

const RETENTION_SECONDS = 30;

/** A pass-through proxy to `target` that flips the last byte of every state-sync chunk it serves. */
async function tamperingProxy(target: string): Promise<{ url: string; server: Server; tampered: () => number }> {
  let tampered = 0;
  const server = createServer((req, res) => {
    void (async () => {
      try {
        const up = await fetch(`${target}${req.url ?? "/"}`);
        const body = new Uint8Array(await up.arrayBuffer());
        if (up.status === 200 && (req.url ?? "").startsWith("/v1/sync/chunks/")) {
          body[body.length - 1] ^= 0xff;
          tampered++;
        }
        res.writeHead(up.status, { "content-type": up.headers.get("content-type") ?? "application/octet-stream" });
        res.end(body);
      } catch {
        res.writeHead(502).end();
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, tampered: () => tampered };
}

/**
 * Real processes: four operators (quorum 3 of 4), the aggregator, a DA server that forgets blobs
 * after 30 s. Operator 3 is not running while the first windows commit; once every early blob has
 * expired and the commits are final, it starts with an empty `dataDir`, restores the tree from its
 * peers (one of which tampers with every chunk), reaches the chain's root and signs the next commit.
 */
describe("state sync: a new operator joins after DA retention", function () {
  this.timeout(900_000);
  let dir: string;
  let node: { url: string; proc: Proc };
  let deployment: DevnetDeployment;
  let da: RestartableDa;
  let operators: KeeperProcess[];
  let operatorUrls: string[];
  let aggregator: KeeperProcess;
  let proxy: Awaited<ReturnType<typeof tamperingProxy>>;
  let bootnode: KeeperProcess;
  let bootnodeUrl: string;
  let failed = false;

  before(async function () {
    dir = tempDir("newton-sync-join-");
    node = await startHardhatNode(dir);
    deployment = await deployDevnet(node.url, dir, [25, 25, 25, 25], 11);
    const provider = new JsonRpcProvider(node.url, Network.from(31337n), { staticNetwork: true });
    await provider.send("evm_setIntervalMining", [500]);
    provider.destroy();
    da = new RestartableDa(await freePort(), ensureDir(`${dir}/da`));
    await da.restart({ retentionSeconds: RETENTION_SECONDS });
    const secrets = writeSecretsKey(dir);
    const setup = { dir, rpcUrl: node.url, daUrl: da.url, deployment, secretsKeyFile: secrets.file, windowSeconds: 1 };
    ({ procs: operators, urls: operatorUrls } = await makeOperatorProcesses(setup, [0, 1, 2, 3]));
    ({ proc: aggregator } = await makeAggregatorProcess(setup, operatorUrls));
    proxy = await tamperingProxy(operatorUrls[0]);
    // Operator 3: state sync from a tampering peer first, then two honest ones; prune to 2 versions.
    const config = JSON.parse(readFileSync(operators[3].configFile, "utf8")) as Record<string, unknown>;
    config.sync = { peers: [proxy.url, operatorUrls[1], operatorUrls[2]], keepVersions: 2 };
    writeFileSync(operators[3].configFile, JSON.stringify(config));
    // A bootnode (no key) that joins at the same time from the two honest operators.
    const bootPort = await freePort();
    bootnodeUrl = `http://127.0.0.1:${bootPort}`;
    const bootConfig = path.join(dir, "bootnode.config.json");
    writeFileSync(
      bootConfig,
      JSON.stringify({
        ...config,
        role: "bootnode",
        operator: undefined,
        dataDir: ensureDir(path.join(dir, "bootnode-data")),
        http: { host: "127.0.0.1", port: bootPort },
        sync: { peers: [operatorUrls[1], operatorUrls[2]], keepVersions: 1 },
      }),
    );
    bootnode = new KeeperProcess("bootnode", "bootnode", bootConfig, dir);
    for (const p of [...operators.slice(0, 3), aggregator]) p.start();
    await Promise.all(
      operatorUrls
        .slice(0, 3)
        .map((u) => waitFor(async () => (await getJson(`${u}/healthz`)).status === 200, { timeoutMs: 240_000 })),
    );
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed") failed = true;
  });

  after(async function () {
    await Promise.all(
      [...(operators ?? []), ...(aggregator ? [aggregator] : []), ...(bootnode ? [bootnode] : [])].map((p) => p.stop()),
    );
    await new Promise<void>((resolve) => (proxy ? proxy.server.close(() => resolve()) : resolve()));
    await da?.stop();
    await node?.proc.stop();
    if (failed) console.log(`keeper logs kept in ${dir}`);
    else if (dir) removeDir(dir);
  });

  it("restores from peers with every early blob expired, drops the tampering peer, and signs the next commit", async function () {
    const registry = deployment.record.contracts.StateCommitRegistry.proxy;
    const writer = new Writer(funded(3, node.url), registry, da.url);
    const latest = async () => (await liveCommits(node.url, registry)).at(-1)!;
    const waitCommitted = async (end: bigint) =>
      waitFor(async () => (await latest()).writeIndexEnd >= end, { timeoutMs: 180_000 });
    let firstCert = "";
    for (let batch = 0; batch < 3; batch++) {
      const prepared = await writer.prepare(8);
      firstCert ||= prepared[0].cert;
      await writer.send(prepared);
      await waitCommitted((await writer.registry.writeCount()) as bigint);
    }
    const before = await latest();
    expect(before.sequenceNo >= 3n).to.equal(true);
    // Age the system: every blob so far expires, and every commit so far becomes final.
    await new Promise((resolve) => setTimeout(resolve, RETENTION_SECONDS * 1000 + 1000));
    expect((await fetch(`${da.url}/get/${firstCert}?commitment_mode=standard`)).status).to.equal(500);
    const provider = new JsonRpcProvider(node.url, Network.from(31337n), { staticNetwork: true });
    await provider.send("hardhat_mine", ["0x400"]);

    operators[3].start();
    bootnode.start();
    const joiner = operatorUrls[3];
    await waitFor(async () => (await getJson(`${joiner}/healthz`).catch(() => ({ status: 0 }))).status === 200, {
      timeoutMs: 240_000,
    });
    const head = await latest();
    await waitFor(async () => (await getJson(`${joiner}/v1/state`)).body.root === head.stateRoot, {
      timeoutMs: 120_000,
    });
    expect(await metric(joiner, 'newton_keeper_sync_chunks_total{outcome="verified"}')).to.be.greaterThan(0);
    expect(await metric(joiner, 'newton_keeper_sync_peers_dropped_total{reason="tampered"}')).to.equal(1);
    expect(proxy.tampered()).to.be.greaterThan(0);

    // From here on DA keeps new blobs (a fresh store: the expired ones stay gone), so a slow machine
    // cannot make the next window's values expire before the aggregator fetches them.
    await da.stop();
    da = new RestartableDa(da.port, ensureDir(`${dir}/da-after`));
    await da.restart();

    // The next window: operator 3 signs it (bit 3 of the non-signer bitmap is clear).
    await writer.write(6);
    const end = (await writer.registry.writeCount()) as bigint;
    await waitCommitted(end);
    const next = await latest();
    expect(next.nonSignerBitmap & 8n).to.equal(0n);
    expect(await metric(joiner, 'newton_keeper_sign_requests_total{status="200"}')).to.be.greaterThan(0);

    // Its proofs for the latest version verify on-chain.
    await waitFor(async () => (await getJson(`${joiner}/v1/state`)).body.root === next.stateRoot, {
      timeoutMs: 120_000,
    });
    const verifier = new Contract(
      deployment.record.contracts.ChallengeVerifier.proxy,
      CHALLENGE_VERIFIER_ABI,
      provider,
    );
    const lastByKey = new Map((await writeLog(node.url, registry)).map((w) => [w.keyHash, w.valueHash]));
    let checked = 0;
    for (const [keyHash, valueHash] of lastByKey) {
      if (/^0x0{64}$/.test(valueHash) || checked >= 4) continue;
      const { status, body } = await getJson(`${joiner}/v1/leaves/${keyHash}?sequence=${next.sequenceNo}`);
      expect(status).to.equal(200);
      expect(body.value).to.equal(`0x${Buffer.from(writer.values.get(valueHash)!).toString("hex")}`);
      expect(await verifier.verifyInclusion(next.sequenceNo, keyHash, valueHash, body.proof)).to.equal(true);
      checked++;
    }
    expect(checked).to.equal(4);

    // The bootnode restored too, follows the chain and serves state sync of the latest version.
    await waitFor(
      async () =>
        (await getJson(`${bootnodeUrl}/v1/state`).catch(() => ({ body: {} as Record<string, unknown> }))).body.root ===
        next.stateRoot,
      {
        timeoutMs: 120_000,
      },
    );
    expect(await metric(bootnodeUrl, 'newton_keeper_sync_chunks_total{outcome="verified"}')).to.be.greaterThan(0);
    const status = (await getJson(`${bootnodeUrl}/v1/sync/status`)).body;
    expect(status.latest).to.equal(Number(next.sequenceNo));
    provider.destroy();
  });
});

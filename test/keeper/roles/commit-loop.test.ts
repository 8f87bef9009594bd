import { createServer } from "node:http";

import { expect } from "chai";
import { Contract, JsonRpcProvider, Network, getBytes, id } from "ethers";

import { sign } from "../../../keeper/bls";
import { CHALLENGE_VERIFIER_ABI } from "../../../keeper/chain";
import { bytesToHex } from "../../../keeper/common";
import {
  FlakyRpcProxy,
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
  type KeeperProcess,
  type Proc,
} from "./helpers/devnet";
import {
  Writer,
  getJson,
  liveCommits,
  makeAggregatorProcess,
  makeOperatorProcesses,
  metric,
  recomputeRoots,
  writeLog,
} from "./helpers/keepers";

/**
 * Real processes over HTTP: a `hardhat node`, a deployment by `deployNewton`, a local DA server, four
 * operator processes and the aggregator process (1 s windows), all RPC through a proxy that can fail
 * requests. Invariant: every live commit's root equals the root recomputed independently from the
 * write-log prefix it covers, whatever was killed, offline, lying or failing on the way.
 */
describe("keeper roles: commit loop", function () {
  this.timeout(300_000);
  let dir: string;
  let node: { url: string; proc: Proc };
  let proxy: FlakyRpcProxy;
  let deployment: DevnetDeployment;
  let da: RestartableDa;
  let operators: KeeperProcess[];
  let operatorUrls: string[];
  let operatorPorts: number[];
  let aggregator: KeeperProcess;
  let aggregatorUrl: string;
  let writer: Writer;
  let registryAddress: string;
  let secretsPublicKey: string;
  let failed = false;

  before(async function () {
    dir = tempDir("newton-keeper-roles-");
    node = await startHardhatNode(dir);
    proxy = new FlakyRpcProxy(node.url);
    await proxy.start();
    deployment = await deployDevnet(node.url, dir, [25, 25, 25, 25], 7);
    registryAddress = deployment.record.contracts.StateCommitRegistry.proxy;
    const provider = new JsonRpcProvider(node.url, Network.from(31337n), { staticNetwork: true });
    await provider.send("evm_setIntervalMining", [500]);
    provider.destroy();
    da = new RestartableDa(await freePort(), ensureDir(`${dir}/da`));
    await da.restart();
    const secrets = writeSecretsKey(dir);
    secretsPublicKey = secrets.publicKey;
    const setup = {
      dir,
      rpcUrl: proxy.url,
      daUrl: da.url,
      deployment,
      secretsKeyFile: secrets.file,
      windowSeconds: 1,
    };
    ({ procs: operators, urls: operatorUrls, ports: operatorPorts } = await makeOperatorProcesses(setup, [0, 1, 2, 3]));
    ({ proc: aggregator, url: aggregatorUrl } = await makeAggregatorProcess(setup, operatorUrls));
    for (const p of [...operators, aggregator]) p.start();
    await Promise.all(
      operatorUrls.map((u) =>
        // Starting five ts-node processes at once takes long on a loaded 2-core machine.
        waitFor(async () => (await getJson(`${u}/healthz`)).status === 200, { timeoutMs: 180_000 }),
      ),
    );
    writer = new Writer(funded(3, node.url), registryAddress, da.url);
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed") failed = true;
  });

  after(async function () {
    await Promise.all([...(operators ?? []), ...(aggregator ? [aggregator] : [])].map((p) => p.stop()));
    await da?.stop();
    await proxy?.stop();
    await node?.proc.stop();
    if (failed) console.log(`keeper logs kept in ${dir}`);
    else if (dir && !process.env.NEWTON_TEST_KEEP) removeDir(dir);
  });

  async function latest() {
    const commits = await liveCommits(node.url, registryAddress);
    return commits[commits.length - 1];
  }

  async function waitCommitted(writeIndexEnd: bigint, timeoutMs = 60_000): Promise<void> {
    await waitFor(async () => (await latest()).writeIndexEnd >= writeIndexEnd, { timeoutMs });
  }

  async function writeCount(): Promise<bigint> {
    return (await writer.registry.writeCount()) as bigint;
  }

  /** Every live commit's root equals the independent recomputation; returns the commits. */
  async function expectRootsMatchLog() {
    const commits = await liveCommits(node.url, registryAddress);
    const log = await writeLog(node.url, registryAddress);
    const roots = await recomputeRoots(
      log,
      commits.map((c) => c.writeIndexEnd),
      writer.values,
    );
    expect(commits.map((c) => c.stateRoot)).to.deep.equal(roots);
    return commits;
  }

  async function waitOperatorsSynced(urls: readonly string[]): Promise<void> {
    const head = await latest();
    await Promise.all(
      urls.map((u) =>
        // A restarted operator first needs its ts-node start, slow on a loaded machine.
        waitFor(async () => (await getJson(`${u}/v1/state`)).body.root === head.stateRoot, { timeoutMs: 180_000 }),
      ),
    );
  }

  it("commits 120 writes over at least 3 windows with roots equal to the write log's and leaf proofs that verify on-chain", async function () {
    for (let batch = 0; batch < 3; batch++) {
      await writer.write(40);
      await waitCommitted(await writeCount());
    }
    const commits = await expectRootsMatchLog();
    expect(commits.length).to.be.greaterThanOrEqual(4); // genesis + ≥ 3 windows
    await waitOperatorsSynced(operatorUrls);
    const verifier = new Contract(
      deployment.record.contracts.ChallengeVerifier.proxy,
      CHALLENGE_VERIFIER_ABI,
      new JsonRpcProvider(node.url, Network.from(31337n), { staticNetwork: true }),
    );
    const log = await writeLog(node.url, registryAddress);
    const head = commits[commits.length - 1];
    const lastByKey = new Map(log.map((w) => [w.keyHash, w.valueHash]));
    let checked = 0;
    for (const [keyHash, valueHash] of [...lastByKey].slice(0, 12)) {
      const { status, body } = await getJson(
        `${operatorUrls[checked % 4]}/v1/leaves/${keyHash}?sequence=${head.sequenceNo}`,
      );
      expect(status).to.equal(200);
      const proof = body.proof as { hasLeaf: boolean };
      if (/^0x0{64}$/.test(valueHash)) {
        expect(body.value).to.equal(null);
        continue;
      }
      expect(body.value).to.equal(`0x${Buffer.from(writer.values.get(valueHash)!).toString("hex")}`);
      expect(await verifier.verifyInclusion(head.sequenceNo, keyHash, valueHash, proof)).to.equal(true);
      checked++;
    }
    expect(checked).to.be.greaterThan(5);
  });
  it("serves the operator HTTP API: secrets key, state, 4xx for bad requests", async function () {
    const url = operatorUrls[0];
    expect((await getJson(`${url}/v1/secrets-key`)).body).to.deep.equal({
      kem: "DHKEM(X25519, HKDF-SHA256)",
      kdf: "HKDF-SHA256",
      aead: "ChaCha20Poly1305",
      publicKey: secretsPublicKey,
    });
    const state = (await getJson(`${url}/v1/state`)).body;
    expect(state).to.include.keys("sequenceNo", "root", "indexedBlock", "headBlock", "lagBlocks");
    const post = (body: string, type = "application/json") =>
      fetch(`${url}/v1/commits/sign`, { method: "POST", headers: { "content-type": type }, body });
    expect((await post("{")).status).to.equal(400);
    expect((await post("{}", "text/plain")).status).to.equal(415);
    const bad = await post(JSON.stringify({ sequenceNo: "1" }));
    expect(bad.status).to.equal(400);
    expect(((await bad.json()) as { error: string }).error).to.match(/prevStateRoot/);
    expect((await getJson(`${url}/v1/leaves/0x12`)).status).to.equal(400);
    expect((await getJson(`${url}/v1/leaves/0x${"ab".repeat(32)}?sequence=999999`)).status).to.equal(404);
    expect((await getJson(`${url}/v1/artifacts/0x${"ab".repeat(32)}`)).status).to.equal(404);
    expect((await getJson(`${url}/v1/nothing`)).status).to.equal(404);
  });

  it("keeps committing with one operator offline: the quorum of the other three is enough", async function () {
    await operators[3].kill9();
    await writer.write(8);
    await waitCommitted(await writeCount());
    expect((await latest()).nonSignerBitmap).to.not.equal(0n);
    await expectRootsMatchLog();
  });

  it("drops an operator's garbage signatures and still commits", async function () {
    const op = deployment.operators[3];
    const fake = createServer((req, res) => {
      req.resume();
      const garbage = sign(op.keypair.secretKey, getBytes(id(`not the digest ${Math.random()}`)));
      res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({
          signature: bytesToHex(garbage.toBytes(true)),
          publicKey: bytesToHex(op.keypair.pubkeyCompressed),
          operator: op.address,
        }),
      );
    });
    await new Promise<void>((resolve) => fake.listen(operatorPorts[3], "127.0.0.1", resolve));
    try {
      const rejected = 'newton_keeper_signatures_rejected_total{reason="invalid"}';
      const before = await metric(aggregatorUrl, rejected);
      await writer.write(8);
      await waitCommitted(await writeCount());
      expect(await metric(aggregatorUrl, rejected)).to.be.greaterThan(before);
      expect((await latest()).nonSignerBitmap).to.not.equal(0n);
      await expectRootsMatchLog();
    } finally {
      fake.closeAllConnections();
      await new Promise<void>((resolve) => fake.close(() => resolve()));
    }
    operators[3].start();
    await waitOperatorsSynced([operatorUrls[3]]);
  });

  it("commits nothing while DA fails or returns wrong bytes (no delta can be certified), then commits every byte once it heals", async function () {
    const prepared = await writer.prepare(6);
    const before = await latest();
    // A window that cannot disperse its delta fails; one whose delta the operators cannot fetch intact
    // gets no quorum. Either way nothing is committed (unavailable values never stop a commit; an
    // unavailable delta does, as the operators could not check it).
    const failedWindows = async () =>
      (await metric(aggregatorUrl, 'newton_keeper_windows_total{outcome="failed"}')) +
      (await metric(aggregatorUrl, 'newton_keeper_windows_total{outcome="no_quorum"}'));
    await da.restart({ failureRate: 1 });
    await writer.send(prepared);
    const count = await writeCount();
    const failedBefore = await failedWindows();
    await waitFor(async () => (await failedWindows()) >= failedBefore + 2, { timeoutMs: 60_000 });
    expect((await latest()).writeIndexEnd).to.equal(before.writeIndexEnd);
    await da.restart({ corruptRate: 1 });
    const corruptBefore = await failedWindows();
    await waitFor(async () => (await failedWindows()) >= corruptBefore + 2, { timeoutMs: 60_000 });
    expect((await latest()).writeIndexEnd).to.equal(before.writeIndexEnd);
    await da.restart({});
    await waitCommitted(count);
    await expectRootsMatchLog();
    await waitOperatorsSynced(operatorUrls);
    const log = await writeLog(node.url, registryAddress);
    // The values the tree now holds (the last write of each key written during the outage).
    const lastByKey = new Map(log.map((w) => [w.keyHash, w.valueHash]));
    const written = log
      .slice(Number(before.writeIndexEnd))
      .filter((w) => lastByKey.get(w.keyHash) === w.valueHash && !/^0x0{64}$/.test(w.valueHash));
    expect(written.length).to.be.greaterThan(0);
    for (const w of written) {
      const { body } = await getJson(`${operatorUrls[0]}/v1/artifacts/${w.valueHash}`);
      expect(body.bytes).to.equal(bytesToHex(writer.values.get(w.valueHash)!));
    }
  });

  it("keeps committing while a fifth of RPC requests fail", async function () {
    proxy.failRate = 0.2;
    try {
      await writer.write(10);
      await waitCommitted(await writeCount(), 120_000);
    } finally {
      proxy.failRate = 0;
    }
    expect(proxy.failed).to.be.greaterThan(0);
    await waitOperatorsSynced(operatorUrls);
    await expectRootsMatchLog();
  });

  it("gives the same roots after 24 kill -9 of the aggregator and an operator at random points", async function () {
    const points = ["window proposed", "commit signed", "transaction sent", "commit mined", "tree version persisted"];
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)];
    for (let round = 0; round < 12; round++) {
      const victims = [aggregator, pick(operators)];
      const marks = victims.map((v) => v.log().length);
      const sending = writer.write(3);
      await Promise.all(
        victims.map((v, i) => {
          const point = pick(points);
          return waitFor(() => v.log().slice(marks[i]).includes(point), { timeoutMs: 4_000 }).catch(() => undefined);
        }),
      );
      await Promise.all(victims.map((v) => v.kill9()));
      victims.forEach((v) => v.start());
      await sending;
    }
    expect(aggregator.starts + operators.reduce((n, o) => n + o.starts, 0)).to.be.greaterThanOrEqual(24 + 5);
    await waitCommitted(await writeCount(), 120_000);
    await waitOperatorsSynced(operatorUrls);
    await expectRootsMatchLog();
  });
});

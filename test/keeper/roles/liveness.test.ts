import { randomBytes } from "node:crypto";
import { mkdirSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";

import { expect } from "chai";
import {
  Contract,
  JsonRpcProvider,
  Network,
  NonceManager,
  Wallet,
  hexlify,
  id,
  keccak256,
  type InterfaceAbi,
} from "ethers";

import { runNewton } from "../../../keeper/cli/newton";
import { keyHash, stateCommitDigest, userLeafId, type StateCommit } from "../../../keeper/chain";
import { sleep, type Hex } from "../../../keeper/common";
import { EigenDaProxyClient, makeServerCert } from "../../../keeper/da";
import { encodeSignRequest } from "../../../keeper/window";
import { PolicyRegistry__factory } from "../../../typechain-types";
import {
  HARDHAT_KEYS,
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
import { getJson, liveCommits, makeAggregatorProcess, makeOperatorProcesses, metric } from "./helpers/keepers";

const MiB = 1024 * 1024;
const EMPTY_REF = { contentHash: keccak256("0x"), byteLength: 0, daCert: "0x" };
/** The DA server forgets blobs this long after they were stored (the file's time): "expired" is real. */
const RETENTION_SECONDS = 600;
const HARDHAT_ADDRESS_3 = new Wallet(HARDHAT_KEYS[3]).address;

/**
 * Real processes (a `hardhat node`, a deployment, a local DA server with blob retention, four
 * operators and the aggregator, 2 s windows): every way a value can be missing is committed as
 * unavailable in the window it is eligible in, honest writes beside it are committed in the same
 * window, a squatted artifact is re-proposed and becomes fetchable, operators refuse a censoring
 * proposal and answer unauthenticated or not-yet-verifiable requests at once.
 */
describe("keeper roles: liveness under unavailable bytes and sign-request abuse", function () {
  this.timeout(300_000);
  let dir: string;
  let node: { url: string; proc: Proc };
  let deployment: DevnetDeployment;
  let da: RestartableDa;
  let client: EigenDaProxyClient;
  let operators: KeeperProcess[];
  let operatorUrls: string[];
  let aggregator: KeeperProcess;
  let registryAddress: string;
  let registry: Contract;
  let provider: JsonRpcProvider;
  let failed = false;
  const slots = { n: 0 };

  before(async function () {
    dir = tempDir("newton-keeper-liveness-");
    node = await startHardhatNode(dir);
    deployment = await deployDevnet(node.url, dir, [25, 25, 25, 25], 11);
    registryAddress = deployment.record.contracts.StateCommitRegistry.proxy;
    provider = new JsonRpcProvider(node.url, Network.from(31337n), { staticNetwork: true, batchMaxCount: 1 });
    await provider.send("evm_setIntervalMining", [500]);
    da = new RestartableDa(await freePort(), ensureDir(`${dir}/da`));
    await da.restart({ retentionSeconds: RETENTION_SECONDS });
    client = new EigenDaProxyClient({ url: da.url, maxRetries: 1, baseDelayMs: 20 });
    const secrets = writeSecretsKey(dir);
    const setup = {
      dir,
      rpcUrl: node.url,
      daUrl: da.url,
      deployment,
      secretsKeyFile: secrets.file,
      windowSeconds: 2,
      operatorExtra: { maxConcurrentSigns: 2 },
    };
    ({ procs: operators, urls: operatorUrls } = await makeOperatorProcesses(setup, [0, 1, 2, 3]));
    ({ proc: aggregator } = await makeAggregatorProcess(setup, operatorUrls));
    for (const p of [...operators, aggregator]) p.start();
    await Promise.all(
      operatorUrls.map((u) =>
        waitFor(async () => (await getJson(`${u}/healthz`)).status === 200, { timeoutMs: 240_000 }),
      ),
    );
    registry = new Contract(
      registryAddress,
      [
        "function proposeWrite(uint8,bytes32,bytes32,uint32,bytes) payable returns (uint64)",
        "function writeCount() view returns (uint64)",
        "function latest() view returns (uint64, (bytes32 stateRoot, uint64 writeIndexEnd, uint64 referenceBlock, uint64 operatorSetId, uint64 committedAtBlock, bytes32 daCommitment, uint256 nonSignerBitmap))",
      ],
      new NonceManager(funded(3, node.url)),
    );
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed") failed = true;
  });

  after(async function () {
    await Promise.all([...(operators ?? []), ...(aggregator ? [aggregator] : [])].map((p) => p.stop()));
    await da?.stop();
    provider?.destroy();
    await node?.proc.stop();
    if (failed) console.log(`keeper logs kept in ${dir}`);
    else if (dir) removeDir(dir);
  });

  async function propose(valueHash: string, byteLength: number, cert: string): Promise<{ keyHash: string }> {
    const slot = id(`liveness-${slots.n++}`);
    await (await registry.proposeWrite(1, slot, valueHash, byteLength, cert)).wait();
    return { keyHash: keyHash(1, userLeafId(HARDHAT_ADDRESS_3, slot)) };
  }

  async function committedEnd(): Promise<bigint> {
    const commits = await liveCommits(node.url, registryAddress);
    return commits[commits.length - 1].writeIndexEnd;
  }

  async function leaf(url: string, keyHash: string) {
    return (await getJson(`${url}/v1/leaves/${keyHash}`)).body as {
      status: string;
      valueHash: string;
      value: string | null;
      proof: { hasLeaf: boolean; leafValueHash: string };
    };
  }

  it("commits every kind of missing value as unavailable in its first window, and honest writes beside them", async function () {
    // The expired blob: dispersed, then aged past the DA server's retention (its file dated an hour back).
    const expiredBytes = Uint8Array.from(randomBytes(64));
    const expiredCert = hexlify(await client.put(expiredBytes));
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(path.join(dir, "da", expiredCert.slice(2)), hourAgo, hourAgo);
    expect((await fetch(`${da.url}/get/${expiredCert}?commitment_mode=standard`)).status).to.equal(500);
    const one = Uint8Array.of(7);
    const oneCert = hexlify(await client.put(one));
    const hundred = Uint8Array.from(randomBytes(100));
    const hundredCert = hexlify(await client.put(hundred));
    const other = Uint8Array.from(randomBytes(80));
    const otherCert = hexlify(await client.put(other));
    const honest = await Promise.all(
      [1, 2, 3].map(async (i) => {
        const bytes = Uint8Array.from(randomBytes(200 + i));
        return { bytes, cert: hexlify(await client.put(bytes)) };
      }),
    );
    const cases = [
      {
        name: "never dispersed",
        valueHash: id("never"),
        byteLength: 50,
        cert: hexlify(makeServerCert(new Uint8Array(32), 999_999n)),
      },
      { name: "expired", valueHash: keccak256(expiredBytes), byteLength: 64, cert: expiredCert },
      { name: "16 MiB claim over 1 byte", valueHash: keccak256(one), byteLength: 16 * MiB, cert: oneCert },
      { name: "length 1100 over 100 bytes", valueHash: keccak256(hundred), byteLength: 1100, cert: hundredCert },
      { name: "garbage certificate", valueHash: id("garbage"), byteLength: 10, cert: "0xdeadbeef" },
      { name: "empty certificate", valueHash: id("empty"), byteLength: 10, cert: "0x" },
      { name: "wrong bytes", valueHash: id("wrong"), byteLength: 80, cert: otherCert },
    ];
    const start = (await registry.writeCount()) as bigint;
    const keys: { name: string; keyHash: string; bytes?: Uint8Array }[] = [];
    for (const [i, c] of cases.entries()) {
      keys.push({ name: c.name, ...(await propose(c.valueHash, c.byteLength, c.cert)) });
      if (i % 3 === 0) {
        const h = honest[i / 3];
        keys.push({
          name: `honest ${i / 3}`,
          bytes: h.bytes,
          ...(await propose(keccak256(h.bytes), h.bytes.length, h.cert)),
        });
      }
    }
    const end = (await registry.writeCount()) as bigint;
    expect(end - start).to.equal(BigInt(cases.length + honest.length));
    // Within the bound: the writes are committed (one window once eligible; the timeout only guards the test).
    await waitFor(async () => (await committedEnd()) >= end, { timeoutMs: 60_000 });
    const head = (await liveCommits(node.url, registryAddress)).at(-1)!;
    for (const url of operatorUrls) {
      await waitFor(async () => (await getJson(`${url}/v1/state`)).body.root === head.stateRoot, { timeoutMs: 60_000 });
    }
    for (const url of operatorUrls) {
      for (const k of keys) {
        const l = await leaf(url, k.keyHash);
        expect(l.proof.hasLeaf, k.name).to.equal(true);
        if (k.bytes !== undefined) {
          expect(l.status, k.name).to.equal("available");
          expect(l.value, k.name).to.equal(hexlify(k.bytes));
        } else {
          expect(l.status, k.name).to.equal("bytes_unavailable");
          expect(l.value, k.name).to.equal(null);
          expect(l.valueHash, k.name).to.equal(l.proof.leafValueHash);
        }
      }
    }
    expect(await metric(operatorUrls[0].replace(/\/$/, ""), "newton_keeper_sign_requests_total")).to.be.greaterThan(0);
  });

  it("lets anyone re-propose a squatted artifact; the real bytes become fetchable from every operator", async function () {
    const policyRegistry = new Contract(
      deployment.record.contracts.PolicyRegistry.proxy,
      PolicyRegistry__factory.abi as InterfaceAbi,
      new NonceManager(funded(4, node.url)),
    );
    const rego = new TextEncoder().encode(`package victim\nallow := input.amount < ${Date.now()}`);
    const regoHash = keccak256(rego);
    // The attacker names the victim's Rego hash with a certificate of missing bytes and a 16 MiB length.
    const squat = {
      contentHash: regoHash,
      byteLength: 16 * MiB,
      daCert: hexlify(makeServerCert(new Uint8Array(32), 888_888n)),
    };
    await (await policyRegistry.registerTemplate(squat, EMPTY_REF, [])).wait();
    const afterSquat = (await registry.writeCount()) as bigint;
    await waitFor(async () => (await committedEnd()) >= afterSquat, { timeoutMs: 60_000 });
    expect((await getJson(`${operatorUrls[0]}/v1/artifacts/${regoHash}`)).status).to.equal(404);
    // The victim re-proposes the real bytes under a fresh certificate.
    const victim = new Contract(
      deployment.record.contracts.PolicyRegistry.proxy,
      PolicyRegistry__factory.abi as InterfaceAbi,
      new NonceManager(funded(0, node.url)),
    );
    const cert = hexlify(await client.put(rego));
    await (await victim.reproposeArtifact(4, { contentHash: regoHash, byteLength: rego.length, daCert: cert })).wait();
    const afterRepropose = (await registry.writeCount()) as bigint;
    await waitFor(async () => (await committedEnd()) >= afterRepropose, { timeoutMs: 60_000 });
    for (const url of operatorUrls) {
      await waitFor(async () => (await getJson(`${url}/v1/artifacts/${regoHash}`)).status === 200, {
        timeoutMs: 60_000,
      });
      expect((await getJson(`${url}/v1/artifacts/${regoHash}`)).body.bytes).to.equal(hexlify(rego));
    }
  });

  it("every honest operator refuses a proposal that leaves an eligible write out, and answers abuse at once", async function () {
    await aggregator.stop();
    let commit!: (writeIndexEnd: bigint) => StateCommit;
    let request!: (c: StateCommit, signer: Wallet) => string;
    let post!: (url: string, body: string) => Promise<{ status: number; body: { code?: string } }>;
    const aggregatorKey = new Wallet(HARDHAT_KEYS[1]);
    {
      const bytes = Uint8Array.from(randomBytes(40));
      const cert = hexlify(await client.put(bytes));
      await propose(keccak256(bytes), bytes.length, cert);
      await propose(keccak256(bytes), bytes.length, cert);
      const count = (await registry.writeCount()) as bigint;
      const [seq, rec] = (await registry.latest()) as [
        bigint,
        { stateRoot: string; writeIndexEnd: bigint; operatorSetId: bigint },
      ];
      for (const url of operatorUrls) {
        await waitFor(async () => BigInt(String((await getJson(`${url}/v1/state`)).body.sequenceNo)) === seq, {
          timeoutMs: 60_000,
        });
      }
      await sleep(1500); // a few blocks, so the writes are at or below the reference block
      const referenceBlock = BigInt((await provider.getBlockNumber()) - 1);
      for (const url of operatorUrls) {
        await waitFor(
          async () => Number((await getJson(`${url}/v1/state`)).body.indexedBlock) >= Number(referenceBlock),
          {
            timeoutMs: 60_000,
          },
        );
      }
      const daCert = "0x01" + "ab".repeat(40);
      commit = (writeIndexEnd: bigint): StateCommit => ({
        sequenceNo: seq + 1n,
        prevStateRoot: rec.stateRoot as Hex,
        stateRoot: id("any root") as Hex,
        writeIndexEnd,
        referenceBlock,
        daCommitment: keccak256(daCert) as Hex,
        operatorSetId: rec.operatorSetId,
      });
      const chainId = 31337n;
      request = (c: StateCommit, signer: Wallet) =>
        JSON.stringify(
          encodeSignRequest(
            c,
            { daCert: daCert as Hex, deltaHash: id("delta") as Hex },
            stateCommitDigest(chainId, registryAddress, c) as Hex,
            signer,
          ),
        );
      post = async (url: string, body: string) => {
        const res = await fetch(`${url}/v1/commits/sign`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        });
        return { status: res.status, body: (await res.json()) as { code?: string } };
      };
      // Censorship: the proposal stops one write short of the maximal eligible prefix.
      for (const url of operatorUrls) {
        const res = await post(url, request(commit(count - 1n), aggregatorKey));
        expect(res.status).to.equal(409);
        expect(res.body.code).to.equal("SIGN_REFUSED_NOT_MAXIMAL");
        expect(await metric(url, 'newton_keeper_sign_refusals_total{reason="not_maximal"}')).to.be.greaterThan(0);
      }
    }
    aggregator.start();
    // The aggregator, back, commits the maximal prefix while a bounded flood of unauthenticated and
    // not-yet-verifiable requests hits every operator; each is answered at once with a typed refusal.
    const count = (await registry.writeCount()) as bigint;
    const stranger = new Wallet(HARDHAT_KEYS[2]);
    const far = commit(count + 1_000_000n);
    const answers: { status: number; body: { code?: string }; authenticated: boolean }[] = [];
    let flooding = true;
    const floods = operatorUrls.map(async (url) => {
      for (let round = 0; flooding && round < 40; round++) {
        const batch = await Promise.all([
          ...[0, 1, 2].map(async () => ({ ...(await post(url, request(far, stranger))), authenticated: false })),
          ...[0, 1, 2].map(async () => ({ ...(await post(url, request(far, aggregatorKey))), authenticated: true })),
        ]);
        answers.push(...batch);
        await sleep(100);
      }
    });
    try {
      await waitFor(async () => (await committedEnd()) >= count, { timeoutMs: 90_000 });
    } finally {
      flooding = false;
      await Promise.all(floods);
    }
    expect(answers.length).to.be.greaterThan(0);
    for (const a of answers) {
      if (!a.authenticated) {
        expect(a.status).to.equal(401);
        expect(a.body.code).to.equal("SIGN_UNAUTHENTICATED");
      } else {
        expect([503, 429]).to.include(a.status);
        expect(["SIGN_RETRY_LATER", "SIGN_BUSY"]).to.include(a.body.code);
      }
    }
  });
  it("newton register --wait returns once the artifact writes are committed; describe says in which sequence", async function () {
    const home = path.join(dir, "newton-home");
    mkdirSync(home, { recursive: true });
    const env = { NEWTON_HOME: home, NEWTON_DA_URL: da.url, NEWTON_SIGNER_KEY: HARDHAT_KEYS[2] };
    const newton = async (argv: string[]) => {
      let out = "";
      const code = await runNewton(argv, {
        env,
        stdout: { write: (t: string) => (out += t) },
        stderr: { write: (t: string) => (out += t) },
      });
      return { code, out };
    };
    const init = await newton([
      "config",
      "init",
      "--profile",
      "liveness",
      "--chain",
      "localhost",
      "--rpc-url",
      node.url,
      "--deployments",
      path.dirname(deployment.file),
    ]);
    expect(init.code, init.out).to.equal(0);
    const rego = path.join(dir, "wait.rego");
    writeFileSync(rego, `package wait\nallow := input.n < ${Date.now()}\n`);
    const templateId = (await newton(["policy", "template", "compute-id", "--rego", rego])).out.trim();
    const reg = await newton(["policy", "template", "register", "--rego", rego, "--wait"]);
    expect(reg.code, reg.out).to.equal(0);
    expect(reg.out).to.match(/write #\d+ committed in sequence \d+/);
    const described = await newton(["policy", "describe", "--policy-template", templateId]);
    expect(described.out).to.match(/rego 0x[0-9a-f]{64}: committed \(write #\d+ in sequence \d+\)/);
  });
});

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";

import { expect } from "chai";
import { ethers } from "ethers";
import hre from "hardhat";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { open } from "lmdb";
import pino from "pino";
import { Registry } from "prom-client";

import { type KeystoreOptions, encryptKeystore } from "../../../keeper/bls";
import {
  ChainIndexer,
  type ChainIndexerDeps,
  EMPTY_ARTIFACT_HASH,
  HttpRpcTransport,
  type IndexedWrite,
  type IndexerDeployment,
  IndexerError,
  type IndexerOptions,
  NO_WRITE,
  type StateCommit,
  type WriteRecord,
  classifyRpcError,
  createIndexerMetrics,
  keyHash,
  loadDeployment,
  policyDataInstanceId,
  policyDataTemplateId,
  policyTemplateId,
  resolveIndexerOptions,
  stateCommitDigest,
  userLeafId,
  writeRecordHash,
} from "../../../keeper/chain";
import { buildCommitChallenge } from "../../../keeper/challenger";
import type { Hex } from "../../../keeper/common";
import { JellyfishMerkleTree, LmdbTreeStore, MemoryTreeStore, createKeccakHasher } from "../../../keeper/jmt";
import { deployNewton } from "../../../scripts/lib/deploy";
import type {
  ChallengeVerifier,
  OperatorRegistry,
  PolicyDataRegistry,
  PolicyRegistry,
  StateCommitRegistry,
} from "../../../typechain-types";
import { makeOperators, signQuorum, type TestOperator } from "../../helpers/operators";
import { EMPTY_REF, artifactRef } from "../../helpers/policy";
import {
  type HardhatNode,
  countingTransport,
  localhostEnvironment,
  rpc,
  startFaultyProxy,
  startHardhatNode,
} from "./indexer.helpers";

const CONFIRMATIONS = 3;
const FAST_KDF: KeystoreOptions["kdf"] = {
  function: "pbkdf2",
  params: { dklen: 32, c: 16, prf: "hmac-sha256", salt: "33".repeat(32) },
};
const PASSWORD_ENV = { OPERATOR_PW: "indexer test password" };
/** Fast polling and backoff for loopback tests (production defaults are 2 s / 250 ms). */
const FAST = { pollIntervalMs: 10, baseDelayMs: 2, maxDelayMs: 50 } as const;

interface Ctx {
  node: HardhatNode;
  env: HardhatRuntimeEnvironment;
  dir: string;
  deployment: IndexerDeployment;
  chainId: bigint;
  scr: StateCommitRegistry;
  operatorRegistry: OperatorRegistry;
  verifier: ChallengeVerifier;
  operators: TestOperator[];
  writers: string[];
}

/** Writes four keystore operators (weights 30/30/30/10) and a localhost deploy config into `dir`. */
async function writeConfig(dir: string): Promise<{ configPath: string; operators: TestOperator[] }> {
  const operators = makeOperators(4, 71);
  const entries = [];
  for (const [i, op] of operators.entries()) {
    const keystore = await encryptKeystore(op.keypair, PASSWORD_ENV.OPERATOR_PW, { kdf: FAST_KDF });
    writeFileSync(path.join(dir, `operator-${i}.json`), JSON.stringify(keystore));
    const weight = i < 3 ? 30 : 10;
    entries.push({ address: op.address, weight, keystore: `operator-${i}.json`, keystorePasswordEnv: "OPERATOR_PW" });
  }
  const config = {
    templateRegistrationPermissionless: true,
    instanceDeploymentPermissionless: true,
    quorumBips: 6667,
    challengeWindowBlocks: 100,
    operators: entries,
  };
  const configPath = path.join(dir, "deploy-config.json");
  writeFileSync(configPath, JSON.stringify(config));
  return { configPath, operators };
}

/** Spawns the node and deploys onto it; stops the node again when the deployment fails. */
async function setUp(): Promise<Ctx> {
  const node = await startHardhatNode(hre.config.paths.root);
  const dir = mkdtempSync(path.join(os.tmpdir(), "newton-indexer-test-"));
  try {
    return await deployOnto(node, dir);
  } catch (err) {
    await node.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

async function deployOnto(node: HardhatNode, dir: string): Promise<Ctx> {
  const env = localhostEnvironment(hre, node.url);
  const { configPath, operators } = await writeConfig(dir);
  const silent = () => undefined;
  const result = await deployNewton(env, { deploymentsDir: dir, configPath, env: PASSWORD_ENV, log: silent });
  const deployment = loadDeployment(result.file);
  const at = <T>(name: string, address: string) => env.ethers.getContractAt(name, address) as Promise<T>;
  const { contracts } = result.deployment;
  const signers = await env.ethers.getSigners();
  return {
    node,
    env,
    dir,
    deployment,
    chainId: (await env.ethers.provider.getNetwork()).chainId,
    scr: await at<StateCommitRegistry>("StateCommitRegistry", contracts.StateCommitRegistry!.proxy),
    operatorRegistry: await at<OperatorRegistry>("OperatorRegistry", contracts.OperatorRegistry!.proxy),
    verifier: await at<ChallengeVerifier>("ChallengeVerifier", contracts.ChallengeVerifier!.proxy),
    operators,
    writers: signers.slice(1, 4).map((s) => s.address),
  };
}

/** The user-namespace key of `writer`'s `slot` label. */
function userKey(writer: string, slot: string): Hex {
  return keyHash(1, userLeafId(writer, ethers.id(slot)));
}

/**
 * Sends `count` proposeWrite transactions (3 writers × 40 slots, every 11th a delete) with automine
 * off, mining `perBlock` per block and 3 empty blocks every 5 blocks; automine on again afterwards.
 */
async function sendWrites(ctx: Ctx, count: number, tag: string, perBlock = 40): Promise<void> {
  const provider = ctx.env.ethers.provider;
  const to = await ctx.scr.getAddress();
  await provider.send("evm_setAutomine", [false]);
  for (let i = 0; i < count; i++) {
    const bytes = i % 11 === 10 ? null : ethers.toUtf8Bytes(`${tag}-${i}`);
    const valueHash = bytes === null ? ethers.ZeroHash : ethers.keccak256(bytes);
    const args = [1, ethers.id(`slot-${i % 40}`), valueHash, bytes?.length ?? 0, ethers.toBeHex(i + 1, 4)];
    const data = ctx.scr.interface.encodeFunctionData("proposeWrite", args as never);
    await provider.send("eth_sendTransaction", [{ from: ctx.writers[i % 3], to, data, gas: "0x40000" }]);
    if ((i + 1) % perBlock === 0) await provider.send("evm_mine", []);
    if ((i + 1) % (perBlock * 5) === 0) await provider.send("hardhat_mine", ["0x3"]);
  }
  await provider.send("evm_mine", []);
  await provider.send("evm_setAutomine", [true]);
}

/** Registers a policy-data template and a policy template, deploys and points at an instance of each, sets secrets. */
async function sendPolicyEvents(ctx: Ctx): Promise<void> {
  const signers = await ctx.env.ethers.getSigners();
  const client = signers[5];
  const addresses = ctx.deployment.contracts;
  const pdr = (await ctx.env.ethers.getContractAt(
    "PolicyDataRegistry",
    addresses.policyDataRegistry!,
  )) as unknown as PolicyDataRegistry;
  const pr = (await ctx.env.ethers.getContractAt(
    "PolicyRegistry",
    addresses.policyRegistry!,
  )) as unknown as PolicyRegistry;
  const wasm = artifactRef("wasm bytes");
  await (await pdr.registerTemplate(wasm, EMPTY_REF, EMPTY_REF)).wait();
  const dataTemplateId = policyDataTemplateId(wasm.contentHash, EMPTY_ARTIFACT_HASH, EMPTY_ARTIFACT_HASH);
  await (await pdr.connect(client).deployInstance(dataTemplateId, client.address, "0x1234", 100)).wait();
  const dataInstanceId = policyDataInstanceId(ctx.chainId, client.address, dataTemplateId, "0x1234", 100n);
  await (await pdr.connect(client).setSecrets(dataInstanceId, ethers.id("envelope"), 8, "0x01ee")).wait();
  await (await pdr.connect(client).setCurrentInstance(dataInstanceId)).wait();
  const rego = artifactRef("package newton");
  await (await pr.registerTemplate(rego, EMPTY_REF, [dataTemplateId])).wait();
  const templateId = policyTemplateId(rego.contentHash, EMPTY_ARTIFACT_HASH, [dataTemplateId]);
  await (await pr.connect(client).deployInstance(templateId, client.address, "0x", 50, [dataInstanceId])).wait();
}

/**
 * Commits the next sequence number with `stateRoot` over writes `[0, writeIndexEnd)`, signed by every active
 * operator but `nonSigners`.
 */
async function submitCommit(ctx: Ctx, stateRoot: Hex, writeIndexEnd: bigint, nonSigners: string[] = []) {
  const [sequenceNo, record] = await ctx.scr.latest();
  const daCert = ethers.concat(["0x01", ethers.toBeHex(sequenceNo + 1n, 8)]);
  const commit: StateCommit = {
    sequenceNo: sequenceNo + 1n,
    prevStateRoot: record.stateRoot as Hex,
    stateRoot,
    writeIndexEnd,
    referenceBlock: BigInt(await ctx.env.ethers.provider.getBlockNumber()) - 1n,
    daCommitment: ethers.keccak256(daCert) as Hex,
    operatorSetId: await ctx.operatorRegistry.operatorSetId(),
  };
  const digest = stateCommitDigest(ctx.chainId, await ctx.scr.getAddress(), commit);
  const proof = await signQuorum(ctx.operatorRegistry, ctx.operators, digest, nonSigners);
  await (await ctx.scr.commitStateRoot(commit, daCert, proof)).wait();
  return commit;
}

function indexerOptions(ctx: Ctx, extra: Partial<IndexerOptions>): IndexerOptions {
  return {
    contracts: ctx.deployment.contracts,
    startBlock: ctx.deployment.startBlock,
    confirmations: CONFIRMATIONS,
    ...FAST,
    ...extra,
  };
}

/** Resolves once `indexer` has indexed everything `CONFIRMATIONS` deep at the node's current head. */
async function caughtUp(ctx: Ctx, indexer: ChainIndexer): Promise<void> {
  const head = await ctx.env.ethers.provider.getBlockNumber();
  await indexer.waitForBlock(head - CONFIRMATIONS, { timeoutMs: 30_000 });
}

/** Everything an indexer stores, for comparing two stores. */
function dump(indexer: ChainIndexer) {
  return {
    checkpoint: indexer.checkpoint(),
    writes: indexer.writesInRange(0n, indexer.writeCount()),
    commits: indexer.commits(),
    rollbacks: indexer.rollbacks(),
    policyEvents: indexer.policyEvents(),
  };
}

function asRecord(w: IndexedWrite): WriteRecord {
  return {
    writeIndex: w.writeIndex,
    namespace: w.namespace,
    keyHash: w.keyHash,
    valueHash: w.valueHash,
    byteLength: w.byteLength,
    prevWriteIndex: w.prevWriteIndex,
  };
}

/** Invariant of a write log: indexes 0…n−1 in order, each prev link the previous write of the same key, hashes recomputed. */
function expectConsistentLog(writes: readonly IndexedWrite[]): void {
  const latest = new Map<string, bigint>();
  for (const [i, w] of writes.entries()) {
    expect(w.writeIndex).to.equal(BigInt(i));
    expect(w.prevWriteIndex).to.equal(latest.get(w.keyHash) ?? NO_WRITE);
    expect(w.recordHash).to.equal(writeRecordHash(w));
    latest.set(w.keyHash, w.writeIndex);
  }
}

describe("keeper/chain/indexer", function () {
  // The before hook starts a node, deploys and sends 1 200 writes: minutes on a loaded 2-core machine.
  this.timeout(300_000);
  let ctx: Ctx;
  let primary: ChainIndexer;
  const counting = { transport: undefined as ReturnType<typeof countingTransport> | undefined };
  const primaryPath = () => path.join(ctx.dir, "primary-lmdb");
  const cleanups: (() => Promise<void>)[] = [];

  before(async function () {
    ctx = await setUp();
    await sendPolicyEvents(ctx);
    await sendWrites(ctx, 1_200, "backfill");
    await ctx.env.ethers.provider.send("hardhat_mine", [ethers.toBeHex(CONFIRMATIONS)]);
  });

  after(async function () {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await primary?.close();
    await ctx?.node.stop();
    if (ctx !== undefined) rmSync(ctx.dir, { recursive: true, force: true });
  });

  describe("ChainIndexer", function () {
    /** Invariant: after the backfill, the store holds exactly the chain's write log (writeCount, record hashes, per-key latest). */
    it("backfills 1 200 writes in many eth_getLogs ranges and every record equals the chain", async function () {
      counting.transport = countingTransport(new HttpRpcTransport(ctx.node.url));
      primary = new ChainIndexer(indexerOptions(ctx, { path: primaryPath(), maxChunkBlocks: 4 }), {
        transport: counting.transport,
      });
      primary.start();
      await caughtUp(ctx, primary);
      expect(counting.transport.counts.get("eth_getLogs")).to.be.greaterThan(15);
      const count = await ctx.scr.writeCount();
      expect(count).to.be.greaterThanOrEqual(1_200n);
      expect(primary.writeCount()).to.equal(count);
      const writes = primary.writesInRange(0n, count);
      expectConsistentLog(writes);
      for (let i = 0n; i < count; i += 37n)
        expect(writes[Number(i)].recordHash).to.equal(await ctx.scr.writeRecordHashAt(i));
      expect(writes.at(-1)!.recordHash).to.equal(await ctx.scr.writeRecordHashAt(count - 1n));
      const key = userKey(ctx.writers[0], "slot-0");
      expect(primary.latestWriteOf(key)!.writeIndex).to.equal(await ctx.scr.latestWriteIndex(key));
      expect(primary.writesOfKey(key).map((w) => w.writeIndex)).to.deep.equal(
        writes.filter((w) => w.keyHash === key).map((w) => w.writeIndex),
      );
      expect(primary.latestWriteOf(ethers.ZeroHash as Hex)).to.equal(undefined);
    });

    it("records the policy registries' events with their fields, filterable", async function () {
      const events = primary.policyEvents();
      expect(events.map((e) => `${e.registry}.${e.kind}`)).to.deep.equal([
        "PolicyDataRegistry.TemplateRegistered",
        "PolicyDataRegistry.InstanceDeployed",
        "PolicyDataRegistry.SecretsSet",
        "PolicyDataRegistry.CurrentInstanceSet",
        "PolicyRegistry.TemplateRegistered",
        "PolicyRegistry.InstanceDeployed",
      ]);
      const [dataInstance] = primary.policyEvents({ kind: "InstanceDeployed", registry: "PolicyDataRegistry" });
      expect(dataInstance).to.deep.include({ params: "0x1234", expireAfter: 100n, policyDataInstanceIds: [] });
      const client = dataInstance.kind === "InstanceDeployed" ? dataInstance.client : "";
      expect(primary.policyEvents({ client: client.toLowerCase() })).to.have.length(4);
      const [policyTemplate] = primary.policyEvents({ kind: "TemplateRegistered", registry: "PolicyRegistry" });
      expect(policyTemplate.kind === "TemplateRegistered" && policyTemplate.policyDataTemplateIds).to.have.length(1);
    });

    /** Invariant: commits in force are exactly the chain's; a rollback deletes the dropped sequences and is recorded. */
    it("follows new writes, commits and a rollback live", async function () {
      const seen: number[] = [];
      primary.on("indexed", (r) => seen.push(r.writes));
      await sendWrites(ctx, 20, "live", 5);
      const end = await ctx.scr.writeCount();
      const first = await submitCommit(ctx, ethers.id("root-1") as Hex, end - 10n);
      // A forged root over [0, end): the first write's key holds a value it never had. Prove it, roll back.
      const target = primary.writesInRange(0n, 1n)[0]?.keyHash ?? userKey(ctx.writers[0], "slot-0");
      await caughtUp(ctx, primary);
      const forgedTree = new JellyfishMerkleTree({ store: new MemoryTreeStore(), hasher: await createKeccakHasher() });
      forgedTree.putValueSet(0, [[ethers.getBytes(target), ethers.toUtf8Bytes("forged")]]);
      // The three colluders (90 % of the weight) sign the forgery; after their slashing the honest one is the set.
      await submitCommit(ctx, ethers.hexlify(forgedTree.rootAt(0)) as Hex, end, [ctx.operators[3].address]);
      await ctx.env.ethers.provider.send("hardhat_mine", [ethers.toBeHex(CONFIRMATIONS)]);
      await caughtUp(ctx, primary);
      const args = buildCommitChallenge({
        sequenceNo: 2n,
        writeIndexEnd: end,
        keyHash: target,
        writeLog: primary.writesInRange(0n, end).map(asRecord),
        claimedTree: forgedTree,
        claimedVersion: 0,
      });
      await (await ctx.verifier.challengeCommit(args!.sequenceNo, args!.write, args!.successor, args!.proof)).wait();
      const recommit = await submitCommit(ctx, ethers.id("root-2") as Hex, end);
      await ctx.env.ethers.provider.send("hardhat_mine", [ethers.toBeHex(CONFIRMATIONS)]);
      await caughtUp(ctx, primary);
      expect(primary.writeCount()).to.equal(end);
      expect(seen.reduce((a, b) => a + b, 0)).to.equal(20);
      expect(primary.commits().map((c) => [c.sequenceNo, c.stateRoot])).to.deep.equal([
        [1n, first.stateRoot],
        [2n, recommit.stateRoot],
      ]);
      expect(primary.latestCommit()).to.deep.include({ writeIndexEnd: end, daCommitment: recommit.daCommitment });
      expect(primary.rollbacks()).to.have.length(1);
      expect(primary.rollbacks()[0]).to.deep.include({
        fromSequenceNo: 2n,
        toSequenceNo: 2n,
        restoredStateRoot: first.stateRoot,
      });
    });

    /** Invariant: blocks less than `confirmations` deep never reach the store, so a shallow reorg leaves no trace. */
    it("never stores the writes of a reorg shallower than confirmations", async function () {
      const provider = ctx.env.ethers.provider;
      await caughtUp(ctx, primary);
      const snapshot = (await provider.send("evm_snapshot", [])) as string;
      const reorged = ctx.scr.connect(await provider.getSigner(ctx.writers[1]));
      for (const i of [0, 1])
        await (await reorged.proposeWrite(1, ethers.id(`reorged-${i}`), ethers.id("x"), 1, "0x")).wait();
      await caughtUp(ctx, primary);
      expect(await rpc(ctx.node.url, "evm_revert", [snapshot])).to.equal(true);
      await (await reorged.proposeWrite(1, ethers.id("canonical"), ethers.id("y"), 1, "0x")).wait();
      await provider.send("hardhat_mine", [ethers.toBeHex(CONFIRMATIONS)]);
      await caughtUp(ctx, primary);
      for (const i of [0, 1])
        expect(primary.latestWriteOf(userKey(ctx.writers[1], `reorged-${i}`))).to.equal(undefined);
      const canonical = primary.latestWriteOf(userKey(ctx.writers[1], "canonical"))!;
      expect(canonical.writeIndex).to.equal((await ctx.scr.writeCount()) - 1n);
      expect(primary.writeCount()).to.equal(await ctx.scr.writeCount());
      expect(primary.checkpoint().blockHash).to.equal((await provider.getBlock(primary.indexedBlock()))!.hash);
    });

    /** Invariant: data indexed from one chain is never extended with another chain's events. */
    it("notices a reset chain (another genesis or chain id): stops indexing, names the cause, sets the metric", async function () {
      const lmdbPath = path.join(ctx.dir, "reset-lmdb");
      const first = new ChainIndexer(indexerOptions(ctx, { path: lmdbPath, rpcUrl: ctx.node.url }));
      while ((await first.syncOnce()) !== undefined);
      const indexed = first.indexedBlock();
      await first.close();
      const inner = new HttpRpcTransport(ctx.node.url);
      const lying = (lie: { chainId?: string; genesis?: string }) => ({
        async request(method: string, params: readonly unknown[], opts: Parameters<typeof inner.request>[2]) {
          if (method === "eth_chainId" && lie.chainId !== undefined) return lie.chainId;
          const result = await inner.request(method, params, opts);
          if (method === "eth_getBlockByNumber" && params[0] === "0x0" && lie.genesis !== undefined)
            return { ...(result as object), hash: lie.genesis };
          return result;
        },
      });
      const fakeGenesis = ethers.id("another chain");
      for (const [lie, cause] of [
        [
          { genesis: fakeGenesis },
          new RegExp(`genesis block is ${fakeGenesis}, but this data was indexed from a chain whose genesis is 0x`),
        ],
        [{ chainId: "0x7a6a" }, /the RPC serves chain 31338, but this data was indexed from chain 31337/],
      ] as const) {
        let reset = 0;
        const metrics = { ...createIndexerMetrics(new Registry()), chainReset: { set: (v: number) => (reset = v) } };
        const again = new ChainIndexer(indexerOptions(ctx, { path: lmdbPath }), { transport: lying(lie), metrics });
        for (let i = 0; i < 2; i++) {
          const err = await again.syncOnce().then(
            () => undefined,
            (e: unknown) => e as IndexerError,
          );
          expect(err?.type.code).to.equal("INDEXER_ERROR_CHAIN_RESET");
        }
        expect(again.chainReset()).to.match(cause);
        expect(reset).to.equal(1);
        expect(again.indexedBlock()).to.equal(indexed);
        await again.close();
      }
    });

    /** Invariant: stop + reopen continues from the checkpoint: indexes stay 0…n−1 with no duplicate. */
    it("restarts from the checkpoint of the same LMDB path without gaps or duplicates", async function () {
      const before = primary.checkpoint();
      await primary.close();
      await sendWrites(ctx, 30, "while-stopped", 10);
      await ctx.env.ethers.provider.send("hardhat_mine", [ethers.toBeHex(CONFIRMATIONS)]);
      primary = new ChainIndexer(indexerOptions(ctx, { path: primaryPath(), maxChunkBlocks: 4, rpcUrl: ctx.node.url }));
      expect(primary.checkpoint()).to.deep.equal(before);
      primary.start();
      await caughtUp(ctx, primary);
      const count = await ctx.scr.writeCount();
      expect(primary.writeCount()).to.equal(count);
      expectConsistentLog(primary.writesInRange(0n, count));
      expect(primary.writesInRange(count - 1n, count)[0].recordHash).to.equal(
        await ctx.scr.writeRecordHashAt(count - 1n),
      );
    });

    /** Invariant: injected RPC faults change nothing: the store equals the clean run's, block for block. */
    it("survives 429, 500, dropped connections, -32005, dropped logs and refused ranges: same store as the clean run", async function () {
      const proxy = await startFaultyProxy(ctx.node.url, { rate: 0.2, seed: 7, maxLogRange: 6, dropLogs: 3 });
      cleanups.push(() => proxy.close());
      const root = open({ path: path.join(ctx.dir, "shared-lmdb"), maxDbs: 16, compression: false });
      cleanups.push(() => root.close());
      const tree = new LmdbTreeStore({ root });
      const lines: string[] = [];
      const logger = pino(
        { level: "debug" },
        new Writable({ write: (c: Buffer, _e, cb) => (lines.push(c.toString()), cb()) }),
      );
      const registry = new Registry();
      const deps: ChainIndexerDeps = { logger, metrics: createIndexerMetrics(registry) };
      const faulty = new ChainIndexer(
        indexerOptions(ctx, { root, rpcUrl: proxy.url, maxChunkBlocks: 16, maxAttempts: 2 }),
        deps,
      );
      cleanups.push(() => faulty.close());
      faulty.start();
      await caughtUp(ctx, primary);
      await caughtUp(ctx, faulty);
      expect(dump(faulty)).to.deep.equal(dump(primary));
      expect(
        Object.values(proxy.faults).every((n) => n > 0),
        JSON.stringify(proxy.faults),
      ).to.equal(true);
      const errors = await registry.getSingleMetric("newton_indexer_rpc_errors_total")!.get();
      expect(errors.values.reduce((n, v) => n + v.value, 0)).to.be.greaterThan(10);
      expect(lines.some((l) => l.includes("INDEXER_ERROR_GAP") || l.includes("INDEXER_ERROR_LOG_ORDER"))).to.equal(
        true,
      );
      expect(lines.some((l) => l.includes("INDEXER_ERROR_RPC"))).to.equal(true);
      expect(tree.latestVersion()).to.equal(undefined); // the tree's sub-databases are untouched
      const indexed = (await registry.getSingleMetric("newton_indexer_indexed_block")!.get()).values[0].value;
      expect(indexed).to.equal(faulty.indexedBlock());
    });

    it("waitForBlock rejects with INDEXER_ERROR_TIMEOUT and INDEXER_ERROR_ABORTED", async function () {
      const far = primary.indexedBlock() + 1_000;
      const timeout = await primary.waitForBlock(far, { timeoutMs: 20 }).catch((e: unknown) => e);
      expect(timeout).to.be.instanceOf(IndexerError).and.have.nested.property("type.code", "INDEXER_ERROR_TIMEOUT");
      const controller = new AbortController();
      const pending = primary.waitForBlock(far, { signal: controller.signal }).catch((e: unknown) => e);
      controller.abort();
      expect(await pending).to.have.nested.property("type.code", "INDEXER_ERROR_ABORTED");
      await primary.waitForBlock(0, { timeoutMs: 1 });
    });
  });

  describe("loadDeployment", function () {
    it("reads the proxies and the earliest deploy block of the followed contracts", function () {
      const { contracts, startBlock, chainId } = ctx.deployment;
      expect(chainId).to.equal(31337);
      expect(contracts.stateCommitRegistry).to.match(/^0x[0-9a-fA-F]{40}$/);
      expect(contracts.policyRegistry).to.be.a("string");
      expect(startBlock).to.be.greaterThan(0);
    });

    it("throws INDEXER_ERROR_DEPLOYMENT for a missing file, a bad chainId, a missing registry or a bad address", function () {
      const cases: [string, unknown][] = [
        ["missing.json", undefined],
        ["chain.json", { chainId: "1", contracts: {} }],
        ["noscr.json", { chainId: 1, contracts: {} }],
        ["addr.json", { chainId: 1, contracts: { StateCommitRegistry: { proxy: "0x12", deployBlock: 1 } } }],
        [
          "block.json",
          { chainId: 1, contracts: { StateCommitRegistry: { proxy: ethers.ZeroAddress, deployBlock: -1 } } },
        ],
      ];
      for (const [name, content] of cases) {
        const file = path.join(ctx.dir, name);
        if (content !== undefined) writeFileSync(file, JSON.stringify(content));
        expect(() => loadDeployment(file), name)
          .to.throw(IndexerError)
          .with.nested.property("type.code", "INDEXER_ERROR_DEPLOYMENT");
      }
    });
  });

  describe("resolveIndexerOptions", function () {
    it("throws INDEXER_ERROR_INVALID_OPTION for a bad address, no storage, a bad URL or an out-of-range number", function () {
      const base = { contracts: { stateCommitRegistry: ethers.ZeroAddress }, startBlock: 0, path: "/tmp/x" };
      const cases: [string, IndexerOptions][] = [
        ["contracts.stateCommitRegistry", { ...base, contracts: { stateCommitRegistry: "0x1234" } }],
        ["path", { contracts: base.contracts, startBlock: 0 }],
        ["rpcUrl", { ...base, rpcUrl: "ws://127.0.0.1:8545" }],
        ["maxChunkBlocks", { ...base, minChunkBlocks: 10, maxChunkBlocks: 5 }],
        ["maxAttempts", { ...base, maxAttempts: 0 }],
      ];
      for (const [option, opts] of cases) {
        expect(() => resolveIndexerOptions(opts), option)
          .to.throw(IndexerError)
          .with.nested.property("type.option", option);
      }
      expect(resolveIndexerOptions(base)).to.deep.include({
        confirmations: 12,
        maxChunkBlocks: 2_000,
        verifyWithState: true,
      });
    });
  });

  describe("classifyRpcError", function () {
    it("tells refused getLogs ranges from rate limits and other JSON-RPC errors", function () {
      expect(classifyRpcError(-32005, "query returned more than 10000 results")).to.equal("range_too_large");
      expect(classifyRpcError(-32602, "eth_getLogs block range is too large, max 2000")).to.equal("range_too_large");
      expect(classifyRpcError(-32005, "request rate exceeded")).to.equal("rate_limited");
      expect(classifyRpcError(429, "Too Many Requests")).to.equal("rate_limited");
      expect(classifyRpcError(-32000, "header not found")).to.equal("rpc");
    });
  });
});

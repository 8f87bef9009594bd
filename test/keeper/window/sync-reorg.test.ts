import { expect } from "chai";
import { getBytes, id, keccak256, toUtf8Bytes } from "ethers";

import type { IndexedChain, IndexedCommit } from "../../../keeper/chain";
import { silentLogger, type Hex } from "../../../keeper/common";
import { GENESIS_ROOT, KeeperState, healthReply, syncToChain, type SyncDeps } from "../../../keeper/window";
import type { ScratchVersion, WindowWrite } from "../../../keeper/window/types";
import { removeDir, tempDir } from "../../../scripts/devnet/processes";

function write(index: number, key: string, value: string): WindowWrite {
  const bytes = toUtf8Bytes(value);
  return {
    writeIndex: BigInt(index),
    namespace: 1,
    keyHash: id(key) as Hex,
    valueHash: keccak256(bytes) as Hex,
    byteLength: bytes.length,
    bytes,
  };
}

function commitOf(v: Pick<ScratchVersion, "version" | "root" | "writeIndexEnd">): IndexedCommit {
  const zero = `0x${"00".repeat(32)}` as Hex;
  return {
    sequenceNo: BigInt(v.version),
    stateRoot: v.root,
    writeIndexEnd: v.writeIndexEnd,
    referenceBlock: 0n,
    daCert: "0x",
    daCommitment: zero,
    signedWeight: 0n,
    blockNumber: v.version,
    txHash: zero,
    logIndex: 0,
  };
}

/** An indexed chain whose live commits and reset state the test sets. */
function fakeChain(commits: Map<bigint, IndexedCommit>, reset: { cause?: string }): IndexedChain {
  return {
    start: async () => undefined,
    stop: async () => undefined,
    indexedBlock: () => 0,
    writeCount: () => 1_000n,
    writesInRange: () => [],
    latestWriteOf: () => undefined,
    writesOfKey: () => [],
    commit: (s) => commits.get(s),
    latestCommit: () => commits.get(BigInt(Math.max(0, ...[...commits.keys()].map(Number))))!,
    waitForBlock: async () => undefined,
    onUpdate: () => () => undefined,
    chainReset: () => reset.cause,
  };
}

/**
 * What every role does with the indexer's view after a reset chain or a repaired reorg (syncToChain is the one
 * sync path of the operator, aggregator and challenger).
 */
describe("keeper/window sync after a reorg or a reset chain", function () {
  let dir: string;
  let state: KeeperState;

  beforeEach(async function () {
    dir = tempDir("newton-sync-reorg-");
    state = await KeeperState.open({ path: dir });
  });

  afterEach(async function () {
    await state.close();
    removeDir(dir);
  });

  /** Invariant: the tree never keeps a version whose commit the chain no longer holds. */
  it("discards tree versions built on dropped commits and re-applies the new branch's commit", async function () {
    const v1 = state.compute(1, 1n, [write(0, "a", "1")]);
    state.persist(v1);
    const v2 = state.compute(2, 2n, [write(1, "b", "2")]);
    state.persist(v2);
    const genesis = commitOf({ version: 0, root: GENESIS_ROOT, writeIndexEnd: 0n });
    const commits = new Map([
      [0n, genesis],
      [1n, commitOf(v1)],
      [2n, commitOf(v2)],
    ]);
    const deps: SyncDeps = {
      state,
      chain: fakeChain(commits, {}),
      da: { getVerified: () => Promise.reject(new Error("no DA in this test")) } as never,
      logger: silentLogger(),
    };
    expect(await syncToChain(deps)).to.deep.include({ status: "synced", version: 2 });

    // A reorg deeper than confirmations dropped commit 2: version 2 goes, version 1 stays.
    commits.delete(2n);
    expect(await syncToChain(deps)).to.deep.include({ status: "synced", version: 1 });
    expect(state.latestVersion()).to.equal(1);
    expect(() => state.rootAt(2)).to.throw();
    expect(state.writeIndexEndAt(1)).to.equal(1n);

    // The new branch commits another version 2: applied from the write log, the dropped leaf is not in it.
    const v2b = state.compute(2, 2n, [write(1, "c", "3")]);
    commits.set(2n, commitOf(v2b));
    expect(await syncToChain({ ...deps, pending: () => v2b })).to.deep.include({ status: "synced", version: 2 });
    expect(state.rootAt(2)).to.equal(v2b.root);
    expect(state.tree.get(getBytes(id("b")), 2)).to.equal(null);
    expect(state.tree.get(getBytes(id("c")), 2)).to.not.equal(null);

    // A commit replaced by one with another root at the same sequence number is discarded too.
    commits.set(2n, { ...commitOf(v2b), stateRoot: id("another root") as Hex });
    const result = await syncToChain(deps);
    expect(state.latestVersion()).to.equal(1);
    expect(result.status).to.equal("diverged");
  });

  it("reports chain_reset (never synced) and an unhealthy /healthz while the chain is not the indexed one", async function () {
    const reset: { cause?: string } = {};
    const commits = new Map([[0n, commitOf({ version: 0, root: GENESIS_ROOT, writeIndexEnd: 0n })]]);
    const deps: SyncDeps = { state, chain: fakeChain(commits, reset), da: {} as never, logger: silentLogger() };
    expect(await syncToChain(deps)).to.deep.include({ status: "synced", version: 0 });
    expect(healthReply(deps.chain)).to.deep.equal({ status: 200, json: { ok: true } });
    reset.cause = "the chain's genesis block is 0x01, but this data was indexed from a chain whose genesis is 0x02";
    expect(await syncToChain(deps)).to.deep.equal({ status: "chain_reset", version: 0, cause: reset.cause });
    expect(healthReply(deps.chain)).to.deep.equal({
      status: 503,
      json: { ok: false, reason: "chain_reset", cause: reset.cause },
    });
  });
});

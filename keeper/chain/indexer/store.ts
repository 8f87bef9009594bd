import { open, type Database, type RootDatabase } from "lmdb";

import type { Hex } from "../../common";
import { decodeValue, encodeValue, keyIndexKey, readU64Key, u64Key } from "./utils/codec";
import type {
  IndexedCommit,
  IndexedRollback,
  IndexedWrite,
  IndexerCheckpoint,
  PolicyEvent,
  PolicyEventFilter,
} from "./types";

/** One commit-history change, applied in chain order. */
export type CommitOp =
  | { readonly type: "commit"; readonly event: IndexedCommit }
  | { readonly type: "rollback"; readonly event: IndexedRollback };

/** Everything one processed block range adds; written in one LMDB transaction with its checkpoint. */
export interface RangeBatch {
  readonly writes: readonly IndexedWrite[];
  readonly commitOps: readonly CommitOp[];
  readonly policyEvents: readonly PolicyEvent[];
  /** The latest sequence number in force after the batch (0: only the genesis). */
  readonly latestSequenceNo: bigint;
  readonly checkpoint: Required<IndexerCheckpoint>;
}

type Bin = Database<string, Uint8Array>;

/**
 * The indexer's LMDB sub-databases (`<prefix>.writes` u64 → write, `.keys` keyHash ‖ u64 → 1,
 * `.commits` u64 → commit, `.rollbacks` u64 → rollback, `.policy` u64 → policy event, `.meta`
 * → checkpoint and counters). All reads are synchronous and see only whole ranges.
 */
export class IndexerStore {
  /** The environment (injected or opened here). */
  readonly root: RootDatabase;
  private readonly owned: boolean;
  private readonly writes: Bin;
  private readonly keys: Database<Uint8Array, Uint8Array>;
  private readonly commitsDb: Bin;
  private readonly rollbacksDb: Bin;
  private readonly policy: Bin;
  private readonly meta: Database<string, string>;
  /** Range-end block number → its hash: the candidates for a common ancestor after a reorg. */
  private readonly hashes: Bin;
  /** Rollback count ‖ sequence number → a commit a rollback removed (restored when that rollback is reorged out). */
  private readonly rolledBack: Bin;

  /** @param root - an environment to share, or undefined to open one at `path` (closed by {@link close}). */
  constructor(root: RootDatabase | undefined, path: string | undefined, prefix: string) {
    this.owned = root === undefined;
    this.root = root ?? open({ path, maxDbs: 16, compression: false });
    const db = (name: string): Bin =>
      this.root.openDB<string, Uint8Array>({ name: `${prefix}.${name}`, keyEncoding: "binary", encoding: "string" });
    this.writes = db("writes");
    this.keys = this.root.openDB<Uint8Array, Uint8Array>({
      name: `${prefix}.keys`,
      keyEncoding: "binary",
      encoding: "binary",
    });
    this.commitsDb = db("commits");
    this.rollbacksDb = db("rollbacks");
    this.policy = db("policy");
    this.meta = this.root.openDB<string, string>({ name: `${prefix}.meta`, encoding: "string" });
    this.hashes = db("hashes");
    this.rolledBack = db("rolledback");
  }

  /** The chain this store was built on (chain id and genesis block hash), once recorded. */
  chainIdentity(): ChainIdentity | undefined {
    const text = this.meta.get("chain");
    return text === undefined ? undefined : decodeValue(text);
  }

  /** Records the chain this store is built on (first sync). */
  setChainIdentity(identity: ChainIdentity): void {
    this.meta.putSync("chain", encodeValue(identity));
  }

  /** Recorded range ends at or below `maxBlock`, newest first (block number and hash). */
  rangeEnds(maxBlock: number, limit = 1024): Required<IndexerCheckpoint>[] {
    if (maxBlock < 0) return [];
    const range = this.hashes.getRange({ start: u64Key(BigInt(maxBlock)), reverse: true, limit });
    return [...range.map(({ key, value }) => ({ indexedBlock: Number(readU64Key(key)), blockHash: value as Hex }))];
  }

  /**
   * Forgets everything indexed from blocks above `ancestor.indexedBlock` (a reorg dropped them), in one
   * transaction: writes (and their key index entries), commits, rollbacks (the commits they removed are live
   * again), policy events and range ends; the checkpoint becomes `ancestor` (or none when `ancestor` is undefined,
   * i.e. nothing indexed is kept).
   * @returns how many writes, commits, rollbacks and policy events were dropped.
   */
  rewind(ancestor: Required<IndexerCheckpoint> | undefined, startBlock: number): RewindResult {
    const keep = ancestor?.indexedBlock ?? startBlock - 1;
    const result = { writes: 0, commits: 0, rollbacks: 0, policyEvents: 0 };
    this.root.transactionSync(() => {
      let writeCount = this.writeCount();
      while (writeCount > 0n) {
        const w = this.write(writeCount - 1n)!;
        if (w.blockNumber <= keep) break;
        this.writes.removeSync(u64Key(w.writeIndex));
        this.keys.removeSync(keyIndexKey(w.keyHash, w.writeIndex));
        writeCount--;
        result.writes++;
      }
      let rollbackCount = this.counter("rollbackCount");
      while (rollbackCount > 0n) {
        const r = decodeValue<IndexedRollback>(this.rollbacksDb.get(u64Key(rollbackCount - 1n))!);
        if (r.blockNumber <= keep) break;
        rollbackCount--;
        const archived = this.rolledBack.getRange({
          start: rolledBackKey(rollbackCount, 0n),
          end: rolledBackKey(rollbackCount + 1n, 0n),
        });
        for (const { key, value } of [...archived]) {
          const c = decodeValue<IndexedCommit>(value);
          if (c.blockNumber <= keep) this.commitsDb.putSync(u64Key(c.sequenceNo), value);
          this.rolledBack.removeSync(key);
        }
        this.rollbacksDb.removeSync(u64Key(rollbackCount));
        result.rollbacks++;
      }
      for (const { key, value } of [...this.commitsDb.getRange({ reverse: true })]) {
        if (decodeValue<IndexedCommit>(value).blockNumber <= keep) break;
        this.commitsDb.removeSync(key);
        result.commits++;
      }
      let policyCount = this.counter("policyCount");
      while (policyCount > 0n) {
        const e = decodeValue<PolicyEvent>(this.policy.get(u64Key(policyCount - 1n))!);
        if (e.blockNumber <= keep) break;
        policyCount--;
        this.policy.removeSync(u64Key(policyCount));
        result.policyEvents++;
      }
      for (const key of [...this.hashes.getKeys({ start: u64Key(BigInt(keep + 1)) })]) this.hashes.removeSync(key);
      this.meta.putSync("writeCount", encodeValue(writeCount));
      this.meta.putSync("rollbackCount", encodeValue(rollbackCount));
      this.meta.putSync("policyCount", encodeValue(policyCount));
      if (ancestor === undefined) this.meta.removeSync("checkpoint");
      else this.meta.putSync("checkpoint", encodeValue(ancestor));
    });
    return result;
  }

  /** The stored checkpoint, or undefined before the first range. */
  checkpoint(): Required<IndexerCheckpoint> | undefined {
    const text = this.meta.get("checkpoint");
    return text === undefined ? undefined : decodeValue(text);
  }

  /** Number of stored writes = the next expected write index. */
  writeCount(): bigint {
    return this.counter("writeCount");
  }

  /** Write `writeIndex`, or undefined. */
  write(writeIndex: bigint): IndexedWrite | undefined {
    const text = this.writes.get(u64Key(writeIndex));
    return text === undefined ? undefined : decodeValue(text);
  }

  /** Writes with index in `[start, end)`, ascending. */
  writesInRange(start: bigint, end: bigint): IndexedWrite[] {
    if (end <= start) return [];
    const range = this.writes.getRange({ start: u64Key(start), end: u64Key(end) });
    return [...range.map(({ value }) => decodeValue<IndexedWrite>(value))];
  }

  /** Indexes of every write to `keyHash`, ascending. */
  writeIndexesOf(keyHash: Hex): bigint[] {
    const range = this.keys.getKeys({ start: keyIndexKey(keyHash, 0n), end: keyIndexKey(keyHash, 2n ** 64n - 1n) });
    return [...range.map((k) => readU64Key(k, 32))];
  }

  /** Index of the latest write to `keyHash`, or undefined when never written. */
  latestWriteIndexOf(keyHash: Hex): bigint | undefined {
    const range = this.keys.getKeys({
      start: keyIndexKey(keyHash, 2n ** 64n - 1n),
      end: keyIndexKey(keyHash, 0n),
      reverse: true,
      limit: 1,
    });
    for (const k of range) return readU64Key(k, 32);
    // The reverse range excludes `end` (index 0) itself.
    return this.keys.doesExist(keyIndexKey(keyHash, 0n)) ? 0n : undefined;
  }

  /** Commit `sequenceNo` if it is in force. */
  commit(sequenceNo: bigint): IndexedCommit | undefined {
    const text = this.commitsDb.get(u64Key(sequenceNo));
    return text === undefined ? undefined : decodeValue(text);
  }

  /** The commits in force, ascending by sequence number. */
  commits(): IndexedCommit[] {
    return [...this.commitsDb.getRange({}).map(({ value }) => decodeValue<IndexedCommit>(value))];
  }

  /** The commit with the highest sequence number, or undefined (only the genesis). */
  latestCommit(): IndexedCommit | undefined {
    for (const { value } of this.commitsDb.getRange({ reverse: true, limit: 1 })) return decodeValue(value);
    return undefined;
  }

  /** Every rollback, in chain order. */
  rollbacks(): IndexedRollback[] {
    return [...this.rollbacksDb.getRange({}).map(({ value }) => decodeValue<IndexedRollback>(value))];
  }

  /** Policy events matching `filter`, in chain order. */
  policyEvents(filter: PolicyEventFilter = {}): PolicyEvent[] {
    const events = this.policy.getRange({}).map(({ value }) => decodeValue<PolicyEvent>(value));
    return [...events.filter((e) => matches(e, filter))];
  }

  /** Writes `batch` and its checkpoint in one transaction: all of it or nothing. */
  apply(batch: RangeBatch): void {
    this.root.transactionSync(() => {
      for (const w of batch.writes) {
        this.writes.putSync(u64Key(w.writeIndex), encodeValue(w));
        this.keys.putSync(keyIndexKey(w.keyHash, w.writeIndex), ONE);
      }
      for (const op of batch.commitOps) this.applyCommitOp(op);
      let policyCount = this.counter("policyCount");
      for (const e of batch.policyEvents) this.policy.putSync(u64Key(policyCount++), encodeValue(e));
      this.meta.putSync("writeCount", encodeValue(this.writeCount() + BigInt(batch.writes.length)));
      this.meta.putSync("policyCount", encodeValue(policyCount));
      this.meta.putSync("checkpoint", encodeValue(batch.checkpoint));
      this.hashes.putSync(u64Key(BigInt(batch.checkpoint.indexedBlock)), batch.checkpoint.blockHash);
    });
  }

  /** Closes the environment if the store opened it. */
  async close(): Promise<void> {
    if (this.owned) await this.root.close();
  }

  private applyCommitOp(op: CommitOp): void {
    if (op.type === "commit") {
      this.commitsDb.putSync(u64Key(op.event.sequenceNo), encodeValue(op.event));
      return;
    }
    const count = this.counter("rollbackCount");
    for (let s = op.event.fromSequenceNo; s <= op.event.toSequenceNo; s++) {
      const removed = this.commitsDb.get(u64Key(s));
      if (removed !== undefined) this.rolledBack.putSync(rolledBackKey(count, s), removed);
      this.commitsDb.removeSync(u64Key(s));
    }
    this.rollbacksDb.putSync(u64Key(count), encodeValue(op.event));
    this.meta.putSync("rollbackCount", encodeValue(count + 1n));
  }

  private counter(name: string): bigint {
    const text = this.meta.get(name);
    return text === undefined ? 0n : decodeValue<bigint>(text);
  }
}

const ONE = new Uint8Array([1]);

/** The chain a store was built on: chain id (decimal) and the hash of block 0. */
export interface ChainIdentity {
  readonly chainId: string;
  readonly genesisHash: Hex;
}

/** What {@link IndexerStore.rewind} dropped. */
export interface RewindResult {
  writes: number;
  commits: number;
  rollbacks: number;
  policyEvents: number;
}

/** rollback count (u64 BE) ‖ sequence number (u64 BE). */
function rolledBackKey(rollback: bigint, sequenceNo: bigint): Uint8Array {
  const out = new Uint8Array(16);
  out.set(u64Key(rollback), 0);
  out.set(u64Key(sequenceNo), 8);
  return out;
}

function matches(e: PolicyEvent, f: PolicyEventFilter): boolean {
  const same = (a: string | undefined, b: string | undefined) =>
    b === undefined || a?.toLowerCase() === b.toLowerCase();
  return (
    (f.kind === undefined || e.kind === f.kind) &&
    (f.registry === undefined || e.registry === f.registry) &&
    same("templateId" in e ? e.templateId : undefined, f.templateId) &&
    same("instanceId" in e ? e.instanceId : undefined, f.instanceId) &&
    same("client" in e ? e.client : undefined, f.client) &&
    (f.fromBlock === undefined || e.blockNumber >= f.fromBlock) &&
    (f.toBlock === undefined || e.blockNumber <= f.toBlock)
  );
}

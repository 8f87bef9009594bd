import { getBytes, hexlify } from "ethers";
import { open, type Database, type RootDatabase } from "lmdb";

import { EMPTY_TREE_ROOT } from "../chain";
import { silentLogger, type Hex, type KeeperMetrics, type Logger } from "../common";
import { JellyfishMerkleTree, LmdbTreeStore, type HashedWrite } from "../jmt";
import type { ScratchVersion, WindowWrite } from "./types";

const ZERO_HASH: Hex = `0x${"00".repeat(32)}`;

/**
 * A keeper's durable state in one LMDB environment: the JMT (version = commit sequence number,
 * version 0 = genesis, the empty tree) and the keeper's progress next to it (`keeper.meta`): the
 * write-index end of each persisted version and small records such as the aggregator's pending
 * proposal. A version and its progress are written in one transaction, so `kill -9` at any point
 * leaves either both or neither.
 */
export class KeeperState {
  readonly tree: JellyfishMerkleTree;
  /** The tree's LMDB store (read-only use: overlays, lenient proofs). */
  readonly store: LmdbTreeStore;
  readonly root: RootDatabase;
  private readonly meta: Database<unknown, string>;
  private readonly log: Logger;
  private readonly metrics?: KeeperMetrics;

  private constructor(
    root: RootDatabase,
    store: LmdbTreeStore,
    tree: JellyfishMerkleTree,
    deps: { logger?: Logger; metrics?: KeeperMetrics },
  ) {
    this.root = root;
    this.store = store;
    this.tree = tree;
    this.meta = root.openDB<unknown, string>({ name: "keeper.meta" });
    this.log = (deps.logger ?? silentLogger()).child({ module: "state" });
    this.metrics = deps.metrics;
  }

  /**
   * Opens (or creates) the state in `path` and writes genesis (version 0, empty tree, write end 0)
   * when the tree is empty.
   */
  static async open(
    opts: { path: string },
    deps: { logger?: Logger; metrics?: KeeperMetrics } = {},
  ): Promise<KeeperState> {
    // One environment holds the tree, the indexer, the progress records and the state-sync staging (17 named
    // databases today): room to grow without a migration.
    const root = open({ path: opts.path, maxDbs: 32, compression: false });
    const store = new LmdbTreeStore({ root });
    const tree = await JellyfishMerkleTree.open({ store });
    const state = new KeeperState(root, store, tree, deps);
    if (tree.latestVersion() === undefined) state.persist(state.compute(0, 0n, []));
    state.metrics?.jmtLeavesTotal.set(tree.versionInfo(state.latestVersion()).leafCount);
    return state;
  }

  /** The latest persisted version (= the latest commit this keeper accepted). */
  latestVersion(): number {
    return this.tree.latestVersion() ?? 0;
  }

  /** Root of a persisted version, 0x-hex. */
  rootAt(version: number): Hex {
    return hexlify(this.tree.rootAt(version)) as Hex;
  }

  /** Exclusive write-index end of a persisted version. */
  writeIndexEndAt(version: number): bigint {
    const end = this.meta.get(`end/${version}`);
    if (typeof end !== "string") throw new Error(`no write-index end recorded for version ${version}`);
    return BigInt(end);
  }

  /**
   * Computes version `version` = latest + one window's writes (write order; last write of a key
   * wins; zero value hash deletes), without writing anything.
   */
  compute(version: number, writeIndexEnd: bigint, writes: readonly WindowWrite[]): ScratchVersion {
    const hashed: HashedWrite[] = writes.map((w) => ({
      keyHash: getBytes(w.keyHash),
      valueHash: w.valueHash === ZERO_HASH ? null : getBytes(w.valueHash),
      value: w.valueHash === ZERO_HASH ? undefined : w.bytes,
    }));
    const batch = this.tree.computeUpdateHashed(version, hashed);
    const unavailable = writes
      .filter((w) => w.valueHash !== ZERO_HASH && w.bytes === undefined)
      .map((w) => w.writeIndex);
    return { version, root: hexlify(batch.info.root) as Hex, writeIndexEnd, unavailable, batch };
  }

  /** Persists a scratch version with its write-index end, atomically. */
  persist(scratch: ScratchVersion): void {
    this.root.transactionSync(() => {
      this.tree.writeBatch(scratch.batch);
      this.meta.putSync(`end/${scratch.version}`, scratch.writeIndexEnd.toString());
    });
    this.metrics?.jmtVersionsTotal.inc();
    this.metrics?.jmtLeavesTotal.set(scratch.batch.info.leafCount);
    this.log.info(
      { version: scratch.version, root: scratch.root, writeIndexEnd: scratch.writeIndexEnd.toString() },
      "tree version persisted",
    );
  }

  /**
   * Discards every version above `version` with its progress (they were built on commits the chain no longer
   * holds: a reorg deeper than the indexer's confirmations, or a rollback), atomically; `version` becomes the
   * latest and the next sync re-applies the chain's commits from there.
   */
  discardAfter(version: number): void {
    const latest = this.latestVersion();
    if (version >= latest) return;
    this.root.transactionSync(() => {
      this.store.truncateAfter(version);
      for (let v = version + 1; v <= latest; v++) this.meta.removeSync(`end/${v}`);
    });
    this.metrics?.jmtLeavesTotal.set(this.tree.versionInfo(version).leafCount);
    this.log.warn({ from: latest, to: version }, "tree versions discarded: their commits are no longer on the chain");
  }

  /**
   * Replaces a state that holds only empty versions (a fresh `dataDir`) by a verified snapshot as
   * `version` with its write-index end, atomically (state sync). Versions below it stay absent.
   * @throws JmtError `JMT_ERROR_STORE_NOT_EMPTY` when the tree holds leaves or a version ≥ `version`;
   *   `JMT_ERROR_ROOT_MISMATCH` when the leaves do not rebuild `root` (nothing is written).
   */
  importSnapshot(version: number, writeIndexEnd: bigint, writes: readonly HashedWrite[], root: Hex): void {
    this.root.transactionSync(() => {
      const info = this.tree.importSnapshotHashed(version, writes, getBytes(root));
      this.meta.putSync(`end/${version}`, writeIndexEnd.toString());
      this.metrics?.jmtLeavesTotal.set(info.leafCount);
    });
    this.log.info({ version, root, leaves: writes.length }, "tree restored from a snapshot");
  }

  /**
   * Prunes tree versions below `latestFinal − keepVersions` (never a non-final one, so every
   * challenge can still be proven) and the value bytes only they referenced. Returns the nodes
   * removed (0 when nothing new is prunable).
   */
  prune(latestFinal: number, keepVersions: number): number {
    const before = Math.min(latestFinal, this.latestVersion()) - keepVersions;
    if (before <= this.store.prunedBefore()) return 0;
    const removed = this.tree.prune(before);
    this.log.info({ before, removed }, "tree pruned");
    return removed;
  }

  /** Reads a progress record (JSON-compatible), or undefined. */
  getRecord<T>(key: string): T | undefined {
    return this.meta.get(`record/${key}`) as T | undefined;
  }

  /** Writes (or, with undefined, removes) a progress record durably. */
  putRecord(key: string, value: unknown): void {
    if (value === undefined) this.meta.removeSync(`record/${key}`);
    else this.meta.putSync(`record/${key}`, value);
  }

  /** Value bytes by 32-byte value hash from the tree's value store. */
  valueByHash(valueHash: Hex): Uint8Array | undefined {
    return this.tree.getValueByHash(getBytes(valueHash));
  }

  async close(): Promise<void> {
    await this.root.close();
  }
}

/** The root of genesis (version 0). */
export const GENESIS_ROOT = EMPTY_TREE_ROOT;

import { open, type Database, type RootDatabase } from "lmdb";

import { decodeNode, encodeNode, readU64, writeU64 } from "../node";
import type { Hash32, NodeKey, TreeNode, TreeUpdateBatch, VersionInfo } from "../types";

import type { TreeStore } from "./writer";

/** Options of {@link LmdbTreeStore}: an environment to share, or a directory to open one in. */
export interface LmdbTreeStoreOptions {
  /**
   * An open LMDB environment (the keeper keeps its own progress in it too, so progress and tree
   * versions can be committed together). The store never closes an injected environment.
   */
  readonly root?: RootDatabase;
  /** Directory of a new environment when `root` is not given. */
  readonly path?: string;
  /** Prefix of the sub-database names (default "jmt"). */
  readonly prefix?: string;
}

type BinDb = Database<Uint8Array, Uint8Array>;
type MetaDb = Database<Uint8Array, string>;

const u64 = (v: number): Uint8Array => {
  const out = new Uint8Array(8);
  writeU64(out, 0, v);
  return out;
};

/**
 * LMDB-backed {@link TreeStore}. Sub-databases `<prefix>.nodes` (node key → encoded node),
 * `.values` (value hash → bytes), `.stale` (staleSince u64 BE ‖ node key → empty), `.versions`
 * (u64 BE → root ‖ leafCount u64) and `.meta` ("latest", "prunedBefore" → u64). Each version is
 * one `transactionSync`, its version record and "latest" checkpoint included: a crash or a throw
 * mid-write leaves the previous version as the latest, whole.
 */
export class LmdbTreeStore implements TreeStore {
  /** The environment (injected or opened here); callers may open their own sub-databases in it. */
  readonly root: RootDatabase;
  private readonly owned: boolean;
  private readonly nodes: BinDb;
  private readonly values: BinDb;
  private readonly stale: BinDb;
  private readonly versions: BinDb;
  private readonly meta: MetaDb;

  constructor(opts: LmdbTreeStoreOptions) {
    this.owned = opts.root === undefined;
    this.root = opts.root ?? open({ path: opts.path, maxDbs: 16, compression: false });
    const prefix = opts.prefix ?? "jmt";
    const bin = (name: string): BinDb =>
      this.root.openDB<Uint8Array, Uint8Array>({
        name: `${prefix}.${name}`,
        keyEncoding: "binary",
        encoding: "binary",
      });
    this.nodes = bin("nodes");
    this.values = bin("values");
    this.stale = bin("stale");
    this.versions = bin("versions");
    this.meta = this.root.openDB<Uint8Array, string>({ name: `${prefix}.meta`, encoding: "binary" });
  }

  getNode(nodeKey: NodeKey): TreeNode | undefined {
    const bytes = this.nodes.getBinaryFast(nodeKey);
    return bytes === undefined ? undefined : decodeNode(bytes, nodeKey);
  }

  getValue(valueHash: Hash32): Uint8Array | undefined {
    const bytes = this.values.getBinary(valueHash);
    return bytes === undefined ? undefined : new Uint8Array(bytes);
  }

  getVersionInfo(version: number): VersionInfo | undefined {
    const bytes = this.versions.getBinary(u64(version));
    if (bytes === undefined) return undefined;
    return { version, root: new Uint8Array(bytes.subarray(0, 32)), leafCount: readU64(bytes, 32) };
  }

  latestVersion(): number | undefined {
    const bytes = this.meta.getBinary("latest");
    return bytes === undefined ? undefined : readU64(bytes, 0);
  }

  prunedBefore(): number {
    const bytes = this.meta.getBinary("prunedBefore");
    return bytes === undefined ? 0 : readU64(bytes, 0);
  }

  countNodes(): number {
    return this.nodes.getCount();
  }

  /** Counts stale-node index entries (tests, metrics). */
  countStale(): number {
    return this.stale.getCount();
  }

  writeBatch(batch: TreeUpdateBatch): void {
    this.root.transactionSync(() => {
      for (const [key, node] of batch.nodes) this.nodes.putSync(key, encodeNode(node));
      for (const [hash, value] of batch.values) this.values.putSync(hash, value);
      for (const s of batch.staleNodes) this.stale.putSync(staleKey(s.staleSinceVersion, s.nodeKey), EMPTY);
      const record = new Uint8Array(40);
      record.set(batch.info.root, 0);
      writeU64(record, 32, batch.info.leafCount);
      this.versions.putSync(u64(batch.info.version), record);
      this.meta.putSync("latest", u64(batch.info.version));
    });
  }

  pruneStale(beforeVersion: number): number {
    return this.root.transactionSync(() => {
      let removed = 0;
      const keys = [...this.stale.getKeys({ end: u64(beforeVersion + 1) })];
      for (const key of keys) {
        if (this.nodes.removeSync(key.subarray(8))) removed++;
        this.stale.removeSync(key);
      }
      this.meta.putSync("prunedBefore", u64(Math.max(beforeVersion, this.prunedBefore())));
      return removed;
    });
  }

  /** Closes the environment if this store opened it (an injected one is left to its owner). */
  async close(): Promise<void> {
    if (this.owned) await this.root.close();
  }
}

const EMPTY = new Uint8Array(0);

function staleKey(since: number, nodeKey: NodeKey): Uint8Array {
  const out = new Uint8Array(8 + nodeKey.length);
  writeU64(out, 0, since);
  out.set(nodeKey, 8);
  return out;
}

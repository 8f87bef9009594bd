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
 * `.values` (value hash → bytes), `.stale` (staleSince u64 BE → packed list of (len u8 ‖ node key):
 * one entry per version, since one put per stale node dominated write time), `.versions`
 * (u64 BE → root ‖ leafCount u64), `.valuerefs` (value hash → u32 BE count of stored leaf nodes
 * naming it: pruning deletes a value's bytes when its count reaches 0) and `.meta` ("latest",
 * "prunedBefore" → u64, "valueRefs" = the ref index is complete). Each version is
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
  private readonly refs: BinDb;

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
    this.refs = bin("valuerefs");
    if (this.meta.getBinary("valueRefs") === undefined) this.rebuildValueRefs();
  }

  /**
   * Counts every stored leaf node per value hash once, for a store written before the ref index
   * existed (one pass over the nodes; later batches and prunes keep the counts exact).
   */
  private rebuildValueRefs(): void {
    this.root.transactionSync(() => {
      const counts = new Map<string, number>();
      for (const { key, value } of this.nodes.getRange({})) {
        const node = decodeNode(value, key);
        if (node.kind !== "leaf") continue;
        const k = Buffer.from(node.valueHash).toString("latin1");
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      for (const { key } of this.refs.getRange({})) this.refs.removeSync(key);
      for (const [k, n] of counts) this.refs.putSync(Buffer.from(k, "latin1"), u32(n));
      this.meta.putSync("valueRefs", u64(1));
    });
  }

  private addRefs(deltas: Map<string, number>): string[] {
    const freed: string[] = [];
    for (const [k, delta] of deltas) {
      const key = Buffer.from(k, "latin1");
      const bytes = this.refs.getBinary(key);
      const n = (bytes === undefined ? 0 : readU32(bytes)) + delta;
      if (n > 0) this.refs.putSync(key, u32(n));
      else {
        this.refs.removeSync(key);
        freed.push(k);
      }
    }
    return freed;
  }

  /** Number of value byte strings stored (tests, metrics). */
  countValues(): number {
    return this.values.getCount();
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

  /** Counts node keys in the stale-node index (tests, metrics). */
  countStale(): number {
    let n = 0;
    for (const { value } of this.stale.getRange({})) n += unpackKeys(value).length;
    return n;
  }

  writeBatch(batch: TreeUpdateBatch): void {
    this.root.transactionSync(() => {
      const deltas = new Map<string, number>();
      for (const [key, node] of batch.nodes) {
        this.nodes.putSync(key, encodeNode(node));
        if (node.kind !== "leaf") continue;
        const k = Buffer.from(node.valueHash.buffer, node.valueHash.byteOffset, 32).toString("latin1");
        deltas.set(k, (deltas.get(k) ?? 0) + 1);
      }
      this.addRefs(deltas);
      for (const [hash, value] of batch.values) this.values.putSync(hash, value);
      if (batch.staleNodes.length > 0) this.stale.putSync(u64(batch.info.version), packStale(batch));
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
      const deltas = new Map<string, number>();
      const entries = [...this.stale.getRange({ end: u64(beforeVersion + 1) })];
      for (const { key, value } of entries) {
        for (const nodeKey of unpackKeys(value)) {
          const bytes = this.nodes.getBinary(nodeKey);
          if (bytes === undefined) continue;
          const node = decodeNode(bytes, nodeKey);
          if (node.kind === "leaf") {
            const k = Buffer.from(node.valueHash).toString("latin1");
            deltas.set(k, (deltas.get(k) ?? 0) - 1);
          }
          if (this.nodes.removeSync(nodeKey)) removed++;
        }
        this.stale.removeSync(key);
      }
      // A value goes with the last stored leaf naming it: no retained version can reach it.
      for (const k of this.addRefs(deltas)) this.values.removeSync(Buffer.from(k, "latin1"));
      this.meta.putSync("prunedBefore", u64(Math.max(beforeVersion, this.prunedBefore())));
      return removed;
    });
  }

  /**
   * Forgets every version above `version` (they were built on commits the chain no longer holds): their nodes
   * (node keys sort by version first, so this is one range), their stale-index entries (nodes they made stale are
   * live again at `version`) and version records; `version` becomes the latest. Values are kept. Runs inside the
   * caller's transaction when there is one.
   * @returns the number of nodes removed.
   */
  truncateAfter(version: number): number {
    return this.root.transactionSync(() => {
      const from = u64(version + 1);
      let removed = 0;
      for (const key of [...this.nodes.getKeys({ start: from })]) if (this.nodes.removeSync(key)) removed++;
      for (const key of [...this.stale.getKeys({ start: from })]) this.stale.removeSync(key);
      for (const key of [...this.versions.getKeys({ start: from })]) this.versions.removeSync(key);
      this.meta.putSync("latest", u64(version));
      return removed;
    });
  }

  /** Closes the environment if this store opened it (an injected one is left to its owner). */
  async close(): Promise<void> {
    if (this.owned) await this.root.close();
  }
}

const u32 = (v: number): Uint8Array => Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
const readU32 = (b: Uint8Array): number => ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;

/**
 * Packs a batch's stale node keys as (len u8 ‖ key)*. Every entry of a batch is stale since the
 * batch's version (the tree marks nodes stale only at the version that replaces them).
 */
function packStale(batch: TreeUpdateBatch): Uint8Array {
  const out = new Uint8Array(batch.staleNodes.reduce((n, s) => n + 1 + s.nodeKey.length, 0));
  let offset = 0;
  for (const { nodeKey } of batch.staleNodes) {
    out[offset] = nodeKey.length;
    out.set(nodeKey, offset + 1);
    offset += 1 + nodeKey.length;
  }
  return out;
}

function unpackKeys(packed: Uint8Array): Uint8Array[] {
  const keys: Uint8Array[] = [];
  for (let offset = 0; offset < packed.length; offset += 1 + packed[offset]) {
    keys.push(packed.subarray(offset + 1, offset + 1 + packed[offset]));
  }
  return keys;
}

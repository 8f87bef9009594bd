import type { TreeUpdateBatch } from "../types";

import type { TreeReader } from "./reader";

/** Write side of a tree store (penumbra jmt `TreeWriter`). */
export interface TreeWriter {
  /**
   * Writes one version atomically: its nodes, stale-node index entries, values and the version
   * record (the checkpoint that makes it the latest). Either all of it is visible afterwards or,
   * if this throws, none of it.
   */
  writeBatch(batch: TreeUpdateBatch): void;
  /**
   * Deletes every node that became stale at a version ≤ `beforeVersion` (so reachable only from
   * versions < `beforeVersion`) with its index entry, and records `beforeVersion` as the oldest
   * readable version. Value bytes that no remaining leaf node names are deleted too (garbage
   * collection by reference count). Returns the number of nodes removed.
   */
  pruneStale(beforeVersion: number): number;
}

/** A store that can both read and write. */
export type TreeStore = TreeReader & TreeWriter;

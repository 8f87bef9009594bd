import type { Hash32, NodeKey, TreeNode, VersionInfo } from "../types";

/**
 * Read side of a tree store (penumbra jmt `TreeReader`). Synchronous: LMDB reads are memory-mapped
 * and the in-memory store is a `Map`, so the tree core stays free of `await`.
 */
export interface TreeReader {
  /** The node stored under an encoded {@link NodeKey}, or undefined. */
  getNode(nodeKey: NodeKey): TreeNode | undefined;
  /** Value bytes by their 32-byte value hash, or undefined. */
  getValue(valueHash: Hash32): Uint8Array | undefined;
  /** Metadata (root, leaf count) of a written version, or undefined. */
  getVersionInfo(version: number): VersionInfo | undefined;
  /** Highest fully written version, or undefined for an empty store. */
  latestVersion(): number | undefined;
  /** Versions below this were pruned (their nodes may be gone); 0 when never pruned. */
  prunedBefore(): number;
  /** Number of stored nodes (all versions). */
  countNodes(): number;
}

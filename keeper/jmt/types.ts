/** A 32-byte key hash (on-chain `keccak256(namespace ‖ id)`); the tree never hashes keys itself. */
export type KeyHash = Uint8Array;
/** A 32-byte hash: value hash, node hash or root. */
export type Hash32 = Uint8Array;

/** One write of a batch: set `keyHash` to `value`, or delete it when `value` is `null`. */
export type Write = readonly [keyHash: KeyHash, value: Uint8Array | null];

/**
 * One write by value hash: the leaf `keyHash` ↦ `valueHash` (32 bytes; null = delete). `value` is
 * the bytes when known (stored by hash); a leaf may be committed without them.
 */
export interface HashedWrite {
  readonly keyHash: KeyHash;
  readonly valueHash: Hash32 | null;
  readonly value?: Uint8Array;
}

/** Reference from an internal node to a child stored at (`version`, parent path ‖ nibble). */
export interface Child {
  /** 32-byte hash of the child subtree. */
  readonly hash: Hash32;
  /** Version the child node was written at (part of its storage key). */
  readonly version: number;
  /** Whether the child is a leaf node (a lone leaf collapses upward when hashing). */
  readonly isLeaf: boolean;
}

/** A 16-ary internal node: `children[n]` for nibble n (undefined = empty), ≥ 2 leaves below. */
export interface InternalNode {
  readonly kind: "internal";
  /** Exactly 16 slots. */
  readonly children: readonly (Child | undefined)[];
}

/** A leaf: 32-byte key hash and 32-byte hash of the value bytes. */
export interface LeafNode {
  readonly kind: "leaf";
  readonly keyHash: KeyHash;
  readonly valueHash: Hash32;
}

/** The root of an empty tree (hash = placeholder). */
export interface NullNode {
  readonly kind: "null";
}

/** Any stored tree node. */
export type TreeNode = InternalNode | LeafNode | NullNode;

/**
 * Storage key of a node: `version` (u64 BE, 8 bytes) ‖ nibble count (1 byte) ‖ packed nibbles
 * (⌈count/2⌉ bytes, high nibble first, unused low nibble zero). Byte order sorts by version first.
 */
export type NodeKey = Uint8Array;

/** A node that became unreachable at `staleSinceVersion` (it is still part of earlier versions). */
export interface StaleNodeIndex {
  readonly staleSinceVersion: number;
  readonly nodeKey: NodeKey;
}

/** Per-version metadata, written in the same transaction as the version's nodes (the checkpoint). */
export interface VersionInfo {
  readonly version: number;
  /** 32-byte root hash. */
  readonly root: Hash32;
  /** Number of leaves (keys) in the tree at this version. */
  readonly leafCount: number;
}

/**
 * Everything one version adds to storage, computed by the tree without writing anything; the
 * storage writes it atomically (penumbra jmt `TreeUpdateBatch`).
 */
export interface TreeUpdateBatch {
  readonly info: VersionInfo;
  /** New nodes, keyed by their storage key. */
  readonly nodes: readonly (readonly [NodeKey, TreeNode])[];
  /** Nodes of earlier versions that this version no longer references. */
  readonly staleNodes: readonly StaleNodeIndex[];
  /** New value bytes keyed by their 32-byte value hash. */
  readonly values: readonly (readonly [Hash32, Uint8Array])[];
}

/** The leaf carried by a proof: the only key in the subtree the proof ends at. */
export interface ProofLeaf {
  /** 32-byte key hash. */
  readonly keyHash: KeyHash;
  /** 32-byte value hash. */
  readonly valueHash: Hash32;
}

/**
 * Sparse Merkle proof (penumbra `SparseMerkleProof`): siblings ordered leaf → root; sibling i pairs
 * with key bit n−1−i counted from the most significant bit (n = siblings.length ≤ 256).
 * No leaf = the key's position is an empty subtree; a leaf with another key = that leaf is the
 * only key sharing the key's first n bits.
 */
export interface SparseMerkleProof {
  readonly leaf?: ProofLeaf;
  /** 32-byte sibling hashes, leaf → root. */
  readonly siblings: readonly Hash32[];
}

/** Value at a key plus the proof of it (inclusion) or of its absence (value `null`). */
export interface ValueWithProof {
  readonly value: Uint8Array | null;
  readonly proof: SparseMerkleProof;
}

/** Minimal structured logger (a pino logger fits). */
export interface JmtLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
}

/** Optional metrics hooks (prom-client adapters live with the caller). */
export interface JmtMetrics {
  /** Called after each version is written: writes applied, nodes written, seconds taken. */
  observeVersion?(fields: { writes: number; nodes: number; durationSeconds: number }): void;
  /** Called after a prune with the number of nodes removed. */
  observePrune?(fields: { removedNodes: number }): void;
}

/** Injected collaborators of {@link JellyfishMerkleTree}-style classes. */
export interface JmtDeps {
  readonly logger?: JmtLogger;
  readonly metrics?: JmtMetrics;
}

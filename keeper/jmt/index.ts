/**
 * keeper/jmt — the keeper's state tree: a persistent, versioned Jellyfish Merkle Tree over
 * 32-byte key hashes, bit-compatible with the penumbra `jmt` crate (instantiated with keccak256;
 * SHA-256 reproduces penumbra's published vectors). Spec: docs/protocol.md §4, Diem "Jellyfish Merkle
 * Tree" paper (2021), penumbra-zone/jmt.
 *
 * Owns: node format and hashing, batch updates, proofs and their verification, pruning,
 * snapshots, and the storage interface with LMDB and in-memory stores.
 *
 * Data in: `putValueSet(version, [[keyHash (32 bytes), value bytes | null], …])`, versions dense
 * from 0. Data out: `rootAt(version)` (32 bytes), `get` / `getWithProof(keyHash, version)` →
 * `{value | null, proof: {leaf?, siblings (leaf → root)}}`, `verifyProof`, snapshot leaves.
 *
 * Hashes: leaf = H("JMT::LeafNode" ‖ keyHash ‖ valueHash), internal = H("JMT::IntrnalNode" ‖ l ‖ r),
 * empty = "SPARSE_MERKLE_PLACEHOLDER_HASH__", valueHash = H(value). A subtree with one leaf is
 * that leaf; each 16-ary node is a 4-level binary tree, so the root equals the binary sparse
 * Merkle root of the key set:
 *
 * ```text
 *   16-ary node (version, nibble path)            same node, as hashed
 *   ┌─┬─┬─┬─┬─┬─┬─┬─┬─┬─┬─┬─┬─┬─┬─┬─┐                   h
 *   │0│1│2│ │ │ │ │ │ │ │ │ │ │ │ │f│             ┌─────┴─────┐
 *   └┬┴┬┴─┴─┴─┴─┴─┴─┴─┴─┴─┴─┴─┴─┴─┴┬┘           h(0..7)     h(8..f)     4 binary levels;
 *    │ └ leaf (collapses up if alone)            ┌──┴──┐        …         empty half = placeholder,
 *    └ child internal node at path‖0           h(0..3) ph                lone leaf = the leaf hash
 * ```
 *
 * Pure core, I/O at the edges: `JellyfishMerkleTree.computeUpdate` returns a `TreeUpdateBatch`
 * (nodes, stale-node index, values, version record); a `TreeWriter` writes it in one transaction.
 */
export { JellyfishMerkleTree, type JmtOptions, prepareWrites, prepareHashedWrites } from "./tree";
export { JmtError, type JmtErrorType } from "./errors";
export { type Hasher, createKeccakHasher, createSha256Hasher, hasherFrom } from "./hasher";
export {
  PLACEHOLDER_HASH,
  encodeNode,
  decodeNode,
  encodeNodeKey,
  nodeHash,
  bitAt,
  nibbleAt,
  commonPrefixBits,
  readU64,
  writeU64,
} from "./node";
export { verifyProof, verifyProofByValueHash, proofSizeBytes, MAX_SIBLINGS } from "./proof";
export { exportLeaves } from "./snapshot";
export {
  buildManifest,
  exportChunk,
  foldChunk,
  foldManifest,
  entriesEqual,
  prefixIndex,
  prefixKey,
  MIN_CHUNK_DEPTH,
  MAX_CHUNK_DEPTH,
  type ChunkLeaf,
  type SubtreeEntry,
} from "./chunk";
export type { TreeReader } from "./storage/reader";
export type { TreeWriter, TreeStore } from "./storage/writer";
export { MemoryTreeStore } from "./storage/memory";
export { LmdbTreeStore, type LmdbTreeStoreOptions } from "./storage/lmdb";
export {
  generateFixtureCases,
  fixtureKeys,
  FIXTURE_SPECS,
  proofToJson,
  type FixtureCase,
  type FixtureSpec,
  type KeyShape,
  type ProofJson,
} from "./fixtures";
export type {
  Child,
  Hash32,
  HashedWrite,
  InternalNode,
  JmtDeps,
  JmtLogger,
  JmtMetrics,
  KeyHash,
  LeafNode,
  NodeKey,
  NullNode,
  ProofLeaf,
  SparseMerkleProof,
  StaleNodeIndex,
  TreeNode,
  TreeUpdateBatch,
  ValueWithProof,
  VersionInfo,
  Write,
} from "./types";

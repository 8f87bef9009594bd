/**
 * Subtree chunks of one tree version, for state sync (Aptos JMT restore, Cosmos SDK snapshot
 * chunks). The key space is cut at a fixed nibble depth `d` (1–3) into 16^d prefixes; the
 * **manifest** lists each prefix's subtree as (kind, hash) and folds to the version's root, and
 * each **chunk** is the sorted leaves under one prefix, which fold to its manifest entry. A
 * receiver that checked the manifest against a trusted root therefore accepts a chunk only if it
 * holds exactly the leaves of that version (anything else is a keccak collision).
 *
 * Folding follows the tree's own hashing (the root equals the binary sparse Merkle root of the key
 * set): empty ‖ empty = empty, a lone leaf beside an empty half moves up unchanged, anything else
 * is `internal(left, right)` with the placeholder for an empty half.
 */
import { JmtError } from "./errors";
import type { Hasher } from "./hasher";
import { bitAt, encodeChildKey, encodeNodeKey, nibbleAt, PLACEHOLDER_HASH } from "./node";
import type { TreeReader } from "./storage/reader";
import type { Hash32, KeyHash, TreeNode } from "./types";
import { leavesBelow } from "./snapshot";
import { loadNode } from "./update";

/** Smallest and largest chunk depth in nibbles (16 to 4 096 chunks). */
export const MIN_CHUNK_DEPTH = 1;
export const MAX_CHUNK_DEPTH = 3;

/** One prefix's subtree as the manifest lists it. `hash` is the placeholder for "empty". */
export interface SubtreeEntry {
  readonly kind: "empty" | "leaf" | "internal";
  /** 32-byte subtree hash (leaf hash for a lone leaf). */
  readonly hash: Hash32;
}

/** A leaf as a chunk carries it; `value` is absent when the serving store does not hold the bytes. */
export interface ChunkLeaf {
  readonly keyHash: KeyHash;
  readonly valueHash: Hash32;
  readonly value?: Uint8Array;
}

const EMPTY_ENTRY: SubtreeEntry = { kind: "empty", hash: PLACEHOLDER_HASH };

/** The nibble prefix `index` (0 ≤ index < 16^depth) as the first bytes of a 32-byte key. */
export function prefixKey(index: number, depth: number): Uint8Array {
  const key = new Uint8Array(32);
  for (let i = 0; i < depth; i++) {
    const nib = (index >> (4 * (depth - 1 - i))) & 0xf;
    key[i >> 1] |= i & 1 ? nib : nib << 4;
  }
  return key;
}

/** The chunk index (0 ≤ i < 16^depth) a 32-byte key falls into. */
export function prefixIndex(key: Uint8Array, depth: number): number {
  let index = 0;
  for (let i = 0; i < depth; i++) index = (index << 4) | nibbleAt(key, i);
  return index;
}

function assertDepth(depth: number): void {
  if (!Number.isInteger(depth) || depth < MIN_CHUNK_DEPTH || depth > MAX_CHUNK_DEPTH) {
    throw invalid(`chunk depth must be an integer in [${MIN_CHUNK_DEPTH}, ${MAX_CHUNK_DEPTH}], got ${depth}`);
  }
}

/**
 * Locates the subtree of `version` under a nibble prefix by following stored nodes: the internal
 * node at that path, the one leaf whose key has the prefix (it sits at a shallower path when
 * alone), or nothing. Reads at most `depth` + 1 nodes.
 */
function locate(
  reader: TreeReader,
  version: number,
  prefix: Uint8Array,
  depth: number,
): { entry: SubtreeEntry; node?: TreeNode; key?: Uint8Array; nodeDepth: number } {
  const rootKey = encodeNodeKey(version, PLACEHOLDER_HASH, 0);
  let node = loadNode(reader, rootKey);
  let key: Uint8Array = rootKey;
  let hash: Hash32 | undefined;
  for (let d = 0; d < depth; d++) {
    if (node.kind !== "internal") break;
    const child = node.children[nibbleAt(prefix, d)];
    if (child === undefined) return { entry: EMPTY_ENTRY, nodeDepth: d + 1 };
    key = encodeChildKey(child.version, prefix, d, nibbleAt(prefix, d));
    node = loadNode(reader, key);
    hash = child.hash;
  }
  if (node.kind === "null") return { entry: EMPTY_ENTRY, nodeDepth: depth };
  if (node.kind === "leaf") {
    for (let d = 0; d < depth; d++) {
      if (nibbleAt(node.keyHash, d) !== nibbleAt(prefix, d)) return { entry: EMPTY_ENTRY, nodeDepth: depth };
    }
    return { entry: { kind: "leaf", hash: hash ?? new Uint8Array(0) }, node, key, nodeDepth: depth };
  }
  // An internal node at the full prefix depth; its hash came from the parent's child record.
  if (hash === undefined) throw invalid("an internal root cannot be a chunk at depth 0");
  return { entry: { kind: "internal", hash }, node, key, nodeDepth: depth };
}

/**
 * The manifest of `version` at `depth` nibbles: 16^depth entries in prefix order. A lone leaf's
 * hash is recomputed with `hasher` when it is the root itself (a one-leaf tree).
 * @throws JmtError `JMT_ERROR_MISSING_NODE` when the version's nodes were pruned;
 *   `JMT_ERROR_INVALID_CHUNK` for a depth outside [1, 3].
 */
export function buildManifest(reader: TreeReader, hasher: Hasher, version: number, depth: number): SubtreeEntry[] {
  assertDepth(depth);
  const out: SubtreeEntry[] = [];
  for (let i = 0; i < 16 ** depth; i++) {
    const { entry, node } = locate(reader, version, prefixKey(i, depth), depth);
    if (entry.kind === "leaf" && node?.kind === "leaf" && entry.hash.length === 0) {
      out.push({ kind: "leaf", hash: hasher.leaf(node.keyHash, node.valueHash) });
    } else out.push(entry);
  }
  return out;
}

/**
 * Every leaf of `version` under prefix `index` at `depth`, in key order, with its value bytes when
 * the store holds them.
 * @throws JmtError `JMT_ERROR_MISSING_NODE` when the version's nodes were pruned.
 */
export function exportChunk(reader: TreeReader, version: number, depth: number, index: number): ChunkLeaf[] {
  assertDepth(depth);
  if (!Number.isInteger(index) || index < 0 || index >= 16 ** depth)
    throw invalid(`no chunk ${index} at depth ${depth}`);
  const prefix = prefixKey(index, depth);
  const { node, nodeDepth } = locate(reader, version, prefix, depth);
  const out: ChunkLeaf[] = [];
  if (node !== undefined) {
    for (const { keyHash, valueHash, value } of leavesBelow(reader, node, prefix, nodeDepth)) {
      out.push(value === undefined ? { keyHash, valueHash } : { keyHash, valueHash, value });
    }
  }
  return out;
}

function combine(hasher: Hasher, l: SubtreeEntry, r: SubtreeEntry): SubtreeEntry {
  if (l.kind === "empty" && r.kind === "empty") return EMPTY_ENTRY;
  if (l.kind === "empty" && r.kind === "leaf") return r;
  if (r.kind === "empty" && l.kind === "leaf") return l;
  return { kind: "internal", hash: hasher.internal(l.hash, r.hash) };
}

/**
 * Folds a manifest (16^depth entries in prefix order) to the root hash it implies.
 * @throws JmtError `JMT_ERROR_INVALID_CHUNK` when the entry count is not a power of 16 in range.
 */
export function foldManifest(hasher: Hasher, entries: readonly SubtreeEntry[]): Hash32 {
  const depth = Math.round(Math.log(entries.length) / Math.log(16));
  assertDepth(depth);
  if (entries.length !== 16 ** depth) throw invalid(`a manifest has 16^d entries, got ${entries.length}`);
  let level: SubtreeEntry[] = [...entries];
  while (level.length > 1) {
    const next: SubtreeEntry[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(combine(hasher, level[i], level[i + 1]));
    level = next;
  }
  return level[0].hash;
}

/**
 * Folds the sorted leaves of one chunk to its subtree entry, after checking that every key has the
 * chunk's prefix, keys strictly ascend, and every carried value hashes to its `valueHash`.
 * @throws JmtError `JMT_ERROR_INVALID_CHUNK` naming the first violation.
 */
export function foldChunk(hasher: Hasher, depth: number, index: number, leaves: readonly ChunkLeaf[]): SubtreeEntry {
  assertDepth(depth);
  for (let i = 0; i < leaves.length; i++) {
    const leaf = leaves[i];
    if (leaf.keyHash.length !== 32 || leaf.valueHash.length !== 32) throw invalid(`leaf ${i}: hashes must be 32 bytes`);
    if (prefixIndex(leaf.keyHash, depth) !== index) throw invalid(`leaf ${i} is outside chunk ${index}`);
    if (i > 0 && Buffer.compare(leaves[i - 1].keyHash, leaf.keyHash) >= 0) {
      throw invalid(`leaf ${i} is not in strictly ascending key order`);
    }
    if (leaf.value !== undefined && Buffer.compare(hasher.hash(leaf.value), leaf.valueHash) !== 0) {
      throw invalid(`leaf ${i}: value bytes do not hash to its valueHash`);
    }
  }
  return foldRange(hasher, leaves, 0, leaves.length, 4 * depth);
}

function foldRange(hasher: Hasher, leaves: readonly ChunkLeaf[], lo: number, hi: number, bit: number): SubtreeEntry {
  if (hi === lo) return EMPTY_ENTRY;
  if (hi - lo === 1) return { kind: "leaf", hash: hasher.leaf(leaves[lo].keyHash, leaves[lo].valueHash) };
  // Sorted keys: the first key with bit `bit` set splits the range (binary search).
  let a = lo;
  let b = hi;
  while (a < b) {
    const m = (a + b) >> 1;
    if (bitAt(leaves[m].keyHash, bit) === 0) a = m + 1;
    else b = m;
  }
  const left = foldRange(hasher, leaves, lo, a, bit + 1);
  const right = foldRange(hasher, leaves, a, hi, bit + 1);
  return { kind: "internal", hash: hasher.internal(left.hash, right.hash) };
}

/** Whether two subtree entries are the same (kind and hash). */
export function entriesEqual(a: SubtreeEntry, b: SubtreeEntry): boolean {
  return a.kind === b.kind && Buffer.compare(a.hash, b.hash) === 0;
}

function invalid(reason: string): JmtError {
  return new JmtError({ code: "JMT_ERROR_INVALID_CHUNK", reason }, `invalid state-sync chunk: ${reason}`);
}

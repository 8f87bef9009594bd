import { keccak_256 } from "@noble/hashes/sha3";

import { bytesEqual, bytesToHex } from "../common";

import { JmtError } from "./errors";
import { type Hasher, hasherFrom } from "./hasher";
import {
  bitAt,
  childBitmaps,
  commonPrefixBits,
  encodeChildKey,
  encodeNodeKey,
  nibbleAt,
  PLACEHOLDER_HASH,
  subtreeHash,
} from "./node";
import type { TreeReader } from "./storage/reader";
import type { Child, Hash32, KeyHash, LeafNode, SparseMerkleProof, TreeNode, ValueWithProof } from "./types";
import { loadNode } from "./update";

/** Most siblings a proof can have (one per key bit). */
export const MAX_SIBLINGS = 256;

/**
 * Walks from the root of `version` towards `keyHash` and returns the value (or null) with its
 * proof. Internal nodes are descended as 4-level binary trees; the walk stops at an empty subtree
 * or at a subtree holding a single leaf (penumbra `get_with_proof`, `get_child_with_siblings`).
 * The caller checks that `version` exists and was not pruned.
 * @throws JmtError `JMT_ERROR_MISSING_NODE` / `JMT_ERROR_MISSING_VALUE` when the store is damaged.
 */
export function proveAt(reader: TreeReader, keyHash: KeyHash, version: number, hasher: Hasher): ValueWithProof {
  const siblings: Hash32[] = [];
  let node: TreeNode = loadNode(reader, encodeNodeKey(version, keyHash, 0));
  for (let depth = 0; ; depth++) {
    if (node.kind === "null") return { value: null, proof: { siblings: siblings.reverse() } };
    if (node.kind === "leaf") return withLeaf(reader, keyHash, node, siblings.reverse());
    const step = descend(node.children, keyHash, depth, siblings, hasher);
    if (step === undefined) return { value: null, proof: { siblings: siblings.reverse() } };
    node = loadNode(reader, encodeChildKey(step.child.version, keyHash, depth, step.nibble));
  }
}

/**
 * Descends one 16-ary node along `keyHash`'s nibble, pushing the binary siblings (root side first).
 * Returns the child to continue at (a lone leaf is returned even when it is at another nibble),
 * or undefined when the key's position is empty.
 */
function descend(
  children: readonly (Child | undefined)[],
  keyHash: KeyHash,
  depth: number,
  siblings: Hash32[],
  hasher: Hasher,
): { child: Child; nibble: number } | undefined {
  const bitmaps = childBitmaps(children);
  const nib = nibbleAt(keyHash, depth);
  let lo = 0;
  for (let width = 8; width >= 1; width >>= 1) {
    const inLow = nib < lo + width;
    siblings.push(subtreeHash(children, bitmaps, inLow ? lo + width : lo, width, hasher));
    if (!inLow) lo += width;
    const present = bitmaps.exist & (((1 << width) - 1) << lo);
    if (present === 0) return undefined;
    const only = 31 - Math.clz32(present);
    if ((present & (present - 1)) === 0 && (bitmaps.leaves & present) !== 0) {
      return { child: children[only] as Child, nibble: only };
    }
  }
  return { child: children[nib] as Child, nibble: nib };
}

function withLeaf(reader: TreeReader, keyHash: KeyHash, leaf: LeafNode, siblings: Hash32[]): ValueWithProof {
  const proof: SparseMerkleProof = { leaf: { keyHash: leaf.keyHash, valueHash: leaf.valueHash }, siblings };
  if (!bytesEqual(leaf.keyHash, keyHash)) return { value: null, proof };
  const value = reader.getValue(leaf.valueHash);
  if (value === undefined) {
    const valueHash = bytesToHex(leaf.valueHash);
    throw new JmtError({ code: "JMT_ERROR_MISSING_VALUE", valueHash }, `value ${valueHash} is not stored`);
  }
  return { value, proof };
}

let defaultHasher: Hasher | undefined;

/** Synchronous keccak256 hasher (@noble/hashes) used when a verifier is called without one. */
function nobleKeccak(): Hasher {
  defaultHasher ??= hasherFrom("keccak256", (d) => keccak_256(d));
  return defaultHasher;
}

/**
 * Verifies `proof` for a 32-byte `keyHash` against a 32-byte `root`: with `value` bytes it checks
 * inclusion of H(value), with `null` it checks exclusion. Never throws on malformed input.
 * @param hasher - defaults to keccak256 (@noble/hashes, synchronous).
 * @returns true when the proof is valid. Source: penumbra `SparseMerkleProof::verify`.
 */
export function verifyProof(
  root: Hash32,
  keyHash: KeyHash,
  value: Uint8Array | null,
  proof: SparseMerkleProof,
  hasher: Hasher = nobleKeccak(),
): boolean {
  return verifyProofByValueHash(root, keyHash, value === null ? null : hasher.hash(value), proof, hasher);
}

/**
 * {@link verifyProof} with the 32-byte value hash instead of the value (what the Solidity
 * verifier does): `valueHash` null = exclusion. Checks, in order: ≤ 256 siblings of 32 bytes;
 * inclusion needs a leaf with this key and value hash; exclusion needs no leaf, or a leaf with
 * another key sharing ≥ n leading bits; then folds siblings leaf → root (bit n−1−i of the key
 * picks the side of sibling i) and compares with `root`.
 */
export function verifyProofByValueHash(
  root: Hash32,
  keyHash: KeyHash,
  valueHash: Hash32 | null,
  proof: SparseMerkleProof,
  hasher: Hasher = nobleKeccak(),
): boolean {
  const n = proof.siblings.length;
  if (n > MAX_SIBLINGS || keyHash.length !== 32 || root.length !== 32) return false;
  if (proof.siblings.some((s) => s.length !== 32)) return false;
  const leaf = proof.leaf;
  if (leaf !== undefined && (leaf.keyHash.length !== 32 || leaf.valueHash.length !== 32)) return false;
  if (valueHash !== null) {
    if (leaf === undefined || !bytesEqual(leaf.keyHash, keyHash) || !bytesEqual(leaf.valueHash, valueHash)) {
      return false;
    }
  } else if (leaf !== undefined) {
    if (bytesEqual(leaf.keyHash, keyHash) || commonPrefixBits(leaf.keyHash, keyHash) < n) return false;
  }
  let hash = leaf === undefined ? PLACEHOLDER_HASH : hasher.leaf(leaf.keyHash, leaf.valueHash);
  for (let i = 0; i < n; i++) {
    const sibling = proof.siblings[i];
    hash = bitAt(keyHash, n - 1 - i) ? hasher.internal(sibling, hash) : hasher.internal(hash, sibling);
  }
  return bytesEqual(hash, root);
}

/** Bytes a proof carries: 32 per sibling plus 64 for a leaf (key hash ‖ value hash). */
export function proofSizeBytes(proof: SparseMerkleProof): number {
  return proof.siblings.length * 32 + (proof.leaf === undefined ? 0 : 64);
}

import { bytesToHex } from "../common";

import { JmtError } from "./errors";
import type { Hasher } from "./hasher";
import type { Child, Hash32, InternalNode, NodeKey, TreeNode } from "./types";

/** The 32 ASCII bytes `SPARSE_MERKLE_PLACEHOLDER_HASH__`: hash of an empty subtree and empty root. */
export const PLACEHOLDER_HASH: Hash32 = Uint8Array.from(Buffer.from("SPARSE_MERKLE_PLACEHOLDER_HASH__", "ascii"));

/** Nibbles in a 32-byte key (tree depth in 16-ary levels). */
export const MAX_NIBBLES = 64;

/** Nibble `i` (0 = high nibble of byte 0) of a 32-byte key. */
export function nibbleAt(key: Uint8Array, i: number): number {
  const b = key[i >> 1];
  return i & 1 ? b & 0x0f : b >> 4;
}

/** Bit `i` (0 = most significant bit of byte 0) of a 32-byte key. */
export function bitAt(key: Uint8Array, i: number): number {
  return (key[i >> 3] >> (7 - (i & 7))) & 1;
}

/** Number of leading bits two 32-byte keys share (256 if equal). */
export function commonPrefixBits(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < 32; i++) {
    const x = a[i] ^ b[i];
    if (x !== 0) return i * 8 + Math.clz32(x) - 24;
  }
  return 256;
}

/**
 * Storage key of the node at `version` whose nibble path is the first `depth` nibbles of `key`.
 * Layout: version u64 BE ‖ depth u8 ‖ ⌈depth/2⌉ packed path bytes (odd depth: low nibble zeroed).
 */
export function encodeNodeKey(version: number, key: Uint8Array, depth: number): NodeKey {
  const pathBytes = (depth + 1) >> 1;
  const out = new Uint8Array(9 + pathBytes);
  writeU64(out, 0, version);
  out[8] = depth;
  // A byte loop, not `set(key.subarray(…))`: keys are ≤ 33 bytes and the view was a hot allocation.
  for (let i = 0; i < pathBytes; i++) out[9 + i] = key[i];
  if (depth & 1) out[8 + pathBytes] &= 0xf0;
  return out;
}

/**
 * Storage key of the child at `nibble` of the node whose path is the first `parentDepth` nibbles
 * of `key` (the child's path is that prefix ‖ nibble, whatever `key` holds at `parentDepth`).
 */
export function encodeChildKey(version: number, key: Uint8Array, parentDepth: number, nibble: number): NodeKey {
  const out = encodeNodeKey(version, key, parentDepth + 1);
  const idx = 9 + (parentDepth >> 1);
  out[idx] = parentDepth & 1 ? (out[idx] & 0xf0) | nibble : (nibble << 4) | (out[idx] & 0x0f);
  return out;
}

/** Version part of an encoded node key. */
export function nodeKeyVersion(nodeKey: NodeKey): number {
  return readU64(nodeKey, 0);
}

/** Writes a non-negative safe integer as u64 big-endian at `offset`. */
export function writeU64(out: Uint8Array, offset: number, value: number): void {
  const hi = Math.floor(value / 0x1_0000_0000);
  const lo = value >>> 0;
  out[offset] = hi >>> 24;
  out[offset + 1] = (hi >>> 16) & 0xff;
  out[offset + 2] = (hi >>> 8) & 0xff;
  out[offset + 3] = hi & 0xff;
  out[offset + 4] = lo >>> 24;
  out[offset + 5] = (lo >>> 16) & 0xff;
  out[offset + 6] = (lo >>> 8) & 0xff;
  out[offset + 7] = lo & 0xff;
}

/** Reads a u64 big-endian (≤ 2^53) at `offset`. */
export function readU64(buf: Uint8Array, offset: number): number {
  const hi = ((buf[offset] << 24) | (buf[offset + 1] << 16) | (buf[offset + 2] << 8) | buf[offset + 3]) >>> 0;
  const lo = ((buf[offset + 4] << 24) | (buf[offset + 5] << 16) | (buf[offset + 6] << 8) | buf[offset + 7]) >>> 0;
  return hi * 0x1_0000_0000 + lo;
}

/** Existence and leaf bitmaps (bit n = nibble n) of an internal node's children. */
export function childBitmaps(children: readonly (Child | undefined)[]): { exist: number; leaves: number } {
  let exist = 0;
  let leaves = 0;
  for (let n = 0; n < 16; n++) {
    const c = children[n];
    if (c === undefined) continue;
    exist |= 1 << n;
    if (c.isLeaf) leaves |= 1 << n;
  }
  return { exist, leaves };
}

/**
 * Hash of the binary subtree over children [lo, lo+width) of a 16-ary node (width 1, 2, 4, 8, 16):
 * no child → placeholder; exactly one child that is a leaf → that leaf's hash (collapsed);
 * width 1 → the child's hash; else internal(left half, right half). Diem JMT paper §3, penumbra
 * `InternalNode::merkle_hash`.
 */
export function subtreeHash(
  children: readonly (Child | undefined)[],
  bitmaps: { exist: number; leaves: number },
  lo: number,
  width: number,
  hasher: Hasher,
): Hash32 {
  const mask = ((1 << width) - 1) << lo;
  const present = bitmaps.exist & mask;
  if (present === 0) return PLACEHOLDER_HASH;
  if ((present & (present - 1)) === 0 && (bitmaps.leaves & present) !== 0) {
    return (children[31 - Math.clz32(present)] as Child).hash;
  }
  if (width === 1) return (children[lo] as Child).hash;
  const half = width >> 1;
  return hasher.internal(
    subtreeHash(children, bitmaps, lo, half, hasher),
    subtreeHash(children, bitmaps, lo + half, half, hasher),
  );
}

/** Hash of a 16-ary internal node (its 4-level binary tree). */
export function internalHash(node: InternalNode, hasher: Hasher): Hash32 {
  return subtreeHash(node.children, childBitmaps(node.children), 0, 16, hasher);
}

/** Hash of any node: placeholder for null, leaf hash, or internal hash. */
export function nodeHash(node: TreeNode, hasher: Hasher): Hash32 {
  if (node.kind === "null") return PLACEHOLDER_HASH;
  if (node.kind === "leaf") return hasher.leaf(node.keyHash, node.valueHash);
  return internalHash(node, hasher);
}

const TAG_NULL = 0;
const TAG_LEAF = 1;
const TAG_INTERNAL = 2;

/**
 * Serializes a node: null = [0]; leaf = [1] ‖ keyHash ‖ valueHash; internal = [2] ‖ exist u16 BE ‖
 * leaf u16 BE ‖ per present child in nibble order: version u64 BE ‖ hash (32).
 */
export function encodeNode(node: TreeNode): Uint8Array {
  if (node.kind === "null") return Uint8Array.of(TAG_NULL);
  if (node.kind === "leaf") {
    const out = new Uint8Array(65);
    out[0] = TAG_LEAF;
    out.set(node.keyHash, 1);
    out.set(node.valueHash, 33);
    return out;
  }
  const { exist, leaves } = childBitmaps(node.children);
  const out = new Uint8Array(5 + 40 * popcount16(exist));
  out[0] = TAG_INTERNAL;
  out[1] = exist >> 8;
  out[2] = exist & 0xff;
  out[3] = leaves >> 8;
  out[4] = leaves & 0xff;
  let offset = 5;
  for (const c of node.children) {
    if (c === undefined) continue;
    writeU64(out, offset, c.version);
    out.set(c.hash, offset + 8);
    offset += 40;
  }
  return out;
}

/**
 * Parses {@link encodeNode} output. `bytes` may be a reused buffer, so it is copied once and the
 * returned hashes are views of that private copy (one allocation per node instead of one per hash;
 * decoding dominated reads).
 * @throws JmtError `JMT_ERROR_CORRUPT_NODE` when the tag or length is wrong.
 */
export function decodeNode(bytes: Uint8Array, nodeKey: NodeKey): TreeNode {
  const tag = bytes[0];
  if (tag === TAG_NULL && bytes.length === 1) return { kind: "null" };
  if (tag === TAG_LEAF && bytes.length === 65) {
    const own = copy(bytes);
    return { kind: "leaf", keyHash: own.subarray(1, 33), valueHash: own.subarray(33, 65) };
  }
  if (tag !== TAG_INTERNAL || bytes.length < 5) throw corrupt(nodeKey, `bad tag ${tag} or length ${bytes.length}`);
  const exist = (bytes[1] << 8) | bytes[2];
  const leaves = (bytes[3] << 8) | bytes[4];
  if (bytes.length !== 5 + 40 * popcount16(exist)) throw corrupt(nodeKey, `length ${bytes.length}`);
  const own = copy(bytes);
  const children: (Child | undefined)[] = new Array(16).fill(undefined);
  let offset = 5;
  for (let n = 0; n < 16; n++) {
    if (!(exist & (1 << n))) continue;
    const hash = own.subarray(offset + 8, offset + 40);
    children[n] = { version: readU64(own, offset), hash, isLeaf: (leaves & (1 << n)) !== 0 };
    offset += 40;
  }
  return { kind: "internal", children };
}

/**
 * A fresh plain Uint8Array copy of `bytes` (its `subarray` views are cheaper than a Buffer's). Goes
 * through an explicit view: LMDB's reused read buffer reports `length` = the value's size while
 * its backing array is larger, which `set` would reject.
 */
function copy(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  out.set(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
  return out;
}

function corrupt(nodeKey: NodeKey, reason: string): JmtError {
  return new JmtError(
    { code: "JMT_ERROR_CORRUPT_NODE", nodeKey: bytesToHex(nodeKey), reason },
    `stored JMT node ${bytesToHex(nodeKey)} is corrupt (${reason}); restore the store from a snapshot`,
  );
}

function popcount16(x: number): number {
  let n = 0;
  for (let v = x; v !== 0; v &= v - 1) n++;
  return n;
}

/**
 * Test oracle, written independently of keeper/jmt: the binary sparse-Merkle root of a key set
 * (empty → placeholder, one key → its leaf hash, else split on the next key bit), hashed with
 * @noble/hashes keccak256 (the tree under test uses hash-wasm) or node:crypto SHA-256.
 */
import { createHash } from "node:crypto";

import { keccak_256 } from "@noble/hashes/sha3";

export type RefHash = (data: Uint8Array) => Uint8Array;

export const refKeccak: RefHash = (d) => keccak_256(d);
export const refSha256: RefHash = (d) => new Uint8Array(createHash("sha256").update(d).digest());

const PLACEHOLDER = new TextEncoder().encode("SPARSE_MERKLE_PLACEHOLDER_HASH__");
const LEAF = new TextEncoder().encode("JMT::LeafNode");
const INTERNAL = new TextEncoder().encode("JMT::IntrnalNode");

const cat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));
const bit = (k: Uint8Array, i: number): number => (k[i >> 3] >> (7 - (i & 7))) & 1;

/** Root of the binary sparse Merkle tree over `map` (hex key → value bytes). */
export function referenceRoot(map: ReadonlyMap<string, Uint8Array>, h: RefHash = refKeccak): Uint8Array {
  const entries = [...map.entries()]
    .map(([k, v]) => [Buffer.from(k.replace(/^0x/, ""), "hex"), h(v)] as const)
    .sort((a, b) => Buffer.compare(a[0], b[0]));
  const rec = (list: (typeof entries)[number][], depth: number): Uint8Array => {
    if (list.length === 0) return PLACEHOLDER;
    if (list.length === 1) return h(cat(LEAF, list[0][0], list[0][1]));
    const left = list.filter(([k]) => bit(k, depth) === 0);
    const right = list.filter(([k]) => bit(k, depth) === 1);
    return h(cat(INTERNAL, rec(left, depth + 1), rec(right, depth + 1)));
  };
  return rec(entries, 0);
}

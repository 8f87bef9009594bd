/**
 * Test model of a committed tree that may be wrong: an explicit binary tree (empty, leaf, internal, or an opaque hash
 * whose preimage nobody publishes), built canonically from a key set and then tampered with. It answers proofs the
 * way a dishonest quorum can: any path that does not cross an opaque node.
 */
import { keccak_256 } from "@noble/hashes/sha3";
import { hexlify } from "ethers";

import type { AbiSparseMerkleProof } from "../../keeper/challenger";
import type { Hex } from "../../keeper/common";

export type VNode =
  | { readonly kind: "empty" }
  | { readonly kind: "leaf"; readonly key: Uint8Array; readonly valueHash: Uint8Array }
  | { readonly kind: "internal"; readonly left: VNode; readonly right: VNode }
  | { readonly kind: "opaque"; readonly hash: Uint8Array };

const PLACEHOLDER = Uint8Array.from(Buffer.from("SPARSE_MERKLE_PLACEHOLDER_HASH__", "ascii"));
const LEAF = Uint8Array.from(Buffer.from("JMT::LeafNode", "ascii"));
const INTERNAL = Uint8Array.from(Buffer.from("JMT::IntrnalNode", "ascii"));
const EMPTY: VNode = { kind: "empty" };
const ZERO: Hex = `0x${"00".repeat(32)}`;

const bit = (k: Uint8Array, i: number): number => (k[i >> 3] >> (7 - (i & 7))) & 1;
const cat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

const hashes = new WeakMap<VNode, Uint8Array>();

/** The node's hash (memoized). */
export function vhash(node: VNode): Uint8Array {
  const known = hashes.get(node);
  if (known) return known;
  let h: Uint8Array;
  if (node.kind === "empty") h = PLACEHOLDER;
  else if (node.kind === "leaf") h = keccak_256(cat(LEAF, node.key, node.valueHash));
  else if (node.kind === "opaque") h = node.hash;
  else h = keccak_256(cat(INTERNAL, vhash(node.left), vhash(node.right)));
  hashes.set(node, h);
  return h;
}

/** The canonical tree of `entries` (key → value hash): empty, one leaf, or split on the next key bit. */
export function canonical(entries: readonly (readonly [Uint8Array, Uint8Array])[], depth = 0): VNode {
  if (entries.length === 0) return EMPTY;
  if (entries.length === 1) return { kind: "leaf", key: entries[0][0], valueHash: entries[0][1] };
  const left = entries.filter(([k]) => bit(k, depth) === 0);
  const right = entries.filter(([k]) => bit(k, depth) === 1);
  return { kind: "internal", left: canonical(left, depth + 1), right: canonical(right, depth + 1) };
}

/** The proof of `key` (ABI form, siblings leaf→root), or null when the path crosses an opaque node. */
export function vprove(root: VNode, key: Uint8Array): AbiSparseMerkleProof | null {
  const siblings: Uint8Array[] = [];
  let node = root;
  for (let depth = 0; ; depth++) {
    if (node.kind === "opaque") return null;
    if (node.kind === "empty") {
      return { hasLeaf: false, leafKeyHash: ZERO, leafValueHash: ZERO, siblings: rev(siblings) };
    }
    if (node.kind === "leaf") {
      return {
        hasLeaf: true,
        leafKeyHash: hexlify(node.key) as Hex,
        leafValueHash: hexlify(node.valueHash) as Hex,
        siblings: rev(siblings),
      };
    }
    const right = bit(key, depth) === 1;
    siblings.push(vhash(right ? node.left : node.right));
    node = right ? node.right : node.left;
  }
}

const rev = (s: Uint8Array[]): Hex[] => s.map((x) => hexlify(x) as Hex).reverse();

/** Every node position, depth first: [path bits, node]. */
export function positions(root: VNode, path: number[] = []): [number[], VNode][] {
  const out: [number[], VNode][] = [[path, root]];
  if (root.kind === "internal") {
    out.push(...positions(root.left, [...path, 0]), ...positions(root.right, [...path, 1]));
  }
  return out;
}

/** `root` with the node at `path` replaced by `replace(node)`. */
export function replaceAt(root: VNode, path: readonly number[], replace: (node: VNode) => VNode): VNode {
  if (path.length === 0) return replace(root);
  if (root.kind !== "internal") throw new Error("no node at that path");
  const [head, ...rest] = path;
  return head === 0
    ? { kind: "internal", left: replaceAt(root.left, rest, replace), right: root.right }
    : { kind: "internal", left: root.left, right: replaceAt(root.right, rest, replace) };
}

/** A leaf pushed one level down beside an empty sibling (an uncollapsed lone leaf). */
export function pushDown(leaf: VNode, depth: number): VNode {
  if (leaf.kind !== "leaf") throw new Error("not a leaf");
  return bit(leaf.key, depth) === 1
    ? { kind: "internal", left: EMPTY, right: leaf }
    : { kind: "internal", left: leaf, right: EMPTY };
}

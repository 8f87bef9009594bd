import { bytesToHex } from "../common";

import { JmtError } from "./errors";
import type { Hasher } from "./hasher";
import { encodeChildKey, encodeNodeKey, internalHash, nibbleAt, PLACEHOLDER_HASH } from "./node";
import type { TreeReader } from "./storage/reader";
import type { Child, Hash32, KeyHash, NodeKey, StaleNodeIndex, TreeNode, TreeUpdateBatch } from "./types";

/** Sorted, de-duplicated writes: `valueHashes[i]` null = delete `keys[i]`. */
export interface SortedWrites {
  readonly keys: readonly KeyHash[];
  readonly valueHashes: readonly (Hash32 | null)[];
}

/** Result of updating one subtree: gone, a single (not yet placed) leaf, or a written internal node. */
type Sub =
  | { readonly kind: "empty" }
  | { readonly kind: "leaf"; readonly keyHash: KeyHash; readonly valueHash: Hash32; readonly hash: Hash32 }
  | { readonly kind: "internal"; readonly hash: Hash32 };

const EMPTY: Sub = { kind: "empty" };

/** Mutable accumulator of one update (local to one `computeNodes` call). */
interface Ctx {
  readonly version: number;
  readonly hasher: Hasher;
  readonly reader: TreeReader;
  readonly nodes: [NodeKey, TreeNode][];
  readonly stale: StaleNodeIndex[];
  leafDelta: number;
}

/** An existing node and the key it is stored under. */
interface Located {
  readonly node: TreeNode;
  readonly key: NodeKey;
}

/**
 * Computes the nodes of `version` from the tree at `prevVersion` (undefined = empty tree) and the
 * sorted writes, reading existing nodes through `reader` and writing nothing. Returns the new
 * nodes, the stale index entries (every replaced node is stale since `version`), the root and the
 * change in leaf count. Algorithm: Diem JMT paper §4 batch update, leaves collapse upward on delete.
 * @throws JmtError `JMT_ERROR_MISSING_NODE` when a referenced node is not in the store.
 */
export function computeNodes(
  reader: TreeReader,
  hasher: Hasher,
  prevVersion: number | undefined,
  version: number,
  writes: SortedWrites,
): { nodes: [NodeKey, TreeNode][]; staleNodes: StaleNodeIndex[]; root: Hash32; leafDelta: number } {
  const ctx: Ctx = { version, hasher, reader, nodes: [], stale: [], leafDelta: 0 };
  const rootKey = prevVersion === undefined ? undefined : encodeNodeKey(prevVersion, PLACEHOLDER_HASH, 0);
  const existing = rootKey === undefined ? undefined : { node: load(ctx, rootKey), key: rootKey };
  const sub = updateAt(ctx, existing, 0, writes, 0, writes.keys.length);
  const newRootKey = encodeNodeKey(version, PLACEHOLDER_HASH, 0);
  if (sub.kind === "empty") ctx.nodes.push([newRootKey, { kind: "null" }]);
  if (sub.kind === "leaf") ctx.nodes.push([newRootKey, leafNode(sub)]);
  const root = sub.kind === "empty" ? PLACEHOLDER_HASH : sub.hash;
  return { nodes: ctx.nodes, staleNodes: ctx.stale, root, leafDelta: ctx.leafDelta };
}

function load(ctx: Ctx, key: NodeKey): TreeNode {
  return loadNode(ctx.reader, key);
}

/**
 * Reads a node that the tree references.
 * @throws JmtError `JMT_ERROR_MISSING_NODE` when it is not in the store.
 */
export function loadNode(reader: TreeReader, key: NodeKey): TreeNode {
  const node = reader.getNode(key);
  if (node === undefined) {
    throw new JmtError(
      { code: "JMT_ERROR_MISSING_NODE", nodeKey: bytesToHex(key) },
      `JMT node ${bytesToHex(key)} is missing: the version was pruned or the store is damaged`,
    );
  }
  return node;
}

function leafNode(sub: Extract<Sub, { kind: "leaf" }>): TreeNode {
  return { kind: "leaf", keyHash: sub.keyHash, valueHash: sub.valueHash };
}

function makeLeaf(ctx: Ctx, keyHash: KeyHash, valueHash: Hash32): Sub {
  return { kind: "leaf", keyHash, valueHash, hash: ctx.hasher.leaf(keyHash, valueHash) };
}

/** Updates the subtree at `depth` (existing node or none) with writes [lo, hi). */
function updateAt(
  ctx: Ctx,
  existing: Located | undefined,
  depth: number,
  w: SortedWrites,
  lo: number,
  hi: number,
): Sub {
  if (existing !== undefined) ctx.stale.push({ staleSinceVersion: ctx.version, nodeKey: existing.key });
  const node = existing?.node;
  if (node === undefined || node.kind === "null") {
    const { keys, valueHashes } = liveWrites(w, lo, hi);
    ctx.leafDelta += keys.length;
    return build(ctx, depth, keys, valueHashes, 0, keys.length);
  }
  if (node.kind === "leaf") return mergeLeaf(ctx, node, depth, w, lo, hi);
  return updateInternal(ctx, node.children, depth, w, lo, hi);
}

/** The non-delete writes of [lo, hi). */
function liveWrites(w: SortedWrites, lo: number, hi: number): { keys: KeyHash[]; valueHashes: Hash32[] } {
  const keys: KeyHash[] = [];
  const valueHashes: Hash32[] = [];
  for (let i = lo; i < hi; i++) {
    const vh = w.valueHashes[i];
    if (vh === null) continue;
    keys.push(w.keys[i]);
    valueHashes.push(vh);
  }
  return { keys, valueHashes };
}

/** Writes [lo, hi) landing on a subtree that is a single existing leaf: merge and rebuild. */
function mergeLeaf(
  ctx: Ctx,
  leaf: Extract<TreeNode, { kind: "leaf" }>,
  depth: number,
  w: SortedWrites,
  lo: number,
  hi: number,
): Sub {
  const keys: KeyHash[] = [];
  const valueHashes: Hash32[] = [];
  let placed = false;
  for (let i = lo; i <= hi; i++) {
    const cmp = i < hi ? Buffer.compare(leaf.keyHash, w.keys[i]) : -1;
    if (!placed && cmp <= 0) {
      placed = true;
      if (cmp === 0) {
        ctx.leafDelta -= 1;
      } else {
        keys.push(leaf.keyHash);
        valueHashes.push(leaf.valueHash);
      }
    }
    if (i === hi) break;
    const vh = w.valueHashes[i];
    if (vh === null) continue;
    ctx.leafDelta += 1;
    keys.push(w.keys[i]);
    valueHashes.push(vh);
  }
  return build(ctx, depth, keys, valueHashes, 0, keys.length);
}

/** Builds a fresh subtree at `depth` from sorted distinct live entries [lo, hi). */
function build(ctx: Ctx, depth: number, keys: KeyHash[], vhs: Hash32[], lo: number, hi: number): Sub {
  if (hi === lo) return EMPTY;
  if (hi - lo === 1) return makeLeaf(ctx, keys[lo], vhs[lo]);
  const pending: (Sub | undefined)[] = new Array(16).fill(undefined);
  let i = lo;
  while (i < hi) {
    const nib = nibbleAt(keys[i], depth);
    let j = i + 1;
    while (j < hi && nibbleAt(keys[j], depth) === nib) j++;
    pending[nib] = build(ctx, depth + 1, keys, vhs, i, j);
    i = j;
  }
  return emitInternal(ctx, NO_CHILDREN, pending, keys[lo], depth);
}

const NO_CHILDREN: readonly (Child | undefined)[] = new Array(16).fill(undefined);

/** Applies writes [lo, hi) below an existing internal node, child by child. */
function updateInternal(
  ctx: Ctx,
  children: readonly (Child | undefined)[],
  depth: number,
  w: SortedWrites,
  lo: number,
  hi: number,
): Sub {
  const pending: (Sub | undefined)[] = new Array(16).fill(undefined);
  let i = lo;
  while (i < hi) {
    const nib = nibbleAt(w.keys[i], depth);
    let j = i + 1;
    while (j < hi && nibbleAt(w.keys[j], depth) === nib) j++;
    const child = children[nib];
    const key = child === undefined ? undefined : encodeChildKey(child.version, w.keys[i], depth, nib);
    const existing = key === undefined ? undefined : { node: load(ctx, key), key };
    pending[nib] = updateAt(ctx, existing, depth + 1, w, i, j);
    i = j;
  }
  const anyKey = lo < hi ? w.keys[lo] : undefined;
  return finishInternal(ctx, children, pending, anyKey, depth);
}

/**
 * After the children of an internal node were updated: no child left → empty; a single leaf left
 * → that leaf moves up (collapse; an untouched leaf is re-read and marked stale); else a new node.
 * `anyKey` is any key under this node (undefined only for an empty batch at the root).
 */
function finishInternal(
  ctx: Ctx,
  children: readonly (Child | undefined)[],
  pending: (Sub | undefined)[],
  anyKey: KeyHash | undefined,
  depth: number,
): Sub {
  let count = 0;
  let last = -1;
  for (let n = 0; n < 16; n++) {
    const sub = pending[n];
    if (sub === undefined ? children[n] !== undefined : sub.kind !== "empty") {
      count++;
      last = n;
    }
  }
  if (count === 0) return EMPTY;
  const path = anyKey ?? PLACEHOLDER_HASH;
  if (count === 1) {
    const sub = pending[last];
    if (sub?.kind === "leaf") return sub;
    const child = children[last];
    if (sub === undefined && child?.isLeaf) {
      const key = encodeChildKey(child.version, path, depth, last);
      const node = load(ctx, key) as Extract<TreeNode, { kind: "leaf" }>;
      ctx.stale.push({ staleSinceVersion: ctx.version, nodeKey: key });
      return { kind: "leaf", keyHash: node.keyHash, valueHash: node.valueHash, hash: child.hash };
    }
  }
  return emitInternal(ctx, children, pending, path, depth);
}

/** Places pending leaves under this node, writes the internal node at (version, path). */
function emitInternal(
  ctx: Ctx,
  children: readonly (Child | undefined)[],
  pending: (Sub | undefined)[],
  path: KeyHash,
  depth: number,
): Sub {
  const next: (Child | undefined)[] = new Array(16);
  for (let n = 0; n < 16; n++) {
    const sub = pending[n];
    if (sub === undefined) next[n] = children[n];
    else if (sub.kind === "empty") next[n] = undefined;
    else {
      if (sub.kind === "leaf") ctx.nodes.push([encodeChildKey(ctx.version, path, depth, n), leafNode(sub)]);
      next[n] = { hash: sub.hash, version: ctx.version, isLeaf: sub.kind === "leaf" };
    }
  }
  const node: TreeNode = { kind: "internal", children: next };
  ctx.nodes.push([encodeNodeKey(ctx.version, path, depth), node]);
  return { kind: "internal", hash: internalHash(node, ctx.hasher) };
}

/** Assembles the batch for storage from computed nodes (helper for callers). */
export function assembleBatch(
  version: number,
  computed: ReturnType<typeof computeNodes>,
  leafCount: number,
  values: readonly (readonly [Hash32, Uint8Array])[],
): TreeUpdateBatch {
  return {
    info: { version, root: computed.root, leafCount },
    nodes: computed.nodes,
    staleNodes: computed.staleNodes,
    values,
  };
}

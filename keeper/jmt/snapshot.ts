import { bytesEqual, bytesToHex } from "../common";

import { JmtError } from "./errors";
import type { Hasher } from "./hasher";
import { encodeChildKey, encodeNodeKey, PLACEHOLDER_HASH } from "./node";
import type { TreeReader } from "./storage/reader";
import type { Hash32, KeyHash, TreeNode, TreeUpdateBatch } from "./types";
import { assembleBatch, computeNodes, loadNode, type SortedWrites } from "./update";

/**
 * Yields every leaf of `version` as [32-byte key hash, value bytes] in ascending key order, by a
 * depth-first walk (nibble order = key order). Memory: one path of nodes. The caller checks the
 * version is readable.
 * @throws JmtError `JMT_ERROR_MISSING_VALUE` when a leaf's value bytes are not stored.
 */
export function* exportLeaves(reader: TreeReader, version: number): Generator<[KeyHash, Uint8Array]> {
  yield* walk(reader, loadNode(reader, encodeNodeKey(version, PLACEHOLDER_HASH, 0)), new Uint8Array(32), 0);
}

function* walk(reader: TreeReader, node: TreeNode, path: Uint8Array, depth: number): Generator<[KeyHash, Uint8Array]> {
  for (const leaf of leavesBelow(reader, node, path, depth)) {
    if (leaf.value === undefined) {
      const valueHash = bytesToHex(leaf.valueHash);
      throw new JmtError({ code: "JMT_ERROR_MISSING_VALUE", valueHash }, `value ${valueHash} is not stored`);
    }
    yield [leaf.keyHash, leaf.value];
  }
}

/**
 * Yields every leaf below `node` (a node at nibble `depth` whose key path starts with `path`, 32 bytes) in
 * ascending key order by a depth-first walk, with its value bytes when the store holds them (undefined when
 * not). Shared by the snapshot export and the state-sync chunks.
 */
export function* leavesBelow(
  reader: TreeReader,
  node: TreeNode,
  path: Uint8Array,
  depth: number,
): Generator<{ keyHash: KeyHash; valueHash: Hash32; value: Uint8Array | undefined }> {
  if (node.kind === "null") return;
  if (node.kind === "leaf") {
    yield { keyHash: node.keyHash, valueHash: node.valueHash, value: reader.getValue(node.valueHash) };
    return;
  }
  for (let n = 0; n < 16; n++) {
    const child = node.children[n];
    if (child === undefined) continue;
    const key = encodeChildKey(child.version, path, depth, n);
    const childPath = path.slice();
    childPath.set(key.subarray(9), 0);
    yield* leavesBelow(reader, loadNode(reader, key), childPath, depth + 1);
  }
}

/**
 * Builds the batch that recreates a tree as `version` from sorted snapshot leaves and checks its
 * root; nothing is written here.
 * @throws JmtError `JMT_ERROR_ROOT_MISMATCH` when the root ≠ `expectedRoot` (32 bytes).
 */
export function importLeaves(
  reader: TreeReader,
  hasher: Hasher,
  version: number,
  sorted: SortedWrites,
  values: readonly (readonly [Hash32, Uint8Array])[],
  expectedRoot: Hash32,
): TreeUpdateBatch {
  const computed = computeNodes(reader, hasher, undefined, version, sorted);
  if (!bytesEqual(computed.root, expectedRoot)) {
    const expected = bytesToHex(expectedRoot);
    const actual = bytesToHex(computed.root);
    throw new JmtError(
      { code: "JMT_ERROR_ROOT_MISMATCH", expected, actual },
      `snapshot rebuilds root ${actual}, expected ${expected}: the snapshot is incomplete or wrong`,
    );
  }
  return assembleBatch(version, computed, computed.leafDelta, values);
}

/**
 * The key-opening challenge, played from the keeper (contract: `KeyOpening`, through the ChallengeVerifier).
 *
 * - {@link openingAnswer}: what a resolver (any operator holding the committed tree) sends to `resolveOpening`.
 * - {@link nextOpeningMove}: the challenger's strategy. Given the path a resolution revealed for key K and the
 *   challenger's correct tree, it either names a fraud proof (a key whose value the revealed path misstates, or the
 *   malformed path itself, for `challengeCommit`), or the key to open next (a descent below the highest revealed
 *   sibling that differs from the correct tree), or nothing (the revealed subtree is correct).
 *
 * Canonical tree (what `keeper/jmt` builds): the subtree of a binary key prefix holding no key is the placeholder,
 * one key its leaf hash, two or more `internal(left, right)`. Every revealed path is checked top-down against that
 * function of the correct key set; hashes are collision resistant, so all answers about one root describe one tree.
 */
import { keccak_256 } from "@noble/hashes/sha3";
import { getBytes, hexlify } from "ethers";

import { NO_WRITE, type WriteRecord } from "../chain";
import { bytesEqual, type Hex } from "../common";
import type { SparseMerkleProof } from "../jmt";
import { toAbiProof, type AbiSparseMerkleProof } from "../window";
import { noWriteRecord, type SuccessorWitness } from "./commit-challenge";

const PLACEHOLDER = Uint8Array.from(Buffer.from("SPARSE_MERKLE_PLACEHOLDER_HASH__", "ascii"));
const LEAF_DOMAIN = Uint8Array.from(Buffer.from("JMT::LeafNode", "ascii"));
const INTERNAL_DOMAIN = Uint8Array.from(Buffer.from("JMT::IntrnalNode", "ascii"));
const ZERO: Hex = `0x${"00".repeat(32)}`;

const cat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));
const leafHash = (k: Uint8Array, v: Uint8Array): Uint8Array => keccak_256(cat(LEAF_DOMAIN, k, v));
const internalHash = (l: Uint8Array, r: Uint8Array): Uint8Array => keccak_256(cat(INTERNAL_DOMAIN, l, r));

/** Bit `i` (0 = most significant) of a 32-byte key. */
export function keyBit(key: Uint8Array, i: number): number {
  return (key[i >> 3] >> (7 - (i & 7))) & 1;
}

/** Number of leading bits two 32-byte keys share (256 when equal). */
export function sharedBits(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < 32; i++) {
    const x = a[i] ^ b[i];
    if (x !== 0) return i * 8 + Math.clz32(x) - 24;
  }
  return 256;
}

/** `key`'s first `bits` bits with bit `bits − 1` flipped (when `flipLast`) and every later bit zero. */
function prefixKey(key: Uint8Array, bits: number, flipLast: boolean): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < bits; i++) {
    const b = i === bits - 1 && flipLast ? 1 - keyBit(key, i) : keyBit(key, i);
    if (b) out[i >> 3] |= 1 << (7 - (i & 7));
  }
  return out;
}

/** The challenger's correct tree at the challenged commit, as far as the game needs it. */
export interface CorrectState {
  /** The correct tree's proof for `keyHash` (keeper/jmt form: siblings leaf→root). */
  prove(keyHash: Uint8Array): SparseMerkleProof;
  /** Up to `limit` keys of the correct tree whose first `bits` bits equal `prefix`'s, ascending. */
  keysUnder(prefix: Uint8Array, bits: number, limit: number): Uint8Array[];
}

/**
 * A {@link CorrectState} over a list of every key of the correct tree and a prover (e.g. a `JellyfishMerkleTree`
 * at the commit's version and its `exportSnapshot` keys).
 * @param keys - every key of the correct tree (any order; sorted here).
 */
export function correctStateFrom(prove: (keyHash: Uint8Array) => SparseMerkleProof, keys: Iterable<Uint8Array>) {
  const sorted = [...keys].sort((a, b) => Buffer.compare(a, b));
  const lowerBound = (k: Uint8Array): number => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (Buffer.compare(sorted[mid], k) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const state: CorrectState = {
    prove,
    keysUnder(prefix, bits, limit) {
      const out: Uint8Array[] = [];
      for (let i = lowerBound(prefixKey(prefix, bits, false)); i < sorted.length && out.length < limit; i++) {
        if (sharedBits(sorted[i], prefix) < bits) break;
        out.push(sorted[i]);
      }
      return out;
    },
  };
  return state;
}

/** What `resolveOpening` takes besides the id: the key's write witness and its proof against the committed root. */
export interface OpeningAnswer {
  readonly write: WriteRecord;
  readonly successor: SuccessorWitness;
  readonly proof: AbiSparseMerkleProof;
}

/**
 * The key's latest write below `writeIndexEnd` (or a NO_WRITE record) and the successor witness, as
 * `challengeCommit` and `resolveOpening` check them.
 * @param writeLog - every indexed write to the key (others are ignored), any order; indexes as on chain.
 */
export function latestWriteWitness(
  writeLog: readonly WriteRecord[],
  keyHash: Hex,
  writeIndexEnd: bigint,
): { write: WriteRecord; successor: SuccessorWitness; expectedValueHash: Hex } {
  const key = keyHash.toLowerCase();
  const writes = writeLog
    .filter((w) => w.keyHash.toLowerCase() === key)
    .sort((a, b) => (a.writeIndex < b.writeIndex ? -1 : 1));
  const write = writes.filter((w) => w.writeIndex < writeIndexEnd).at(-1) ?? noWriteRecord(keyHash);
  const next = writes.find((w) => w.writeIndex >= writeIndexEnd);
  const successor: SuccessorWitness = next
    ? { keyHasNoLaterWrite: false, next }
    : { keyHasNoLaterWrite: true, next: noWriteRecord(ZERO) };
  const expectedValueHash = write.writeIndex === NO_WRITE ? ZERO : write.valueHash;
  return { write, successor, expectedValueHash };
}

/**
 * The answer to an opening challenge of `keyHash`, from a tree whose root is the committed one.
 * @param prove - the committed tree's prover (e.g. `(k) => tree.getWithProof(k, sequenceNo).proof`).
 */
export function openingAnswer(
  prove: (keyHash: Uint8Array) => SparseMerkleProof,
  writeLog: readonly WriteRecord[],
  keyHash: Hex,
  writeIndexEnd: bigint,
): OpeningAnswer {
  const { write, successor } = latestWriteWitness(writeLog, keyHash, writeIndexEnd);
  return { write, successor, proof: toAbiProof(prove(getBytes(keyHash))) };
}

/** The challenger's next step after a resolution (see the module header). */
export type OpeningMove =
  | { readonly kind: "fraud"; readonly keyHash: Hex; readonly proof: AbiSparseMerkleProof; readonly reason: string }
  | { readonly kind: "descend"; readonly keyHash: Hex; readonly level: number }
  | { readonly kind: "none" };

/** Whether `JmtProof.open` calls the path malformed: a leaf off the key's path, or an empty deepest sibling. */
export function isMalformedPath(keyHash: Uint8Array, proof: AbiSparseMerkleProof): boolean {
  const depth = proof.siblings.length;
  if (proof.hasLeaf) {
    const leaf = getBytes(proof.leafKeyHash);
    if (!bytesEqual(leaf, keyHash) && sharedBits(keyHash, leaf) < depth) return true;
  }
  return depth !== 0 && bytesEqual(getBytes(proof.siblings[0]), PLACEHOLDER);
}

/** Node hashes along `key`'s path, index = depth (0 = root … siblings.length = terminal). */
function pathNodes(key: Uint8Array, terminal: Uint8Array, siblingsLeafFirst: readonly Uint8Array[]): Uint8Array[] {
  const t = siblingsLeafFirst.length;
  const nodes: Uint8Array[] = new Array<Uint8Array>(t + 1);
  nodes[t] = terminal;
  for (let depth = t; depth >= 1; depth--) {
    const sibling = siblingsLeafFirst[t - depth];
    nodes[depth - 1] =
      keyBit(key, depth - 1) === 1 ? internalHash(sibling, nodes[depth]) : internalHash(nodes[depth], sibling);
  }
  return nodes;
}

/**
 * The challenger's move after challenge (key `keyHash`, level `level`) was resolved with `proof` (the revealed
 * path), against `correct` (the challenger's correct tree at the commit). Walking down from the disputed level:
 * a path node equal to the correct one means nothing is wrong below (`none`); a wrong terminal names a misstated key
 * (`fraud`, with the revealed proof); a correct path child means the sibling is where the tree goes wrong (or the
 * node is an uncollapsed lone leaf), so the next key opened lies below that sibling (`descend`, level + ≥ 1).
 */
export function nextOpeningMove(args: {
  readonly keyHash: Hex;
  readonly level: number;
  readonly proof: AbiSparseMerkleProof;
  readonly correct: CorrectState;
}): OpeningMove {
  const key = getBytes(args.keyHash);
  const { proof, correct } = args;
  if (isMalformedPath(key, proof)) return { kind: "fraud", keyHash: args.keyHash, proof, reason: "malformed path" };

  const revealedTerminal = proof.hasLeaf
    ? leafHash(getBytes(proof.leafKeyHash), getBytes(proof.leafValueHash))
    : PLACEHOLDER;
  const revealedSiblings = proof.siblings.map((s) => getBytes(s));
  const revealed = pathNodes(key, revealedTerminal, revealedSiblings);
  const t = revealedSiblings.length;

  const cp = correct.prove(key);
  const cSiblings = cp.siblings;
  const u = cSiblings.length;
  const cTerminal = cp.leaf ? leafHash(cp.leaf.keyHash, cp.leaf.valueHash) : PLACEHOLDER;
  const cNodes = pathNodes(key, cTerminal, cSiblings);
  // The correct hash of key's depth-j prefix for any j (beyond the correct terminal the subtree holds at most the
  // terminal's leaf).
  const corrNode = (j: number): Uint8Array => {
    if (j <= u) return cNodes[j];
    return cp.leaf && sharedBits(cp.leaf.keyHash, key) >= j ? cTerminal : PLACEHOLDER;
  };
  const someKeyUnder = (prefix: Uint8Array, bits: number): Uint8Array | undefined =>
    correct.keysUnder(prefix, bits, 1)[0];

  for (let j = args.level; j <= t; j++) {
    if (bytesEqual(revealed[j], corrNode(j))) return { kind: "none" };
    if (j === t) {
      // The revealed terminal (leaf or empty) differs from the correct subtree at K's depth-t prefix: some key under
      // that prefix is misstated, and the revealed proof proves it (every key under the prefix folds the same way).
      const under = correct.keysUnder(key, t, 2);
      if (proof.hasLeaf) {
        const leafKey = getBytes(proof.leafKeyHash);
        const cl = correct.prove(leafKey).leaf;
        const right = cl !== undefined && bytesEqual(cl.keyHash, leafKey);
        if (!right || !bytesEqual(cl.valueHash, getBytes(proof.leafValueHash))) {
          return { kind: "fraud", keyHash: proof.leafKeyHash, proof, reason: "leaf misstates its key" };
        }
        const other = under.find((k) => !bytesEqual(k, leafKey));
        if (other) return { kind: "fraud", keyHash: hexlify(other) as Hex, proof, reason: "key dropped" };
      } else if (under.length > 0) {
        return { kind: "fraud", keyHash: hexlify(under[0]) as Hex, proof, reason: "key dropped" };
      }
      return { kind: "none" };
    }
    if (!bytesEqual(revealed[j + 1], corrNode(j + 1))) continue;
    // The path child is correct, so the sibling is where this subtree goes wrong (or, both being correct, the node is
    // an uncollapsed lone leaf: opening the sibling's key reveals it with an empty deepest sibling).
    const siblingPrefix = prefixKey(key, j + 1, true);
    const target = someKeyUnder(siblingPrefix, j + 1) ?? siblingPrefix;
    return { kind: "descend", keyHash: hexlify(target) as Hex, level: j + 1 };
  }
  return { kind: "none" };
}

import { bytesToHex, concatBytes, type Hex } from "../common";

import type { Hasher } from "./hasher";
import { writeU64 } from "./node";
import { MemoryTreeStore } from "./storage/memory";
import { JellyfishMerkleTree } from "./tree";
import type { KeyHash, SparseMerkleProof, Write } from "./types";

/** How a fixture tree's keys are drawn. */
export type KeyShape =
  /** Uniform pseudo-random 32-byte keys. */
  | "random"
  /** Half the keys share their first 24 bits (deep internal chains), the rest random. */
  | "deepPrefix"
  /** Pairs of keys differing only in their last bit (deepest possible split). */
  | "adjacent";

/** One fixture file: a tree of `leafCount` leaves and `cases` proofs against its root. */
export interface FixtureSpec {
  readonly name: string;
  readonly leafCount: number;
  readonly cases: number;
  readonly keyShape: KeyShape;
  /** Seed string; keys and values are H(seed ‖ counter) so files are reproducible. */
  readonly seed: string;
}

/** A proof in JSON: 0x-hex, siblings leaf → root. */
export interface ProofJson {
  readonly leaf?: { readonly keyHash: Hex; readonly valueHash: Hex };
  readonly siblings: Hex[];
}

/**
 * One verifier case: `valueHash` null = exclusion. `kind` says which proof shape it exercises.
 * The Solidity verifier must accept it as is, and reject it after any tampering.
 */
export interface FixtureCase {
  readonly kind: "inclusion" | "exclusion-empty" | "exclusion-leaf";
  readonly root: Hex;
  readonly keyHash: Hex;
  readonly valueHash: Hex | null;
  readonly proof: ProofJson;
}

/** Converts a proof to its 0x-hex JSON form. */
export function proofToJson(proof: SparseMerkleProof): ProofJson {
  const siblings = proof.siblings.map((s) => bytesToHex(s));
  if (proof.leaf === undefined) return { siblings };
  return { leaf: { keyHash: bytesToHex(proof.leaf.keyHash), valueHash: bytesToHex(proof.leaf.valueHash) }, siblings };
}

/** Deterministic 32 bytes: H(seed ‖ tag ‖ i as u64 BE). */
function draw(hasher: Hasher, seed: string, tag: string, i: number): Uint8Array {
  const n = new Uint8Array(8);
  writeU64(n, 0, i);
  return hasher.hash(concatBytes(Buffer.from(`${seed}/${tag}`, "utf8"), n));
}

/** The keys of a fixture tree (distinct with overwhelming probability; duplicates collapse). */
export function fixtureKeys(spec: FixtureSpec, hasher: Hasher): KeyHash[] {
  const keys: KeyHash[] = [];
  const prefix = draw(hasher, spec.seed, "prefix", 0);
  for (let i = 0; keys.length < spec.leafCount; i++) {
    const k = draw(hasher, spec.seed, "key", i);
    if (spec.keyShape === "deepPrefix" && i % 2 === 0) k.set(prefix.subarray(0, 3), 0);
    keys.push(k);
    if (spec.keyShape === "adjacent" && keys.length < spec.leafCount) {
      const twin = k.slice();
      twin[31] ^= 1;
      keys.push(twin);
    }
  }
  return keys;
}

/**
 * Builds the fixture tree in memory (one version) and returns its proof cases: half inclusion
 * of spread-out keys, half exclusion (the last-bit twin of a key = a leaf sharing 255 bits or an
 * empty slot, and random absent keys). Pure: no I/O.
 */
export function generateFixtureCases(spec: FixtureSpec, hasher: Hasher): FixtureCase[] {
  const store = new MemoryTreeStore();
  const tree = new JellyfishMerkleTree({ store, hasher });
  const keys = fixtureKeys(spec, hasher);
  const writes: Write[] = keys.map((k, i) => [k, draw(hasher, spec.seed, "value", i).subarray(0, 4 + (i % 61))]);
  const present = new Set(keys.map((k) => bytesToHex(k)));
  const root = tree.putValueSet(0, writes).root;
  const cases: FixtureCase[] = [];
  for (let c = 0; c < spec.cases; c++) {
    const pick = keys[Math.floor((c * keys.length) / spec.cases) % keys.length];
    let key = pick;
    if (c % 2 === 1) {
      key = c % 4 === 1 ? pick.slice() : draw(hasher, spec.seed, "absent", c);
      if (c % 4 === 1) key[31] ^= spec.keyShape === "adjacent" ? 2 : 1;
      if (present.has(bytesToHex(key))) continue;
    }
    cases.push(toCase(tree, root, key));
  }
  return cases;
}

function toCase(tree: JellyfishMerkleTree, root: Uint8Array, key: KeyHash): FixtureCase {
  const { value, proof } = tree.getWithProof(key, 0);
  const kind = value !== null ? "inclusion" : proof.leaf === undefined ? "exclusion-empty" : "exclusion-leaf";
  return {
    kind,
    root: bytesToHex(root),
    keyHash: bytesToHex(key),
    valueHash: value === null ? null : bytesToHex(tree.hasher.hash(value)),
    proof: proofToJson(proof),
  };
}

/** The committed fixture files (`test/fixtures/jmt/<name>.json`). */
export const FIXTURE_SPECS: readonly FixtureSpec[] = [
  { name: "leaves-1", leafCount: 1, cases: 8, keyShape: "random", seed: "newton-jmt-1" },
  { name: "leaves-2", leafCount: 2, cases: 16, keyShape: "random", seed: "newton-jmt-2" },
  { name: "leaves-10", leafCount: 10, cases: 64, keyShape: "random", seed: "newton-jmt-10" },
  { name: "leaves-100", leafCount: 100, cases: 64, keyShape: "random", seed: "newton-jmt-100" },
  { name: "leaves-1000", leafCount: 1000, cases: 64, keyShape: "random", seed: "newton-jmt-1000" },
  { name: "leaves-10000", leafCount: 10000, cases: 64, keyShape: "random", seed: "newton-jmt-10000" },
  { name: "deep-prefix-1000", leafCount: 1000, cases: 64, keyShape: "deepPrefix", seed: "newton-jmt-deep" },
  { name: "adjacent-1000", leafCount: 1000, cases: 16, keyShape: "adjacent", seed: "newton-jmt-adjacent" },
];

import { expect } from "chai";
import fc from "fast-check";

import { bytesToHex } from "../../../keeper/common";

import {
  bitAt,
  commonPrefixBits,
  createKeccakHasher,
  type Hasher,
  JellyfishMerkleTree,
  MemoryTreeStore,
  type SparseMerkleProof,
  verifyProof,
  verifyProofByValueHash,
} from "../../../keeper/jmt";

describe("JellyfishMerkleTree", () => {
  let hasher: Hasher;
  let tree: JellyfishMerkleTree;
  let keys: Uint8Array[];
  let root: Uint8Array;
  const value = (i: number): Uint8Array => Uint8Array.of(i & 0xff, i >> 8, 42);

  before(async () => {
    hasher = await createKeccakHasher();
    tree = new JellyfishMerkleTree({ store: new MemoryTreeStore(), hasher });
    keys = Array.from({ length: 2000 }, (_, i) => hasher.hash(Uint8Array.of(i & 0xff, i >> 8)));
    // a cluster sharing 24 leading bits and an adjacent pair (differ in the last bit)
    for (let i = 0; i < 8; i++)
      keys.push(Uint8Array.from([0x5a, 0x5a, 0x5a, ...hasher.hash(Uint8Array.of(9, i)).subarray(3)]));
    const twin = keys[0].slice();
    twin[31] ^= 1;
    keys.push(twin);
    tree.putValueSet(
      0,
      keys.slice(0, 1000).map((k, i) => [k, value(i)]),
    );
    root = tree.putValueSet(
      1,
      keys.slice(1000).map((k, i) => [k, value(i + 1000)]),
    ).root;
  });

  describe("getWithProof", () => {
    /** Invariant: every present key has an inclusion proof that verifies against the root. */
    it("returns a verifying inclusion proof for every key", () => {
      keys.forEach((k, i) => {
        const { value: v, proof } = tree.getWithProof(k, 1);
        expect(bytesToHex(v as Uint8Array)).to.equal(bytesToHex(value(i)));
        expect(bytesToHex(proof.leaf?.keyHash as Uint8Array)).to.equal(bytesToHex(k));
        expect(verifyProof(root, k, v, proof, hasher)).to.equal(true);
      });
      // the default (noble keccak) verifier agrees
      expect(verifyProof(root, keys[5], value(5), tree.getWithProof(keys[5], 1).proof)).to.equal(true);
    });

    /** Invariant: absent keys get exclusion proofs of both kinds, which verify with value null. */
    it("returns verifying exclusion proofs (empty subtree and other leaf) for absent keys", () => {
      const kinds = { empty: 0, leaf: 0 };
      const absent = Array.from({ length: 500 }, (_, i) => hasher.hash(Uint8Array.of(1, 2, i & 0xff, i >> 8)));
      absent.push(keys[1].slice().fill(0x5a, 0, 3));
      const twinOfCluster = keys[2000].slice();
      twinOfCluster[31] ^= 1;
      absent.push(twinOfCluster);
      for (const k of absent) {
        const { value: v, proof } = tree.getWithProof(k, 1);
        expect(v).to.equal(null);
        expect(verifyProof(root, k, null, proof, hasher)).to.equal(true);
        expect(verifyProof(root, k, Uint8Array.of(1), proof, hasher)).to.equal(false);
        if (proof.leaf === undefined) kinds.empty++;
        else {
          kinds.leaf++;
          expect(commonPrefixBits(proof.leaf.keyHash, k)).to.be.at.least(proof.siblings.length);
        }
      }
      expect(kinds.empty).to.be.greaterThan(0);
      expect(kinds.leaf).to.be.greaterThan(0);
    });

    it("proves the adjacent pair with 256 siblings", () => {
      const { proof } = tree.getWithProof(keys[0], 1);
      expect(proof.siblings.length).to.equal(256);
      expect(bitAt(keys[0], 255)).to.not.equal(bitAt(keys[keys.length - 1], 255));
    });

    it("serves older versions", () => {
      const r0 = tree.rootAt(0);
      const { value: v, proof } = tree.getWithProof(keys[1500], 0);
      expect(v).to.equal(null);
      expect(verifyProof(r0, keys[1500], null, proof, hasher)).to.equal(true);
    });
  });

  describe("verifyProof", () => {
    const tamper = (p: SparseMerkleProof, kind: number, i: number, other: SparseMerkleProof): SparseMerkleProof => {
      const siblings: Uint8Array[] = p.siblings.map((s) => Uint8Array.from(s));
      if (kind === 0 && siblings.length > 0) siblings[i % siblings.length][i % 32] ^= 1 << (i % 8);
      if (kind === 1) siblings.splice(i % (siblings.length + 1), 0, hasher.hash(Uint8Array.of(i)));
      if (kind === 2 && siblings.length > 0) siblings.splice(i % siblings.length, 1);
      if (kind === 3) return { leaf: other.leaf, siblings };
      if (kind === 4 && p.leaf)
        return { leaf: { keyHash: p.leaf.keyHash, valueHash: hasher.hash(p.leaf.valueHash) }, siblings };
      if (kind === 5) return { siblings };
      return { leaf: p.leaf, siblings };
    };

    /** Invariant: flipping/adding/removing a sibling, swapping or dropping the leaf, or changing value or root fails. */
    it("rejects tampered proofs, values and roots (fast-check)", () => {
      fc.assert(
        fc.property(
          fc.nat(keys.length - 1),
          fc.nat(keys.length - 1),
          fc.integer({ min: 0, max: 5 }),
          fc.nat(),
          (a, b, kind, i) => {
            fc.pre(a !== b);
            const { value: v, proof } = tree.getWithProof(keys[a], 1);
            const other = tree.getWithProof(keys[b], 1).proof;
            const bad = tamper(proof, kind, i, other);
            fc.pre(kind !== 0 || proof.siblings.length > 0);
            fc.pre(kind !== 2 || proof.siblings.length > 0);
            expect(verifyProof(root, keys[a], v, bad, hasher)).to.equal(false);
            const wrongValue = Uint8Array.from([...(v as Uint8Array), 1]);
            expect(verifyProof(root, keys[a], wrongValue, proof, hasher)).to.equal(false);
            const wrongRoot = root.slice();
            wrongRoot[i % 32] ^= 1;
            expect(verifyProof(wrongRoot, keys[a], v, proof, hasher)).to.equal(false);
            expect(verifyProof(root, keys[a], null, proof, hasher)).to.equal(false);
          },
        ),
        { numRuns: 300 },
      );
    });

    it("checks by value hash and rejects malformed shapes", () => {
      const { proof } = tree.getWithProof(keys[3], 1);
      expect(verifyProofByValueHash(root, keys[3], hasher.hash(value(3)), proof, hasher)).to.equal(true);
      expect(verifyProofByValueHash(root, keys[3], new Uint8Array(32), proof, hasher)).to.equal(false);
      const short = { leaf: proof.leaf, siblings: [new Uint8Array(31), ...proof.siblings.slice(1)] };
      expect(verifyProofByValueHash(root, keys[3], hasher.hash(value(3)), short, hasher)).to.equal(false);
      const long = { leaf: proof.leaf, siblings: Array.from({ length: 257 }, () => new Uint8Array(32)) };
      expect(verifyProofByValueHash(root, keys[3], hasher.hash(value(3)), long, hasher)).to.equal(false);
    });
  });
});

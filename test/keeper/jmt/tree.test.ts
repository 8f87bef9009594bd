import { expect } from "chai";
import fc from "fast-check";

import { bytesToHex, hexToBytes } from "../../../keeper/common";
import {
  createKeccakHasher,
  type Hasher,
  JellyfishMerkleTree,
  JmtError,
  MemoryTreeStore,
  PLACEHOLDER_HASH,
  verifyProof,
  type Write,
} from "../../../keeper/jmt";

import { referenceRoot } from "./reference";

/** Keys that share long prefixes and differ in the last bits as often as they are random. */
const keyArb = fc.oneof(
  fc.uint8Array({ minLength: 32, maxLength: 32 }),
  fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 255 })).map(([a, b]) => {
    const k = new Uint8Array(32).fill(0xab);
    k[0] = a;
    k[31] = b;
    return k;
  }),
);
const valueArb = fc.uint8Array({ minLength: 0, maxLength: 40 });

type Op = [keyIndex: number, value: Uint8Array | null];

function expectJmtError(fn: () => unknown, code: string): JmtError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(JmtError);
    expect((err as JmtError).code).to.equal(code);
    return err as JmtError;
  }
  throw new Error(`expected ${code}`);
}

describe("JellyfishMerkleTree", () => {
  let hasher: Hasher;
  const newTree = (): JellyfishMerkleTree => new JellyfishMerkleTree({ store: new MemoryTreeStore(), hasher });

  before(async () => {
    hasher = await createKeccakHasher();
  });

  describe("hasher", () => {
    it("computes keccak256 (known answer for the empty string)", () => {
      expect(bytesToHex(hasher.hash(new Uint8Array(0)))).to.equal(
        "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
      );
      const a = hasher.hash(Uint8Array.of(1));
      hasher.hash(Uint8Array.of(2));
      expect(bytesToHex(a)).to.equal(bytesToHex(hasher.hash(Uint8Array.of(1))));
    });
  });

  describe("putValueSet", () => {
    it("starts at the placeholder root and accepts only dense versions", () => {
      const tree = newTree();
      expect(tree.latestVersion()).to.equal(undefined);
      expectJmtError(() => tree.putValueSet(1, []), "JMT_ERROR_VERSION_NOT_NEXT");
      expect(bytesToHex(tree.putValueSet(0, []).root)).to.equal(bytesToHex(PLACEHOLDER_HASH));
      const err = expectJmtError(() => tree.putValueSet(0, []), "JMT_ERROR_VERSION_NOT_NEXT");
      expect(err.type).to.include({ expected: 1, actual: 0 });
      expectJmtError(() => tree.rootAt(5), "JMT_ERROR_VERSION_NOT_FOUND");
    });

    it("rejects key hashes that are not 32 bytes with JMT_ERROR_INVALID_KEY", () => {
      const err = expectJmtError(
        () => newTree().putValueSet(0, [[new Uint8Array(31), Uint8Array.of(1)]]),
        "JMT_ERROR_INVALID_KEY",
      );
      expect(err.type).to.include({ expected: 32, actual: 31 });
    });

    /** Invariant: an empty batch creates the next version with the same root and contents. */
    it("keeps the root on an empty batch", () => {
      const tree = newTree();
      const k = new Uint8Array(32).fill(1);
      const r0 = tree.putValueSet(0, [[k, Uint8Array.of(7)]]).root;
      expect(bytesToHex(tree.putValueSet(1, []).root)).to.equal(bytesToHex(r0));
      expect(tree.get(k, 1)).to.deep.equal(Uint8Array.of(7));
    });

    /** Invariant: within a batch the last write of a key wins. */
    it("applies the last write of a duplicated key", () => {
      const tree = newTree();
      const k = new Uint8Array(32).fill(2);
      tree.putValueSet(0, [
        [k, Uint8Array.of(1)],
        [k, Uint8Array.of(2)],
      ]);
      expect(tree.get(k, 0)).to.deep.equal(Uint8Array.of(2));
      tree.putValueSet(1, [
        [k, Uint8Array.of(3)],
        [k, null],
      ]);
      expect(tree.get(k, 1)).to.equal(null);
      expect(tree.versionInfo(1).leafCount).to.equal(0);
    });

    /** Invariant: deleting every key returns the placeholder root; re-inserting restores the first root. */
    it("goes down to the empty tree and back", () => {
      const tree = newTree();
      const keys = Array.from({ length: 300 }, (_, i) => hasher.hash(Uint8Array.of(i & 0xff, i >> 8)));
      const r0 = tree.putValueSet(
        0,
        keys.map((k, i) => [k, Uint8Array.of(i)]),
      ).root;
      let v = 1;
      for (let i = 0; i < keys.length; i += 37) {
        tree.putValueSet(
          v++,
          keys.slice(i, i + 37).map((k) => [k, null]),
        );
      }
      expect(bytesToHex(tree.rootAt(v - 1))).to.equal(bytesToHex(PLACEHOLDER_HASH));
      expect(tree.versionInfo(v - 1).leafCount).to.equal(0);
      const back = tree.putValueSet(
        v,
        keys.map((k, i) => [k, Uint8Array.of(i)]),
      );
      expect(bytesToHex(back.root)).to.equal(bytesToHex(r0));
      expect(back.leafCount).to.equal(300);
    });

    /** Invariant: a leaf left alone after deletes collapses up to where a lone leaf would be built. */
    it("collapses a lone leaf after deletes (deep shared prefix)", () => {
      const tree = newTree();
      const a = new Uint8Array(32).fill(0x11);
      const b = a.slice();
      b[31] ^= 1;
      const c = new Uint8Array(32).fill(0xee);
      tree.putValueSet(0, [
        [a, Uint8Array.of(1)],
        [b, Uint8Array.of(2)],
        [c, Uint8Array.of(3)],
      ]);
      const r1 = tree.putValueSet(1, [[b, null]]).root;
      const fresh = newTree();
      const r = fresh.putValueSet(0, [
        [a, Uint8Array.of(1)],
        [c, Uint8Array.of(3)],
      ]).root;
      expect(bytesToHex(r1)).to.equal(bytesToHex(r));
    });

    /**
     * Invariant (model test): after every version of random interleaved inserts, updates and
     * deletes, the root equals the reference binary SMT root of a `Map` model, earlier roots are
     * unchanged, and the final tree equals the final map built in one batch.
     */
    it("matches a Map model across versions (fast-check)", () => {
      const opArb = fc.tuple(fc.nat(63), fc.option(valueArb, { freq: 3 }));
      const scenario = fc.record({
        pool: fc.uniqueArray(keyArb, { minLength: 1, maxLength: 64, selector: (k) => bytesToHex(k) }),
        batches: fc.array(fc.array(opArb, { maxLength: 24 }), { minLength: 1, maxLength: 6 }),
      });
      fc.assert(
        fc.property(scenario, ({ pool, batches }) => {
          checkAgainstModel(pool, batches as Op[][]);
        }),
        { numRuns: 150 },
      );
    });

    /** Named regression: the whole pool deleted in one batch and re-inserted in the next. */
    it("matches the model when a batch deletes everything", () => {
      const pool = [0, 1, 2, 3].map((i) => {
        const k = new Uint8Array(32).fill(0xab);
        k[31] = i;
        return k;
      });
      checkAgainstModel(pool, [
        pool.map((_, i): Op => [i, Uint8Array.of(i)]),
        pool.map((_, i): Op => [i, null]),
        [[2, Uint8Array.of(9)]],
      ]);
    });
  });

  function checkAgainstModel(pool: Uint8Array[], batches: Op[][]): void {
    const tree = newTree();
    const model = new Map<string, Uint8Array>();
    const roots: string[] = [];
    const snapshots: Map<string, Uint8Array>[] = [];
    batches.forEach((ops, version) => {
      const writes: Write[] = ops.map(([i, v]) => [pool[i % pool.length], v]);
      for (const [k, v] of writes) {
        if (v === null) model.delete(bytesToHex(k));
        else model.set(bytesToHex(k), v);
      }
      const info = tree.putValueSet(version, writes);
      expect(bytesToHex(info.root)).to.equal(bytesToHex(referenceRoot(model)));
      expect(info.leafCount).to.equal(model.size);
      roots.push(bytesToHex(info.root));
      snapshots.push(new Map(model));
    });
    snapshots.forEach((snap, v) => {
      for (const k of pool) expect(tree.get(k, v) ?? undefined).to.deep.equal(snap.get(bytesToHex(k)));
    });
    roots.forEach((r, v) => expect(bytesToHex(tree.rootAt(v))).to.equal(r));
    const last = batches.length - 1;
    for (const k of pool) {
      const expected = model.get(bytesToHex(k)) ?? null;
      const { value, proof } = tree.getWithProof(k, last);
      expect(value === null ? null : bytesToHex(value)).to.equal(expected === null ? null : bytesToHex(expected));
      expect(verifyProof(tree.rootAt(last), k, value, proof, hasher)).to.equal(true);
    }
    const once = newTree().putValueSet(
      0,
      [...model].map(([k, v]) => [hexToBytes(k), v]),
    );
    expect(bytesToHex(once.root)).to.equal(roots[last]);
  }
});

import { expect } from "chai";

import { bytesToHex } from "../../../keeper/common";
import {
  createKeccakHasher,
  type Hasher,
  JellyfishMerkleTree,
  JmtError,
  MemoryTreeStore,
  verifyProof,
  type Write,
} from "../../../keeper/jmt";

describe("JellyfishMerkleTree", () => {
  let hasher: Hasher;
  let source: JellyfishMerkleTree;
  let keys: Uint8Array[];

  before(async () => {
    hasher = await createKeccakHasher();
    source = new JellyfishMerkleTree({ store: new MemoryTreeStore(), hasher });
    keys = Array.from({ length: 1500 }, (_, i) => hasher.hash(Uint8Array.of(7, i & 0xff, i >> 8)));
    source.putValueSet(
      0,
      keys.map((k, i): Write => [k, Uint8Array.of(i & 0xff, 1)]),
    );
    source.putValueSet(
      1,
      keys.slice(0, 300).map((k): Write => [k, null]),
    );
    source.putValueSet(
      2,
      keys.slice(300, 400).map((k): Write => [k, Uint8Array.of(9)]),
    );
  });

  describe("exportSnapshot / importSnapshot", () => {
    /** Invariant: importing a version's exported leaves rebuilds the same root, values and proofs. */
    it("round-trips a version into an empty store", () => {
      const leaves = [...source.exportSnapshot(2)];
      expect(leaves.length).to.equal(1200);
      const hexes = leaves.map(([k]) => bytesToHex(k));
      expect(hexes).to.deep.equal([...hexes].sort());
      const copy = new JellyfishMerkleTree({ store: new MemoryTreeStore(), hasher });
      const info = copy.importSnapshot(2, leaves, source.rootAt(2));
      expect(info.leafCount).to.equal(1200);
      expect(copy.latestVersion()).to.equal(2);
      for (const k of keys.slice(250, 450)) {
        const { value, proof } = copy.getWithProof(k, 2);
        expect(bytesToHex(value ?? new Uint8Array(0))).to.equal(bytesToHex(source.get(k, 2) ?? new Uint8Array(0)));
        expect(verifyProof(source.rootAt(2), k, value, proof, hasher)).to.equal(true);
      }
      const next = copy.putValueSet(3, [[keys[0], Uint8Array.of(1)]]).root;
      expect(bytesToHex(next)).to.equal(bytesToHex(source.putValueSet(3, [[keys[0], Uint8Array.of(1)]]).root));
    });

    it("fails with JMT_ERROR_ROOT_MISMATCH on a wrong expected root and writes nothing", () => {
      const leaves = [...source.exportSnapshot(2)].slice(1);
      const store = new MemoryTreeStore();
      const copy = new JellyfishMerkleTree({ store, hasher });
      try {
        copy.importSnapshot(2, leaves, source.rootAt(2));
        expect.fail("import should fail");
      } catch (err) {
        expect(err).to.be.instanceOf(JmtError);
        expect((err as JmtError).type).to.include({
          code: "JMT_ERROR_ROOT_MISMATCH",
          expected: bytesToHex(source.rootAt(2)),
        });
      }
      expect(store.latestVersion()).to.equal(undefined);
      expect(store.countNodes()).to.equal(0);
    });

    it("refuses to import into a store that has versions (JMT_ERROR_STORE_NOT_EMPTY)", () => {
      expect(() => source.importSnapshot(9, [], source.rootAt(0)))
        .to.throw(JmtError)
        .with.property("code", "JMT_ERROR_STORE_NOT_EMPTY");
    });
  });
});

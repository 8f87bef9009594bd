import { createHash } from "node:crypto";

import { expect } from "chai";

import { bytesToHex, hexToBytes } from "../../../keeper/common";
import { createSha256Hasher, JellyfishMerkleTree, MemoryTreeStore, type Write } from "../../../keeper/jmt";
import vectors from "../../vectors/jmt-sha2_256-penumbra.json";

const sha256 = (d: Uint8Array): Uint8Array => new Uint8Array(createHash("sha256").update(d).digest());

describe("JellyfishMerkleTree", () => {
  describe("penumbra sha2_256 vectors (penumbra-zone/jmt src/tests/sha2_256_vectors.json @2a0fce75)", () => {
    for (const [i, vector] of vectors.vectors.entries()) {
      /** Invariant: with SHA-256 the root equals penumbra's for the same (keyHash, value) set at version 0. */
      it(`reproduces vector ${i} (${vector.data.length} entries)`, () => {
        const tree = new JellyfishMerkleTree({ store: new MemoryTreeStore(), hasher: createSha256Hasher() });
        const writes: Write[] = vector.data.map((d) => [sha256(hexToBytes(`0x${d.key}`)), hexToBytes(`0x${d.value}`)]);
        const { root } = tree.putValueSet(0, writes);
        expect(bytesToHex(root)).to.equal(`0x${vector.expected_root}`);
        for (const [k, v] of writes)
          expect(bytesToHex(tree.get(k, 0) as Uint8Array)).to.equal(bytesToHex(v as Uint8Array));
      });
    }
  });
});

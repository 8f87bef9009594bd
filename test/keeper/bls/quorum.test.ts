import { expect } from "chai";

import {
  BlsError,
  aggregateSignatures,
  buildSignerProof,
  g2ToEip2537,
  generateKeypair,
  sign,
} from "../../../keeper/bls";

const MESSAGE = new Uint8Array(32).fill(7);

function members(count: number) {
  return Array.from({ length: count }, (_, i) => {
    const keypair = generateKeypair(new Uint8Array(32).fill(i + 1));
    return { index: i * 3, keypair, pubkeyG1Eip2537: keypair.pubkeyG1Eip2537 };
  });
}

describe("keeper/bls quorum", function () {
  describe("buildSignerProof", function () {
    it("names every member without a signature in the bitmap, keys ascending by index, and aggregates the rest", function () {
      const set = members(5);
      const signers = [set[0], set[2], set[4]];
      const signatures = new Map(signers.map((m) => [m.index, sign(m.keypair.secretKey, MESSAGE)]));
      const proof = buildSignerProof([...set].reverse(), signatures);
      expect(proof.nonSignerBitmap).to.equal((1n << 3n) | (1n << 9n));
      expect(proof.nonSignerPubkeys).to.deep.equal([set[1].pubkeyG1Eip2537, set[3].pubkeyG1Eip2537]);
      const expected = g2ToEip2537(aggregateSignatures(signers.map((m) => sign(m.keypair.secretKey, MESSAGE))));
      expect(Buffer.from(proof.signatureG2).equals(Buffer.from(expected))).to.equal(true);
    });

    it("throws BLS_ERROR_INVALID_QUORUM for repeated or out-of-range indexes, foreign signatures and no signers", function () {
      const set = members(2);
      const sig = sign(set[0].keypair.secretKey, MESSAGE);
      const cases: [typeof set, Map<number, typeof sig>][] = [
        [[set[0], { ...set[1], index: set[0].index }], new Map([[0, sig]])],
        [[{ ...set[0], index: 256 }], new Map([[256, sig]])],
        [set, new Map([[1, sig]])],
        [set, new Map()],
      ];
      for (const [m, s] of cases) {
        expect(() => buildSignerProof(m, s))
          .to.throw(BlsError)
          .with.property("code", "BLS_ERROR_INVALID_QUORUM");
      }
    });
  });
});

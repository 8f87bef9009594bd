import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";

import {
  aggregatePublicKeys,
  aggregateSignatures,
  g1ToEip2537,
  g2ToEip2537,
  generateKeypair,
  sign,
} from "../../keeper/bls";
import type { BLS12381Harness } from "../../typechain-types";

async function fixture() {
  return { harness: (await ethers.deployContract("BLS12381Harness")) as unknown as BLS12381Harness };
}

/** The library's typed errors: any of them is a rejection; a plain `true` is the only acceptance. */
const BLS_ERRORS = ["BLSInvalidLength", "BLSFieldElementNotCanonical", "BLSPointAtInfinity", "BLSPrecompileFailed"];

/** Returns "valid", "invalid" (false) or the name of the typed error the call reverted with. */
async function outcome(harness: BLS12381Harness, pk: Uint8Array, msg: Uint8Array, sig: Uint8Array): Promise<string> {
  try {
    return (await harness.verify(pk, msg, sig)) ? "valid" : "invalid";
  } catch (err: unknown) {
    const data = (err as { data?: string }).data;
    const parsed = data ? harness.interface.parseError(data) : null;
    if (!parsed) throw err;
    return parsed.name;
  }
}

/** Swaps c0 and c1 in both Fp2 coordinates of a 256-byte EIP-2537 G2 point (the blst↔EIP-2537 order trap). */
function swapFp2Halves(g2: Uint8Array): Uint8Array {
  const out = new Uint8Array(256);
  for (const base of [0, 128]) {
    out.set(g2.subarray(base + 64, base + 128), base);
    out.set(g2.subarray(base, base + 64), base + 64);
  }
  return out;
}

const keyAndMessage = fc.record({
  ikm: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  message: fc.uint8Array({ minLength: 0, maxLength: 96 }),
  bit: fc.nat({ max: 4 * 48 * 8 - 1 }),
});

describe("BLS12381 (differential against @chainsafe/blst)", function () {
  describe("verify", function () {
    /**
     * Invariant: for any key and message, a signature made by blst (Ethereum POP ciphersuite) verifies on-chain,
     * and flipping any single bit of its four 48-byte coordinate values makes it fail — by returning false or by a
     * typed revert, never by acceptance.
     */
    it("accepts 200 random blst signatures and rejects each with one bit flipped", async function () {
      const { harness } = await loadFixture(fixture);
      await fc.assert(
        fc.asyncProperty(keyAndMessage, async ({ ikm, message, bit }) => {
          const kp = generateKeypair(ikm);
          const sig = g2ToEip2537(sign(kp.secretKey, message));
          expect(await outcome(harness, kp.pubkeyG1Eip2537, message, sig)).to.equal("valid");
          const flipped = Uint8Array.from(sig);
          const coordinate = Math.floor(bit / 384); // which of x.c0, x.c1, y.c0, y.c1
          const byte = coordinate * 64 + 16 + Math.floor((bit % 384) / 8); // skip the 16 padding bytes
          flipped[byte] ^= 1 << (bit % 8);
          const result = await outcome(harness, kp.pubkeyG1Eip2537, message, flipped);
          expect(["invalid", ...BLS_ERRORS]).to.include(result);
        }),
        { numRuns: 200 },
      );
    });

    it("rejects a wrong message, a wrong key, and c0/c1 swapped (signature or key-side order)", async function () {
      const { harness } = await loadFixture(fixture);
      await fc.assert(
        fc.asyncProperty(
          keyAndMessage,
          fc.uint8Array({ minLength: 32, maxLength: 32 }),
          async ({ ikm, message }, otherIkm) => {
            fc.pre(Buffer.compare(Buffer.from(ikm), Buffer.from(otherIkm)) !== 0);
            const kp = generateKeypair(ikm);
            const other = generateKeypair(otherIkm);
            const sig = g2ToEip2537(sign(kp.secretKey, message));
            const otherMessage = Uint8Array.from([...message, 1]);
            expect(await outcome(harness, kp.pubkeyG1Eip2537, otherMessage, sig)).to.equal("invalid");
            expect(await outcome(harness, other.pubkeyG1Eip2537, message, sig)).to.equal("invalid");
            // The swapped point is (almost always) off the curve: the pairing precompile refuses it.
            expect(["invalid", "BLSPrecompileFailed"]).to.include(
              await outcome(harness, kp.pubkeyG1Eip2537, message, swapFp2Halves(sig)),
            );
          },
        ),
        { numRuns: 25 },
      );
    });

    it("rejects the infinity public key, the infinity signature and the empty aggregate with BLSPointAtInfinity", async function () {
      const { harness } = await loadFixture(fixture);
      const kp = generateKeypair(new Uint8Array(32).fill(3));
      const message = ethers.toUtf8Bytes("m");
      const sig = g2ToEip2537(sign(kp.secretKey, message));
      const infinityG1 = new Uint8Array(128);
      expect(await outcome(harness, infinityG1, message, sig)).to.equal("BLSPointAtInfinity");
      expect(await outcome(harness, kp.pubkeyG1Eip2537, message, new Uint8Array(256))).to.equal("BLSPointAtInfinity");
      // An empty aggregate (no keys, no signatures) is the identity on both sides: e(O, H)·e(−G1, O) = 1 would
      // pass a bare pairing check, so it must be refused before the pairing.
      expect(await outcome(harness, infinityG1, message, new Uint8Array(256))).to.equal("BLSPointAtInfinity");
    });

    it("accepts an aggregate signature against the aggregate key of several signers (same message)", async function () {
      const { harness } = await loadFixture(fixture);
      const message = ethers.getBytes(ethers.id("commit"));
      const kps = [1, 2, 3, 4].map((i) => generateKeypair(new Uint8Array(32).fill(i)));
      const aggSig = g2ToEip2537(aggregateSignatures(kps.map((k) => sign(k.secretKey, message))));
      const aggPk = g1ToEip2537(aggregatePublicKeys(kps.map((k) => k.publicKey)));
      expect(await outcome(harness, aggPk, message, aggSig)).to.equal("valid");
      const partialPk = g1ToEip2537(aggregatePublicKeys(kps.slice(1).map((k) => k.publicKey)));
      expect(await outcome(harness, partialPk, message, aggSig)).to.equal("invalid");
    });
  });
});

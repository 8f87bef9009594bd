import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { concat, keccak256, toBeHex, zeroPadValue } from "ethers";
import { ethers } from "hardhat";

import { aggregatePublicKeys, g1ToEip2537 } from "../../keeper/bls";
import { makeOperators } from "../helpers/operators";

/** A canonical EIP-2537 Fp element: 16 zero bytes ‖ 48-byte big-endian value. */
const fp = (v: bigint): string => zeroPadValue(toBeHex(v), 64);

async function fixture() {
  return { harness: await ethers.deployContract("BLS12381Harness") };
}

/**
 * `BLS12381.g1SumHashed`, the quorum hot path's one-pass sum of calldata keys (the OperatorRegistry subtracts the
 * non-signers' keys with it): equal to the blst aggregate, hashes equal keccak256 of each key, and every bad input
 * rejected with its typed error.
 */
describe("BLS12381 g1SumHashed", function () {
  it("sums k keys like blst's aggregate and returns keccak256 of each", async function () {
    const { harness } = await loadFixture(fixture);
    for (const k of [1, 2, 5]) {
      const keys = makeOperators(k, 40 + k).map((o) => o.keypair);
      const [sum, hashes] = await harness.g1SumHashed(keys.map((kp) => kp.pubkeyG1Eip2537));
      expect(sum).to.equal(ethers.hexlify(g1ToEip2537(aggregatePublicKeys(keys.map((kp) => kp.publicKey)))));
      expect(hashes).to.deep.equal(keys.map((kp) => keccak256(kp.pubkeyG1Eip2537)));
    }
  });

  it("rejects no keys, a key of another length, and a key that is not on the curve", async function () {
    const { harness } = await loadFixture(fixture);
    const [a, b] = makeOperators(2, 50).map((o) => ethers.hexlify(o.keypair.pubkeyG1Eip2537));
    await expect(harness.g1SumHashed([])).to.be.revertedWithCustomError(harness, "BLSEmptyInput");
    await expect(harness.g1SumHashed([a, b.slice(0, -2)]))
      .to.be.revertedWithCustomError(harness, "BLSInvalidLength")
      .withArgs(128, 127);
    const offCurve = concat([fp(1n), fp(1n)]);
    await expect(harness.g1SumHashed([a, offCurve]))
      .to.be.revertedWithCustomError(harness, "BLSPrecompileFailed")
      .withArgs("0x000000000000000000000000000000000000000b");
  });
});

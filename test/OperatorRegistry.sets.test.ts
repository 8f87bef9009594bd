import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";

import { deployOperatorRegistry, makeOperators, registerOperator, signQuorum } from "./helpers/operators";

const DIGEST = ethers.keccak256(ethers.toUtf8Bytes("a commit digest of an older set"));
const WEIGHTS = [40n, 30n, 20n, 10n];

/** Four operators (set 5), then a fifth joins (set 6): set 5 is an older set with its own snapshot. */
async function fixture() {
  const [owner, other] = await ethers.getSigners();
  const registry = await deployOperatorRegistry(owner, 6667, ethers.ZeroAddress);
  const operators = makeOperators(4, 23);
  for (let i = 0; i < operators.length; i++) await registerOperator(registry, operators[i], WEIGHTS[i]);
  const olderSet = await registry.operatorSetId();
  const fullProof = await signQuorum(registry, operators, DIGEST);
  await registerOperator(registry, makeOperators(1, 24)[0], 5n);
  return { registry, operators, owner, other, olderSet, fullProof };
}

/**
 * OperatorRegistry outside slashing: initialization, access control, the unknown-set guards of every set view and
 * the proofs checked against an older set's snapshot (full participation, non-signer bitmaps outside the set or
 * covering all of it, key-count mismatches), and the empty current set.
 */
describe("OperatorRegistry older sets and guards", function () {
  it("cannot be initialized twice, and only the owner deregisters", async function () {
    const { registry, operators, owner, other } = await loadFixture(fixture);
    await expect(registry.initialize(owner.address, 5000, ethers.ZeroAddress)).to.be.revertedWithCustomError(
      registry,
      "InvalidInitialization",
    );
    await expect(registry.connect(other).deregisterOperator(operators[0].address))
      .to.be.revertedWithCustomError(registry, "OwnableUnauthorizedAccount")
      .withArgs(other.address);
  });

  it("rejects set id 0 and ids above the current one in every set view", async function () {
    const { registry, olderSet, fullProof } = await loadFixture(fixture);
    const next = (await registry.operatorSetId()) + 1n;
    for (const setId of [0n, next]) {
      await expect(registry.operatorSet(setId))
        .to.be.revertedWithCustomError(registry, "QuorumUnknownOperatorSet")
        .withArgs(setId);
      await expect(registry.apkAt(setId))
        .to.be.revertedWithCustomError(registry, "QuorumUnknownOperatorSet")
        .withArgs(setId);
      await expect(registry.signersOf(setId, 0))
        .to.be.revertedWithCustomError(registry, "QuorumUnknownOperatorSet")
        .withArgs(setId);
      await expect(registry.verifyQuorumAt(setId, DIGEST, fullProof))
        .to.be.revertedWithCustomError(registry, "QuorumUnknownOperatorSet")
        .withArgs(setId);
    }
    expect((await registry.operatorSet(olderSet)).activeBitmap).to.equal(0b1111n);
  });

  it("verifies full participation of an older set, and refuses stray non-signer keys with it", async function () {
    const { registry, olderSet, fullProof } = await loadFixture(fixture);
    expect(fullProof.nonSignerBitmap).to.equal(0n);
    expect(await registry.verifyQuorumAt(olderSet, DIGEST, fullProof)).to.deep.equal([100n, 100n]);
    const stray = { ...fullProof, nonSignerPubkeys: [makeOperators(1, 23)[0].keypair.pubkeyG1Eip2537] };
    await expect(registry.verifyQuorumAt(olderSet, DIGEST, stray))
      .to.be.revertedWithCustomError(registry, "QuorumNonSignerCountMismatch")
      .withArgs(0, 1);
    await expect(
      registry.verifyQuorumAt(olderSet, ethers.id("another digest"), fullProof),
    ).to.be.revertedWithCustomError(registry, "QuorumInvalidSignature");
  });

  it("refuses non-signer bitmaps outside the older set, covering all of it, or with the wrong key count", async function () {
    const { registry, operators, olderSet, fullProof } = await loadFixture(fixture);
    // Index 4 joined after the older set.
    await expect(registry.verifyQuorumAt(olderSet, DIGEST, { ...fullProof, nonSignerBitmap: 0b10000n }))
      .to.be.revertedWithCustomError(registry, "QuorumNonSignerNotInSet")
      .withArgs(0b10000n, 0b1111n);
    await expect(
      registry.verifyQuorumAt(olderSet, DIGEST, { ...fullProof, nonSignerBitmap: 0b1111n }),
    ).to.be.revertedWithCustomError(registry, "QuorumNoSigners");
    const keys = operators.map((o) => o.keypair.pubkeyG1Eip2537);
    await expect(
      registry.verifyQuorumAt(olderSet, DIGEST, {
        ...fullProof,
        nonSignerBitmap: 0b1000n,
        nonSignerPubkeys: keys.slice(0, 2),
      }),
    )
      .to.be.revertedWithCustomError(registry, "QuorumNonSignerCountMismatch")
      .withArgs(1, 2);
  });

  it("has no signers while the current set is empty", async function () {
    const { fullProof, owner } = await loadFixture(fixture);
    const empty = await deployOperatorRegistry(owner, 6667, ethers.ZeroAddress);
    await expect(empty.verifyQuorum(DIGEST, { ...fullProof, nonSignerBitmap: 0n })).to.be.revertedWithCustomError(
      empty,
      "QuorumNoSigners",
    );
  });
});

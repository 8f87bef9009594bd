import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { ethers, upgrades } from "hardhat";

import {
  aggregatePublicKeys,
  createProofOfPossession,
  g1FromEip2537,
  g1NegateEip2537,
  g1ToEip2537,
  g2ToEip2537,
  popDigest,
  sign,
} from "../keeper/bls";
import {
  deployOperatorRegistry,
  makeOperators,
  registerOperator,
  signQuorum,
  type TestOperator,
} from "./helpers/operators";
import type { OperatorRegistry, OperatorRegistrySignersPeer } from "../typechain-types";

const DIGEST = ethers.keccak256(ethers.toUtf8Bytes("a state commit digest"));
const INFINITY_G1 = new Uint8Array(128);
const REASON = ethers.encodeBytes32String("test");

/** Weights chosen so that the 6 667-bip threshold falls exactly on a subset: 6 666 + 1 = 6 667 of 10 000. */
const WEIGHTS = [6666n, 1n, 3000n, 333n];

async function fixture() {
  const [owner, other, slasher] = await ethers.getSigners();
  const registry = await deployOperatorRegistry(owner, 6667, slasher.address);
  const operators = makeOperators(4);
  for (let i = 0; i < operators.length; i++) await registerOperator(registry, operators[i], WEIGHTS[i]);
  return { registry, operators, owner, other, slasher };
}

/** The same four operators in a registry with the naive `verifySignersAt` peer. */
async function peerFixture() {
  const [owner] = await ethers.getSigners();
  const registry = (await deployOperatorRegistry(
    owner,
    6667,
    undefined,
    "OperatorRegistrySignersPeer",
  )) as unknown as OperatorRegistrySignersPeer;
  const operators = makeOperators(4);
  for (let i = 0; i < operators.length; i++) {
    await registerOperator(registry as unknown as OperatorRegistry, operators[i], WEIGHTS[i]);
  }
  return { registry, operators };
}

/** The 128-byte EIP-2537 aggregate of `ops`' keys (infinity for none). */
function aggregateKey(ops: readonly TestOperator[]): string {
  if (ops.length === 0) return ethers.hexlify(INFINITY_G1);
  return ethers.hexlify(g1ToEip2537(aggregatePublicKeys(ops.map((o) => g1FromEip2537(o.keypair.pubkeyG1Eip2537)))));
}

async function pop(registry: { getAddress(): Promise<string> }, op: TestOperator): Promise<Uint8Array> {
  const { chainId } = await ethers.provider.getNetwork();
  return createProofOfPossession(op.keypair.secretKey, chainId, await registry.getAddress(), op.address);
}

describe("OperatorRegistry", function () {
  describe("initialize", function () {
    it("starts operator set 1 with no members, the infinity apk and the given threshold", async function () {
      const [owner] = await ethers.getSigners();
      const registry = await deployOperatorRegistry(owner, 5000);
      expect(await registry.operatorSetId()).to.equal(1n);
      expect(await registry.quorumBips()).to.equal(5000n);
      expect(await registry.totalWeight()).to.equal(0n);
      expect(await registry.apk()).to.equal(ethers.hexlify(INFINITY_G1));
      expect(await registry.owner()).to.equal(owner.address);
      expect(await registry.version()).to.equal("1.0.0");
    });

    it("reverts with OperatorQuorumBipsInvalid for 0 and for more than 10 000", async function () {
      const [owner] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("OperatorRegistry");
      for (const bips of [0, 10_001]) {
        await expect(upgrades.deployProxy(factory, [owner.address, bips, ethers.ZeroAddress], { kind: "uups" }))
          .to.be.revertedWithCustomError(factory, "OperatorQuorumBipsInvalid")
          .withArgs(bips);
      }
    });
  });

  describe("registerOperator", function () {
    it("adds the operator at the lowest free index, updates apk and weight, and emits OperatorRegistered", async function () {
      const { registry, operators } = await loadFixture(fixture);
      const expectedApk = g1ToEip2537(aggregatePublicKeys(operators.map((o) => o.keypair.publicKey)));
      expect(await registry.apk()).to.equal(ethers.hexlify(expectedApk));
      expect(await registry.totalWeight()).to.equal(WEIGHTS.reduce((a, b) => a + b));
      expect(await registry.activeBitmap()).to.equal(0b1111n);
      expect(await registry.operatorSetId()).to.equal(5n);

      await registry.deregisterOperator(operators[1].address);
      const newcomer = makeOperators(1, 99)[0];
      await expect(
        registry.registerOperator(
          newcomer.address,
          newcomer.keypair.pubkeyG1Eip2537,
          await pop(registry, newcomer),
          7n,
        ),
      )
        .to.emit(registry, "OperatorRegistered")
        .withArgs(newcomer.address, 1, ethers.keccak256(newcomer.keypair.pubkeyG1Eip2537), 7n, 7n);
      const info = await registry.operatorInfo(newcomer.address);
      expect(info.index).to.equal(1n);
      expect(info.active).to.equal(true);
      expect(await registry.operatorAt(1, 7n)).to.equal(newcomer.address);
      expect(await registry.operatorAt(1, 5n)).to.equal(operators[1].address);
    });

    it("reverts with OwnableUnauthorizedAccount for a caller other than the owner", async function () {
      const { registry, other } = await loadFixture(fixture);
      const op = makeOperators(1, 7)[0];
      await expect(
        registry.connect(other).registerOperator(op.address, op.keypair.pubkeyG1Eip2537, await pop(registry, op), 1n),
      )
        .to.be.revertedWithCustomError(registry, "OwnableUnauthorizedAccount")
        .withArgs(other.address);
    });

    it("reverts for the zero address, weight 0, an active operator, and a key bound to another address", async function () {
      const { registry, operators } = await loadFixture(fixture);
      const op = makeOperators(1, 8)[0];
      const proof = await pop(registry, op);
      await expect(
        registry.registerOperator(ethers.ZeroAddress, op.keypair.pubkeyG1Eip2537, proof, 1n),
      ).to.be.revertedWithCustomError(registry, "OperatorZeroAddress");
      await expect(registry.registerOperator(op.address, op.keypair.pubkeyG1Eip2537, proof, 0n))
        .to.be.revertedWithCustomError(registry, "OperatorWeightZero")
        .withArgs(op.address);
      await expect(
        registry.registerOperator(
          operators[0].address,
          operators[0].keypair.pubkeyG1Eip2537,
          await pop(registry, operators[0]),
          1n,
        ),
      )
        .to.be.revertedWithCustomError(registry, "OperatorAlreadyRegistered")
        .withArgs(operators[0].address);
      // Operator 0's key under a new address: a duplicate key.
      const thief = { address: op.address, keypair: operators[0].keypair };
      await expect(
        registry.registerOperator(op.address, operators[0].keypair.pubkeyG1Eip2537, await pop(registry, thief), 1n),
      )
        .to.be.revertedWithCustomError(registry, "OperatorPubkeyAlreadyUsed")
        .withArgs(ethers.keccak256(operators[0].keypair.pubkeyG1Eip2537), operators[0].address);
    });

    it("rejects the zero key (point at infinity) and malformed keys before any pairing", async function () {
      const { registry } = await loadFixture(fixture);
      const op = makeOperators(1, 9)[0];
      const proof = await pop(registry, op);
      await expect(registry.registerOperator(op.address, INFINITY_G1, proof, 1n)).to.be.revertedWithCustomError(
        registry,
        "BLSPointAtInfinity",
      );
      await expect(registry.registerOperator(op.address, op.keypair.pubkeyG1Eip2537.slice(0, 127), proof, 1n))
        .to.be.revertedWithCustomError(registry, "BLSInvalidLength")
        .withArgs(128, 127);
    });

    it("rejects a proof of possession over another operator address, chain or key", async function () {
      const { registry } = await loadFixture(fixture);
      const [op, other] = makeOperators(2, 10);
      const { chainId } = await ethers.provider.getNetwork();
      const address = await registry.getAddress();
      const wrongOperator = createProofOfPossession(op.keypair.secretKey, chainId, address, other.address);
      const wrongChain = createProofOfPossession(op.keypair.secretKey, chainId + 1n, address, op.address);
      const wrongKey = createProofOfPossession(other.keypair.secretKey, chainId, address, op.address);
      for (const bad of [wrongOperator, wrongChain, wrongKey]) {
        await expect(registry.registerOperator(op.address, op.keypair.pubkeyG1Eip2537, bad, 1n))
          .to.be.revertedWithCustomError(registry, "OperatorInvalidProofOfPossession")
          .withArgs(op.address);
      }
    });

    it("blocks the rogue-key attack: pk_attacker − pk_honest cannot be registered without its secret", async function () {
      const { registry, operators } = await loadFixture(fixture);
      // The attacker knows sk_a but not sk_h; the rogue key pk_a − pk_h would let σ_a alone verify for the
      // aggregate pk_h + rogue = pk_a. Its PoP needs the rogue key's secret, which the attacker does not have.
      const attacker = makeOperators(1, 11)[0];
      const honest = operators[0];
      const rogue = g1ToEip2537(
        aggregatePublicKeys([
          attacker.keypair.publicKey,
          g1FromEip2537(g1NegateEip2537(honest.keypair.pubkeyG1Eip2537)),
        ]),
      );
      const { chainId } = await ethers.provider.getNetwork();
      const digest = popDigest(chainId, await registry.getAddress(), attacker.address, rogue);
      const bestEffort = g2ToEip2537(sign(attacker.keypair.secretKey, digest));
      await expect(registry.registerOperator(attacker.address, rogue, bestEffort, 1n))
        .to.be.revertedWithCustomError(registry, "OperatorInvalidProofOfPossession")
        .withArgs(attacker.address);
    });

    it("reverts with OperatorPubkeyMismatch when a returning operator brings another key", async function () {
      const { registry, operators } = await loadFixture(fixture);
      await registry.deregisterOperator(operators[2].address);
      const other = makeOperators(1, 12)[0];
      const swapped = { address: operators[2].address, keypair: other.keypair };
      await expect(
        registry.registerOperator(swapped.address, other.keypair.pubkeyG1Eip2537, await pop(registry, swapped), 5n),
      )
        .to.be.revertedWithCustomError(registry, "OperatorPubkeyMismatch")
        .withArgs(
          operators[2].address,
          ethers.keccak256(operators[2].keypair.pubkeyG1Eip2537),
          ethers.keccak256(other.keypair.pubkeyG1Eip2537),
        );
      await registry.registerOperator(
        operators[2].address,
        operators[2].keypair.pubkeyG1Eip2537,
        await pop(registry, operators[2]),
        5n,
      );
      expect((await registry.operatorInfo(operators[2].address)).weight).to.equal(5n);
    });
  });

  describe("deregisterOperator / setWeight / setQuorumBips / setSlasher", function () {
    it("deregistering removes the key from the apk and the weight from the total", async function () {
      const { registry, operators } = await loadFixture(fixture);
      await expect(registry.deregisterOperator(operators[0].address))
        .to.emit(registry, "OperatorDeregistered")
        .withArgs(operators[0].address, 0, 6n);
      const rest = operators.slice(1).map((o) => o.keypair.publicKey);
      expect(await registry.apk()).to.equal(ethers.hexlify(g1ToEip2537(aggregatePublicKeys(rest))));
      expect(await registry.totalWeight()).to.equal(1n + 3000n + 333n);
      expect(await registry.activeBitmap()).to.equal(0b1110n);
      await expect(registry.deregisterOperator(operators[0].address))
        .to.be.revertedWithCustomError(registry, "OperatorNotActive")
        .withArgs(operators[0].address);
    });

    it("setWeight changes the total and starts a new set; weight 0 and inactive operators revert", async function () {
      const { registry, operators, other } = await loadFixture(fixture);
      await expect(registry.setWeight(operators[3].address, 1333n))
        .to.emit(registry, "OperatorWeightUpdated")
        .withArgs(operators[3].address, 333n, 1333n, 6n);
      expect(await registry.totalWeight()).to.equal(11_000n);
      expect(await registry.weightAt(operators[3].address, 5n)).to.equal(333n);
      expect(await registry.weightAt(operators[3].address, 6n)).to.equal(1333n);
      await expect(registry.setWeight(operators[3].address, 0n)).to.be.revertedWithCustomError(
        registry,
        "OperatorWeightZero",
      );
      await expect(registry.setWeight(other.address, 1n)).to.be.revertedWithCustomError(registry, "OperatorNotActive");
      await expect(registry.connect(other).setWeight(operators[3].address, 1n)).to.be.revertedWithCustomError(
        registry,
        "OwnableUnauthorizedAccount",
      );
    });

    it("setQuorumBips validates the range and is owner-only; setSlasher is owner-only", async function () {
      const { registry, other, slasher } = await loadFixture(fixture);
      await expect(registry.setQuorumBips(5000)).to.emit(registry, "QuorumBipsUpdated").withArgs(6667, 5000, 6n);
      await expect(registry.setQuorumBips(0))
        .to.be.revertedWithCustomError(registry, "OperatorQuorumBipsInvalid")
        .withArgs(0);
      await expect(registry.connect(other).setQuorumBips(1)).to.be.revertedWithCustomError(
        registry,
        "OwnableUnauthorizedAccount",
      );
      await expect(registry.setSlasher(other.address))
        .to.emit(registry, "SlasherUpdated")
        .withArgs(slasher.address, other.address);
      await expect(registry.connect(other).setSlasher(other.address)).to.be.revertedWithCustomError(
        registry,
        "OwnableUnauthorizedAccount",
      );
    });
  });

  describe("slashSigners", function () {
    it("slashes the signers of a set by bips, removes them from the active set and emits per operator and once", async function () {
      const { registry, operators, slasher } = await loadFixture(fixture);
      // Operator 2 alone signed (everyone else is a non-signer) under set 5.
      await expect(registry.connect(slasher).slashSigners(5n, 0b1011n, 1000, REASON))
        .to.emit(registry, "OperatorSlashed")
        .withArgs(operators[2].address, 1000, REASON, 3000n, 2700n, 6n)
        .and.to.emit(registry, "SignersSlashed")
        .withArgs(5n, 0b0100n, 1000, REASON, 6n);
      const info = await registry.operatorInfo(operators[2].address);
      expect(info.active).to.equal(false);
      expect(info.weight).to.equal(2700n);
      expect(await registry.totalWeight()).to.equal(10_000n - 3000n);
      expect(await registry.activeBitmap()).to.equal(0b1011n);
      expect((await registry.operatorSet(6n)).totalWeight).to.equal(7000n);
      expect((await registry.operatorSet(5n)).totalWeight).to.equal(10_000n);
      const rest = [operators[0], operators[1], operators[3]];
      expect(await registry.apk()).to.equal(aggregateKey(rest));
      expect(await registry.apkAt(6n)).to.equal(aggregateKey(rest));
      // History: a member of set 5, not of set 6.
      expect(await registry.weightAt(operators[2].address, 5n)).to.equal(3000n);
      expect(await registry.weightAt(operators[2].address, 6n)).to.equal(0n);
      expect(await registry.operatorAt(2, 5n)).to.equal(operators[2].address);
      expect(await registry.operatorAt(2, 6n)).to.equal(ethers.ZeroAddress);
      // The remaining set still signs.
      const proof = await signQuorum(registry, operators, DIGEST);
      expect(await registry.verifyQuorum(DIGEST, proof)).to.deep.equal([7000n, 7000n]);
    });

    for (const [signers, label] of [
      [0b0011n, "two of four (subtracting their keys)"],
      [0b0111n, "three of four (summing the one remaining key)"],
      [0b1111n, "all four (the infinity apk)"],
    ] as const) {
      it(`keeps the apk, weights and bitmap exact when ${label} are slashed`, async function () {
        const { registry, operators, slasher } = await loadFixture(fixture);
        await registry.connect(slasher).slashSigners(5n, ~signers & 0b1111n, 10_000, REASON);
        const rest = operators.filter((_, i) => ((signers >> BigInt(i)) & 1n) === 0n);
        expect(await registry.apk()).to.equal(aggregateKey(rest));
        expect(await registry.activeBitmap()).to.equal(~signers & 0b1111n);
        expect(await registry.totalWeight()).to.equal(
          WEIGHTS.filter((_, i) => ((signers >> BigInt(i)) & 1n) === 0n).reduce((x, y) => x + y, 0n),
        );
        for (const [i, op] of operators.entries()) {
          const slashed = ((signers >> BigInt(i)) & 1n) === 1n;
          expect((await registry.operatorInfo(op.address)).weight).to.equal(slashed ? 0n : WEIGHTS[i]);
        }
        expect(await registry.signersOf(6n, 0n)).to.deep.equal(rest.map((o) => o.address));
      });
    }

    it("slashes the signers of an older set by who they were, not who holds their index now", async function () {
      const { registry, operators, slasher } = await loadFixture(fixture);
      // Set 5 signs (operator 3 does not); then operator 1 leaves (set 6) and a newcomer takes index 1 (set 7).
      await registry.deregisterOperator(operators[1].address);
      const newcomer = makeOperators(1, 21)[0];
      await registerOperator(registry, newcomer, 500n);
      expect((await registry.operatorInfo(newcomer.address)).index).to.equal(1n);
      const tx = registry.connect(slasher).slashSigners(5n, 0b1000n, 5000, REASON);
      await expect(tx).to.emit(registry, "OperatorSlashed").withArgs(operators[1].address, 5000, REASON, 1n, 1n, 8n);
      await expect(tx)
        .to.emit(registry, "OperatorSlashed")
        .withArgs(operators[0].address, 5000, REASON, 6666n, 3333n, 8n);
      expect((await registry.operatorInfo(newcomer.address)).active).to.equal(true);
      expect((await registry.operatorInfo(newcomer.address)).weight).to.equal(500n);
      expect(await registry.activeBitmap()).to.equal(0b1010n);
      expect(await registry.totalWeight()).to.equal(833n);
      expect(await registry.apk()).to.equal(aggregateKey([newcomer, operators[3]]));
      // A slashed operator that comes back: its history shows it out from the slash until it returns.
      await registerOperator(registry, operators[0], 1000n);
      expect(await registry.weightAt(operators[0].address, 7n)).to.equal(6666n);
      expect(await registry.weightAt(operators[0].address, 8n)).to.equal(0n);
      expect(await registry.weightAt(operators[0].address, 9n)).to.equal(1000n);
      expect(await registry.operatorAt(0, 8n)).to.equal(ethers.ZeroAddress);
      expect(await registry.operatorAt(0, 9n)).to.equal(operators[0].address);
      const proof = await signQuorum(registry, [...operators, newcomer], DIGEST, [operators[3].address]);
      expect(await registry.verifyQuorum(DIGEST, proof)).to.deep.equal([1500n, 1833n]);
    });

    it("reverts for a caller other than the slasher, bips out of range and unknown sets", async function () {
      const { registry, other, slasher } = await loadFixture(fixture);
      await expect(registry.connect(other).slashSigners(5n, 0n, 1, REASON))
        .to.be.revertedWithCustomError(registry, "OperatorCallerNotSlasher")
        .withArgs(other.address);
      for (const bips of [0, 10_001]) {
        await expect(registry.connect(slasher).slashSigners(5n, 0n, bips, REASON))
          .to.be.revertedWithCustomError(registry, "OperatorSlashBipsInvalid")
          .withArgs(bips);
      }
      for (const setId of [0n, 6n]) {
        await expect(registry.connect(slasher).slashSigners(setId, 0n, 1, REASON))
          .to.be.revertedWithCustomError(registry, "QuorumUnknownOperatorSet")
          .withArgs(setId);
      }
    });
  });

  describe("verifyQuorum", function () {
    it("accepts full participation and returns the signed and total weight", async function () {
      const { registry, operators } = await loadFixture(fixture);
      const proof = await signQuorum(registry, operators, DIGEST);
      expect(await registry.verifyQuorum(DIGEST, proof)).to.deep.equal([10_000n, 10_000n]);
    });

    it("passes exactly at the threshold (6 667 of 10 000) and fails one unit of weight below", async function () {
      const { registry, operators } = await loadFixture(fixture);
      const atThreshold = await signQuorum(registry, operators, DIGEST, [operators[2].address, operators[3].address]);
      expect(await registry.verifyQuorum(DIGEST, atThreshold)).to.deep.equal([6667n, 10_000n]);
      const below = await signQuorum(registry, operators, DIGEST, [
        operators[1].address,
        operators[2].address,
        operators[3].address,
      ]);
      await expect(registry.verifyQuorum(DIGEST, below))
        .to.be.revertedWithCustomError(registry, "QuorumNotReached")
        .withArgs(6666n, 10_000n, 6667);
    });

    it("rejects a wrong non-signer key, a count mismatch, bits beyond the set and an empty signer set", async function () {
      const { registry, operators } = await loadFixture(fixture);
      const proof = await signQuorum(registry, operators, DIGEST, [operators[3].address]);
      const wrongKey = { ...proof, nonSignerPubkeys: [operators[2].keypair.pubkeyG1Eip2537] };
      await expect(registry.verifyQuorum(DIGEST, wrongKey))
        .to.be.revertedWithCustomError(registry, "QuorumNonSignerPubkeyMismatch")
        .withArgs(3);
      const missingKey = { ...proof, nonSignerPubkeys: [] };
      await expect(registry.verifyQuorum(DIGEST, missingKey))
        .to.be.revertedWithCustomError(registry, "QuorumNonSignerCountMismatch")
        .withArgs(1, 0);
      const beyond = { ...proof, nonSignerBitmap: proof.nonSignerBitmap | (1n << 4n) };
      await expect(registry.verifyQuorum(DIGEST, beyond))
        .to.be.revertedWithCustomError(registry, "QuorumNonSignerNotInSet")
        .withArgs(beyond.nonSignerBitmap, 0b1111n);
      const nobody = {
        ...proof,
        nonSignerBitmap: 0b1111n,
        nonSignerPubkeys: operators.map((o) => o.keypair.pubkeyG1Eip2537),
      };
      await expect(registry.verifyQuorum(DIGEST, nobody)).to.be.revertedWithCustomError(registry, "QuorumNoSigners");
    });

    it("rejects a signature over another digest, a missing signer's share, and the infinity signature", async function () {
      const { registry, operators } = await loadFixture(fixture);
      const other = await signQuorum(registry, operators, ethers.keccak256("0x01"));
      await expect(registry.verifyQuorum(DIGEST, other)).to.be.revertedWithCustomError(
        registry,
        "QuorumInvalidSignature",
      );
      // Claims operator 3 signed, but its signature is not in the aggregate.
      const partial = await signQuorum(registry, operators, DIGEST, [operators[3].address]);
      const lying = { ...partial, nonSignerBitmap: 0n, nonSignerPubkeys: [] };
      await expect(registry.verifyQuorum(DIGEST, lying)).to.be.revertedWithCustomError(
        registry,
        "QuorumInvalidSignature",
      );
      const infinity = { ...partial, signatureG2: new Uint8Array(256) };
      await expect(registry.verifyQuorum(DIGEST, infinity)).to.be.revertedWithCustomError(
        registry,
        "BLSPointAtInfinity",
      );
    });

    it("a proof made before a set change fails for the current set but verifies against its own set", async function () {
      const { registry, operators } = await loadFixture(peerFixture);
      const setId = await registry.operatorSetId();
      const proof = await signQuorum(registry, operators, DIGEST, [operators[3].address]);
      const newcomer = makeOperators(1, 13)[0];
      await registerOperator(registry, newcomer, 50n);
      // The newcomer is neither a non-signer nor in the aggregate: the current set's apk does not match.
      await expect(registry.verifyQuorum(DIGEST, proof)).to.be.revertedWithCustomError(
        registry,
        "QuorumInvalidSignature",
      );

      const signers = operators.slice(0, 3).sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
      const signature = proof.signatureG2;
      const result = await registry.verifySignersAt(
        setId,
        DIGEST,
        signers.map((s) => s.address),
        signers.map((s) => s.keypair.pubkeyG1Eip2537),
        signature,
      );
      expect(result).to.deep.equal([9667n, 10_000n]);
    });
  });

  describe("verifyQuorumAt", function () {
    it("checks a non-signer proof against the snapshot of an older set (keys, weights, apk, threshold)", async function () {
      const { registry, operators, slasher } = await loadFixture(fixture);
      const setId = await registry.operatorSetId();
      const apkBefore = await registry.apk();
      const proof = await signQuorum(registry, operators, DIGEST, [operators[3].address]);
      // The set changes twice: a slash (operator 0 leaves) and a new member.
      await registry.connect(slasher).slashSigners(setId, 0b1110n, 5000, REASON);
      await registerOperator(registry, makeOperators(1, 14)[0], 50n);
      expect(await registry.apkAt(setId)).to.equal(apkBefore);
      expect(await registry.verifyQuorumAt(setId, DIGEST, proof)).to.deep.equal([9667n, 10_000n]);
      const wrongKey = { ...proof, nonSignerPubkeys: [operators[2].keypair.pubkeyG1Eip2537] };
      await expect(registry.verifyQuorumAt(setId, DIGEST, wrongKey))
        .to.be.revertedWithCustomError(registry, "QuorumNonSignerPubkeyMismatch")
        .withArgs(3);
      await expect(registry.verifyQuorumAt(setId, ethers.id("other"), proof)).to.be.revertedWithCustomError(
        registry,
        "QuorumInvalidSignature",
      );
      await expect(registry.verifyQuorumAt(99, DIGEST, proof))
        .to.be.revertedWithCustomError(registry, "QuorumUnknownOperatorSet")
        .withArgs(99);
    });

    it("applies the older set's threshold and takes the current-set path for the current id", async function () {
      const { registry, operators } = await loadFixture(fixture);
      const setId = await registry.operatorSetId();
      const below = await signQuorum(registry, operators, DIGEST, [
        operators[1].address,
        operators[2].address,
        operators[3].address,
      ]);
      await registry.setQuorumBips(5000); // a lower threshold from now on
      await expect(registry.verifyQuorumAt(setId, DIGEST, below))
        .to.be.revertedWithCustomError(registry, "QuorumNotReached")
        .withArgs(6666n, 10_000n, 6667);
      const current = await signQuorum(registry, operators, DIGEST, [
        operators[1].address,
        operators[2].address,
        operators[3].address,
      ]);
      expect(await registry.verifyQuorumAt(setId + 1n, DIGEST, current)).to.deep.equal([6666n, 10_000n]);
    });
  });

  describe("verifySignersAt", function () {
    it("rejects unknown sets, unsorted or foreign signers and wrong keys", async function () {
      const { registry, operators } = await loadFixture(peerFixture);
      const setId = await registry.operatorSetId();
      const sorted = [...operators].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
      const addrs = sorted.map((s) => s.address);
      const keys = sorted.map((s) => s.keypair.pubkeyG1Eip2537);
      const sig = (await signQuorum(registry, operators, DIGEST)).signatureG2;
      expect(await registry.verifySignersAt(setId, DIGEST, addrs, keys, sig)).to.deep.equal([10_000n, 10_000n]);
      await expect(registry.verifySignersAt(0, DIGEST, addrs, keys, sig))
        .to.be.revertedWithCustomError(registry, "QuorumUnknownOperatorSet")
        .withArgs(0);
      await expect(registry.verifySignersAt(setId + 1n, DIGEST, addrs, keys, sig)).to.be.revertedWithCustomError(
        registry,
        "QuorumUnknownOperatorSet",
      );
      await expect(registry.verifySignersAt(setId, DIGEST, [...addrs].reverse(), [...keys].reverse(), sig))
        .to.be.revertedWithCustomError(registry, "QuorumSignersNotSorted")
        .withArgs(1);
      await expect(registry.verifySignersAt(setId, DIGEST, addrs, keys.slice(1), sig)).to.be.revertedWithCustomError(
        registry,
        "QuorumSignerCountMismatch",
      );
      const swapped = [keys[1], keys[0], ...keys.slice(2)];
      await expect(registry.verifySignersAt(setId, DIGEST, addrs, swapped, sig))
        .to.be.revertedWithCustomError(registry, "QuorumSignerPubkeyMismatch")
        .withArgs(addrs[0]);
      // Operator 0 joined at set 2: it was not a member of set 1.
      await expect(registry.verifySignersAt(1, DIGEST, addrs, keys, sig)).to.be.revertedWithCustomError(
        registry,
        "QuorumSignerNotInSet",
      );
      await expect(registry.verifySignersAt(setId, DIGEST, [], [], sig)).to.be.revertedWithCustomError(
        registry,
        "QuorumNoSigners",
      );
    });
  });

  describe("capacity", function () {
    it("takes 256 operators and reverts with OperatorSetFull on the 257th", async function () {
      const [owner] = await ethers.getSigners();
      const registry = await deployOperatorRegistry(owner);
      const ops = makeOperators(257, 21);
      for (const op of ops.slice(0, 256)) await registerOperator(registry, op, 1n);
      expect(await registry.activeBitmap()).to.equal(ethers.MaxUint256);
      await expect(
        registry.registerOperator(
          ops[256].address,
          ops[256].keypair.pubkeyG1Eip2537,
          await pop(registry, ops[256]),
          1n,
        ),
      )
        .to.be.revertedWithCustomError(registry, "OperatorSetFull")
        .withArgs(256);
      const proof = await signQuorum(
        registry,
        ops.slice(0, 256),
        DIGEST,
        ops.slice(0, 85).map((o) => o.address),
      );
      expect(await registry.verifyQuorum(DIGEST, proof)).to.deep.equal([171n, 256n]);
    });
  });

  describe("upgrades", function () {
    it("only the owner can upgrade, and an upgrade keeps the operator set", async function () {
      const { registry, operators, other } = await loadFixture(fixture);
      const v2 = await ethers.getContractFactory("OperatorRegistryV2Mock");
      const impl = await v2.deploy();
      await expect(registry.connect(other).upgradeToAndCall(await impl.getAddress(), "0x"))
        .to.be.revertedWithCustomError(registry, "OwnableUnauthorizedAccount")
        .withArgs(other.address);
      const upgraded = await upgrades.upgradeProxy(await registry.getAddress(), v2, { kind: "uups" });
      expect(await upgraded.getFunction("upgradeMarker")()).to.equal("v2");
      expect(await upgraded.getFunction("totalWeight")()).to.equal(10_000n);
      const proof = await signQuorum(registry, operators, DIGEST);
      expect(await upgraded.getFunction("verifyQuorum")(DIGEST, proof)).to.deep.equal([10_000n, 10_000n]);
    });

    it("passes the OpenZeppelin storage-layout validation", async function () {
      const factory = await ethers.getContractFactory("OperatorRegistry");
      await upgrades.validateImplementation(factory, { kind: "uups" });
      const { registry } = await loadFixture(fixture);
      await upgrades.validateUpgrade(
        await registry.getAddress(),
        await ethers.getContractFactory("OperatorRegistryV2Mock"),
        { kind: "uups" },
      );
    });
  });
});

import { loadFixture, mine, setBalance } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import fc from "fast-check";

import { applyWrite, fakeExponential, keyHash, type WriteFeeParams, type WriteFeeState } from "../keeper/chain";
import { DA_CERT, deployStateCommitRegistry } from "./helpers/commits";
import { deployOperatorRegistry } from "./helpers/operators";
import { artifactRef, deployPolicyStack, EMPTY_REF } from "./helpers/policy";

const MiB = 1024 * 1024;
const RICH = 2n ** 200n;

async function fixture() {
  const [owner, alice, bob] = await ethers.getSigners();
  const operatorRegistry = await deployOperatorRegistry(owner);
  const registry = await deployStateCommitRegistry(owner, await operatorRegistry.getAddress());
  return { registry, owner, alice, bob };
}

async function feeState(registry: Awaited<ReturnType<typeof fixture>>["registry"]): Promise<WriteFeeState> {
  const [excessBytes, updatedAtBlock] = await registry.writeFeeState();
  return { excessBytes, updatedAtBlock };
}

describe("StateCommitRegistry write fee", function () {
  describe("fakeExponential (TypeScript twin)", function () {
    it("matches the EIP-4844 reference vectors", function () {
      const vectors: [number, number, number, bigint][] = [
        [1, 0, 1, 1n],
        [38493, 0, 1000, 38493n],
        [0, 1234, 2345, 0n],
        [1, 2, 1, 6n],
        [1, 4, 2, 6n],
        [1, 3, 1, 16n],
        [1, 6, 2, 18n],
        [1, 4, 1, 49n],
        [1, 8, 2, 50n],
        [10, 8, 2, 542n],
        [11, 8, 2, 596n],
        [1, 5, 1, 136n],
        [1, 5, 2, 11n],
        [2, 5, 2, 23n],
        [1, 50000000, 2225652, 5709098764n],
      ];
      for (const [f, n, d, want] of vectors) expect(fakeExponential(BigInt(f), BigInt(n), BigInt(d))).to.equal(want);
    });

    it("stops rising at MAX_FEE_EXPONENT", function () {
      expect(fakeExponential(1000n, 32n * 1000n, 1000n)).to.equal(fakeExponential(1000n, 10n ** 12n, 1000n));
      expect(fakeExponential(1000n, 31n * 1000n, 1000n) < fakeExponential(1000n, 32n * 1000n, 1000n)).to.equal(true);
    });
  });

  describe("defaults", function () {
    it("starts free: zero parameters, zero fee, proposeWrite without value", async function () {
      const { registry, alice } = await loadFixture(fixture);
      expect(await registry.writeFeeParams()).to.deep.equal([0n, 0n, 0n]);
      expect(await registry.writeFee(16 * MiB)).to.equal(0n);
      await expect(registry.connect(alice).proposeWrite(1, ethers.id("a"), ethers.id("v"), 16 * MiB, DA_CERT)).to.emit(
        registry,
        "WriteProposed",
      );
      expect(await registry.writeFeeState()).to.deep.equal([0n, 0n]);
    });
  });

  describe("setWriteFeeParams / withdrawWriteFees", function () {
    it("lets only the owner set parameters, rejects a fee without target or fraction, emits the event", async function () {
      const { registry, alice } = await loadFixture(fixture);
      await expect(registry.connect(alice).setWriteFeeParams(1, 1, 1)).to.be.revertedWithCustomError(
        registry,
        "OwnableUnauthorizedAccount",
      );
      await expect(registry.setWriteFeeParams(1, 0, 1))
        .to.be.revertedWithCustomError(registry, "ConfigValueInvalid")
        .withArgs(ethers.encodeBytes32String("targetBytesPerBlock"), 0);
      await expect(registry.setWriteFeeParams(1, 1, 0))
        .to.be.revertedWithCustomError(registry, "ConfigValueInvalid")
        .withArgs(ethers.encodeBytes32String("updateFraction"), 0);
      await expect(registry.setWriteFeeParams(7, 100, 1000))
        .to.emit(registry, "WriteFeeParamsUpdated")
        .withArgs(7, 100, 1000);
      expect(await registry.writeFeeParams()).to.deep.equal([7n, 100n, 1000n]);
      await expect(registry.setWriteFeeParams(0, 0, 0)).to.emit(registry, "WriteFeeParamsUpdated");
    });

    it("sends collected fees to the owner's choice, only at the owner's call", async function () {
      const { registry, alice, bob } = await loadFixture(fixture);
      await registry.setWriteFeeParams(10, 1, 1_000_000);
      await registry.connect(alice).proposeWrite(1, ethers.id("a"), ethers.id("v"), 1000, DA_CERT, { value: 10_000 });
      await expect(registry.connect(alice).withdrawWriteFees(alice.address, 1)).to.be.revertedWithCustomError(
        registry,
        "OwnableUnauthorizedAccount",
      );
      const tx = registry.withdrawWriteFees(bob.address, 10_000);
      await expect(tx).to.emit(registry, "WriteFeesWithdrawn").withArgs(bob.address, 10_000);
      await expect(tx).to.changeEtherBalances([registry, bob], [-10_000, 10_000]);
      await expect(registry.withdrawWriteFees(bob.address, 1))
        .to.be.revertedWithCustomError(registry, "WriteFeeTransferFailed")
        .withArgs(bob.address, 1);
    });
  });

  describe("proposeWrite pays", function () {
    it("reverts WriteFeeTooLow below the fee, refunds above it, charges nothing for a delete", async function () {
      const { registry, alice } = await loadFixture(fixture);
      await registry.setWriteFeeParams(3, 1, 1_000_000);
      const fee = await registry.writeFee(100);
      expect(fee).to.equal(300n);
      await expect(
        registry.connect(alice).proposeWrite(1, ethers.id("a"), ethers.id("v"), 100, DA_CERT, { value: 299 }),
      )
        .to.be.revertedWithCustomError(registry, "WriteFeeTooLow")
        .withArgs(300, 299);
      await expect(
        registry.connect(alice).proposeWrite(1, ethers.id("a"), ethers.id("v"), 100, DA_CERT, { value: 1000 }),
      ).to.changeEtherBalances([registry, alice], [300, -300]);
      await expect(
        registry.connect(alice).proposeWrite(1, ethers.id("a"), ethers.ZeroHash, 0, "0x", { value: 5 }),
      ).to.changeEtherBalances([registry, alice], [0, 0]);
    });

    it("reverts WriteFeeTransferFailed when the overpaying caller refuses the refund (no state change)", async function () {
      const { registry } = await loadFixture(fixture);
      await registry.setWriteFeeParams(1, 1, 1_000_000);
      // A contract caller without a receive function: its refund fails and the whole write reverts.
      const refuser = await ethers.deployContract("RefundRefuser", [await registry.getAddress()]);
      await expect(refuser.propose(100, { value: 101 })).to.be.revertedWithCustomError(
        registry,
        "WriteFeeTransferFailed",
      );
      expect(await registry.writeCount()).to.equal(0n);
      await expect(refuser.propose(100, { value: 100 })).to.emit(registry, "WriteProposed");
    });

    /** Attack: three 16 MiB claims fill a 50 MiB window; now each costs exponentially more than the last. */
    it("makes crowding a window expensive: the fee per byte grows with every full window's worth of bytes", async function () {
      const { registry, alice } = await loadFixture(fixture);
      // 50 MiB windows of 10 blocks: target 2.5 MiB per block; 12.5 % per block of full demand.
      const target = (50 * MiB) / 2 / 10;
      await registry.setWriteFeeParams(1e8, target, 22_255_000);
      await setBalance(alice.address, RICH);
      const paid: bigint[] = [];
      for (let i = 0; i < 9; i++) {
        const fee = await registry.writeFee(16 * MiB);
        const tx = registry.connect(alice).proposeWrite(1, ethers.id(`s${i}`), ethers.id(`v${i}`), 16 * MiB, DA_CERT, {
          value: fee * 2n,
        });
        await (await tx).wait();
        paid.push(fee);
      }
      // Each 16 MiB write raises the next one's price by ≈ e^(16 MiB / 22.3 MB) ≈ 2.1× (less the decay of one block).
      for (let i = 1; i < paid.length; i++) expect(paid[i] > (paid[i - 1] * 3n) / 2n).to.equal(true);
      expect(paid[8] / paid[0] > 100n).to.equal(true);
    });
  });

  describe("against the TypeScript reference model", function () {
    /**
     * Property: for any parameters and any sequence of writes (lengths, block gaps), every write pays
     * exactly the model's fee (the contract's balance grows by it, the overpayment comes back) and the
     * fee state equals the model's.
     */
    it("charges every write the model's fee and keeps the model's fee state (fast-check)", async function () {
      const { registry, alice } = await loadFixture(fixture);
      await setBalance(alice.address, RICH);
      const write = fc.record({
        gap: fc.integer({ min: 0, max: 30 }),
        byteLength: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 16 * MiB })),
        extra: fc.integer({ min: 0, max: 1000 }),
      });
      const params = fc.record({
        minBaseFeePerByte: fc.bigInt({ min: 1n, max: 10n ** 9n }),
        targetBytesPerBlock: fc.bigInt({ min: 1n, max: 8n * BigInt(MiB) }),
        updateFraction: fc.bigInt({ min: 1n, max: 2n ** 34n }),
      });
      let n = 0;
      await fc.assert(
        fc.asyncProperty(params, fc.array(write, { minLength: 1, maxLength: 6 }), async (p: WriteFeeParams, writes) => {
          await registry.setWriteFeeParams(p.minBaseFeePerByte, p.targetBytesPerBlock, p.updateFraction);
          let model = await feeState(registry);
          for (const w of writes) {
            if (w.gap > 0) await mine(w.gap);
            const block = BigInt((await ethers.provider.getBlockNumber()) + 1);
            const expected = applyWrite(p, model, block, BigInt(w.byteLength));
            const before = await ethers.provider.getBalance(await registry.getAddress());
            const valueHash = w.byteLength === 0 ? ethers.ZeroHash : ethers.id(`v${n}`);
            const receipt = await (
              await registry.connect(alice).proposeWrite(1, ethers.id(`k${n++}`), valueHash, w.byteLength, DA_CERT, {
                value: expected.fee + BigInt(w.extra),
              })
            ).wait();
            expect(BigInt(receipt!.blockNumber)).to.equal(block);
            expect((await ethers.provider.getBalance(await registry.getAddress())) - before).to.equal(expected.fee);
            model = expected.state;
            expect(await feeState(registry)).to.deep.equal(model);
          }
        }),
        { numRuns: 8 },
      );
    });

    /** The fee rises while windows stay full and falls back to the minimum once demand stops. */
    it("rises under sustained full windows and falls back when demand stops", async function () {
      const { registry, alice } = await loadFixture(fixture);
      await setBalance(alice.address, RICH);
      const p: WriteFeeParams = { minBaseFeePerByte: 100n, targetBytesPerBlock: 1000n, updateFraction: 20_000n };
      await registry.setWriteFeeParams(p.minBaseFeePerByte, p.targetBytesPerBlock, p.updateFraction);
      const fees: bigint[] = [];
      // Demand of 2 000 bytes per block, twice the target: the excess grows by ~1 000 bytes per block.
      for (let i = 0; i < 12; i++) {
        const fee = await registry.writeFee(2000);
        await (
          await registry.connect(alice).proposeWrite(1, ethers.id(`r${i}`), ethers.id(`v${i}`), 2000, DA_CERT, {
            value: fee * 2n,
          })
        ).wait();
        fees.push(fee);
      }
      for (let i = 1; i < fees.length; i++) expect(fees[i] > fees[i - 1]).to.equal(true);
      const peak = await registry.baseFeePerByte();
      expect(peak > p.minBaseFeePerByte).to.equal(true);
      // Demand stops: the excess decays by the target per block until the fee is back at the minimum.
      await mine(10);
      const falling = await registry.baseFeePerByte();
      expect(falling < peak).to.equal(true);
      await mine(50);
      expect(await registry.baseFeePerByte()).to.equal(p.minBaseFeePerByte);
    });
  });

  describe("artifact writes", function () {
    async function stack() {
      const [owner, author, attacker, victim] = await ethers.getSigners();
      const s = await deployPolicyStack(owner);
      await s.stateCommitRegistry.setWriteFeeParams(2, 1, 1_000_000_000);
      return { ...s, owner, author, attacker, victim };
    }

    it("registerTemplate pays every artifact write's fee out of msg.value and refunds the rest", async function () {
      const { policyRegistry, stateCommitRegistry, author } = await loadFixture(stack);
      const rego = artifactRef("package a\nallow := true");
      const schema = artifactRef('{"type":"object"}');
      const fee = 2n * BigInt(rego.byteLength + schema.byteLength);
      await expect(policyRegistry.connect(author).registerTemplate(rego, schema, [], { value: fee - 1n }))
        .to.be.revertedWithCustomError(stateCommitRegistry, "WriteFeeTooLow")
        .withArgs(2 * schema.byteLength, 2 * schema.byteLength - 1);
      await expect(
        policyRegistry.connect(author).registerTemplate(rego, schema, [], { value: fee + 1000n }),
      ).to.changeEtherBalances([stateCommitRegistry, policyRegistry, author], [fee, 0, -fee]);
    });

    it("setSecrets and the policy-data registerTemplate pay and refund the same way", async function () {
      const { policyDataRegistry, stateCommitRegistry, author } = await loadFixture(stack);
      const wasm = artifactRef("\0asm wasm bytes");
      const fee = 2n * BigInt(wasm.byteLength);
      await expect(
        policyDataRegistry.connect(author).registerTemplate(wasm, EMPTY_REF, EMPTY_REF, { value: fee + 7n }),
      ).to.changeEtherBalances([stateCommitRegistry, policyDataRegistry, author], [fee, 0, -fee]);
      const templateId = await policyDataRegistry.computeTemplateId(
        wasm.contentHash,
        EMPTY_REF.contentHash,
        EMPTY_REF.contentHash,
      );
      await (await policyDataRegistry.connect(author).deployInstance(templateId, author.address, "0x", 10)).wait();
      const instanceId = await policyDataRegistry.computeInstanceId(
        author.address,
        templateId,
        ethers.keccak256("0x"),
        10,
      );
      await expect(
        policyDataRegistry.connect(author).setSecrets(instanceId, ethers.id("env"), 50, DA_CERT, { value: 1000 }),
      ).to.changeEtherBalances([stateCommitRegistry, author], [100, -100]);
    });

    /**
     * Attack (artifact squatting): the attacker registers a template naming the victim's Rego hash with
     * a certificate of missing bytes and a 16 MiB length; the victim's own registration then proposes
     * no write. Fix: anyone re-proposes the real bytes (same key, same value hash, new certificate and
     * length), paying the fee; the latest write of the key now carries the fetchable certificate.
     */
    it("lets anyone re-propose a squatted artifact's bytes with a new certificate and length", async function () {
      const { policyRegistry, stateCommitRegistry, attacker, victim } = await loadFixture(stack);
      const real = artifactRef("package victim\nallow := input.ok");
      const squat = { contentHash: real.contentHash, byteLength: 16 * MiB, daCert: "0x01" + "00".repeat(40) };
      await setBalance(attacker.address, RICH);
      await (
        await policyRegistry.connect(attacker).registerTemplate(squat, EMPTY_REF, [], { value: 2n * BigInt(16 * MiB) })
      ).wait();
      // The victim's registration of a different template over the same Rego writes nothing for it.
      const schema = artifactRef('{"type":"object","title":"victim"}');
      await expect(policyRegistry.connect(victim).registerTemplate(real, schema, [], { value: 10n ** 15n }))
        .to.emit(stateCommitRegistry, "WriteProposed")
        .withArgs(
          1,
          5,
          keyHash(5, schema.contentHash),
          schema.contentHash,
          schema.byteLength,
          await policyRegistry.getAddress(),
          schema.daCert,
        );
      const key = keyHash(4, real.contentHash);
      expect(await stateCommitRegistry.latestWriteIndex(key)).to.equal(0n);
      const fee = await stateCommitRegistry.writeFee(real.byteLength);
      await expect(policyRegistry.connect(victim).reproposeArtifact(4, real, { value: fee + 5n }))
        .to.emit(policyRegistry, "ArtifactReproposed")
        .withArgs(4, real.contentHash, real.byteLength, victim.address)
        .and.to.emit(stateCommitRegistry, "WriteProposed")
        .withArgs(2, 4, key, real.contentHash, real.byteLength, await policyRegistry.getAddress(), real.daCert);
      expect(await stateCommitRegistry.latestWriteIndex(key)).to.equal(2n);
    });

    it("reverts ArtifactNotWritten for an artifact the registry never wrote, ArtifactRefInvalid for a bad ref, and charges re-proposals", async function () {
      const { policyRegistry, stateCommitRegistry, attacker } = await loadFixture(stack);
      const rego = artifactRef("package x");
      await expect(policyRegistry.connect(attacker).reproposeArtifact(4, rego))
        .to.be.revertedWithCustomError(policyRegistry, "ArtifactNotWritten")
        .withArgs(4, rego.contentHash);
      await (
        await policyRegistry.connect(attacker).registerTemplate(rego, EMPTY_REF, [], { value: 10n ** 15n })
      ).wait();
      await expect(
        policyRegistry.connect(attacker).reproposeArtifact(4, { ...rego, byteLength: 0 }),
      ).to.be.revertedWithCustomError(policyRegistry, "ArtifactRefInvalid");
      // Griefing by re-proposing pays the byte fee like any write.
      await expect(
        policyRegistry.connect(attacker).reproposeArtifact(4, { ...rego, byteLength: 1000 }, { value: 1999 }),
      ).to.be.revertedWithCustomError(stateCommitRegistry, "WriteFeeTooLow");
    });
  });
});

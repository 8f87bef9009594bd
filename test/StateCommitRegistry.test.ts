import { loadFixture, mine } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { ethers, upgrades } from "hardhat";
import fc from "fast-check";

import {
  EMPTY_TREE_ROOT,
  NO_WRITE,
  STATE_COMMIT_TYPEHASH,
  keyHash,
  stateCommitDigest,
  userLeafId,
  writeRecordHash,
} from "../keeper/chain";
import type { Hex } from "../keeper/common";
import { DA_CERT, deployStateCommitRegistry, nextCommit } from "./helpers/commits";
import { deployOperatorRegistry, makeOperators, registerOperator } from "./helpers/operators";

const MiB = 1024 * 1024;
const ZERO = ethers.ZeroHash as Hex;

async function fixture() {
  const [owner, writer, verifier, alice, bob] = await ethers.getSigners();
  const operatorRegistry = await deployOperatorRegistry(owner);
  const operators = makeOperators(4, 3);
  for (const op of operators) await registerOperator(operatorRegistry, op, 25n);
  const registry = await deployStateCommitRegistry(owner, await operatorRegistry.getAddress());
  await registry.setNamespaceWriter(3, writer.address);
  await registry.setChallengeVerifier(verifier.address);
  return { registry, operatorRegistry, operators, owner, writer, verifier, alice, bob };
}

describe("StateCommitRegistry", function () {
  describe("initialize", function () {
    it("starts at the genesis commit: sequence 0, the empty-tree root, no writes", async function () {
      const { registry, operatorRegistry } = await loadFixture(fixture);
      const [sequenceNo, record] = await registry.latest();
      expect(sequenceNo).to.equal(0n);
      expect(record.stateRoot).to.equal(EMPTY_TREE_ROOT);
      expect(await registry.writeCount()).to.equal(0n);
      expect(await registry.isFinal(0)).to.equal(true);
      expect(await registry.maxWriteBytes()).to.equal(16 * MiB);
      expect(await registry.challengeWindowBlocks()).to.equal(100n);
      expect(await registry.operatorRegistry()).to.equal(await operatorRegistry.getAddress());
      expect(await registry.STATE_COMMIT_TYPEHASH()).to.equal(STATE_COMMIT_TYPEHASH);
    });
  });

  describe("proposeWrite", function () {
    it("appends a write under a sender-scoped key and emits WriteProposed", async function () {
      const { registry, alice } = await loadFixture(fixture);
      const slot = ethers.id("profile");
      const valueHash = ethers.id("value") as Hex;
      const key = keyHash(1, userLeafId(alice.address, slot));
      await expect(registry.connect(alice).proposeWrite(1, slot, valueHash, 5, DA_CERT))
        .to.emit(registry, "WriteProposed")
        .withArgs(0, 1, key, valueHash, 5, alice.address, DA_CERT);
      expect(await registry.writeCount()).to.equal(1n);
      expect(await registry.latestWriteIndex(key)).to.equal(0n);
      expect(await registry.writeRecordHashAt(0)).to.equal(
        writeRecordHash({ namespace: 1, keyHash: key, valueHash, byteLength: 5, prevWriteIndex: NO_WRITE }),
      );
    });

    it("scopes ids per sender: two senders with the same slot write different keys", async function () {
      const { registry, alice, bob } = await loadFixture(fixture);
      const slot = ethers.id("same-slot");
      const a = await (await registry.connect(alice).proposeWrite(2, slot, ethers.id("a"), 1, DA_CERT)).wait();
      const b = await (await registry.connect(bob).proposeWrite(2, slot, ethers.id("b"), 1, DA_CERT)).wait();
      const keyOf = (r: typeof a) => registry.interface.parseLog(r!.logs[0])!.args.keyHash;
      expect(keyOf(a)).to.equal(keyHash(2, userLeafId(alice.address, slot)));
      expect(keyOf(b)).to.equal(keyHash(2, userLeafId(bob.address, slot)));
      expect(keyOf(a)).to.not.equal(keyOf(b));
    });

    it("reverts with WriteNamespaceInvalid outside 0x01–0x02", async function () {
      const { registry, alice } = await loadFixture(fixture);
      for (const ns of [0, 3, 8, 255]) {
        await expect(registry.connect(alice).proposeWrite(ns, ZERO, ethers.id("v"), 1, DA_CERT))
          .to.be.revertedWithCustomError(registry, "WriteNamespaceInvalid")
          .withArgs(ns);
      }
    });

    it("reverts with WriteTooLarge over maxWriteBytes and WriteDeleteWithBytes for a delete with a length", async function () {
      const { registry, alice } = await loadFixture(fixture);
      await expect(registry.connect(alice).proposeWrite(1, ZERO, ethers.id("v"), 16 * MiB + 1, DA_CERT))
        .to.be.revertedWithCustomError(registry, "WriteTooLarge")
        .withArgs(16 * MiB + 1, 16 * MiB);
      await registry.connect(alice).proposeWrite(1, ZERO, ethers.id("v"), 16 * MiB, DA_CERT);
      await expect(registry.connect(alice).proposeWrite(1, ZERO, ZERO, 1, "0x"))
        .to.be.revertedWithCustomError(registry, "WriteDeleteWithBytes")
        .withArgs(1);
    });
  });

  describe("proposeNamespaceWrite", function () {
    it("lets only the namespace's writer write, with the id as given", async function () {
      const { registry, writer, alice } = await loadFixture(fixture);
      const id = ethers.id("envelope");
      await expect(registry.connect(writer).proposeNamespaceWrite(3, id, ethers.id("v"), 10, DA_CERT))
        .to.emit(registry, "WriteProposed")
        .withArgs(0, 3, keyHash(3, id), ethers.id("v"), 10, writer.address, DA_CERT);
      await expect(registry.connect(alice).proposeNamespaceWrite(3, id, ethers.id("v"), 10, DA_CERT))
        .to.be.revertedWithCustomError(registry, "WriteCallerNotNamespaceWriter")
        .withArgs(3, alice.address);
      await expect(registry.connect(writer).proposeNamespaceWrite(4, id, ethers.id("v"), 10, DA_CERT))
        .to.be.revertedWithCustomError(registry, "WriteCallerNotNamespaceWriter")
        .withArgs(4, writer.address);
      for (const ns of [1, 2, 9]) {
        await expect(registry.connect(writer).proposeNamespaceWrite(ns, id, ethers.id("v"), 10, DA_CERT))
          .to.be.revertedWithCustomError(registry, "WriteNamespaceInvalid")
          .withArgs(ns);
      }
    });

    it("setNamespaceWriter is owner-only and limited to 0x03–0x08", async function () {
      const { registry, writer, alice } = await loadFixture(fixture);
      await expect(registry.setNamespaceWriter(8, alice.address))
        .to.emit(registry, "NamespaceWriterSet")
        .withArgs(8, ethers.ZeroAddress, alice.address);
      expect(await registry.namespaceWriter(8)).to.equal(alice.address);
      await expect(registry.setNamespaceWriter(2, alice.address))
        .to.be.revertedWithCustomError(registry, "WriteNamespaceInvalid")
        .withArgs(2);
      await expect(registry.connect(writer).setNamespaceWriter(3, writer.address)).to.be.revertedWithCustomError(
        registry,
        "OwnableUnauthorizedAccount",
      );
    });
  });

  describe("write log model", function () {
    /**
     * Invariant: after any sequence of writes, for every index i the stored record hash is the hash of
     * (namespace, keyHash, valueHash, byteLength, index of the previous write to the same key or NO_WRITE), and
     * for every key the latest-index view is the last index written to it — as a Map-based model computes.
     */
    it("matches a TypeScript model of record hashes and previous-write links under random writes", async function () {
      const { registry } = await loadFixture(fixture);
      const signers = (await ethers.getSigners()).slice(5, 8);
      const write = fc.record({
        sender: fc.nat({ max: signers.length - 1 }),
        namespace: fc.constantFrom(1, 2),
        slot: fc.nat({ max: 3 }),
        del: fc.boolean(),
        value: fc.nat({ max: 1000 }),
      });
      await fc.assert(
        fc.asyncProperty(fc.array(write, { minLength: 1, maxLength: 12 }), async (writes) => {
          const { registry: fresh } = await loadFixture(fixture);
          const latest = new Map<string, bigint>();
          const expected: string[] = [];
          for (const [i, w] of writes.entries()) {
            const sender = signers[w.sender];
            const slot = ethers.toBeHex(w.slot, 32);
            const valueHash = (w.del ? ZERO : ethers.id(`v${w.value}`)) as Hex;
            const byteLength = w.del ? 0 : w.value;
            await fresh.connect(sender).proposeWrite(w.namespace, slot, valueHash, byteLength, DA_CERT);
            const key = keyHash(w.namespace, userLeafId(sender.address, slot));
            expected.push(
              writeRecordHash({
                namespace: w.namespace,
                keyHash: key,
                valueHash,
                byteLength,
                prevWriteIndex: latest.get(key) ?? NO_WRITE,
              }),
            );
            latest.set(key, BigInt(i));
          }
          expect(await fresh.writeCount()).to.equal(BigInt(writes.length));
          for (const [i, h] of expected.entries()) expect(await fresh.writeRecordHashAt(i)).to.equal(h);
          for (const [key, index] of latest) expect(await fresh.latestWriteIndex(key)).to.equal(index);
        }),
        { numRuns: 12 },
      );
      expect(await registry.latestWriteIndex(ethers.id("never written"))).to.equal(NO_WRITE);
    });
  });

  describe("commitStateRoot", function () {
    it("accepts a quorum-signed commit, stores its record and emits StateRootCommitted", async function () {
      const { registry, operatorRegistry, operators, alice } = await loadFixture(fixture);
      await registry.connect(alice).proposeWrite(1, ZERO, ethers.id("v"), 1, DA_CERT);
      await mine(1);
      const { commit, proof, daCert } = await nextCommit(
        registry,
        operatorRegistry,
        operators,
        {},
        { nonSigners: [operators[0].address] },
      );
      const tx = registry.commitStateRoot(commit, daCert, proof);
      await expect(tx)
        .to.emit(registry, "StateRootCommitted")
        .withArgs(1, commit.stateRoot, 1, commit.referenceBlock, daCert, 75n);
      const block = (await (await tx).wait())!.blockNumber;
      const record = await registry.commitAt(1);
      expect(record.stateRoot).to.equal(commit.stateRoot);
      expect(record.writeIndexEnd).to.equal(1n);
      expect(record.referenceBlock).to.equal(commit.referenceBlock);
      expect(record.operatorSetId).to.equal(commit.operatorSetId);
      expect(record.committedAtBlock).to.equal(BigInt(block));
      expect(record.daCommitment).to.equal(commit.daCommitment);
      expect(record.nonSignerBitmap).to.equal(proof.nonSignerBitmap);
      expect(await registry.stateRootAt(1)).to.equal(commit.stateRoot);
      expect((await registry.latest())[0]).to.equal(1n);
      expect(await registry.commitDigest(commit)).to.equal(
        stateCommitDigest((await ethers.provider.getNetwork()).chainId, await registry.getAddress(), commit),
      );
    });

    it("reverts with CommitSequenceGap and CommitPrevRootMismatch", async function () {
      const { registry, operatorRegistry, operators } = await loadFixture(fixture);
      await mine(1);
      const gap = await nextCommit(registry, operatorRegistry, operators, { sequenceNo: 2n });
      await expect(registry.commitStateRoot(gap.commit, gap.daCert, gap.proof))
        .to.be.revertedWithCustomError(registry, "CommitSequenceGap")
        .withArgs(1, 2);
      const badPrev = await nextCommit(registry, operatorRegistry, operators, { prevStateRoot: ethers.id("x") as Hex });
      await expect(registry.commitStateRoot(badPrev.commit, badPrev.daCert, badPrev.proof))
        .to.be.revertedWithCustomError(registry, "CommitPrevRootMismatch")
        .withArgs(EMPTY_TREE_ROOT, ethers.id("x"));
    });

    it("reverts when writeIndexEnd is past the log or goes backwards", async function () {
      const { registry, operatorRegistry, operators, alice } = await loadFixture(fixture);
      await registry.connect(alice).proposeWrite(1, ZERO, ethers.id("v"), 1, DA_CERT);
      await registry.connect(alice).proposeWrite(1, ZERO, ethers.id("w"), 1, DA_CERT);
      await mine(1);
      const beyond = await nextCommit(registry, operatorRegistry, operators, { writeIndexEnd: 3n });
      await expect(registry.commitStateRoot(beyond.commit, beyond.daCert, beyond.proof))
        .to.be.revertedWithCustomError(registry, "CommitWriteIndexBeyondLog")
        .withArgs(2, 3);
      const first = await nextCommit(registry, operatorRegistry, operators, { writeIndexEnd: 2n });
      await registry.commitStateRoot(first.commit, first.daCert, first.proof);
      const back = await nextCommit(registry, operatorRegistry, operators, { writeIndexEnd: 1n });
      await expect(registry.commitStateRoot(back.commit, back.daCert, back.proof))
        .to.be.revertedWithCustomError(registry, "CommitWriteIndexBackwards")
        .withArgs(2, 1);
    });

    it("reverts with CommitReferenceBlockNotPast for the current or a future block", async function () {
      const { registry, operatorRegistry, operators } = await loadFixture(fixture);
      const next = BigInt(await ethers.provider.getBlockNumber()) + 1n; // the block the tx lands in
      const c = await nextCommit(registry, operatorRegistry, operators, { referenceBlock: next });
      await expect(registry.commitStateRoot(c.commit, c.daCert, c.proof))
        .to.be.revertedWithCustomError(registry, "CommitReferenceBlockNotPast")
        .withArgs(next, next);
    });

    it("reverts with CommitDaCertMismatch when the certificate is not the signed one", async function () {
      const { registry, operatorRegistry, operators } = await loadFixture(fixture);
      await mine(1);
      const c = await nextCommit(registry, operatorRegistry, operators);
      await expect(registry.commitStateRoot(c.commit, "0x01cafe", c.proof))
        .to.be.revertedWithCustomError(registry, "CommitDaCertMismatch")
        .withArgs(c.commit.daCommitment, ethers.keccak256("0x01cafe"));
    });

    it("reverts with CommitStaleOperatorSet after the set changed", async function () {
      const { registry, operatorRegistry, operators } = await loadFixture(fixture);
      await mine(1);
      const c = await nextCommit(registry, operatorRegistry, operators);
      await registerOperator(operatorRegistry, makeOperators(1, 77)[0], 1n);
      await expect(registry.commitStateRoot(c.commit, c.daCert, c.proof))
        .to.be.revertedWithCustomError(registry, "CommitStaleOperatorSet")
        .withArgs(c.commit.operatorSetId + 1n, c.commit.operatorSetId);
    });

    it("reverts with QuorumNotReached below the threshold", async function () {
      const { registry, operatorRegistry, operators } = await loadFixture(fixture);
      await mine(1);
      const c = await nextCommit(
        registry,
        operatorRegistry,
        operators,
        {},
        { nonSigners: [operators[0].address, operators[1].address] },
      );
      await expect(registry.commitStateRoot(c.commit, c.daCert, c.proof))
        .to.be.revertedWithCustomError(operatorRegistry, "QuorumNotReached")
        .withArgs(50n, 100n, 6667);
    });

    it("a signature for another chain id or another registry address does not verify here", async function () {
      const { registry, operatorRegistry, operators, owner } = await loadFixture(fixture);
      await mine(1);
      const { chainId } = await ethers.provider.getNetwork();
      const otherChain = await nextCommit(registry, operatorRegistry, operators, {}, { chainId: chainId + 1n });
      await expect(
        registry.commitStateRoot(otherChain.commit, otherChain.daCert, otherChain.proof),
      ).to.be.revertedWithCustomError(operatorRegistry, "QuorumInvalidSignature");
      // The same signed commit replayed on a second registry of the same chain.
      const mirror = await deployStateCommitRegistry(owner, await operatorRegistry.getAddress());
      const signedHere = await nextCommit(registry, operatorRegistry, operators);
      await expect(
        mirror.commitStateRoot(signedHere.commit, signedHere.daCert, signedHere.proof),
      ).to.be.revertedWithCustomError(operatorRegistry, "QuorumInvalidSignature");
      await registry.commitStateRoot(signedHere.commit, signedHere.daCert, signedHere.proof);
    });
  });

  describe("rollback and finality", function () {
    async function withCommits(count: number) {
      const ctx = await loadFixture(fixture);
      for (let i = 0; i < count; i++) {
        await ctx.registry.connect(ctx.alice).proposeWrite(1, ethers.toBeHex(i, 32), ethers.id(`v${i}`), 1, DA_CERT);
        await mine(1);
        const c = await nextCommit(ctx.registry, ctx.operatorRegistry, ctx.operators);
        await ctx.registry.commitStateRoot(c.commit, c.daCert, c.proof);
      }
      return ctx;
    }

    it("lets only the verifier roll back; drops n..latest and restores n − 1", async function () {
      const { registry, verifier, alice } = await withCommits(3);
      await expect(registry.connect(alice).rollback(2))
        .to.be.revertedWithCustomError(registry, "RollbackCallerNotVerifier")
        .withArgs(alice.address);
      const root1 = await registry.stateRootAt(1);
      await expect(registry.connect(verifier).rollback(2)).to.emit(registry, "StateRolledBack").withArgs(2, 3, root1);
      const [sequenceNo, record] = await registry.latest();
      expect(sequenceNo).to.equal(1n);
      expect(record.writeIndexEnd).to.equal(1n);
      await expect(registry.commitAt(2)).to.be.revertedWithCustomError(registry, "CommitUnknown").withArgs(2);
      await expect(registry.connect(verifier).rollback(2))
        .to.be.revertedWithCustomError(registry, "CommitUnknown")
        .withArgs(2);
      await expect(registry.connect(verifier).rollback(0))
        .to.be.revertedWithCustomError(registry, "CommitUnknown")
        .withArgs(0);
    });

    it("accepts a new commit for n after a rollback", async function () {
      const { registry, operatorRegistry, operators, verifier } = await withCommits(2);
      await registry.connect(verifier).rollback(2);
      const again = await nextCommit(
        registry,
        operatorRegistry,
        operators,
        { stateRoot: ethers.id("honest") as Hex },
        { nonSigners: [operators[3].address] },
      );
      expect(again.commit.sequenceNo).to.equal(2n);
      await registry.commitStateRoot(again.commit, again.daCert, again.proof);
      expect(await registry.stateRootAt(2)).to.equal(ethers.id("honest"));
      expect((await registry.commitAt(2)).nonSignerBitmap).to.equal(again.proof.nonSignerBitmap);
    });

    it("leaves no field of a dropped commit behind: the recommit of n overwrites all of them, a zero bitmap too", async function () {
      const { registry, operatorRegistry, operators, verifier } = await withCommits(1);
      await mine(1);
      const partial = await nextCommit(
        registry,
        operatorRegistry,
        operators,
        {},
        { nonSigners: [operators[3].address] },
      );
      await registry.commitStateRoot(partial.commit, partial.daCert, partial.proof);
      await registry.connect(verifier).rollback(2);
      expect(await registry.isFinal(2)).to.equal(false);
      await expect(registry.stateRootAt(2)).to.be.revertedWithCustomError(registry, "CommitUnknown");
      const full = await nextCommit(registry, operatorRegistry, operators, { stateRoot: ethers.id("again") as Hex });
      await registry.commitStateRoot(full.commit, full.daCert, full.proof);
      const record = await registry.commitAt(2);
      expect(record.nonSignerBitmap).to.equal(0n);
      expect(record.stateRoot).to.equal(ethers.id("again"));
      expect(record.committedAtBlock).to.equal(BigInt(await ethers.provider.getBlockNumber()));
    });

    it("a commit becomes final challengeWindowBlocks after it landed and cannot be rolled back then", async function () {
      const { registry, verifier } = await withCommits(1);
      const landed = (await registry.commitAt(1)).committedAtBlock;
      await mine(Number(landed) + 100 - 1 - (await ethers.provider.getBlockNumber()));
      expect(await registry.isFinal(1)).to.equal(false);
      await mine(1);
      expect(await registry.isFinal(1)).to.equal(true);
      expect(await registry.isFinal(2)).to.equal(false);
      await expect(registry.connect(verifier).rollback(1))
        .to.be.revertedWithCustomError(registry, "RollbackCommitFinal")
        .withArgs(1);
    });
  });

  describe("configuration", function () {
    it("owner-only setters validate values and emit events", async function () {
      const { registry, alice, verifier } = await loadFixture(fixture);
      await expect(registry.setMaxWriteBytes(1024))
        .to.emit(registry, "MaxWriteBytesUpdated")
        .withArgs(16 * MiB, 1024);
      await expect(registry.setChallengeWindowBlocks(10))
        .to.emit(registry, "ChallengeWindowBlocksUpdated")
        .withArgs(100, 10);
      await expect(registry.setChallengeVerifier(alice.address))
        .to.emit(registry, "ChallengeVerifierSet")
        .withArgs(verifier.address, alice.address);
      await expect(registry.setMaxWriteBytes(0)).to.be.revertedWithCustomError(registry, "ConfigValueInvalid");
      await expect(registry.setChallengeWindowBlocks(0)).to.be.revertedWithCustomError(registry, "ConfigValueInvalid");
      for (const call of [
        registry.connect(alice).setMaxWriteBytes(1),
        registry.connect(alice).setChallengeWindowBlocks(1),
        registry.connect(alice).setChallengeVerifier(alice.address),
      ]) {
        await expect(call)
          .to.be.revertedWithCustomError(registry, "OwnableUnauthorizedAccount")
          .withArgs(alice.address);
      }
    });

    it("only the owner can upgrade; an upgrade keeps the write log and commits", async function () {
      const { registry, operatorRegistry, operators, alice } = await loadFixture(fixture);
      await registry.connect(alice).proposeWrite(1, ZERO, ethers.id("v"), 1, DA_CERT);
      await mine(1);
      const c = await nextCommit(registry, operatorRegistry, operators);
      await registry.commitStateRoot(c.commit, c.daCert, c.proof);
      const v2 = await ethers.getContractFactory("StateCommitRegistryV2Mock");
      await expect(
        registry.connect(alice).upgradeToAndCall(await (await v2.deploy()).getAddress(), "0x"),
      ).to.be.revertedWithCustomError(registry, "OwnableUnauthorizedAccount");
      const upgraded = await upgrades.upgradeProxy(await registry.getAddress(), v2, { kind: "uups" });
      expect(await upgraded.getFunction("upgradeMarker")()).to.equal("v2");
      expect(await upgraded.getFunction("writeCount")()).to.equal(1n);
      expect(await upgraded.getFunction("stateRootAt")(1)).to.equal(c.commit.stateRoot);
    });
  });
});

import { loadFixture, mine } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import type { Signer } from "ethers";
import { ethers } from "hardhat";

import { EMPTY_TREE_ROOT, NO_WRITE, type WriteRecord, keyHash, userLeafId } from "../keeper/chain";
import { buildCommitChallenge, noWriteRecord, toAbiProof } from "../keeper/challenger";
import type { Hex } from "../keeper/common";
import { JellyfishMerkleTree, MemoryTreeStore, createKeccakHasher } from "../keeper/jmt";
import type { StateCommitRegistry } from "../typechain-types";
import { SLASH_BIPS, deployNewtonStack } from "./helpers/challenge";
import { nextCommit } from "./helpers/commits";

/** Three colluders hold 90 % of the weight: enough to commit anything on their own. */
const WEIGHTS = [30n, 30n, 30n, 10n];
const REASON_COMMIT_FRAUD = ethers.encodeBytes32String("COMMIT_FRAUD");

interface Logged {
  records: WriteRecord[];
  values: Map<string, Uint8Array>; // valueHash → bytes
}

/** Proposes user writes (namespace 0x01) and returns the write log as the chain stores it. */
async function proposeWrites(
  registry: StateCommitRegistry,
  writer: Signer,
  writes: readonly { slot: string; value: string | null }[],
  log: Logged,
): Promise<void> {
  const latest = new Map<string, bigint>(log.records.map((r) => [r.keyHash, r.writeIndex]));
  for (const w of writes) {
    const bytes = w.value === null ? null : ethers.toUtf8Bytes(w.value);
    const valueHash = (bytes === null ? ethers.ZeroHash : ethers.keccak256(bytes)) as Hex;
    await registry.connect(writer).proposeWrite(1, ethers.id(w.slot), valueHash, bytes?.length ?? 0, "0x01aa");
    const key = keyHash(1, userLeafId(await writer.getAddress(), ethers.id(w.slot)));
    const writeIndex = BigInt(log.records.length);
    log.records.push({
      writeIndex,
      namespace: 1,
      keyHash: key,
      valueHash,
      byteLength: bytes?.length ?? 0,
      prevWriteIndex: latest.get(key) ?? NO_WRITE,
    });
    latest.set(key, writeIndex);
    if (bytes !== null) log.values.set(valueHash, bytes);
  }
}

/** A tree whose version 0 is empty and version 1 applies `records[0, end)` then `tamper` (key → value | null). */
async function buildTree(log: Logged, end: bigint, tamper: Map<string, Uint8Array | null> = new Map()) {
  const tree = new JellyfishMerkleTree({ store: new MemoryTreeStore(), hasher: await createKeccakHasher() });
  tree.putValueSet(0, []);
  const state = new Map<string, Uint8Array | null>();
  for (const r of log.records.filter((x) => x.writeIndex < end)) {
    state.set(r.keyHash, r.valueHash === ethers.ZeroHash ? null : log.values.get(r.valueHash)!);
  }
  for (const [k, v] of tamper) state.set(k, v);
  tree.putValueSet(
    1,
    [...state].map(([k, v]) => [ethers.getBytes(k), v] as const),
  );
  return tree;
}

async function fixture() {
  const [owner, alice, challenger] = await ethers.getSigners();
  const stack = await deployNewtonStack(owner, WEIGHTS);
  const log: Logged = { records: [], values: new Map() };
  // k0 written twice, k1 once, k2 written then deleted; then a write to k0 after the commit's end.
  await proposeWrites(
    stack.stateCommitRegistry,
    alice,
    [
      { slot: "k0", value: "a0" },
      { slot: "k1", value: "b" },
      { slot: "k2", value: "c" },
      { slot: "k0", value: "a1" },
      { slot: "k2", value: null },
    ],
    log,
  );
  const end = BigInt(log.records.length);
  await proposeWrites(stack.stateCommitRegistry, alice, [{ slot: "k0", value: "later" }], log);
  await mine(1);
  const key = (slot: string) => keyHash(1, userLeafId(alice.address, ethers.id(slot)));
  return { ...stack, log, end, key, alice, challenger };
}

type Ctx = Awaited<ReturnType<typeof fixture>>;

/** Commits version 1 of `tree` as sequence 1, signed by everyone except `nonSigners` (default: the honest one). */
async function commitTree(ctx: Ctx, tree: JellyfishMerkleTree, nonSigners = [ctx.operators[3].address]) {
  const { commit, proof, daCert } = await nextCommit(
    ctx.stateCommitRegistry,
    ctx.operatorRegistry,
    ctx.operators,
    { stateRoot: ethers.hexlify(tree.rootAt(1)) as Hex, writeIndexEnd: ctx.end },
    { nonSigners },
  );
  await ctx.stateCommitRegistry.commitStateRoot(commit, daCert, proof);
  return commit;
}

function challenge(ctx: Ctx, key: Hex, tree: JellyfishMerkleTree) {
  const args = buildCommitChallenge({
    sequenceNo: 1n,
    writeIndexEnd: ctx.end,
    keyHash: key,
    writeLog: ctx.log.records,
    claimedTree: tree,
    claimedVersion: 1,
  });
  if (args === null) throw new Error("nothing to challenge");
  return ctx.challengeVerifier
    .connect(ctx.challenger)
    .challengeCommit(args.sequenceNo, args.write, args.successor, args.proof);
}

describe("ChallengeVerifier", function () {
  describe("verifyInclusion / verifyExclusion", function () {
    it("checks keeper/jmt proofs against the committed root of a sequence number", async function () {
      const ctx = await loadFixture(fixture);
      const honest = await buildTree(ctx.log, ctx.end);
      await commitTree(ctx, honest, []);
      const k1 = ctx.key("k1");
      const { proof } = honest.getWithProof(ethers.getBytes(k1), 1);
      expect(
        await ctx.challengeVerifier.verifyInclusion(
          1,
          k1,
          ethers.keccak256(ethers.toUtf8Bytes("b")),
          toAbiProof(proof),
        ),
      ).to.equal(true);
      expect(await ctx.challengeVerifier.verifyInclusion(1, k1, ethers.id("other"), toAbiProof(proof))).to.equal(false);
      const k2 = ctx.key("k2"); // deleted
      expect(
        await ctx.challengeVerifier.verifyExclusion(
          1,
          k2,
          toAbiProof(honest.getWithProof(ethers.getBytes(k2), 1).proof),
        ),
      ).to.equal(true);
      // Against genesis (the empty tree) the same key is excluded by an empty proof.
      expect(
        await ctx.challengeVerifier.verifyExclusion(0, k1, {
          hasLeaf: false,
          leafKeyHash: ethers.ZeroHash,
          leafValueHash: ethers.ZeroHash,
          siblings: [],
        }),
      ).to.equal(true);
      await expect(ctx.challengeVerifier.verifyExclusion(2, k1, toAbiProof(proof))).to.be.revertedWithCustomError(
        ctx.stateCommitRegistry,
        "CommitUnknown",
      );
    });
  });

  describe("challengeCommit", function () {
    const frauds: [string, (ctx: Ctx) => Map<string, Uint8Array | null>, string][] = [
      ["a wrong value", (ctx) => new Map([[ctx.key("k0"), ethers.toUtf8Bytes("forged")]]), "k0"],
      ["an omitted key", (ctx) => new Map([[ctx.key("k1"), null]]), "k1"],
      [
        "a present key that was never written",
        (ctx) => new Map([[ctx.key("never"), ethers.toUtf8Bytes("x")]]),
        "never",
      ],
      ["a key whose latest write deleted it", (ctx) => new Map([[ctx.key("k2"), ethers.toUtf8Bytes("c")]]), "k2"],
      [
        "the value of a write after writeIndexEnd",
        (ctx) => new Map([[ctx.key("k0"), ethers.toUtf8Bytes("later")]]),
        "k0",
      ],
    ];
    for (const [what, tamper, slot] of frauds) {
      it(`rolls back and slashes the signers of a commit with ${what}`, async function () {
        const ctx = await loadFixture(fixture);
        const dishonest = await buildTree(ctx.log, ctx.end, tamper(ctx));
        await commitTree(ctx, dishonest);
        const colluders = ctx.operators.slice(0, 3).map((o) => o.address);
        const slashSet = (await ctx.operatorRegistry.operatorSetId()) + 1n;
        const tx = challenge(ctx, ctx.key(slot), dishonest);
        await expect(tx).to.emit(ctx.challengeVerifier, "CommitChallenged");
        await expect(tx).to.emit(ctx.stateCommitRegistry, "StateRolledBack").withArgs(1, 1, EMPTY_TREE_ROOT);
        for (const c of colluders)
          await expect(tx)
            .to.emit(ctx.operatorRegistry, "OperatorSlashed")
            .withArgs(c, SLASH_BIPS, REASON_COMMIT_FRAUD, 30n, 27n, slashSet);
        expect((await ctx.stateCommitRegistry.latest())[0]).to.equal(0n);
        for (const c of colluders) expect((await ctx.operatorRegistry.operatorInfo(c)).active).to.equal(false);
        expect((await ctx.operatorRegistry.operatorInfo(ctx.operators[3].address)).active).to.equal(true);
        expect(await ctx.operatorRegistry.totalWeight()).to.equal(10n);
      });
    }

    it("cannot slash an honest commit: every key's challenge reverts ChallengeCommitMatches", async function () {
      const ctx = await loadFixture(fixture);
      const honest = await buildTree(ctx.log, ctx.end);
      await commitTree(ctx, honest, []);
      for (const slot of ["k0", "k1", "k2", "never"]) {
        const key = ctx.key(slot);
        expect(
          buildCommitChallenge({
            sequenceNo: 1n,
            writeIndexEnd: ctx.end,
            keyHash: key,
            writeLog: ctx.log.records,
            claimedTree: honest,
            claimedVersion: 1,
          }),
        ).to.equal(null);
        const writes = ctx.log.records.filter((r) => r.keyHash === key);
        const covered = writes.filter((r) => r.writeIndex < ctx.end);
        const write = covered.at(-1) ?? noWriteRecord(key);
        const next = writes.find((r) => r.writeIndex >= ctx.end);
        const successor = next
          ? { keyHasNoLaterWrite: false, next }
          : { keyHasNoLaterWrite: true, next: noWriteRecord(ethers.ZeroHash as Hex) };
        const proof = toAbiProof(honest.getWithProof(ethers.getBytes(key), 1).proof);
        await expect(ctx.challengeVerifier.challengeCommit(1, write, successor, proof)).to.be.revertedWithCustomError(
          ctx.challengeVerifier,
          "ChallengeCommitMatches",
        );
      }
    });

    it("rejects crafted witnesses against an honest commit: stale write, forged record, uncovered write, foreign proof", async function () {
      const ctx = await loadFixture(fixture);
      const honest = await buildTree(ctx.log, ctx.end);
      await commitTree(ctx, honest, []);
      const k0 = ctx.key("k0");
      const [first, second, later] = ctx.log.records.filter((r) => r.keyHash === k0);
      const proof = toAbiProof(honest.getWithProof(ethers.getBytes(k0), 1).proof);
      const cv = ctx.challengeVerifier;
      // k0's first write is not its latest below the end: no successor links back to it from at or after the end.
      await expect(cv.challengeCommit(1, first, { keyHasNoLaterWrite: false, next: second }, proof))
        .to.be.revertedWithCustomError(cv, "ChallengeSuccessorInvalid")
        .withArgs(k0);
      await expect(cv.challengeCommit(1, first, { keyHasNoLaterWrite: true, next: later }, proof))
        .to.be.revertedWithCustomError(cv, "ChallengeSuccessorInvalid")
        .withArgs(k0);
      // A record with a value the chain never saw.
      const forged = { ...second, valueHash: ethers.id("forged") };
      await expect(cv.challengeCommit(1, forged, { keyHasNoLaterWrite: false, next: later }, proof))
        .to.be.revertedWithCustomError(cv, "ChallengeWriteRecordMismatch")
        .withArgs(second.writeIndex);
      // The write after the commit's end is not covered by it.
      await expect(cv.challengeCommit(1, later, { keyHasNoLaterWrite: true, next: later }, proof))
        .to.be.revertedWithCustomError(cv, "ChallengeWriteNotCovered")
        .withArgs(later.writeIndex, ctx.end);
      // A proof from a tree with another value does not lead to the committed root.
      const other = await buildTree(ctx.log, ctx.end, new Map([[k0, ethers.toUtf8Bytes("forged")]]));
      const foreign = toAbiProof(other.getWithProof(ethers.getBytes(k0), 1).proof);
      await expect(
        cv.challengeCommit(1, second, { keyHasNoLaterWrite: false, next: later }, foreign),
      ).to.be.revertedWithCustomError(cv, "JmtProofRootMismatch");
      // The honest proof cut one level short (the parent shown as a leaf) does not verify either.
      const cut = { ...proof, siblings: proof.siblings.slice(1) };
      await expect(
        cv.challengeCommit(1, second, { keyHasNoLaterWrite: false, next: later }, cut),
      ).to.be.revertedWithCustomError(cv, "JmtProofRootMismatch");
      expect((await ctx.stateCommitRegistry.latest())[0]).to.equal(1n);
    });

    it("rejects a challenge after the window (the commit is final) and a second challenge of a rolled-back commit", async function () {
      const ctx = await loadFixture(fixture);
      const dishonest = await buildTree(ctx.log, ctx.end, new Map([[ctx.key("k1"), null]]));
      await commitTree(ctx, dishonest);
      const snapshot = await ethers.provider.send("evm_snapshot", []);
      await mine(100);
      await expect(challenge(ctx, ctx.key("k1"), dishonest))
        .to.be.revertedWithCustomError(ctx.challengeVerifier, "ChallengeCommitFinal")
        .withArgs(1);
      await ethers.provider.send("evm_revert", [snapshot]);
      await challenge(ctx, ctx.key("k1"), dishonest);
      await expect(challenge(ctx, ctx.key("k1"), dishonest))
        .to.be.revertedWithCustomError(ctx.stateCommitRegistry, "CommitUnknown")
        .withArgs(1);
      await expect(
        ctx.challengeVerifier.challengeCommit(
          0,
          noWriteRecord(ctx.key("k1")),
          { keyHasNoLaterWrite: true, next: noWriteRecord(ethers.ZeroHash as Hex) },
          toAbiProof({ siblings: [] }),
        ),
      )
        .to.be.revertedWithCustomError(ctx.challengeVerifier, "ChallengeCommitFinal")
        .withArgs(0);
    });

    /**
     * End to end: a colluding quorum commits a wrong root; a challenge with a real proof rolls it back and slashes
     * them; the remaining honest operator — now the whole set — commits the right root for the same sequence number.
     */
    it("end to end: colluders commit a wrong root, get rolled back and slashed, and the honest set recommits", async function () {
      const ctx = await loadFixture(fixture);
      const dishonest = await buildTree(ctx.log, ctx.end, new Map([[ctx.key("k0"), ethers.toUtf8Bytes("forged")]]));
      await commitTree(ctx, dishonest);
      await challenge(ctx, ctx.key("k0"), dishonest);
      const honest = await buildTree(ctx.log, ctx.end);
      await commitTree(
        ctx,
        honest,
        ctx.operators.slice(0, 3).map((o) => o.address),
      );
      const [sequenceNo, record] = await ctx.stateCommitRegistry.latest();
      expect(sequenceNo).to.equal(1n);
      expect(record.stateRoot).to.equal(ethers.hexlify(honest.rootAt(1)));
      const k0 = ctx.key("k0");
      const proof = toAbiProof(honest.getWithProof(ethers.getBytes(k0), 1).proof);
      expect(
        await ctx.challengeVerifier.verifyInclusion(1, k0, ethers.keccak256(ethers.toUtf8Bytes("a1")), proof),
      ).to.equal(true);
    });
  });

  describe("configuration", function () {
    it("setSlashBips is owner-only and range-checked", async function () {
      const ctx = await loadFixture(fixture);
      await expect(ctx.challengeVerifier.setSlashBips(500, 2000))
        .to.emit(ctx.challengeVerifier, "SlashBipsUpdated")
        .withArgs(500, 2000);
      expect(await ctx.challengeVerifier.slashBips()).to.deep.equal([500n, 2000n]);
      await expect(ctx.challengeVerifier.setSlashBips(0, 1))
        .to.be.revertedWithCustomError(ctx.challengeVerifier, "ChallengeSlashBipsInvalid")
        .withArgs(0);
      await expect(ctx.challengeVerifier.connect(ctx.alice).setSlashBips(1, 1)).to.be.revertedWithCustomError(
        ctx.challengeVerifier,
        "OwnableUnauthorizedAccount",
      );
    });
  });
});

import { loadFixture, mine } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";

import { latestWriteWitness, nextOpeningMove } from "../keeper/challenger";
import type { Hex } from "../keeper/common";
import { OPENING_BOND, RESOLVE_WINDOW } from "./helpers/challenge";
import {
  commitRoot,
  correctState,
  honestTree,
  openKey,
  openingFixture,
  playGame,
  type OpeningCtx,
} from "./helpers/opening-game";
import { type VNode, positions, replaceAt, vhash, vprove } from "./helpers/virtual-tree";

const Status = { None: 0n, Open: 1n, Resolved: 2n, Closed: 3n, Slashed: 4n, Cancelled: 5n };
const CHALLENGE_WINDOW = 100n;

async function fixture() {
  const ctx = await openingFixture();
  const end = BigInt(ctx.records.length) - 6n; // the last six writes come after the commit
  return { ...ctx, end };
}

type Ctx = OpeningCtx & { end: bigint };

async function answer(ctx: Ctx, id: bigint, key: Hex, tree: VNode, end = ctx.end) {
  const proof = vprove(tree, ethers.getBytes(key))!;
  const { write, successor } = latestWriteWitness(ctx.records, key, end);
  return ctx.challengeVerifier.connect(ctx.resolver).resolveOpening(id, write, successor, proof);
}

async function expectRolledBackAndSlashed(ctx: Ctx) {
  expect((await ctx.stateCommitRegistry.latest())[0]).to.equal(0n);
  for (const op of ctx.operators.slice(0, 3)) {
    expect((await ctx.operatorRegistry.operatorInfo(op.address)).active).to.equal(false);
  }
  expect((await ctx.operatorRegistry.operatorInfo(ctx.operators[3].address)).active).to.equal(true);
  expect(await ctx.stateCommitRegistry.finalityHeldFrom()).to.equal(0n);
}

/** Path bits of the first leaf found, and of a leaf of another key at another position. */
function twoLeaves(tree: VNode): [number[], Extract<VNode, { kind: "leaf" }>][] {
  return positions(tree).filter(([, n]) => n.kind === "leaf") as [number[], Extract<VNode, { kind: "leaf" }>][];
}

describe("ChallengeVerifier key-opening challenge", function () {
  describe("attacks that went final unpunished before the game", function () {
    it("off-path leaf: a leaf of another key at J's position is fraud in challengeCommit", async function () {
      const ctx = await loadFixture(fixture);
      const honest = honestTree(ctx.records, ctx.end);
      const [[pathJ, leafJ], [, leafOther]] = twoLeaves(honest);
      // J's leaf is replaced by leaf(J', v) with J' differing from J above the leaf's depth.
      const tampered = replaceAt(honest, pathJ, () => ({
        kind: "leaf",
        key: leafOther.key,
        valueHash: leafJ.valueHash,
      }));
      await commitRoot(ctx, vhash(tampered), ctx.end);
      const j = ethers.hexlify(leafJ.key) as Hex;
      const proof = vprove(tampered, leafJ.key)!;
      const { write, successor } = latestWriteWitness(ctx.records, j, ctx.end);
      // The path folds exactly to the committed root, yet it shows neither inclusion nor a valid exclusion of J.
      expect(proof.siblings.length).to.be.greaterThan(0);
      const tx = ctx.challengeVerifier.connect(ctx.challenger).challengeCommit(1, write, successor, proof);
      await expect(tx).to.emit(ctx.challengeVerifier, "CommitChallenged");
      await expect(tx).to.emit(ctx.stateCommitRegistry, "StateRolledBack");
      await expectRolledBackAndSlashed(ctx);
    });

    it("uncollapsed lone leaf: a leaf beside an empty deepest sibling is fraud in challengeCommit", async function () {
      const ctx = await loadFixture(fixture);
      const honest = honestTree(ctx.records, ctx.end);
      const [[path, leaf]] = twoLeaves(honest);
      const bitAt = (i: number) => (leaf.key[i >> 3] >> (7 - (i & 7))) & 1;
      const empty: VNode = { kind: "empty" };
      const tampered = replaceAt(honest, path, (n) =>
        bitAt(path.length) ? { kind: "internal", left: empty, right: n } : { kind: "internal", left: n, right: empty },
      );
      await commitRoot(ctx, vhash(tampered), ctx.end);
      const k = ethers.hexlify(leaf.key) as Hex;
      // Every key still reads correctly from this tree; only its shape is wrong.
      const { write, successor } = latestWriteWitness(ctx.records, k, ctx.end);
      const tx = ctx.challengeVerifier
        .connect(ctx.challenger)
        .challengeCommit(1, write, successor, vprove(tampered, leaf.key)!);
      await expect(tx).to.emit(ctx.stateCommitRegistry, "StateRolledBack");
      await expectRolledBackAndSlashed(ctx);
    });

    it("random root: an opening nobody can answer rolls the commit back and slashes its signers", async function () {
      const ctx = await loadFixture(fixture);
      await commitRoot(ctx, ethers.id("garbage root") as Hex, ctx.end);
      const id = await openKey(ctx, 1n, ctx.key("k1"));
      await mine(RESOLVE_WINDOW - 2n);
      await expect(ctx.challengeVerifier.settleOpening(id))
        .to.be.revertedWithCustomError(ctx.challengeVerifier, "OpeningNotExpired")
        .withArgs(id, anyBlock(), anyBlock());
      // Past the challenge window, the commit is still not final while the challenge is open.
      await mine(CHALLENGE_WINDOW);
      expect(await ctx.stateCommitRegistry.isFinal(1)).to.equal(false);
      const tx = ctx.challengeVerifier.connect(ctx.resolver).settleOpening(id);
      await expect(tx).to.emit(ctx.challengeVerifier, "OpeningSettled");
      await expect(tx).to.emit(ctx.operatorRegistry, "OperatorSlashed");
      await expectRolledBackAndSlashed(ctx);
      expect((await ctx.challengeVerifier.openingAt(id)).status).to.equal(Status.Slashed);
      expect(await ctx.challengeVerifier.bondCredit(ctx.challenger.address)).to.equal(OPENING_BOND);
    });

    it("opaque subtree: the bisection descends to the withheld node and the commit is slashed", async function () {
      const ctx = await loadFixture(fixture);
      const honest = honestTree(ctx.records, ctx.end);
      // The deepest internal node's preimage is never published.
      const internals = positions(honest).filter(([, n]) => n.kind === "internal");
      const [deepest] = internals.sort((a, b) => b[0].length - a[0].length)[0];
      const tampered = replaceAt(honest, deepest, () => ({ kind: "opaque", hash: ethers.getBytes(ethers.id("x")) }));
      await commitRoot(ctx, vhash(tampered), ctx.end);
      const result = await playGame(ctx, {
        sequenceNo: 1n,
        end: ctx.end,
        committed: tampered,
        correct: await correctState(ctx, ctx.end),
        startKey: ethers.ZeroHash as Hex,
      });
      expect(result).to.deep.include({ outcome: "slashed", via: "unanswered" });
      expect(result.rounds).to.be.greaterThan(1);
      await expectRolledBackAndSlashed(ctx);
    });
  });

  describe("an honest commit", function () {
    it("is answered, pays the resolver, stays held through the descent window, then is final; nobody slashed", async function () {
      const ctx = await loadFixture(fixture);
      const honest = honestTree(ctx.records, ctx.end);
      await commitRoot(ctx, vhash(honest), ctx.end);
      const key = ctx.key("k5");
      const id = await openKey(ctx, 1n, key);
      expect(await ctx.stateCommitRegistry.finalityHeldFrom()).to.equal(1n);
      const tx = answer(ctx, id, key, honest);
      await expect(tx).to.emit(ctx.challengeVerifier, "OpeningResolved");
      await expect(tx).to.emit(ctx.challengeVerifier, "BondCredited").withArgs(ctx.resolver.address, id, OPENING_BOND);
      const proof = vprove(honest, ethers.getBytes(key))!;
      const move = nextOpeningMove({ keyHash: key, level: 0, proof, correct: await correctState(ctx, ctx.end) });
      expect(move.kind).to.equal("none");
      await mine(CHALLENGE_WINDOW);
      expect(await ctx.stateCommitRegistry.isFinal(1)).to.equal(false);
      await expect(ctx.challengeVerifier.settleOpening(id))
        .to.emit(ctx.challengeVerifier, "OpeningSettled")
        .withArgs(id, 1, Status.Closed, []);
      expect(await ctx.stateCommitRegistry.isFinal(1)).to.equal(true);
      expect(await ctx.stateCommitRegistry.finalityHeldFrom()).to.equal(0n);
      for (const op of ctx.operators)
        expect((await ctx.operatorRegistry.operatorInfo(op.address)).active).to.equal(true);
      // The bond is paid exactly once: withdrawn, then nothing is left.
      const before = await ethers.provider.getBalance(ctx.resolver.address);
      const receipt = await (await ctx.challengeVerifier.connect(ctx.resolver).withdrawBonds()).wait();
      const after = await ethers.provider.getBalance(ctx.resolver.address);
      expect(after - before + receipt!.gasUsed * receipt!.gasPrice).to.equal(OPENING_BOND);
      await expect(ctx.challengeVerifier.connect(ctx.resolver).withdrawBonds())
        .to.be.revertedWithCustomError(ctx.challengeVerifier, "BondNothingToWithdraw")
        .withArgs(ctx.resolver.address);
      await expect(ctx.challengeVerifier.settleOpening(id))
        .to.be.revertedWithCustomError(ctx.challengeVerifier, "OpeningWrongStatus")
        .withArgs(id, Status.Closed);
    });

    it("survives the whole game from any start key", async function () {
      const ctx = await loadFixture(fixture);
      const honest = honestTree(ctx.records, ctx.end);
      await commitRoot(ctx, vhash(honest), ctx.end);
      const result = await playGame(ctx, {
        sequenceNo: 1n,
        end: ctx.end,
        committed: honest,
        correct: await correctState(ctx, ctx.end),
        startKey: ctx.key("k0"),
      });
      expect(result).to.deep.include({ outcome: "survived", rounds: 1 });
    });
  });

  describe("finality", function () {
    it("holds every later commit while an earlier one is challenged, and moves the hold when it ends", async function () {
      const ctx = await loadFixture(fixture);
      const honest1 = honestTree(ctx.records, ctx.end);
      await commitRoot(ctx, vhash(honest1), ctx.end);
      const end2 = ctx.end + 3n;
      const honest2 = honestTree(ctx.records, end2);
      await commitRoot(ctx, vhash(honest2), end2);
      const id1 = await openKey(ctx, 1n, ctx.key("k1"));
      const id2 = await openKey(ctx, 2n, ctx.key("m0"));
      await answer(ctx, id1, ctx.key("k1"), honest1);
      await answer(ctx, id2, ctx.key("m0"), honest2, end2);
      await mine(CHALLENGE_WINDOW + 1n);
      // Both windows have passed; commit 1 is held, so commit 2 (which a rollback of 1 would drop) is held too.
      expect(await ctx.stateCommitRegistry.isFinal(1)).to.equal(false);
      expect(await ctx.stateCommitRegistry.isFinal(2)).to.equal(false);
      await ctx.challengeVerifier.settleOpening(id1);
      expect(await ctx.stateCommitRegistry.finalityHeldFrom()).to.equal(2n);
      expect(await ctx.stateCommitRegistry.isFinal(1)).to.equal(true);
      expect(await ctx.stateCommitRegistry.isFinal(2)).to.equal(false);
      await ctx.challengeVerifier.settleOpening(id2);
      expect(await ctx.stateCommitRegistry.isFinal(2)).to.equal(true);
    });

    it("a rollback cancels the challenges on the commits it drops: bond refunded once, hold released", async function () {
      const ctx = await loadFixture(fixture);
      const honest1 = honestTree(ctx.records, ctx.end);
      await commitRoot(ctx, ethers.id("wrong root 1") as Hex, ctx.end);
      await commitRoot(ctx, vhash(honest1), ctx.end);
      const id1 = await openKey(ctx, 1n, ctx.key("k1"));
      const id2 = await openKey(ctx, 2n, ctx.key("k2"), 0n, ctx.alice);
      await mine(RESOLVE_WINDOW + 1n);
      await ctx.challengeVerifier.settleOpening(id1); // rolls back 1 and 2
      expect(await ctx.stateCommitRegistry.finalityHeldFrom()).to.equal(0n);
      await expect(ctx.challengeVerifier.connect(ctx.resolver).resolveOpening(id2, ...(await witness(ctx, id2))))
        .to.be.revertedWithCustomError(ctx.challengeVerifier, "OpeningCommitGone")
        .withArgs(id2, 2);
      await expect(ctx.challengeVerifier.settleOpening(id2))
        .to.emit(ctx.challengeVerifier, "OpeningSettled")
        .withArgs(id2, 2, Status.Cancelled, []);
      expect(await ctx.challengeVerifier.bondCredit(ctx.alice.address)).to.equal(OPENING_BOND);
      await expect(ctx.challengeVerifier.settleOpening(id2))
        .to.be.revertedWithCustomError(ctx.challengeVerifier, "OpeningWrongStatus")
        .withArgs(id2, Status.Cancelled);
      // The sequence number committed again is another commit: nothing holds it.
      await commitRoot(ctx, vhash(honest1), ctx.end, []);
      await mine(CHALLENGE_WINDOW);
      expect(await ctx.stateCommitRegistry.isFinal(1)).to.equal(true);
    });
  });

  describe("rejects", function () {
    async function opened() {
      const ctx = await loadFixture(fixture);
      const honest = honestTree(ctx.records, ctx.end);
      await commitRoot(ctx, vhash(honest), ctx.end);
      const key = ctx.key("k2");
      const id = await openKey(ctx, 1n, key);
      return { ctx, honest, key, id };
    }

    it("a wrong bond, genesis, a commit outside its window, and an unconfigured game", async function () {
      const { ctx } = await opened();
      const v = ctx.challengeVerifier.connect(ctx.challenger);
      const key = ctx.key("k1");
      await expect(v.openKey(1, key, 0, { value: OPENING_BOND - 1n }))
        .to.be.revertedWithCustomError(v, "OpeningBondMismatch")
        .withArgs(OPENING_BOND, OPENING_BOND - 1n);
      await expect(v.openKey(0, key, 0, { value: OPENING_BOND }))
        .to.be.revertedWithCustomError(v, "OpeningCommitNotChallengeable")
        .withArgs(0);
      await expect(v.openKey(2, key, 0, { value: OPENING_BOND })).to.be.revertedWithCustomError(
        ctx.stateCommitRegistry,
        "CommitUnknown",
      );
      await mine(CHALLENGE_WINDOW);
      await expect(v.openKey(1, key, 0, { value: OPENING_BOND }))
        .to.be.revertedWithCustomError(v, "OpeningCommitNotChallengeable")
        .withArgs(1);
      await expect(ctx.challengeVerifier.setOpeningConfig(0, 1))
        .to.be.revertedWithCustomError(v, "OpeningConfigInvalid")
        .withArgs(0, 1);
      await expect(ctx.challengeVerifier.setOpeningConfig(1, 0))
        .to.be.revertedWithCustomError(v, "OpeningConfigInvalid")
        .withArgs(1, 0);
      await expect(ctx.challengeVerifier.connect(ctx.alice).setOpeningConfig(1, 1)).to.be.revertedWithCustomError(
        v,
        "OwnableUnauthorizedAccount",
      );
      await expect(ctx.challengeVerifier.setOpeningConfig(7, 9)).to.emit(v, "OpeningConfigUpdated").withArgs(7, 9);
      expect(await ctx.challengeVerifier.openingConfig()).to.deep.equal([7n, 9n]);
    });

    it("resolving late, with another key's witness, another key's proof or another root's proof", async function () {
      const { ctx, honest, key, id } = await opened();
      const v = ctx.challengeVerifier.connect(ctx.resolver);
      const other = ctx.key("k1");
      const ownWitness = latestWriteWitness(ctx.records, key, ctx.end);
      const otherWitness = latestWriteWitness(ctx.records, other, ctx.end);
      await expect(
        v.resolveOpening(id, otherWitness.write, otherWitness.successor, vprove(honest, ethers.getBytes(other))!),
      )
        .to.be.revertedWithCustomError(v, "OpeningKeyMismatch")
        .withArgs(id, key, other);
      await expect(
        v.resolveOpening(id, ownWitness.write, ownWitness.successor, vprove(honest, ethers.getBytes(other))!),
      ).to.be.revertedWithCustomError(v, "JmtProofRootMismatch");
      const otherRoot = honestTree(ctx.records, ctx.end - 1n);
      await expect(
        v.resolveOpening(id, ownWitness.write, ownWitness.successor, vprove(otherRoot, ethers.getBytes(key))!),
      ).to.be.revertedWithCustomError(v, "JmtProofRootMismatch");
      await expect(v.resolveOpening(99, ownWitness.write, ownWitness.successor, vprove(honest, ethers.getBytes(key))!))
        .to.be.revertedWithCustomError(v, "OpeningUnknown")
        .withArgs(99);
      await mine(RESOLVE_WINDOW + 1n);
      await expect(v.resolveOpening(id, ownWitness.write, ownWitness.successor, vprove(honest, ethers.getBytes(key))!))
        .to.be.revertedWithCustomError(v, "OpeningResolveWindowClosed")
        .withArgs(id, anyBlock(), anyBlock());
    });

    it("settling early, settling twice, and resolving twice", async function () {
      const { ctx, honest, key, id } = await opened();
      await expect(ctx.challengeVerifier.settleOpening(id)).to.be.revertedWithCustomError(
        ctx.challengeVerifier,
        "OpeningNotExpired",
      );
      await answer(ctx, id, key, honest);
      await expect(answer(ctx, id, key, honest))
        .to.be.revertedWithCustomError(ctx.challengeVerifier, "OpeningWrongStatus")
        .withArgs(id, Status.Resolved);
      await expect(ctx.challengeVerifier.settleOpening(id)).to.be.revertedWithCustomError(
        ctx.challengeVerifier,
        "OpeningNotExpired",
      );
      await mine(RESOLVE_WINDOW + 1n);
      await ctx.challengeVerifier.settleOpening(id);
      await expect(ctx.challengeVerifier.settleOpening(id))
        .to.be.revertedWithCustomError(ctx.challengeVerifier, "OpeningWrongStatus")
        .withArgs(id, Status.Closed);
      await expect(ctx.challengeVerifier.settleOpening(42))
        .to.be.revertedWithCustomError(ctx.challengeVerifier, "OpeningUnknown")
        .withArgs(42);
    });

    it("descents that do not go deeper, below an unresolved parent, or after the descent window", async function () {
      const { ctx, honest, key, id } = await opened();
      const v = ctx.challengeVerifier.connect(ctx.challenger);
      await expect(v.openKey(1, ctx.key("k3"), id, { value: OPENING_BOND }))
        .to.be.revertedWithCustomError(v, "OpeningDescentInvalid")
        .withArgs(id, ctx.key("k3"));
      await answer(ctx, id, key, honest);
      await expect(v.openKey(1, key, id, { value: OPENING_BOND })).to.be.revertedWithCustomError(
        v,
        "OpeningDescentInvalid",
      );
      // A descent must branch off the revealed path at one of its siblings: sharing all of its bits is too deep.
      const depth = vprove(honest, ethers.getBytes(key))!.siblings.length;
      expect((await ctx.challengeVerifier.openingAt(id)).revealedDepth).to.equal(depth);
      const keyN = BigInt(key);
      const below = (bits: number) => ethers.toBeHex(keyN ^ (1n << BigInt(255 - bits)), 32) as Hex; // shares `bits`
      await expect(v.openKey(1, below(depth), id, { value: OPENING_BOND })).to.be.revertedWithCustomError(
        v,
        "OpeningDescentInvalid",
      );
      await v.openKey(1, below(depth - 1), id, { value: OPENING_BOND });
      const child = await ctx.challengeVerifier.openingCount();
      expect((await ctx.challengeVerifier.openingAt(child)).level).to.equal(depth);
      await answer(ctx, child, below(depth - 1), honest);
      // Below it, a key sharing fewer bits than its level is not deeper.
      await expect(v.openKey(1, below(depth - 2), child, { value: OPENING_BOND })).to.be.revertedWithCustomError(
        v,
        "OpeningDescentInvalid",
      );
      await mine(RESOLVE_WINDOW + 1n);
      await expect(v.openKey(1, ctx.key("k4"), id, { value: OPENING_BOND })).to.be.revertedWithCustomError(
        v,
        "OpeningDescentInvalid",
      );
    });

    it("an answer that misstates the key proves the commit wrong, and the challenger's bond comes back", async function () {
      const ctx = await loadFixture(fixture);
      const tampered = honestTree(ctx.records, ctx.end - 1n); // misses the last covered write (k5 = v5-again)
      await commitRoot(ctx, vhash(tampered), ctx.end);
      const key = ctx.key("k5");
      const id = await openKey(ctx, 1n, key);
      const tx = answer(ctx, id, key, tampered);
      await expect(tx).to.emit(ctx.challengeVerifier, "CommitChallenged");
      await expect(tx)
        .to.emit(ctx.challengeVerifier, "BondCredited")
        .withArgs(ctx.challenger.address, id, OPENING_BOND);
      await expectRolledBackAndSlashed(ctx);
      expect(await ctx.challengeVerifier.bondCredit(ctx.resolver.address)).to.equal(0n);
    });
  });
});

async function witness(ctx: Ctx, id: bigint) {
  const o = await ctx.challengeVerifier.openingAt(id);
  const { write, successor } = latestWriteWitness(ctx.records, o.keyHash as Hex, ctx.end);
  const proof = { hasLeaf: false, leafKeyHash: ethers.ZeroHash, leafValueHash: ethers.ZeroHash, siblings: [] };
  return [write, successor, proof] as const;
}

/** Any block number argument (the exact block depends on automine). */
function anyBlock() {
  return (x: unknown) => typeof x === "bigint";
}

import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import fc from "fast-check";

import type { Hex } from "../keeper/common";
import { commitRoot, correctState, honestTree, openingFixture, playGame, stateAt } from "./helpers/opening-game";
import { type VNode, canonical, positions, pushDown, replaceAt, vhash } from "./helpers/virtual-tree";

/**
 * Property: for a random covered prefix of the write log (a random tree), a random tampering of its committed tree and
 * a random first key, the whole game (the quorum answering whatever its tree lets it answer without proving itself
 * wrong, against the keeper's challenger strategy) ends in a slash; with the honest tree it never does.
 */
type Tampering =
  | { kind: "value"; pick: number }
  | { kind: "moved-off-path"; pick: number; other: number }
  | { kind: "moved-down"; pick: number }
  | { kind: "opaque"; pick: number }
  | { kind: "dropped"; pick: number }
  | { kind: "added"; key: Uint8Array };

const tampering: fc.Arbitrary<Tampering> = fc.oneof(
  fc.record({ kind: fc.constant("value" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("moved-off-path" as const), pick: fc.nat(), other: fc.nat() }),
  fc.record({ kind: fc.constant("moved-down" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("opaque" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("dropped" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("added" as const), key: fc.uint8Array({ minLength: 32, maxLength: 32 }) }),
);

const sorted = (entries: [Uint8Array, Uint8Array][]) => entries.sort((a, b) => Buffer.compare(a[0], b[0]));

/** The committed tree after `t`, or null when `t` does not apply to this tree (e.g. no two leaves to swap). */
function tamper(entries: [Uint8Array, Uint8Array][], t: Tampering): VNode | null {
  const honest = canonical(sorted([...entries]));
  const leaves = positions(honest).filter(([, n]) => n.kind === "leaf") as [
    number[],
    Extract<VNode, { kind: "leaf" }>,
  ][];
  switch (t.kind) {
    case "value": {
      if (entries.length === 0) return null;
      const i = t.pick % entries.length;
      const changed = entries.map(([k, v], j) => [k, j === i ? ethers.getBytes(ethers.keccak256(v)) : v] as const);
      return canonical(sorted(changed.map(([k, v]) => [k, v])));
    }
    case "moved-off-path": {
      if (leaves.length < 2) return null;
      const a = leaves[t.pick % leaves.length];
      const b = leaves[(t.pick + 1 + (t.other % (leaves.length - 1))) % leaves.length];
      // Swap the two leaves: each now sits on a path its key does not match.
      return replaceAt(
        replaceAt(honest, a[0], () => b[1]),
        b[0],
        () => a[1],
      );
    }
    case "moved-down": {
      if (leaves.length === 0) return null;
      const [path, leaf] = leaves[t.pick % leaves.length];
      return replaceAt(honest, path, () => pushDown(leaf, path.length));
    }
    case "opaque": {
      const all = positions(honest).filter(([, n]) => n.kind !== "empty");
      if (all.length === 0) return null;
      const [path] = all[t.pick % all.length];
      return replaceAt(honest, path, () => ({ kind: "opaque", hash: ethers.getBytes(ethers.id(`opaque ${t.pick}`)) }));
    }
    case "dropped": {
      if (entries.length === 0) return null;
      const i = t.pick % entries.length;
      return canonical(sorted(entries.filter((_, j) => j !== i)));
    }
    case "added": {
      if (entries.some(([k]) => Buffer.compare(k, t.key) === 0)) return null;
      return canonical(sorted([...entries, [t.key, ethers.getBytes(ethers.id("added"))]]));
    }
  }
}

describe("KeyOpening (property)", function () {
  this.timeout(600_000);

  it("every tampering of the committed tree ends in a slash; the honest tree never does", async function () {
    const base = await loadFixture(openingFixture);
    const total = base.records.length;
    let games = 0;
    let maxRounds = 0;
    const kinds = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: total }),
        fc.option(tampering, { freq: 4 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        async (endNumber, t, start) => {
          const ctx = await loadFixture(openingFixture);
          const end = BigInt(endNumber);
          const entries = [...stateAt(ctx.records, end)].map(
            ([k, v]) => [ethers.getBytes(k), ethers.getBytes(v)] as [Uint8Array, Uint8Array],
          );
          const committed = t === null ? honestTree(ctx.records, end) : tamper(entries, t);
          fc.pre(committed !== null);
          const honestRoot = ethers.hexlify(vhash(honestTree(ctx.records, end)));
          const isHonest = ethers.hexlify(vhash(committed!)) === honestRoot;
          await commitRoot(ctx, vhash(committed!), end);
          const result = await playGame(ctx, {
            sequenceNo: 1n,
            end,
            committed: committed!,
            correct: await correctState(ctx, end),
            startKey: ethers.hexlify(start) as Hex,
          });
          games++;
          kinds.add(t === null ? "honest" : t.kind);
          maxRounds = Math.max(maxRounds, result.rounds);
          expect(result.outcome, `tampering ${JSON.stringify(t)} at end ${end}`).to.equal(
            isHonest ? "survived" : "slashed",
          );
          if (!isHonest) {
            expect((await ctx.stateCommitRegistry.latest())[0]).to.equal(0n);
            expect((await ctx.operatorRegistry.operatorInfo(ctx.operators[0].address)).active).to.equal(false);
          } else {
            expect(await ctx.stateCommitRegistry.isFinal(1)).to.equal(true);
          }
        },
      ),
      { numRuns: 50, seed: 1515 },
    );
    expect(games).to.be.greaterThan(30);
    expect([...kinds].sort()).to.deep.equal(
      ["added", "dropped", "honest", "moved-down", "moved-off-path", "opaque", "value"].sort(),
    );
    expect(maxRounds).to.be.greaterThan(1);
  });
});

import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";

import type { JmtProofHarness } from "../../typechain-types";
import { type VNode, canonical, positions, pushDown, replaceAt, vhash, vprove } from "../helpers/virtual-tree";

const key32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

function tree(entries: [Uint8Array, Uint8Array][]): VNode {
  return canonical([...entries].sort((a, b) => Buffer.compare(a[0], b[0])));
}

/**
 * `JmtProof.open` against the canonical-tree model: every proof of a correctly built tree is well formed and says
 * exactly what the tree holds; a leaf moved off its key's path, or left uncollapsed beside an empty sibling, is
 * reported malformed; a proof that does not lead to the root says nothing (reverts).
 */
describe("JmtProof.open", function () {
  let harness: JmtProofHarness;

  before(async function () {
    harness = (await ethers.deployContract("JmtProofHarness")) as unknown as JmtProofHarness;
  });

  it("finds every proof of a canonical tree well formed, with the tree's value or absence", async function () {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.tuple(key32, key32), {
          minLength: 0,
          maxLength: 24,
          selector: (e) => Buffer.from(e[0]).toString("hex"),
        }),
        key32,
        async (entries, probe) => {
          const root = tree(entries);
          const rootHash = ethers.hexlify(vhash(root));
          for (const [k, v] of [...entries.slice(0, 3), [probe, new Uint8Array(32)] as const]) {
            const [malformed, present, valueHash] = await harness.open(rootHash, k, vprove(root, k)!);
            const inTree = entries.find(([x]) => Buffer.compare(x, k) === 0);
            expect(malformed).to.equal(false);
            expect(present).to.equal(inTree !== undefined);
            expect(valueHash).to.equal(inTree ? ethers.hexlify(v) : ethers.ZeroHash);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it("reports a leaf off its key's path and an uncollapsed lone leaf as malformed", async function () {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.tuple(key32, key32), {
          minLength: 2,
          maxLength: 16,
          selector: (e) => Buffer.from(e[0]).toString("hex"),
        }),
        fc.nat(),
        async (entries, pick) => {
          const honest = tree(entries);
          const leaves = positions(honest).filter(([, n]) => n.kind === "leaf") as [
            number[],
            Extract<VNode, { kind: "leaf" }>,
          ][];
          const [pathA, a] = leaves[pick % leaves.length];
          const [pathB, b] = leaves[(pick + 1) % leaves.length];
          const swapped = replaceAt(
            replaceAt(honest, pathA, () => b),
            pathB,
            () => a,
          );
          const swappedRoot = ethers.hexlify(vhash(swapped));
          // A's key now reaches B's leaf, which is not on A's path.
          expect((await harness.open(swappedRoot, a.key, vprove(swapped, a.key)!))[0]).to.equal(true);
          const pushed = replaceAt(honest, pathA, () => pushDown(a, pathA.length));
          const pushedRoot = ethers.hexlify(vhash(pushed));
          expect((await harness.open(pushedRoot, a.key, vprove(pushed, a.key)!))[0]).to.equal(true);
          // A proof for another root says nothing.
          await expect(harness.open(pushedRoot, a.key, vprove(honest, a.key)!)).to.be.revertedWithCustomError(
            harness,
            "JmtProofRootMismatch",
          );
        },
      ),
      { numRuns: 30 },
    );
  });
});

import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";

import { JellyfishMerkleTree, MemoryTreeStore, createKeccakHasher } from "../../keeper/jmt";
import type { JmtProofHarness } from "../../typechain-types";

interface FixtureCase {
  kind: "inclusion" | "exclusion-empty" | "exclusion-leaf";
  root: string;
  keyHash: string;
  valueHash: string | null;
  proof: { leaf?: { keyHash: string; valueHash: string }; siblings: string[] };
}

const FIXTURES = path.join(__dirname, "../fixtures/jmt");
const ZERO = ethers.ZeroHash;

function loadCases(): { file: string; cases: FixtureCase[] }[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith(".json"))
    .map((file) => ({
      file,
      cases: (JSON.parse(readFileSync(path.join(FIXTURES, file), "utf8")) as { cases: FixtureCase[] }).cases,
    }));
}

/** The ABI form of a keeper/jmt proof. */
function toAbi(proof: FixtureCase["proof"]) {
  return {
    hasLeaf: proof.leaf !== undefined,
    leafKeyHash: proof.leaf?.keyHash ?? ZERO,
    leafValueHash: proof.leaf?.valueHash ?? ZERO,
    siblings: proof.siblings,
  };
}

async function fixture() {
  return { harness: (await ethers.deployContract("JmtProofHarness")) as unknown as JmtProofHarness };
}

describe("JmtProof", function () {
  describe("fixtures from keeper/jmt (trees of 1 to 10 000 leaves)", function () {
    it("verifies every inclusion and exclusion case on-chain and resolves it to the same statement", async function () {
      const { harness } = await loadFixture(fixture);
      let checked = 0;
      for (const { file, cases } of loadCases()) {
        for (const c of cases) {
          const proof = toAbi(c.proof);
          if (c.kind === "inclusion") {
            expect(
              await harness.verifyInclusion(c.root, c.keyHash, c.valueHash!, proof),
              `${file} ${c.keyHash}`,
            ).to.equal(true);
            expect(await harness.verifyExclusion(c.root, c.keyHash, proof)).to.equal(false);
            expect(await harness.resolve(c.root, c.keyHash, proof)).to.deep.equal([true, c.valueHash]);
          } else {
            expect(await harness.verifyExclusion(c.root, c.keyHash, proof), `${file} ${c.keyHash}`).to.equal(true);
            expect(await harness.resolve(c.root, c.keyHash, proof)).to.deep.equal([false, ZERO]);
          }
          checked++;
        }
      }
      expect(checked).to.be.greaterThan(300);
    });
  });

  describe("tampering", function () {
    /** Invariant: changing any part of a valid proof, the value, or the root makes verification fail. */
    it("rejects a flipped sibling, an added or removed sibling, a swapped leaf, another value and another root", async function () {
      const { harness } = await loadFixture(fixture);
      const cases = loadCases()
        .flatMap((f) => f.cases)
        .filter((c) => c.kind === "inclusion" && c.proof.siblings.length > 0);
      await fc.assert(
        fc.asyncProperty(fc.nat({ max: cases.length - 1 }), fc.nat(), async (pick, at) => {
          const c = cases[pick];
          const proof = toAbi(c.proof);
          const i = at % proof.siblings.length;
          const flipped = {
            ...proof,
            siblings: proof.siblings.map((s, j) => (j === i ? ethers.toBeHex(BigInt(s) ^ 1n, 32) : s)),
          };
          expect(await harness.verifyInclusion(c.root, c.keyHash, c.valueHash!, flipped)).to.equal(false);
          const added = { ...proof, siblings: [...proof.siblings, ethers.id("extra")] };
          if (added.siblings.length > 256) {
            await expect(harness.verifyInclusion(c.root, c.keyHash, c.valueHash!, added)).to.be.revertedWithCustomError(
              harness,
              "JmtProofTooManySiblings",
            );
          } else {
            expect(await harness.verifyInclusion(c.root, c.keyHash, c.valueHash!, added)).to.equal(false);
          }
          const removed = { ...proof, siblings: proof.siblings.slice(1) };
          expect(await harness.verifyInclusion(c.root, c.keyHash, c.valueHash!, removed)).to.equal(false);
          const swappedLeaf = { ...proof, leafValueHash: ethers.id("other") };
          expect(await harness.verifyInclusion(c.root, c.keyHash, ethers.id("other"), swappedLeaf)).to.equal(false);
          expect(await harness.verifyInclusion(c.root, c.keyHash, ethers.id("other"), proof)).to.equal(false);
          expect(await harness.verifyInclusion(ethers.id("root"), c.keyHash, c.valueHash!, proof)).to.equal(false);
          await expect(harness.resolve(ethers.id("root"), c.keyHash, proof)).to.be.revertedWithCustomError(
            harness,
            "JmtProofRootMismatch",
          );
        }),
        { numRuns: 40 },
      );
    });

    it("cannot pass an internal node off as a leaf: a proof cut one level short does not verify", async function () {
      const { harness } = await loadFixture(fixture);
      const hasher = await createKeccakHasher();
      const tree = new JellyfishMerkleTree({ store: new MemoryTreeStore(), hasher });
      // Two keys sharing 20 leading bits force a deep internal path.
      const a = Uint8Array.from(Buffer.from("aaaaa" + "0".repeat(59), "hex"));
      const b = Uint8Array.from(Buffer.from("aaaaa" + "f".repeat(59), "hex"));
      tree.putValueSet(0, [
        [a, Uint8Array.of(1)],
        [b, Uint8Array.of(2)],
      ]);
      const root = ethers.hexlify(tree.rootAt(0));
      const { proof } = tree.getWithProof(a, 0);
      const full = {
        hasLeaf: true,
        leafKeyHash: ethers.hexlify(proof.leaf!.keyHash),
        leafValueHash: ethers.hexlify(proof.leaf!.valueHash),
        siblings: proof.siblings.map((s) => ethers.hexlify(s)),
      };
      expect(await harness.verifyInclusion(root, ethers.hexlify(a), full.leafValueHash, full)).to.equal(true);
      // The parent of the two leaves is internal(leaf_a, leaf_b); claiming it is a leaf with some key/value pair
      // must fail, because leaf and internal hashes carry different domain prefixes.
      const parentAsLeaf = { ...full, siblings: full.siblings.slice(1) };
      expect(await harness.verifyExclusion(root, ethers.hexlify(a), { ...parentAsLeaf, hasLeaf: false })).to.equal(
        false,
      );
      expect(await harness.verifyInclusion(root, ethers.hexlify(a), full.leafValueHash, parentAsLeaf)).to.equal(false);
    });

    it("rejects an exclusion whose leaf is off the key's path, and more than 256 siblings", async function () {
      const { harness } = await loadFixture(fixture);
      const c = loadCases()
        .flatMap((f) => f.cases)
        .find((x) => x.kind === "exclusion-leaf" && x.proof.siblings.length > 0)!;
      const proof = toAbi(c.proof);
      const offPath = { ...proof, leafKeyHash: ethers.toBeHex(BigInt(c.keyHash) ^ (1n << 255n), 32) };
      expect(await harness.verifyExclusion(c.root, c.keyHash, offPath)).to.equal(false);
      await expect(harness.resolve(c.root, c.keyHash, offPath)).to.be.revertedWithCustomError(
        harness,
        "JmtProofLeafNotOnPath",
      );
      const tooLong = { ...proof, siblings: Array.from({ length: 257 }, () => ZERO) };
      await expect(harness.resolve(c.root, c.keyHash, tooLong))
        .to.be.revertedWithCustomError(harness, "JmtProofTooManySiblings")
        .withArgs(257);
    });
  });

  describe("computeRoot", function () {
    /** Invariant: the assembly fold equals its readable twin for any key and any proof shape (0–256 siblings). */
    it("equals computeRootReference on random keys, leaves and sibling lists", async function () {
      const { harness } = await loadFixture(fixture);
      const word = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => ethers.hexlify(b));
      const proof = fc.record({
        hasLeaf: fc.boolean(),
        leafKeyHash: word,
        leafValueHash: word,
        siblings: fc.oneof(fc.array(word, { maxLength: 24 }), fc.array(word, { minLength: 250, maxLength: 256 })),
      });
      await fc.assert(
        fc.asyncProperty(word, proof, async (key, p) => {
          const [optimized, readable] = await harness.computeRoots(key, p);
          expect(optimized).to.equal(readable);
        }),
        { numRuns: 80 },
      );
    });
  });

  describe("commonPrefixBits", function () {
    it("counts equal leading bits like a bigint model", async function () {
      const { harness } = await loadFixture(fixture);
      await fc.assert(
        fc.asyncProperty(fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }), fc.nat({ max: 256 }), async (x, flip) => {
          const y = flip === 256 ? x : x ^ (1n << BigInt(255 - flip));
          const a = ethers.toBeHex(x, 32);
          const b = ethers.toBeHex(y, 32);
          let expected = 0;
          while (expected < 256 && ((x >> BigInt(255 - expected)) & 1n) === ((y >> BigInt(255 - expected)) & 1n))
            expected++;
          expect(await harness.commonPrefixBits(a, b)).to.equal(BigInt(expected));
        }),
        { numRuns: 60 },
      );
    });
  });
});

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { expect } from "chai";

import { hexToBytes } from "../../../keeper/common";
import {
  createKeccakHasher,
  FIXTURE_SPECS,
  type FixtureCase,
  generateFixtureCases,
  type SparseMerkleProof,
  verifyProofByValueHash,
} from "../../../keeper/jmt";

const DIR = join(__dirname, "..", "..", "fixtures", "jmt");

interface FixtureFile {
  hash: string;
  spec: { name: string; leafCount: number };
  cases: FixtureCase[];
}

const files: FixtureFile[] = readdirSync(DIR)
  .filter((f) => f.endsWith(".json"))
  .map((f) => JSON.parse(readFileSync(join(DIR, f), "utf8")) as FixtureFile);

function proofOf(c: FixtureCase): SparseMerkleProof {
  const siblings = c.proof.siblings.map((s) => hexToBytes(s));
  const leaf = c.proof.leaf;
  return leaf
    ? { leaf: { keyHash: hexToBytes(leaf.keyHash), valueHash: hexToBytes(leaf.valueHash) }, siblings }
    : { siblings };
}

describe("JMT verifier fixtures (test/fixtures/jmt)", () => {
  it("covers every spec, all three proof kinds, and stays under 1 MB", () => {
    expect(files.map((f) => f.spec.name).sort()).to.deep.equal(FIXTURE_SPECS.map((s) => s.name).sort());
    const kinds = new Set(files.flatMap((f) => f.cases.map((c) => c.kind)));
    expect([...kinds].sort()).to.deep.equal(["exclusion-empty", "exclusion-leaf", "inclusion"]);
    const bytes = readdirSync(DIR).reduce((n, f) => n + readFileSync(join(DIR, f)).length, 0);
    expect(bytes).to.be.below(1_000_000);
  });

  /** Invariant: every committed case verifies (noble keccak, not the generator's hash-wasm) and fails when a sibling is flipped. */
  it("verifies every case and rejects it tampered", () => {
    for (const f of files) {
      expect(f.hash).to.equal("keccak256");
      for (const c of f.cases) {
        const root = hexToBytes(c.root);
        const key = hexToBytes(c.keyHash);
        const vh = c.valueHash === null ? null : hexToBytes(c.valueHash);
        const proof = proofOf(c);
        expect(verifyProofByValueHash(root, key, vh, proof), `${f.spec.name} ${c.keyHash}`).to.equal(true);
        if (proof.siblings.length === 0) continue;
        const bad = {
          ...proof,
          siblings: proof.siblings.map((s, i) => (i === 0 ? Uint8Array.from(s, (b) => b ^ 1) : s)),
        };
        expect(verifyProofByValueHash(root, key, vh, bad)).to.equal(false);
      }
    }
  });

  it("regenerates the small files byte-for-byte (deterministic generator)", async () => {
    const hasher = await createKeccakHasher();
    for (const spec of FIXTURE_SPECS.filter((s) => s.leafCount <= 100)) {
      const committed = files.find((f) => f.spec.name === spec.name) as FixtureFile;
      expect(generateFixtureCases(spec, hasher)).to.deep.equal(committed.cases);
    }
  });
});

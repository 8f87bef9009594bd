/**
 * Writes the JMT verifier fixtures to test/fixtures/jmt/<name>.json (keccak256 proofs of trees of
 * 1 to 10 000 leaves, deep shared prefixes, adjacent keys). Run: `npx ts-node --transpile-only
 * scripts/jmt-fixtures.ts` (deterministic: re-running produces identical files).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { format, resolveConfig } from "prettier";

import { createKeccakHasher, FIXTURE_SPECS, generateFixtureCases } from "../keeper/jmt";

async function main(): Promise<void> {
  const hasher = await createKeccakHasher();
  const dir = join(__dirname, "..", "test", "fixtures", "jmt");
  mkdirSync(dir, { recursive: true });
  for (const spec of FIXTURE_SPECS) {
    const cases = generateFixtureCases(spec, hasher);
    const file = {
      source: "newton-state keeper/jmt fixtures.ts (penumbra jmt format, keccak256)",
      hash: hasher.name,
      spec,
      cases,
    };
    const path = join(dir, `${spec.name}.json`);
    const options = { ...(await resolveConfig(path)), filepath: path };
    writeFileSync(path, await format(JSON.stringify(file), options));
    console.log(`${spec.name}: ${cases.length} cases`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

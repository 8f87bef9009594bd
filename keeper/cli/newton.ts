#!/usr/bin/env -S npx ts-node --transpile-only
/**
 * `newton` — the Newton State policy CLI (DESIGN §8). A thin wrapper over {@link runNewton}:
 * `ts-node --transpile-only keeper/cli/newton.ts <command> …` (package.json `bin`/`scripts`: `newton`).
 * Run with `--help` for the command tree.
 */
import { runNewton } from "./newton/index";

export { runNewton };

if (require.main === module) {
  runNewton(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}

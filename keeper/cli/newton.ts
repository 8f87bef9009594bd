#!/usr/bin/env -S npx ts-node --transpile-only
/**
 * `newton` — the Newton State policy CLI (the README's Policy CLI section). A thin wrapper over {@link runNewton}:
 * `ts-node --transpile-only keeper/cli/newton.ts <command> …` (package.json `bin`/`scripts`: `newton`).
 * Run with `--help` for the command tree.
 */
import { ttyPrompt } from "../common/mainnet-guard";
import { runNewton } from "./newton/index";

export { runNewton };

if (require.main === module) {
  const io = { env: process.env, stdout: process.stdout, stderr: process.stderr, prompt: ttyPrompt() };
  runNewton(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}

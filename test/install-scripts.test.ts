import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";

import { expect } from "chai";

import { ROOT } from "../scripts/devnet/processes";

/**
 * `npm ci` is clean: every dependency with an install script is decided in package.json's `allowScripts` (npm 11's
 * install-script policy), so the install prints no install-scripts warning; the four denied packages' scripts
 * would only compile a native addon when no prebuilt binary matches, and the prebuilt ones load.
 */
describe("npm ci install scripts", function () {
  it("leaves no dependency with an install script undecided in allowScripts", function () {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
      allowScripts?: Record<string, boolean>;
    };
    expect(pkg.allowScripts).to.deep.equal({ keccak: false, lmdb: false, "msgpackr-extract": false, secp256k1: false });
    const ls = spawnSync("npm", ["install-scripts", "ls"], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
    expect(ls.status, ls.stderr).to.equal(0);
    expect(ls.stdout).to.include("No packages with unreviewed install scripts");
  });

  it("loads the prebuilt native builds of the four packages", function () {
    const probe = [
      'require("keccak/bindings")',
      'require("secp256k1/bindings")',
      'const { open } = require("lmdb")',
      'const x = require(require.resolve("msgpackr-extract", { paths: [require.resolve("msgpackr")] }))',
      'if (typeof open !== "function" || typeof x.extractStrings !== "function") process.exit(3)',
    ].join(";");
    const run = spawnSync(process.execPath, ["-e", probe], { cwd: ROOT, encoding: "utf8" });
    expect(run.status, run.stderr).to.equal(0);
  });
});

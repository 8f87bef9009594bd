import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { KeeperConfigError, loadKeeperConfig } from "../../../keeper/cli/config";

describe("keeper config: sync block and the bootnode role", function () {
  let dir: string;
  let n = 0;
  const write = (json: object): string => {
    const file = path.join(dir, `c${n++}.json`);
    writeFileSync(file, JSON.stringify(json));
    return file;
  };
  const base = {
    rpcUrl: "http://127.0.0.1:8545",
    deployment: "d.json",
    daUrl: "http://127.0.0.1:3100",
    dataDir: "data",
  };
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "sync-config-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("accepts the bootnode example config", function () {
    const file = path.join(__dirname, "../../../config/keeper/bootnode.example.json");
    const config = loadKeeperConfig(file, "bootnode", {});
    expect(config.sync?.peers.length).to.equal(2);
    expect(config.sync?.keepVersions).to.equal(100);
  });

  it("requires /sync for --role bootnode and validates it", function () {
    expect(() => loadKeeperConfig(write(base), "bootnode", {})).to.throw(KeeperConfigError, /\/sync is required/);
    expect(() => loadKeeperConfig(write({ ...base, sync: { peers: ["ftp://x"] } }), "bootnode", {})).to.throw(
      KeeperConfigError,
      /\/sync\/peers\/0/,
    );
    expect(() => loadKeeperConfig(write({ ...base, sync: { peers: [], keepVersions: -1 } }), "bootnode", {})).to.throw(
      KeeperConfigError,
      /keepVersions/,
    );
  });
});

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { expect } from "chai";

import {
  KeeperConfigError,
  loadKeeperConfig,
  readSecretsKeyFile,
  readSecretsKeys,
  x25519PublicKey,
} from "../../../keeper/cli/config";

/** Config loading is the keeper's only contact with files and env: every error names its field. */
describe("keeper/cli config", function () {
  let dir: string;
  const base = {
    rpcUrl: "http://127.0.0.1:8545",
    deployment: "deployments/localhost.json",
    daUrl: "http://127.0.0.1:3100",
    dataDir: "data",
    aggregator: { operators: [{ url: "http://127.0.0.1:9100" }], txKey: { privateKeyEnv: "K" } },
  };

  before(function () {
    dir = mkdtempSync(path.join(os.tmpdir(), "newton-keeper-config-"));
  });

  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  function write(config: object): string {
    const file = path.join(dir, `c${Math.random()}.json`);
    writeFileSync(file, JSON.stringify(config));
    return file;
  }

  describe("loadKeeperConfig", function () {
    it("applies defaults, resolves paths against the file and lets NEWTON_KEEPER_* override the file", function () {
      const file = write(base);
      const config = loadKeeperConfig(file, "aggregator", {
        NEWTON_KEEPER_WINDOW_SECONDS: "2",
        NEWTON_KEEPER_HTTP_PORT: "0",
      });
      expect(config.aggregator).to.deep.include({ windowSeconds: 2, confirmations: 1, maxCommitBytes: 52_428_800 });
      expect(config.http).to.deep.equal({ host: "127.0.0.1", port: 0 });
      expect(config.dataDir).to.equal(path.join(dir, "data"));
      expect(Object.isFrozen(config)).to.equal(true);
    });

    it("takes daUrl as one URL or an ordered fail-over list (file, or comma-separated NEWTON_KEEPER_DA_URL)", function () {
      const list = ["http://127.0.0.1:3100", "http://127.0.0.1:3101"];
      expect(loadKeeperConfig(write({ ...base, daUrl: list }), "aggregator", {}).daUrl).to.deep.equal(list);
      const fromEnv = loadKeeperConfig(write(base), "aggregator", { NEWTON_KEEPER_DA_URL: list.join(",") });
      expect(fromEnv.daUrl).to.deep.equal(list);
      expect(loadKeeperConfig(write(base), "aggregator", {}).daUrl).to.equal(base.daUrl);
      for (const bad of [[], ["ftp://x"]]) {
        expect(() => loadKeeperConfig(write({ ...base, daUrl: bad }), "aggregator", {})).to.throw(
          KeeperConfigError,
          /daUrl/,
        );
      }
    });

    it("rejects with every bad field named", function () {
      const file = write({
        ...base,
        rpcUrl: "ftp://x",
        aggregator: { ...base.aggregator, windowSeconds: 0 },
        extra: 1,
      });
      let message = "";
      try {
        loadKeeperConfig(file, "aggregator", {});
      } catch (err) {
        expect(err).to.be.instanceOf(KeeperConfigError);
        message = (err as Error).message;
      }
      expect(message).to.include('/ has unknown field "extra"');
      expect(message).to.include("/rpcUrl must match pattern");
      expect(message).to.include("/aggregator/windowSeconds must be >= 1");
    });

    it("rejects a config without the section of the requested role, or for another role", function () {
      expect(() => loadKeeperConfig(write(base), "operator", {})).to.throw(KeeperConfigError, /\/operator is required/);
      expect(() => loadKeeperConfig(write({ ...base, role: "challenger" }), "aggregator", {})).to.throw(
        KeeperConfigError,
        /\/role is "challenger" but --role is "aggregator"/,
      );
    });

    it("rejects a non-integer environment override by name", function () {
      expect(() => loadKeeperConfig(write(base), "aggregator", { NEWTON_KEEPER_HTTP_PORT: "x" })).to.throw(
        KeeperConfigError,
        /NEWTON_KEEPER_HTTP_PORT must be an integer/,
      );
    });

    it("accepts the example configs in config/keeper", function () {
      for (const role of ["operator", "aggregator", "challenger"] as const) {
        const file = path.join(__dirname, "../../../config/keeper", `${role}.example.json`);
        expect(loadKeeperConfig(file, role, {}).role).to.equal(role);
      }
    });
  });

  describe("readSecretsKeyFile", function () {
    it("returns the public key when it is the X25519 key of the private key (RFC 7748 §6.1 vector)", function () {
      // RFC 7748 §6.1: Alice's private key and public key.
      const privateKey = "0x77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
      const publicKey = "0x8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
      expect(x25519PublicKey(Buffer.from(privateKey.slice(2), "hex"))).to.equal(publicKey);
      expect(readSecretsKeyFile(write({ publicKey, privateKey }))).to.equal(publicKey);
      expect(() => readSecretsKeyFile(write({ publicKey: `0x${"11".repeat(32)}`, privateKey }))).to.throw(
        KeeperConfigError,
        /publicKey is not the X25519 public key/,
      );
    });
  });

  describe("readSecretsKeys", function () {
    it("reads the current epoch and the previous epoch's key of a changeover, checking each pair", function () {
      const pair = (byte: string) => {
        const privateKey = `0x${byte.repeat(32)}`;
        return { privateKey, publicKey: x25519PublicKey(Buffer.from(privateKey.slice(2), "hex")) };
      };
      const [k0, k1] = [pair("11"), pair("22")];
      expect(readSecretsKeys(write(k0))).to.deep.equal({ secretsPublicKey: k0.publicKey, secretsEpoch: undefined });
      expect(readSecretsKeys(write({ ...k1, epoch: 1, previous: { ...k0, epoch: 0 } }))).to.deep.equal({
        secretsPublicKey: k1.publicKey,
        secretsEpoch: 1,
        secretsPrevious: { epoch: 0, publicKey: k0.publicKey },
      });
      for (const [bad, message] of [
        [{ ...k1, previous: { ...k0, epoch: 0 } }, /epoch is required with \/previous/],
        [{ ...k1, epoch: 1, previous: { ...k0, epoch: 1 } }, /previous\/epoch must be an integer below/],
        [{ ...k1, epoch: 1, previous: { ...k0, publicKey: k1.publicKey, epoch: 0 } }, /previous\/publicKey is not/],
        [{ ...k1, epoch: -1 }, /\/epoch must be an integer/],
      ] as const) {
        expect(() => readSecretsKeys(write(bad)), String(message)).to.throw(KeeperConfigError, message);
      }
    });
  });
});

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";

import { expect } from "chai";
import { ZeroHash, keccak256 } from "ethers";

import { generateKeypair } from "../../../keeper/bls";
import { KeeperConfigError } from "../../../keeper/cli/config";
import { checkDataDir, checkOperatorKey } from "../../../keeper/cli/startup-checks";
import { ROOT, removeDir, tempDir } from "../../../scripts/devnet/processes";

const REGISTRY = "0x00000000000000000000000000000000000000aa";
const OPERATOR = "0x00000000000000000000000000000000000000bb";

function expectConfigError(fn: () => void, message: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, "a KeeperConfigError").to.be.instanceOf(KeeperConfigError);
  expect((caught as Error).message).to.match(message);
}

describe("keeper/cli startup checks", function () {
  let dir: string;

  before(function () {
    dir = tempDir("newton-startup-checks-");
  });

  after(function () {
    removeDir(dir);
  });

  describe("checkDataDir", function () {
    it("creates a missing folder and leaves nothing behind in it", function () {
      const data = path.join(dir, "a", "b", "data");
      checkDataDir(data);
      expect(existsSync(data)).to.equal(true);
      expect(readdirSync(data)).to.deep.equal([]);
    });

    it("refuses a file, a folder that cannot be created and a kernel pseudo filesystem, naming the field and path", function () {
      const file = path.join(dir, "a-file");
      writeFileSync(file, "not a folder");
      expectConfigError(
        () => checkDataDir(file),
        new RegExp(`^dataDir ${file} is unusable: it is a file, not a folder`),
      );
      const under = path.join(file, "data");
      expectConfigError(
        () => checkDataDir(under),
        new RegExp(`^dataDir ${under} is unusable: cannot create it \\(ENOTDIR\\)`),
      );
      expectConfigError(
        () => checkDataDir("/proc/self"),
        /^dataDir \/proc\/self is unusable: it is on the proc pseudo filesystem/,
      );
      expectConfigError(() => checkDataDir("/sys/kernel", "dataDir"), /sysfs pseudo filesystem/);
    });

    it("makes newton-keeper exit 1 at once with the field and the path, before touching the chain", function () {
      const file = path.join(dir, "data-is-a-file");
      writeFileSync(file, "");
      const deployment = path.join(dir, "deployment.json");
      const proxy = (n: number) => ({ proxy: `0x${n.toString(16).padStart(40, "0")}`, deployBlock: 1 });
      writeFileSync(
        deployment,
        JSON.stringify({
          chainId: 31337,
          contracts: { StateCommitRegistry: proxy(1), OperatorRegistry: proxy(2), ChallengeVerifier: proxy(3) },
        }),
      );
      const config = path.join(dir, "challenger.json");
      writeFileSync(
        config,
        JSON.stringify({
          role: "challenger",
          // Nothing listens here: the check must fail before any RPC is attempted.
          rpcUrl: "http://127.0.0.1:9",
          deployment,
          daUrl: "http://127.0.0.1:9",
          dataDir: file,
          challenger: { txKey: { privateKeyEnv: "NEWTON_TEST_TX_KEY" } },
        }),
      );
      mkdirSync(path.join(dir, "cwd"), { recursive: true });
      const run = spawnSync(
        process.execPath,
        ["-r", "ts-node/register/transpile-only", "keeper/cli/keeper.ts", "--role", "challenger", "--config", config],
        {
          cwd: ROOT,
          encoding: "utf8",
          timeout: 120_000,
          env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true", NEWTON_TEST_TX_KEY: `0x${"11".repeat(32)}` },
        },
      );
      expect(run.status, run.stderr).to.equal(1);
      expect(run.stderr).to.include(`dataDir ${file} is unusable: it is a file, not a folder`);
    });
  });

  describe("checkOperatorKey", function () {
    const keypair = generateKeypair();
    const reader = (pubkeyHash: string) => ({ operatorInfo: () => Promise.resolve({ pubkeyHash }) });

    it("accepts the operator registered with the keystore's key", async function () {
      await checkOperatorKey(OPERATOR, keypair.pubkeyG1Eip2537, reader(keccak256(keypair.pubkeyG1Eip2537)), REGISTRY);
    });

    it("refuses an address that is not registered, or registered with another key", async function () {
      const refused = async (hash: string) =>
        checkOperatorKey(OPERATOR, keypair.pubkeyG1Eip2537, reader(hash), REGISTRY).then(
          () => undefined,
          (err: unknown) => err as Error,
        );
      const unregistered = await refused(ZeroHash);
      expect(unregistered).to.be.instanceOf(KeeperConfigError);
      expect(unregistered?.message).to.match(
        /^operator\.address 0x0{38}bb is not registered in the OperatorRegistry 0x0{38}aa/i,
      );
      const other = keccak256(generateKeypair().pubkeyG1Eip2537);
      const mismatch = await refused(other);
      expect(mismatch).to.be.instanceOf(KeeperConfigError);
      expect(mismatch?.message).to.include(`registered with another BLS key (pubkey hash ${other})`);
      expect(mismatch?.message).to.include(keccak256(keypair.pubkeyG1Eip2537));
    });
  });
});

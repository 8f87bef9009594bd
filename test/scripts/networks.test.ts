import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

import { expect } from "chai";
import { JsonRpcProvider, Wallet } from "ethers";
import hre from "hardhat";

import { runNewton } from "../../keeper/cli/newton";
import {
  CONFIRM_MAINNET_ENV,
  MainnetGuardError,
  confirmMainnet,
  type MainnetGuardRequest,
} from "../../keeper/common/mainnet-guard";
import { DaServer } from "../../keeper/da";
import { HARDHAT_KEYS } from "../../scripts/devnet/accounts";
import { type Proc, removeDir, spawnLogged, startHardhatNode, tempDir } from "../../scripts/devnet/processes";
import { DeployConfigError, MAINNET_NETWORKS, loadDeployConfig } from "../../scripts/lib/config";

const HARDHAT_CLI = require.resolve("hardhat/internal/cli/cli");
const SIGNER = "0x00000000000000000000000000000000000000a1";

describe("networks", function () {
  describe("Hardhat networks and config files", function () {
    const expected: Record<string, number> = {
      mainnet: 1,
      sepolia: 11_155_111,
      base: 8453,
      "base-sepolia": 84_532,
      "arbitrum-one": 42_161,
      "arbitrum-sepolia": 421_614,
    };

    it("pin the chain id of every live network, so Hardhat refuses an RPC serving another chain", function () {
      for (const [name, chainId] of Object.entries(expected)) {
        expect(hre.config.networks[name]?.chainId, name).to.equal(chainId);
      }
    });

    it("have a config/<network>.json for each; testnets validate, mainnets refuse the placeholder owner", function () {
      const root = hre.config.paths.root;
      for (const network of ["sepolia", "base-sepolia", "arbitrum-sepolia"]) {
        const config = loadDeployConfig(path.join(root, "config", `${network}.json`), network);
        expect(config.templateRegistrationPermissionless, network).to.equal(true);
      }
      expect([...MAINNET_NETWORKS]).to.deep.equal(["mainnet", "base", "arbitrum-one"]);
      for (const network of MAINNET_NETWORKS) {
        const file = path.join(root, "config", `${network}.json`);
        expect(() => loadDeployConfig(file, network), network).to.throw(DeployConfigError, /owner is the zero address/);
        const raw = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
        expect(raw.templateRegistrationPermissionless, network).to.equal(false);
        delete raw.owner;
        const noOwner = path.join(tempDir("newton-networks-"), `${network}.json`);
        writeFileSync(noOwner, JSON.stringify(raw));
        expect(() => loadDeployConfig(noOwner, network), network).to.throw(DeployConfigError, /owner is required/);
        removeDir(path.dirname(noOwner));
      }
    });
  });

  describe("confirmMainnet", function () {
    function request(chainId: number, extra: Partial<MainnetGuardRequest> = {}) {
      const notices: string[] = [];
      const req: MainnetGuardRequest = {
        chainId,
        signer: SIGNER,
        action: "deploy Newton State",
        env: {},
        notice: (line) => notices.push(line),
        ...extra,
      };
      return { req, notices };
    }

    async function refusal(req: MainnetGuardRequest): Promise<string> {
      try {
        await confirmMainnet(req);
      } catch (err) {
        expect(err).to.be.instanceOf(MainnetGuardError);
        return (err as Error).message;
      }
      return expect.fail("expected the guard to refuse");
    }

    for (const [chainId, name] of [
      [1, "Ethereum mainnet"],
      [8453, "Base"],
      [42161, "Arbitrum One"],
    ] as const) {
      it(`${name} (${chainId}): refuses without a confirmation, naming the chain and the signer`, async function () {
        const { req, notices } = request(chainId);
        const message = await refusal(req);
        expect(message).to.include(`${name} (chain id ${chainId}) as ${SIGNER}`).and.include("--yes");
        expect(message).to.include(`${CONFIRM_MAINNET_ENV}=${chainId}`);
        expect(notices).to.deep.equal([]);
      });

      it(`${name} (${chainId}): proceeds with --yes, the matching env, or the chain id typed — never silently`, async function () {
        for (const [extra, how] of [
          [{ yes: true }, "yes"],
          [{ env: { [CONFIRM_MAINNET_ENV]: String(chainId) } }, "env"],
          [{ prompt: async () => ` ${chainId}\n` }, "prompt"],
        ] as const) {
          const { req, notices } = request(chainId, extra);
          expect(await confirmMainnet(req)).to.equal(how);
          expect(notices).to.have.length(1);
          expect(notices[0]).to.include(`${name} (chain id ${chainId}) as ${SIGNER}`);
        }
      });
    }

    it("refuses a prompt answered with anything but the chain id, and an env naming another chain", async function () {
      const asked: string[] = [];
      for (const answer of ["y", "yes", "", "1"]) {
        const { req } = request(8453, {
          prompt: async (q) => {
            asked.push(q);
            return answer;
          },
        });
        expect(await refusal(req)).to.match(/not confirmed/);
      }
      expect(asked[0]).to.include("Base (chain id 8453) as " + SIGNER);
      const { req } = request(8453, { env: { [CONFIRM_MAINNET_ENV]: "1" } });
      expect(await refusal(req)).to.match(/confirms another chain; set it to 8453/);
    });

    it("asks nothing on testnets and local chains", async function () {
      for (const chainId of [31337, 11_155_111, 84_532, 421_614]) {
        const { req, notices } = request(chainId, { prompt: () => expect.fail("must not ask") });
        expect(await confirmMainnet(req)).to.equal("not-mainnet");
        expect(notices).to.deep.equal([]);
      }
    });
  });

  /**
   * The guard against real processes: a `hardhat node` started with Base's chain id 8453 stands in for
   * Base (nothing leaves the machine); the deploy task and script and the `newton` CLI refuse to send
   * without a confirmation and proceed with one.
   */
  describe("mainnet guard on a local chain with chain id 8453", function () {
    let dir: string;
    let node: { url: string; proc: Proc };
    let provider: JsonRpcProvider;
    let configFile: string;
    let deployments: string;
    const deployer = new Wallet(HARDHAT_KEYS[0]).address;
    const cliSigner = new Wallet(HARDHAT_KEYS[2]).address;
    const da = new DaServer();
    let daUrl: string;

    before(async function () {
      dir = tempDir("newton-mainnet-guard-");
      node = await startHardhatNode(dir, undefined, { NEWTON_HARDHAT_CHAIN_ID: "8453" });
      provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true });
      configFile = path.join(dir, "config.json");
      writeFileSync(
        configFile,
        JSON.stringify({ templateRegistrationPermissionless: true, instanceDeploymentPermissionless: true }),
      );
      deployments = path.join(dir, "deployments");
      ({ url: daUrl } = await da.start());
    });

    after(async function () {
      provider?.destroy();
      await node?.proc.stop();
      await da.stop();
      if (dir) removeDir(dir);
    });

    async function hardhat(name: string, args: string[], env: NodeJS.ProcessEnv = {}) {
      const proc = spawnLogged(
        process.execPath,
        [HARDHAT_CLI, ...args],
        { LOCALHOST_RPC_URL: node.url, ...env },
        path.join(dir, `${name}.log`),
      );
      const code = await proc.exited;
      return { code, log: proc.log() };
    }

    const deployTask = ["newton:deploy", "--network", "localhost", "--config-file"];

    it("hardhat newton:deploy without --yes refuses, naming Base and the deployer, and sends nothing", async function () {
      expect((await provider.getNetwork()).chainId).to.equal(8453n);
      const run = await hardhat("deploy-no", [...deployTask, configFile, "--deployments-dir", deployments]);
      expect(run.code, run.log).to.not.equal(0);
      expect(run.log).to.include(`refusing to deploy Newton State (localhost) on Base (chain id 8453) as ${deployer}`);
      expect(await provider.getTransactionCount(deployer)).to.equal(0);
      expect(existsSync(path.join(deployments, "localhost.json"))).to.equal(false);
    });

    it(`scripts/deploy.ts refuses ${CONFIRM_MAINNET_ENV} for another chain, and deploys with 8453`, async function () {
      const env = { DEPLOY_CONFIG_FILE: configFile, DEPLOYMENTS_DIR: deployments };
      const script = ["run", "scripts/deploy.ts", "--network", "localhost"];
      const wrong = await hardhat("deploy-wrong", script, { ...env, [CONFIRM_MAINNET_ENV]: "1" });
      expect(wrong.code, wrong.log).to.not.equal(0);
      expect(wrong.log).to.match(/confirms another chain; set it to 8453/);
      expect(await provider.getTransactionCount(deployer)).to.equal(0);

      const ok = await hardhat("deploy-env", script, { ...env, [CONFIRM_MAINNET_ENV]: "8453" });
      expect(ok.code, ok.log).to.equal(0);
      expect(ok.log).to.include(`on Base (chain id 8453) as ${deployer}; confirmed by ${CONFIRM_MAINNET_ENV}=8453`);
      const record = JSON.parse(readFileSync(path.join(deployments, "localhost.json"), "utf8")) as { chainId: number };
      expect(record.chainId).to.equal(8453);
      expect(await provider.getTransactionCount(deployer)).to.be.greaterThan(0);
    });

    it("hardhat newton:deploy --yes proceeds and says so", async function () {
      const run = await hardhat("deploy-yes", [...deployTask, configFile, "--deployments-dir", deployments, "--yes"]);
      expect(run.code, run.log).to.equal(0);
      expect(run.log).to.include(`on Base (chain id 8453) as ${deployer}; confirmed by --yes`);
    });

    describe("newton CLI", function () {
      const files: string[] = [];

      before(function () {
        writeFileSync(path.join(dir, "plugin.wasm"), Buffer.from("0061736d01000000", "hex"));
        writeFileSync(path.join(dir, "params.schema.json"), JSON.stringify({ type: "object" }));
        files.push("--wasm", path.join(dir, "plugin.wasm"), "--params-schema", path.join(dir, "params.schema.json"));
      });

      async function newton(argv: string[], prompt?: (q: string) => Promise<string>) {
        let stdout = "";
        let stderr = "";
        const env = {
          NEWTON_HOME: path.join(dir, "home"),
          NEWTON_RPC_URL: node.url,
          NEWTON_CHAIN: "localhost",
          NEWTON_DA_URL: daUrl,
          NEWTON_SIGNER_KEY: HARDHAT_KEYS[2],
        };
        const code = await runNewton(["--deployments", deployments, ...argv], {
          env,
          stdout: { write: (s: string) => (stdout += s) },
          stderr: { write: (s: string) => (stderr += s) },
          prompt,
        });
        return { code, stdout, stderr };
      }

      it("refuses to register without --yes (no terminal) or with a wrong answer; uploads and sends nothing", async function () {
        const puts = da.requestsTotal;
        const bare = await newton(["policy-data", "template", "register", ...files]);
        expect(bare.code, bare.stderr).to.equal(1);
        expect(bare.stderr).to.include(`on Base (chain id 8453) as ${cliSigner} without confirmation: pass --yes`);
        const wrong = await newton(["policy-data", "template", "register", ...files], async () => "yes");
        expect(wrong.code, wrong.stderr).to.equal(1);
        expect(wrong.stderr).to.match(/not confirmed/);
        expect(await provider.getTransactionCount(cliSigner)).to.equal(0);
        expect(da.requestsTotal).to.equal(puts);
      });

      it("a dry run needs no confirmation", async function () {
        const dry = await newton(["policy-data", "template", "register", ...files, "--dry-run"]);
        expect(dry.code, dry.stderr).to.equal(0);
        expect(dry.stderr).to.not.include("mainnet:");
      });

      it("registers with --yes, or after the chain id is typed at the prompt, saying so on stderr", async function () {
        const yes = await newton(["policy-data", "template", "register", ...files, "--yes"]);
        expect(yes.code, yes.stderr).to.equal(0);
        expect(yes.stderr).to.include(`on Base (chain id 8453) as ${cliSigner}; confirmed by --yes`);
        expect(await provider.getTransactionCount(cliSigner)).to.equal(1);

        const other = path.join(dir, "other.wasm");
        // A valid module (header and an empty custom section) that differs from the first one: a new template.
        writeFileSync(other, Buffer.from("0061736d01000000000100", "hex"));
        const asked: string[] = [];
        const typed = await newton(
          ["policy-data", "template", "register", "--wasm", other, "--params-schema", files[3]],
          async (q) => {
            asked.push(q);
            return "8453";
          },
        );
        expect(typed.code, typed.stderr).to.equal(0);
        expect(asked).to.have.length(1);
        expect(asked[0]).to.include(`Base (chain id 8453) as ${cliSigner}`);
        expect(await provider.getTransactionCount(cliSigner)).to.equal(2);
      });
    });
  });
});

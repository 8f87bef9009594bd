import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import hre, { ethers } from "hardhat";

import { type KeystoreOptions, createProofOfPossession, encryptKeystore } from "../../keeper/bls";
import { EMPTY_ARTIFACT_HASH, policyDataTemplateId } from "../../keeper/chain";
import { DeployConfigError, loadDeployConfig } from "../../scripts/lib/config";
import { deployNewton } from "../../scripts/lib/deploy";
import { CONTRACT_NAMES, type Deployment, deploymentPath, writeDeployment } from "../../scripts/lib/deployment";
import { acceptOwnership, startOwnershipTransfer } from "../../scripts/lib/ownership";
import { EMPTY_REF, artifactRef } from "../helpers/policy";
import { makeOperators } from "../helpers/operators";

/** A cheap KDF so the keystores decrypt fast; real keystores use pbkdf2 with c = 262 144 or scrypt. */
const FAST_KDF: KeystoreOptions["kdf"] = {
  function: "pbkdf2",
  params: { dklen: 32, c: 16, prf: "hmac-sha256", salt: "22".repeat(32) },
};
const PASSWORD_ENV = { OPERATOR_PW: "correct horse battery staple" };
const silent = () => undefined;
/** Every temp folder the tests create, removed at the end. */
const tempDirs: string[] = [];

function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** Base config (as JSON) with four keystore operators in `dir`. */
async function writeKeystores(dir: string) {
  const operators = makeOperators(5, 11);
  const entries = [];
  for (const [i, op] of operators.slice(0, 4).entries()) {
    const keystore = await encryptKeystore(op.keypair, PASSWORD_ENV.OPERATOR_PW, { kdf: FAST_KDF });
    writeFileSync(path.join(dir, `operator-${i}.json`), JSON.stringify(keystore));
    entries.push({
      address: op.address,
      weight: 10 + i,
      keystore: `operator-${i}.json`,
      keystorePasswordEnv: "OPERATOR_PW",
    });
  }
  return { operators, entries };
}

/** Awaits `promise`, expects it to reject with an `Error` (of `type`, if given) whose message matches `message`. */
async function expectRejection(
  promise: Promise<unknown>,
  message: RegExp,
  type: abstract new (...args: never[]) => Error = Error,
): Promise<void> {
  try {
    await promise;
  } catch (err) {
    expect(err).to.be.instanceOf(type);
    expect((err as Error).message).to.match(message);
    return;
  }
  expect.fail(`expected a rejection matching ${message}`);
}

function writeConfig(dir: string, config: object, name = "config.json"): string {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/** Deploys once; later tests copy the record into their own folder, since files survive snapshot reverts. */
async function fixture() {
  const dir = tempDir("newton-deploy-test-");
  const { operators, entries } = await writeKeystores(dir);
  const config = {
    templateRegistrationPermissionless: true,
    instanceDeploymentPermissionless: false,
    quorumBips: 6667,
    challengeWindowBlocks: 50,
    operators: entries,
  };
  const configPath = writeConfig(dir, config);
  const deployer = (await ethers.getSigners())[0];
  const result = await deployNewton(hre, { deploymentsDir: dir, configPath, env: PASSWORD_ENV, log: silent });
  const deployment = JSON.parse(readFileSync(result.file, "utf8")) as Deployment;
  return { dir, config, configPath, deployment, operators, deployer, transactionsSent: result.transactionsSent };
}

/** A fresh folder holding a copy of `deployment` (and the fixture's keystores through the config path). */
function copyDeployment(deployment: Deployment): string {
  const dir = tempDir("newton-deploy-copy-");
  writeDeployment(deploymentPath(dir, "hardhat"), deployment);
  return dir;
}

describe("scripts/deploy", function () {
  after(function () {
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });

  describe("deployNewton", function () {
    it("deploys the five proxies, wires namespace writers and challenge roles, registers four keystore operators and records it all", async function () {
      const { deployment, deployer, operators, transactionsSent, config } = await loadFixture(fixture);
      expect(deployment.chainId).to.equal(31337);
      expect(deployment.deployer).to.equal(deployer.address);
      expect(deployment.config).to.deep.include({ quorumBips: 6667, challengeWindowBlocks: 50, windowSeconds: 120 });
      expect(Object.keys(deployment.contracts)).to.deep.equal([...CONTRACT_NAMES]);
      for (const name of CONTRACT_NAMES) {
        const record = deployment.contracts[name]!;
        expect(await hre.upgrades.erc1967.getImplementationAddress(record.proxy)).to.equal(record.implementation);
        const receipt = (await ethers.provider.getTransactionReceipt(record.deployTxHash))!;
        expect(receipt.blockNumber).to.equal(record.deployBlock);
        expect(receipt.contractAddress).to.equal(record.proxy);
        expect(record.upgrades).to.deep.equal([]);
      }
      // 5 proxies + the KeyOpening library + 6 namespace writers + 2 challenge roles (slasher, rollback verifier)
      // + the opening game's config + 4 operators.
      expect(transactionsSent).to.equal(19);
      expect(deployment.libraries?.KeyOpening?.address).to.match(/^0x[0-9a-fA-F]{40}$/);
      const verifier = deployment.contracts.ChallengeVerifier!.proxy;
      const operatorRegistry = await ethers.getContractAt(
        "OperatorRegistry",
        deployment.contracts.OperatorRegistry!.proxy,
      );
      expect(await operatorRegistry.slasher()).to.equal(verifier);
      expect(deployment.transactions.map((t) => t.step)).to.include(
        "StateCommitRegistry.setNamespaceWriter(0x03, PolicyDataRegistry)",
      );
      const scr = await ethers.getContractAt("StateCommitRegistry", deployment.contracts.StateCommitRegistry!.proxy);
      for (const ns of [3, 6, 7, 8]) {
        expect(await scr.namespaceWriter(ns)).to.equal(deployment.contracts.PolicyDataRegistry!.proxy);
      }
      expect(await scr.challengeVerifier()).to.equal(verifier);
      for (const ns of [4, 5])
        expect(await scr.namespaceWriter(ns)).to.equal(deployment.contracts.PolicyRegistry!.proxy);
      expect(await scr.challengeWindowBlocks()).to.equal(50n);
      for (const [i, op] of operators.slice(0, 4).entries()) {
        const info = await operatorRegistry.operatorInfo(op.address);
        expect([info.active, info.weight]).to.deep.equal([true, BigInt(config.operators[i].weight)]);
      }
      const policyRegistry = await ethers.getContractAt("PolicyRegistry", deployment.contracts.PolicyRegistry!.proxy);
      expect(await policyRegistry.instanceDeploymentPermissionless()).to.equal(false);
      expect(await policyRegistry.owner()).to.equal(deployer.address);
    });

    /** Invariant: a second run against a complete deployment sends no transaction and changes no address. */
    it("finds the deployment on a second run and sends nothing", async function () {
      const { deployment, deployer, configPath } = await loadFixture(fixture);
      const dir = copyDeployment(deployment);
      const nonce = await ethers.provider.getTransactionCount(deployer.address);
      const block = await ethers.provider.getBlockNumber();
      const again = await deployNewton(hre, { deploymentsDir: dir, configPath, env: PASSWORD_ENV, log: silent });
      expect(again.transactionsSent).to.equal(0);
      expect(await ethers.provider.getTransactionCount(deployer.address)).to.equal(nonce);
      expect(await ethers.provider.getBlockNumber()).to.equal(block);
      expect(JSON.parse(readFileSync(again.file, "utf8"))).to.deep.equal(deployment);
    });

    it("upgrades changed implementations, records the new addresses and keeps state", async function () {
      const { deployment, configPath } = await loadFixture(fixture);
      const dir = copyDeployment(deployment);
      const dataRegistry = await ethers.getContractAt(
        "PolicyDataRegistry",
        deployment.contracts.PolicyDataRegistry!.proxy,
      );
      const wasm = artifactRef("wasm-before-upgrade");
      await dataRegistry.registerTemplate(wasm, EMPTY_REF, EMPTY_REF);
      const templateId = policyDataTemplateId(wasm.contentHash, EMPTY_ARTIFACT_HASH, EMPTY_ARTIFACT_HASH);
      const implementations = {
        PolicyDataRegistry: "PolicyDataRegistryV2Mock",
        PolicyRegistry: "PolicyRegistryV2Mock",
      } as const;

      const run = () =>
        deployNewton(hre, {
          upgrade: true,
          implementations,
          deploymentsDir: dir,
          configPath,
          env: PASSWORD_ENV,
          log: silent,
        });
      const { deployment: after, transactionsSent } = await run();
      expect(transactionsSent).to.equal(2);
      for (const name of ["PolicyDataRegistry", "PolicyRegistry"] as const) {
        const record = after.contracts[name]!;
        expect(record.implementation).to.not.equal(deployment.contracts[name]!.implementation);
        expect(record.implementation).to.equal(await hre.upgrades.erc1967.getImplementationAddress(record.proxy));
        expect(record.artifact).to.equal(implementations[name]);
        expect(record.upgrades).to.have.length(1);
        expect(record.upgrades[0]).to.include({
          implementation: record.implementation,
          artifact: implementations[name],
        });
        expect(record.proxy).to.equal(deployment.contracts[name]!.proxy);
      }
      expect(after.contracts.OperatorRegistry).to.deep.equal(deployment.contracts.OperatorRegistry);
      const v2 = await ethers.getContractAt("PolicyDataRegistryV2Mock", deployment.contracts.PolicyDataRegistry!.proxy);
      expect(await v2.upgradeMarker()).to.equal("v2");
      expect(await v2.isTemplateRegistered(templateId)).to.equal(true);
      expect((await run()).transactionsSent).to.equal(0);
    });

    it("registers a pre-signed operator added to the config, and rejects a PoP signed for another registry", async function () {
      const { deployment, dir: fixtureDir, config, operators } = await loadFixture(fixture);
      const dir = copyDeployment(deployment);
      const fifth = operators[4];
      const { chainId } = await ethers.provider.getNetwork();
      const registry = deployment.contracts.OperatorRegistry!.proxy;
      const entry = (signedFor: string) => ({
        address: fifth.address,
        weight: 7,
        pubkeyG1: ethers.hexlify(fifth.keypair.pubkeyG1Eip2537),
        popSignature: ethers.hexlify(
          createProofOfPossession(fifth.keypair.secretKey, chainId, signedFor, fifth.address),
        ),
      });
      const wrongPath = writeConfig(
        fixtureDir,
        { ...config, operators: [...config.operators, entry(ethers.ZeroAddress.replace(/0$/, "1"))] },
        "wrong.json",
      );
      const opts = { deploymentsDir: dir, env: PASSWORD_ENV, log: silent };
      await expectRejection(
        deployNewton(hre, { ...opts, configPath: wrongPath }),
        /\/operators\/4 .*popSignature does not verify/,
      );
      const rightPath = writeConfig(
        fixtureDir,
        { ...config, operators: [...config.operators, entry(registry)] },
        "right.json",
      );
      const result = await deployNewton(hre, { ...opts, configPath: rightPath });
      expect(result.transactionsSent).to.equal(1);
      const info = await (await ethers.getContractAt("OperatorRegistry", registry)).operatorInfo(fifth.address);
      expect([info.active, info.weight]).to.deep.equal([true, 7n]);
    });

    it("rejects an invalid config with a message naming the field", async function () {
      const { dir, config } = await loadFixture(fixture);
      const cases: [object, RegExp][] = [
        [{ ...config, quorumBips: 0 }, /\/quorumBips must be >= 1/],
        [
          { ...config, instanceDeploymentPermissionless: undefined },
          /missing the required field "instanceDeploymentPermissionless"/,
        ],
        [{ ...config, owner: "0x1234" }, /\/owner must match/],
        [{ ...config, owner: ethers.ZeroAddress }, /\/owner is the zero address/],
        [
          { ...config, operators: [{ address: config.operators[0].address, weight: 1 }] },
          /\/operators\/0 is missing the required field "pubkeyG1"/,
        ],
        [
          { ...config, operators: [config.operators[0], config.operators[0]] },
          /\/operators\/1\/address .* listed twice/,
        ],
        [{ ...config, confirmations: "12" }, /\/confirmations must be integer/],
        [{ ...config, maxWriteBytes: 2 ** 32 }, /\/maxWriteBytes must be <= 4294967295/],
        [{ ...config, surprise: true }, /unknown field "surprise"/],
      ];
      for (const [bad, message] of cases) {
        const configPath = writeConfig(dir, bad, "bad.json");
        await expectRejection(
          deployNewton(hre, { deploymentsDir: dir, configPath, env: PASSWORD_ENV, log: silent }),
          message,
          DeployConfigError,
        );
      }
    });

    it("hands ownership over to config.owner and verifies it once accepted", async function () {
      const { deployment, configPath, config, dir: fixtureDir } = await loadFixture(fixture);
      const dir = copyDeployment(deployment);
      const safe = (await ethers.getSigners())[7];
      const withOwner = writeConfig(fixtureDir, { ...config, owner: safe.address }, "owned.json");
      const opts = { deploymentsDir: dir, env: PASSWORD_ENV, log: silent };
      // One transferOwnership per contract.
      expect((await deployNewton(hre, { ...opts, configPath: withOwner })).transactionsSent).to.equal(5);
      const accepted = await acceptOwnership(hre, deployment, safe);
      expect(accepted.map((s) => s.state)).to.deep.equal(["accepted", "accepted", "accepted", "accepted", "accepted"]);
      expect((await deployNewton(hre, { ...opts, configPath: withOwner })).transactionsSent).to.equal(0);
      // The deployer no longer owns anything, so the old config (owner = deployer) fails its assertions.
      await expectRejection(deployNewton(hre, { ...opts, configPath }), /owner \(hand-over pending\)/);
    });
  });

  describe("startOwnershipTransfer", function () {
    it("rejects with an error naming the owner when the signer owns nothing", async function () {
      const { deployment } = await loadFixture(fixture);
      const [, stranger, target] = await ethers.getSigners();
      await expectRejection(
        startOwnershipTransfer(hre, deployment, stranger, target.address),
        /OperatorRegistry .* is owned by/,
      );
    });
  });

  describe("config files", function () {
    it("validate for their networks; mainnet refuses the placeholder owner", function () {
      const root = hre.config.paths.root;
      for (const network of ["hardhat", "localhost", "sepolia", "base-sepolia"]) {
        const config = loadDeployConfig(path.join(root, "config", `${network}.json`), network);
        expect(config.templateRegistrationPermissionless, network).to.equal(true);
      }
      expect(() => loadDeployConfig(path.join(root, "config", "mainnet.json"), "mainnet")).to.throw(
        DeployConfigError,
        /\/owner is the zero address/,
      );
    });
  });
});

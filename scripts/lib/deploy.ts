/**
 * `deployNewton`: deploys (or resumes, or upgrades) one network's Newton State contracts as UUPS
 * proxies, one step per contract, records everything in `deployments/<network>.json`, wires the
 * namespace writers, registers the configured operators, starts the ownership hand-over, then
 * asserts the result on-chain. Every step first reads the chain and sends nothing when its work is
 * already done, so running it again is a no-op.
 *
 * ```
 *  OperatorRegistry ─► StateCommitRegistry ─► PolicyDataRegistry ─► PolicyRegistry      (deploy steps)
 *  ─► ChallengeVerifier
 *  setNamespaceWriter 0x03,0x06–0x08 → PolicyDataRegistry; 0x04–0x05 → PolicyRegistry   (wiring)
 *  OperatorRegistry.setSlasher, StateCommitRegistry.setChallengeVerifier → ChallengeVerifier
 *  ChallengeVerifier.setOpeningConfig(challengeBondWei, resolveWindowBlocks)              (opening game)
 *  StateCommitRegistry.setWriteFeeParams(config.writeFee) when it differs                (write fee)
 *  registerOperator × config.operators                                                    (operators)
 *  transferOwnership(config.owner) when it is not the deployer                            (hand-over)
 *  assertDeployment                                                                       (assertions)
 * ```
 * The ChallengeVerifier links the external `KeyOpening` library: it is deployed once and reused while its
 * bytecode is unchanged (recorded under `libraries`), so re-running stays a no-op.
 * Every proxy is initialized with the deployer as owner (the wiring needs it); `config.owner`
 * receives ownership through Ownable2Step and must call `acceptOwnership()` on each contract.
 */
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { type ContractTransactionResponse, ZeroAddress, getAddress, keccak256 } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";

import { type Prompt, confirmMainnet, ttyPrompt } from "../../keeper/common/mainnet-guard";
import { NAMESPACE_WRITERS, assertDeployment } from "./assertions";
import { type DeployConfig, loadDeployConfig } from "./config";
import {
  CONTRACT_NAMES,
  type ContractName,
  type Deployment,
  deploymentPath,
  proxyOf,
  readDeployment,
  writeDeployment,
} from "./deployment";
import { resolveOperator } from "./operators";

/** Options of `deployNewton`. */
export interface DeployNewtonOptions {
  /** Upgrade every proxy whose implementation changed (storage layout checked by the upgrades plugin). */
  readonly upgrade?: boolean;
  /** Folder of the deployment records (default `<root>/deployments`; a fresh temp folder on `hardhat`). */
  readonly deploymentsDir?: string;
  /** The config file (default `<root>/config/<network>.json`). */
  readonly configPath?: string;
  /** Environment for keystore passwords (scripts pass `process.env`; default empty). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Artifact (contract name) per contract to deploy or upgrade to; default the contract's own name. */
  readonly implementations?: Partial<Record<ContractName, string>>;
  /** Progress output (default `console.log`). */
  readonly log?: (message: string) => void;
  /** Confirms sending on a mainnet chain id (1, 8453, 42161) without asking (the task's `--yes`). */
  readonly yes?: boolean;
  /**
   * How to ask for a mainnet confirmation; default a terminal prompt when stdin is a TTY, `null` = never
   * ask (then only `yes` or `NEWTON_CONFIRM_MAINNET=<chain id>` in `env` confirm).
   */
  readonly prompt?: Prompt | null;
}

/** What a run did. */
export interface DeployNewtonResult {
  readonly deployment: Deployment;
  /** The deployment record written or read. */
  readonly file: string;
  /** Transactions this run sent through the deploy steps, wiring, operators, hand-over and upgrades. */
  readonly transactionsSent: number;
}

interface Context {
  readonly hre: HardhatRuntimeEnvironment;
  readonly signer: HardhatEthersSigner;
  readonly deployment: Deployment;
  readonly config: DeployConfig;
  readonly configDir: string;
  readonly file: string;
  readonly opts: DeployNewtonOptions;
  readonly log: (message: string) => void;
  sent: number;
}

/** The initializer arguments of each contract, given the earlier steps' addresses. */
const DEPLOY_STEPS: Record<ContractName, (c: Context) => unknown[]> = {
  OperatorRegistry: (c) => [c.signer.address, c.config.quorumBips, ZeroAddress],
  StateCommitRegistry: (c) => [
    c.signer.address,
    proxyOf(c.deployment, "OperatorRegistry"),
    c.config.maxWriteBytes,
    c.config.challengeWindowBlocks,
  ],
  PolicyDataRegistry: (c) => [
    c.signer.address,
    proxyOf(c.deployment, "StateCommitRegistry"),
    c.config.templateRegistrationPermissionless,
    c.config.instanceDeploymentPermissionless,
  ],
  PolicyRegistry: (c) => [
    c.signer.address,
    proxyOf(c.deployment, "StateCommitRegistry"),
    proxyOf(c.deployment, "PolicyDataRegistry"),
    c.config.templateRegistrationPermissionless,
    c.config.instanceDeploymentPermissionless,
  ],
  ChallengeVerifier: (c) => [
    c.signer.address,
    proxyOf(c.deployment, "StateCommitRegistry"),
    proxyOf(c.deployment, "PolicyRegistry"),
    c.config.commitFraudSlashBips,
    c.config.attestationSlashBips,
  ],
};

/**
 * Deploys, resumes or upgrades Newton State on `hre.network` (see the module header).
 * On a mainnet chain id (1 Ethereum, 8453 Base, 42161 Arbitrum One, read from the RPC) nothing is sent
 * before an explicit confirmation naming the chain and the deployer: `opts.yes`,
 * `NEWTON_CONFIRM_MAINNET=<chain id>` in `opts.env`, or the chain id typed at the prompt.
 * @throws DeployConfigError for an invalid config; DeployAssertionError when the chain does not match the record
 *   or the config afterwards; MainnetGuardError on an unconfirmed mainnet (nothing sent); Error when the record
 *   belongs to another chain or its contracts have no code, or an owner-only step is needed but the deployer is
 *   no longer the owner.
 */
export async function deployNewton(
  hre: HardhatRuntimeEnvironment,
  opts: DeployNewtonOptions = {},
): Promise<DeployNewtonResult> {
  const network = hre.network.name;
  const log = opts.log ?? ((m: string) => console.log(m));
  const configPath = opts.configPath ?? path.join(hre.config.paths.root, "config", `${network}.json`);
  const config = loadDeployConfig(configPath, network);
  const dir = opts.deploymentsDir ?? defaultDeploymentsDir(hre);
  const file = deploymentPath(dir, network);
  const signers = await hre.ethers.getSigners();
  if (signers.length === 0) throw new Error(`no deployer account on ${network}: set DEPLOYER_PRIVATE_KEY`);
  const signer = signers[0];
  const chainId = Number((await hre.ethers.provider.getNetwork()).chainId);
  const existing = readDeployment(file);
  if (existing !== undefined && existing.chainId !== chainId) {
    throw new Error(`${file} records chain ${existing.chainId}, but ${network} is chain ${chainId}`);
  }
  const deployment: Deployment = existing ?? {
    network,
    chainId,
    deployer: signer.address,
    config,
    contracts: {},
    transactions: [],
  };
  const ctx: Context = {
    hre,
    signer,
    deployment,
    config,
    configDir: path.dirname(path.resolve(configPath)),
    file,
    opts,
    log,
    sent: 0,
  };
  log(`${existing ? "found" : "new"} deployment ${file} (chain ${chainId}, deployer ${signer.address})`);
  await confirmMainnet({
    chainId,
    signer: signer.address,
    action: `${opts.upgrade ? "deploy or upgrade" : "deploy"} Newton State (${network})`,
    yes: opts.yes,
    env: opts.env ?? {},
    prompt: opts.prompt === undefined ? ttyPrompt() : (opts.prompt ?? undefined),
    notice: log,
    howToConfirm: "pass --yes to `hardhat newton:deploy`",
  });

  for (const name of CONTRACT_NAMES) await deployStep(ctx, name);
  if (opts.upgrade) for (const name of CONTRACT_NAMES) await upgradeStep(ctx, name);
  await wireNamespaceWriters(ctx);
  await wireChallengeRoles(ctx);
  await configureOpeningGame(ctx);
  await setWriteFee(ctx);
  await registerOperators(ctx);
  await handOverOwnership(ctx);
  if (JSON.stringify(deployment.config) !== JSON.stringify(config)) {
    deployment.config = config;
    writeDeployment(file, deployment);
  }
  await assertDeployment(hre, deployment, config);
  log(`deployment of ${network} verified on-chain; ${ctx.sent} transaction(s) sent`);
  return { deployment, file, transactionsSent: ctx.sent };
}

function defaultDeploymentsDir(hre: HardhatRuntimeEnvironment): string {
  // The in-process network vanishes with the process: never leave its record in the repository.
  if (hre.network.name === "hardhat") return mkdtempSync(path.join(os.tmpdir(), "newton-deployments-"));
  return path.join(hre.config.paths.root, "deployments");
}

/** Deploys `name`'s proxy unless recorded; a recorded proxy must have code. */
async function deployStep(ctx: Context, name: ContractName): Promise<void> {
  const { hre, deployment } = ctx;
  const recorded = deployment.contracts[name];
  if (recorded !== undefined) {
    if ((await hre.ethers.provider.getCode(recorded.proxy)) === "0x") {
      throw new Error(
        `${ctx.file} records ${name} at ${recorded.proxy}, which has no code: remove the file to redeploy`,
      );
    }
    ctx.log(`${name}: already deployed at ${recorded.proxy}`);
    return;
  }
  const artifact = ctx.opts.implementations?.[name] ?? name;
  const factory = await linkedFactory(ctx, artifact);
  const proxy = await hre.upgrades.deployProxy(factory, DEPLOY_STEPS[name](ctx), {
    kind: "uups",
    unsafeAllowLinkedLibraries: true,
  });
  const tx = proxy.deploymentTransaction();
  if (tx === null) throw new Error(`${name}: the upgrades plugin returned no deployment transaction`);
  const receipt = await tx.wait(ctx.config.confirmations);
  if (receipt === null) throw new Error(`${name}: deployment transaction ${tx.hash} has no receipt`);
  const address = await proxy.getAddress();
  deployment.contracts[name] = {
    proxy: address,
    implementation: await hre.upgrades.erc1967.getImplementationAddress(address),
    artifact,
    deployBlock: receipt.blockNumber,
    deployTxHash: tx.hash,
    upgrades: [],
  };
  ctx.sent += 1;
  writeDeployment(ctx.file, deployment);
  ctx.log(`${name}: deployed proxy ${address} in block ${receipt.blockNumber} (tx ${tx.hash})`);
}

/** Upgrades `name` when the implementation built from its artifact differs from the current one. */
async function upgradeStep(ctx: Context, name: ContractName): Promise<void> {
  const { hre, deployment } = ctx;
  const record = deployment.contracts[name]!;
  const artifact = ctx.opts.implementations?.[name] ?? name;
  const factory = await linkedFactory(ctx, artifact);
  const current = await hre.upgrades.erc1967.getImplementationAddress(record.proxy);
  // Deploys the new implementation if needed and checks the storage layout against the current one.
  const prepared = (await hre.upgrades.prepareUpgrade(record.proxy, factory, {
    kind: "uups",
    unsafeAllowLinkedLibraries: true,
  })) as string;
  if (getAddress(prepared) === getAddress(current)) {
    ctx.log(`${name}: implementation ${current} is up to date`);
    return;
  }
  await requireOwner(ctx, name, `upgrade to ${prepared} (the owner must call upgradeToAndCall(${prepared}, 0x))`);
  const upgraded = await hre.upgrades.upgradeProxy(record.proxy, factory, {
    kind: "uups",
    unsafeAllowLinkedLibraries: true,
  });
  const tx = (upgraded as unknown as { deployTransaction?: ContractTransactionResponse }).deployTransaction;
  if (tx === undefined) throw new Error(`${name}: the upgrades plugin returned no upgrade transaction`);
  const receipt = (await tx.wait(ctx.config.confirmations))!;
  record.implementation = await hre.upgrades.erc1967.getImplementationAddress(record.proxy);
  record.artifact = artifact;
  record.upgrades.push({
    implementation: record.implementation,
    artifact,
    block: receipt.blockNumber,
    txHash: tx.hash,
  });
  ctx.sent += 1;
  writeDeployment(ctx.file, deployment);
  ctx.log(`${name}: upgraded to ${record.implementation} (${artifact}) in block ${receipt.blockNumber}`);
}

/** The contract factory of `artifact`, with every library it links deployed (or reused) first. */
async function linkedFactory(ctx: Context, artifact: string) {
  const { linkReferences } = await ctx.hre.artifacts.readArtifact(artifact);
  const names = Object.values(linkReferences).flatMap((libs) => Object.keys(libs));
  const libraries: Record<string, string> = {};
  for (const lib of names) libraries[lib] = await libraryAddress(ctx, lib);
  return ctx.hre.ethers.getContractFactory(artifact, { signer: ctx.signer, libraries });
}

/** The recorded library `name` when its on-chain code is the current artifact's; else deploys and records it. */
async function libraryAddress(ctx: Context, name: string): Promise<string> {
  const { hre, deployment } = ctx;
  const { deployedBytecode } = await hre.artifacts.readArtifact(name);
  const codeHash = keccak256(deployedBytecode);
  const recorded = deployment.libraries?.[name];
  if (recorded !== undefined) {
    // A deployed library's code starts with PUSH20 <its own address> (call protection); the artifact has zeros there.
    const code = await hre.ethers.provider.getCode(recorded.address);
    const unlinked = code.length > 44 ? `0x73${"00".repeat(20)}${code.slice(44)}` : code;
    if (keccak256(unlinked) === codeHash) return recorded.address;
  }
  const library = await (await hre.ethers.getContractFactory(name, ctx.signer)).deploy();
  const tx = library.deploymentTransaction();
  if (tx === null) throw new Error(`${name}: no deployment transaction`);
  await tx.wait(ctx.config.confirmations);
  const address = await library.getAddress();
  deployment.libraries = { ...deployment.libraries, [name]: { address, codeHash, deployTxHash: tx.hash } };
  ctx.sent += 1;
  writeDeployment(ctx.file, deployment);
  ctx.log(`${name}: deployed library ${address} (tx ${tx.hash})`);
  return address;
}

/** Sets the key-opening challenge's bond and resolve window on the ChallengeVerifier when they differ. */
async function configureOpeningGame(ctx: Context): Promise<void> {
  const verifier = await ctx.hre.ethers.getContractAt(
    "ChallengeVerifier",
    proxyOf(ctx.deployment, "ChallengeVerifier"),
    ctx.signer,
  );
  const [bond, window] = await verifier.openingConfig();
  const { challengeBondWei, resolveWindowBlocks } = ctx.config;
  if (bond === BigInt(challengeBondWei) && window === BigInt(resolveWindowBlocks)) return;
  const step = `ChallengeVerifier.setOpeningConfig(${challengeBondWei}, ${resolveWindowBlocks})`;
  await requireOwner(ctx, "ChallengeVerifier", step);
  await send(ctx, step, verifier.setOpeningConfig(challengeBondWei, resolveWindowBlocks));
}

async function wireNamespaceWriters(ctx: Context): Promise<void> {
  const scr = await ctx.hre.ethers.getContractAt(
    "StateCommitRegistry",
    proxyOf(ctx.deployment, "StateCommitRegistry"),
    ctx.signer,
  );
  for (const [ns, writer] of NAMESPACE_WRITERS) {
    const expected = proxyOf(ctx.deployment, writer);
    if (getAddress(await scr.namespaceWriter(ns)) === getAddress(expected)) continue;
    const step = `StateCommitRegistry.setNamespaceWriter(0x0${ns}, ${writer})`;
    await requireOwner(ctx, "StateCommitRegistry", step);
    await send(ctx, step, scr.setNamespaceWriter(ns, expected));
  }
}

/** Makes the ChallengeVerifier the OperatorRegistry's slasher and the StateCommitRegistry's rollback verifier. */
async function wireChallengeRoles(ctx: Context): Promise<void> {
  const verifier = proxyOf(ctx.deployment, "ChallengeVerifier");
  const operators = await ctx.hre.ethers.getContractAt(
    "OperatorRegistry",
    proxyOf(ctx.deployment, "OperatorRegistry"),
    ctx.signer,
  );
  if (getAddress(await operators.slasher()) !== getAddress(verifier)) {
    const step = "OperatorRegistry.setSlasher(ChallengeVerifier)";
    await requireOwner(ctx, "OperatorRegistry", step);
    await send(ctx, step, operators.setSlasher(verifier));
  }
  const scr = await ctx.hre.ethers.getContractAt(
    "StateCommitRegistry",
    proxyOf(ctx.deployment, "StateCommitRegistry"),
    ctx.signer,
  );
  if (getAddress(await scr.challengeVerifier()) !== getAddress(verifier)) {
    const step = "StateCommitRegistry.setChallengeVerifier(ChallengeVerifier)";
    await requireOwner(ctx, "StateCommitRegistry", step);
    await send(ctx, step, scr.setChallengeVerifier(verifier));
  }
}

/** Sets the StateCommitRegistry's write-fee parameters to the config's when they differ. */
async function setWriteFee(ctx: Context): Promise<void> {
  const scr = await ctx.hre.ethers.getContractAt(
    "StateCommitRegistry",
    proxyOf(ctx.deployment, "StateCommitRegistry"),
    ctx.signer,
  );
  const want = ctx.config.writeFee;
  const [minFee, target, fraction] = await scr.writeFeeParams();
  if (minFee === BigInt(want.minBaseFeePerByte) && target === BigInt(want.targetBytesPerBlock)) {
    if (fraction === BigInt(want.updateFraction)) return;
  }
  const step = `StateCommitRegistry.setWriteFeeParams(${want.minBaseFeePerByte}, ${want.targetBytesPerBlock}, ${want.updateFraction})`;
  await requireOwner(ctx, "StateCommitRegistry", step);
  await send(
    ctx,
    step,
    scr.setWriteFeeParams(BigInt(want.minBaseFeePerByte), want.targetBytesPerBlock, want.updateFraction),
  );
}

async function registerOperators(ctx: Context): Promise<void> {
  const registryAddress = proxyOf(ctx.deployment, "OperatorRegistry");
  const registry = await ctx.hre.ethers.getContractAt("OperatorRegistry", registryAddress, ctx.signer);
  const target = {
    chainId: BigInt(ctx.deployment.chainId),
    registry: registryAddress,
    baseDir: ctx.configDir,
    env: ctx.opts.env ?? {},
  };
  for (const [i, op] of ctx.config.operators.entries()) {
    if ((await registry.operatorInfo(op.address)).active) continue;
    const reg = await resolveOperator(op, i, target);
    const step = `OperatorRegistry.registerOperator(${reg.address}, weight ${reg.weight})`;
    await requireOwner(ctx, "OperatorRegistry", step);
    await send(ctx, step, registry.registerOperator(reg.address, reg.pubkeyG1, reg.popSignature, reg.weight));
  }
}

/** Starts the two-step hand-over to `config.owner` on every contract still owned by the deployer. */
async function handOverOwnership(ctx: Context): Promise<void> {
  const finalOwner = ctx.config.owner === undefined ? undefined : getAddress(ctx.config.owner);
  if (finalOwner === undefined || finalOwner === ctx.signer.address) return;
  const pending: string[] = [];
  for (const name of CONTRACT_NAMES) {
    const proxy = proxyOf(ctx.deployment, name);
    const c = await ctx.hre.ethers.getContractAt("Ownable2StepUpgradeable", proxy, ctx.signer);
    if (getAddress(await c.owner()) === finalOwner) continue;
    pending.push(`${name} ${proxy}`);
    if (getAddress(await c.pendingOwner()) === finalOwner) continue;
    await requireOwner(ctx, name, `transferOwnership(${finalOwner})`);
    await send(ctx, `${name}.transferOwnership(${finalOwner})`, c.transferOwnership(finalOwner));
  }
  if (pending.length > 0) {
    ctx.log(`owner ${finalOwner} must call acceptOwnership() on:\n  ${pending.join("\n  ")}`);
  }
}

async function requireOwner(ctx: Context, name: ContractName, action: string): Promise<void> {
  const c = await ctx.hre.ethers.getContractAt("Ownable2StepUpgradeable", proxyOf(ctx.deployment, name));
  const owner = getAddress(await c.owner());
  if (owner !== ctx.signer.address) {
    throw new Error(
      `${action} needs the owner of ${name} (${owner}), but the deployer is ${ctx.signer.address}: ` +
        "send it from the owner (e.g. through the Safe)",
    );
  }
}

async function send(ctx: Context, step: string, pending: Promise<ContractTransactionResponse>): Promise<void> {
  const tx = await pending;
  const receipt = await tx.wait(ctx.config.confirmations);
  if (receipt === null) throw new Error(`${step}: transaction ${tx.hash} has no receipt`);
  ctx.deployment.transactions.push({ step, txHash: tx.hash, block: receipt.blockNumber });
  ctx.sent += 1;
  writeDeployment(ctx.file, ctx.deployment);
  ctx.log(`${step}: block ${receipt.blockNumber} (tx ${tx.hash})`);
}

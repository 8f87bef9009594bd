/**
 * Post-deployment assertions (in the manner of OP's ChainAssertions): read every contract back from
 * the chain and compare owner, implementation, links and config with the deployment record and the
 * config. Collects every mismatch and throws once.
 */
import { getAddress } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";

import type { DeployConfig } from "./config";
import { CONTRACT_NAMES, type Deployment, proxyOf } from "./deployment";

/** The namespaces each policy registry writes (docs/protocol.md §1). */
export const NAMESPACE_WRITERS: readonly (readonly [number, "PolicyDataRegistry" | "PolicyRegistry"])[] = [
  [0x03, "PolicyDataRegistry"],
  [0x06, "PolicyDataRegistry"],
  [0x07, "PolicyDataRegistry"],
  [0x08, "PolicyDataRegistry"],
  [0x04, "PolicyRegistry"],
  [0x05, "PolicyRegistry"],
];

/** On-chain state that differs from the record or the config; `mismatches` say `Contract.field: expected …`. */
export class DeployAssertionError extends Error {
  constructor(readonly mismatches: readonly string[]) {
    super(`deployment assertions failed:\n  - ${mismatches.join("\n  - ")}`);
    this.name = "DeployAssertionError";
  }
}

/**
 * Checks the deployment on-chain: code at every proxy; the ERC-1967 implementation is the recorded one; owner is
 * the config owner, or the deployer with the config owner pending; every link, cap, window, quorum and permission
 * as configured; every namespace writer; every configured operator active with its weight; slasher and challenge
 * verifier unset (the ChallengeVerifier comes later).
 * @throws DeployAssertionError listing every mismatch.
 */
export async function assertDeployment(
  hre: HardhatRuntimeEnvironment,
  deployment: Deployment,
  config: DeployConfig,
): Promise<void> {
  const bad: string[] = [];
  const expect = (what: string, expected: unknown, actual: unknown) => {
    const norm = (v: unknown) => (typeof v === "string" && /^0x[0-9a-fA-F]{40}$/.test(v) ? getAddress(v) : String(v));
    if (norm(expected) !== norm(actual)) bad.push(`${what}: expected ${norm(expected)}, on-chain ${norm(actual)}`);
  };
  const { ethers, upgrades } = hre;
  const finalOwner = getAddress(config.owner ?? deployment.deployer);
  for (const name of CONTRACT_NAMES) {
    const record = deployment.contracts[name];
    if (record === undefined) {
      bad.push(`${name}: not deployed`);
      continue;
    }
    if ((await ethers.provider.getCode(record.proxy)) === "0x") {
      bad.push(`${name}: no code at proxy ${record.proxy}`);
      continue;
    }
    expect(
      `${name}.implementation`,
      record.implementation,
      await upgrades.erc1967.getImplementationAddress(record.proxy),
    );
    const ownable = await ethers.getContractAt("Ownable2StepUpgradeable", record.proxy);
    const owner = getAddress(await ownable.owner());
    if (owner !== finalOwner) {
      expect(`${name}.owner (hand-over pending)`, deployment.deployer, owner);
      expect(`${name}.pendingOwner`, finalOwner, await ownable.pendingOwner());
    }
  }
  if (bad.length > 0) throw new DeployAssertionError(bad);

  const operatorRegistry = await ethers.getContractAt("OperatorRegistry", proxyOf(deployment, "OperatorRegistry"));
  const scr = await ethers.getContractAt("StateCommitRegistry", proxyOf(deployment, "StateCommitRegistry"));
  const dataRegistry = await ethers.getContractAt("PolicyDataRegistry", proxyOf(deployment, "PolicyDataRegistry"));
  const policyRegistry = await ethers.getContractAt("PolicyRegistry", proxyOf(deployment, "PolicyRegistry"));

  expect("OperatorRegistry.quorumBips", config.quorumBips, await operatorRegistry.quorumBips());
  const verifier = await ethers.getContractAt("ChallengeVerifier", proxyOf(deployment, "ChallengeVerifier"));
  expect("OperatorRegistry.slasher", await verifier.getAddress(), await operatorRegistry.slasher());
  for (const op of config.operators) {
    const info = await operatorRegistry.operatorInfo(op.address);
    expect(`OperatorRegistry.operatorInfo(${op.address}).active`, true, info.active);
    expect(`OperatorRegistry.operatorInfo(${op.address}).weight`, op.weight, info.weight);
  }
  expect("StateCommitRegistry.operatorRegistry", await operatorRegistry.getAddress(), await scr.operatorRegistry());
  expect("StateCommitRegistry.maxWriteBytes", config.maxWriteBytes, await scr.maxWriteBytes());
  expect("StateCommitRegistry.challengeWindowBlocks", config.challengeWindowBlocks, await scr.challengeWindowBlocks());
  expect("StateCommitRegistry.challengeVerifier", await verifier.getAddress(), await scr.challengeVerifier());
  const [registryOfVerifier, , policyOfVerifier] = await verifier.registries();
  expect("ChallengeVerifier.stateCommitRegistry", await scr.getAddress(), registryOfVerifier);
  expect("ChallengeVerifier.policyRegistry", await policyRegistry.getAddress(), policyOfVerifier);
  const [commitBips, attestationBips] = await verifier.slashBips();
  expect("ChallengeVerifier.commitFraudSlashBips", config.commitFraudSlashBips, commitBips);
  expect("ChallengeVerifier.attestationSlashBips", config.attestationSlashBips, attestationBips);
  const [challengeBondWei, resolveWindowBlocks] = await verifier.openingConfig();
  expect("ChallengeVerifier.challengeBondWei", BigInt(config.challengeBondWei), challengeBondWei);
  expect("ChallengeVerifier.resolveWindowBlocks", BigInt(config.resolveWindowBlocks), resolveWindowBlocks);
  for (const [ns, writer] of NAMESPACE_WRITERS) {
    const hex = `0x${ns.toString(16).padStart(2, "0")}`;
    expect(`StateCommitRegistry.namespaceWriter(${hex})`, proxyOf(deployment, writer), await scr.namespaceWriter(ns));
  }
  for (const [name, registry] of [
    ["PolicyDataRegistry", dataRegistry],
    ["PolicyRegistry", policyRegistry],
  ] as const) {
    expect(`${name}.stateCommitRegistry`, await scr.getAddress(), await registry.stateCommitRegistry());
    expect(
      `${name}.templateRegistrationPermissionless`,
      config.templateRegistrationPermissionless,
      await registry.templateRegistrationPermissionless(),
    );
    expect(
      `${name}.instanceDeploymentPermissionless`,
      config.instanceDeploymentPermissionless,
      await registry.instanceDeploymentPermissionless(),
    );
  }
  expect(
    "PolicyRegistry.policyDataRegistry",
    await dataRegistry.getAddress(),
    await policyRegistry.policyDataRegistry(),
  );
  if (bad.length > 0) throw new DeployAssertionError(bad);
}

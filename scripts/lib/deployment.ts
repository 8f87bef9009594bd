/**
 * The record of one network's deployment, `deployments/<network>.json`: chain id, deployer, the
 * config used, per contract its proxy, implementation, deploy block and transaction, and every
 * later transaction (wiring, operators, ownership, upgrades).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

import type { DeployConfig } from "./config";

/** The contracts in deployment order (each step may read the addresses of the earlier ones). */
export const CONTRACT_NAMES = [
  "OperatorRegistry",
  "StateCommitRegistry",
  "PolicyDataRegistry",
  "PolicyRegistry",
  "ChallengeVerifier",
] as const;

/** One of `CONTRACT_NAMES`. */
export type ContractName = (typeof CONTRACT_NAMES)[number];

/** An implementation change of a proxy. */
export interface UpgradeRecord {
  /** The new implementation address. */
  readonly implementation: string;
  /** The Hardhat artifact (contract name) it was built from. */
  readonly artifact: string;
  /** The block number of the upgrade transaction. */
  readonly block: number;
  readonly txHash: string;
}

/** One deployed UUPS proxy. */
export interface ContractRecord {
  readonly proxy: string;
  /** The current implementation address (ERC-1967 slot). */
  implementation: string;
  /** The Hardhat artifact of the current implementation. */
  artifact: string;
  /** Block number of the proxy's deployment transaction (indexers start here). */
  readonly deployBlock: number;
  readonly deployTxHash: string;
  readonly upgrades: UpgradeRecord[];
}

/** An externally linked library (deployed once, reused while its bytecode is unchanged). */
export interface LibraryRecord {
  readonly address: string;
  /** keccak256 of its deployed bytecode. */
  readonly codeHash: string;
  readonly deployTxHash: string;
}

/** Any other transaction the deployment sent. */
export interface TransactionRecord {
  /** What it did, e.g. `StateCommitRegistry.setNamespaceWriter(0x03, PolicyDataRegistry)`. */
  readonly step: string;
  readonly txHash: string;
  readonly block: number;
}

/** The content of `deployments/<network>.json`. */
export interface Deployment {
  readonly network: string;
  readonly chainId: number;
  readonly deployer: string;
  /** The validated config of the latest run (keystore paths and env var names only, never secrets). */
  config: DeployConfig;
  readonly contracts: Partial<Record<ContractName, ContractRecord>>;
  /** Linked libraries by name (e.g. `KeyOpening`, linked into the ChallengeVerifier); absent in older records. */
  libraries?: Record<string, LibraryRecord>;
  readonly transactions: TransactionRecord[];
}

/** `<dir>/<network>.json`. */
export function deploymentPath(dir: string, network: string): string {
  return path.join(dir, `${network}.json`);
}

/** Reads a deployment record, or `undefined` when the file does not exist. */
export function readDeployment(file: string): Deployment | undefined {
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, "utf8")) as Deployment;
}

/** Writes the record atomically (temp file + rename), creating the folder. */
export function writeDeployment(file: string, deployment: Deployment): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(deployment, null, 2)}\n`);
  renameSync(tmp, file);
}

/** The proxy address of `name`. @throws Error when the deployment has no such contract yet. */
export function proxyOf(deployment: Deployment, name: ContractName): string {
  const record = deployment.contracts[name];
  if (record === undefined) throw new Error(`deployment of ${deployment.network} has no ${name}`);
  return record.proxy;
}

import { readFileSync } from "node:fs";

import { isAddress } from "ethers";

import { IndexerError } from "./errors";
import type { IndexerContracts } from "./types";

/** What the indexer needs of `deployments/<network>.json` (written by `scripts/lib/deploy.ts`). */
export interface IndexerDeployment {
  /** The network name of the record. */
  readonly network: string;
  readonly chainId: number;
  /** Proxy addresses (EIP-55) of the contracts followed; the policy registries when recorded. */
  readonly contracts: IndexerContracts;
  /** The earliest deploy block of those contracts: where the backfill starts. */
  readonly startBlock: number;
}

interface RecordShape {
  network?: unknown;
  chainId?: unknown;
  contracts?: Record<string, { proxy?: unknown; deployBlock?: unknown } | undefined>;
}

const FOLLOWED = [
  ["StateCommitRegistry", "stateCommitRegistry", true],
  ["PolicyRegistry", "policyRegistry", false],
  ["PolicyDataRegistry", "policyDataRegistry", false],
] as const;

/**
 * Reads and validates a deployment record (`{network, chainId, contracts: {<Name>: {proxy, deployBlock}}}`).
 * @param file - path of `deployments/<network>.json`.
 * @throws IndexerError `INDEXER_ERROR_DEPLOYMENT` when the file is missing or not JSON, `chainId` is
 *   not a positive integer, StateCommitRegistry is absent, or a followed contract has an invalid
 *   `proxy` address or `deployBlock`.
 */
export function loadDeployment(file: string): IndexerDeployment {
  let record: RecordShape;
  try {
    record = JSON.parse(readFileSync(file, "utf8")) as RecordShape;
  } catch (err) {
    throw deploymentError(file, `cannot read: ${(err as Error).message}`);
  }
  if (typeof record !== "object" || record === null) throw deploymentError(file, "not a JSON object");
  const { chainId, network } = record;
  if (typeof chainId !== "number" || !Number.isInteger(chainId) || chainId <= 0) {
    throw deploymentError(file, `chainId ${String(chainId)} is not a positive integer`);
  }
  const contracts: Record<string, string> = {};
  let startBlock = Number.MAX_SAFE_INTEGER;
  for (const [name, field, required] of FOLLOWED) {
    const entry = record.contracts?.[name];
    if (entry === undefined) {
      if (required) throw deploymentError(file, `no ${name} recorded`);
      continue;
    }
    if (typeof entry.proxy !== "string" || !isAddress(entry.proxy))
      throw deploymentError(file, `${name}.proxy is not an address`);
    const block = entry.deployBlock;
    if (typeof block !== "number" || !Number.isSafeInteger(block) || block < 0) {
      throw deploymentError(file, `${name}.deployBlock ${String(block)} is not a block number`);
    }
    contracts[field] = entry.proxy;
    startBlock = Math.min(startBlock, block);
  }
  return { network: String(network ?? ""), chainId, contracts: contracts as unknown as IndexerContracts, startBlock };
}

function deploymentError(file: string, reason: string): IndexerError {
  return new IndexerError({ code: "INDEXER_ERROR_DEPLOYMENT", file, reason }, `deployment record ${file}: ${reason}`);
}

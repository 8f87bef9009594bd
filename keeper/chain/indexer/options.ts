import { getAddress } from "ethers";
import type { RootDatabase } from "lmdb";

import { invalidOption } from "./errors";
import type { IndexerContracts } from "./types";

/** Options of {@link ChainIndexer}; `contracts`, `startBlock` and one of `root`/`path` are required. */
export interface IndexerOptions {
  /** JSON-RPC endpoint (http/https), unless a transport is injected. */
  readonly rpcUrl?: string;
  /** The contracts to follow (see `loadDeployment`). */
  readonly contracts: IndexerContracts;
  /** First block to index: the earliest deploy block of the contracts. */
  readonly startBlock: number;
  /** An open LMDB environment to share (e.g. the tree's); never closed by the indexer. */
  readonly root?: RootDatabase;
  /** Directory of an LMDB environment the indexer opens (and closes) when `root` is not given. */
  readonly path?: string;
  /** Prefix of the sub-database names (default "indexer"). */
  readonly dbPrefix?: string;
  /** Only blocks ≤ head − confirmations are indexed (default 12). */
  readonly confirmations?: number;
  /** Wait between `eth_blockNumber` polls once caught up, in ms (default 2 000). */
  readonly pollIntervalMs?: number;
  /** Bounds of the adaptive `eth_getLogs` range, in blocks (defaults 1 and 2 000). */
  readonly minChunkBlocks?: number;
  readonly maxChunkBlocks?: number;
  /** Time limit of one RPC attempt, in ms (default 30 000). */
  readonly rpcTimeoutMs?: number;
  /** Attempts per RPC call before `INDEXER_ERROR_RPC` (default 5). */
  readonly maxAttempts?: number;
  /** Backoff cap before the first retry, doubling per retry, in ms (default 250). */
  readonly baseDelayMs?: number;
  /** Upper bound of one backoff wait, in ms (default 30 000). */
  readonly maxDelayMs?: number;
  /**
   * After each range, compare with the contract's state at the range's last block (`eth_call` of
   * `writeCount()` and `writeRecordHashAt(last)`): catches a log the RPC left out at the end of a
   * range. Needs state at that block (an archive node when backfilling old blocks). Default true.
   */
  readonly verifyWithState?: boolean;
}

/** {@link IndexerOptions} with every default applied and addresses checksummed; frozen. */
export type ResolvedIndexerOptions = Readonly<IndexerOptions & Required<Pick<IndexerOptions, DefaultedOption>>>;

type DefaultedOption = keyof typeof DEFAULT_INDEXER_OPTIONS;

/** Defaults of {@link IndexerOptions}. */
export const DEFAULT_INDEXER_OPTIONS = Object.freeze({
  dbPrefix: "indexer",
  confirmations: 12,
  pollIntervalMs: 2_000,
  minChunkBlocks: 1,
  maxChunkBlocks: 2_000,
  rpcTimeoutMs: 30_000,
  maxAttempts: 5,
  baseDelayMs: 250,
  maxDelayMs: 30_000,
  verifyWithState: true,
});

/**
 * Applies defaults and checks ranges.
 * @throws IndexerError `INDEXER_ERROR_INVALID_OPTION` when an address is invalid, neither `root` nor
 *   `path` is given, `rpcUrl` is not http(s), or a number is out of range.
 */
export function resolveIndexerOptions(opts: IndexerOptions): ResolvedIndexerOptions {
  const r = { ...DEFAULT_INDEXER_OPTIONS, ...opts, contracts: checksumContracts(opts.contracts) };
  if (r.root === undefined && r.path === undefined) throw invalidOption("path", "", "give `root` or `path`");
  if (r.rpcUrl !== undefined && !/^https?:\/\/[^/]+/.test(r.rpcUrl)) {
    throw invalidOption("rpcUrl", r.rpcUrl, "must be an http:// or https:// URL");
  }
  checkInteger("startBlock", r.startBlock, 0, Number.MAX_SAFE_INTEGER);
  checkInteger("confirmations", r.confirmations, 0, 1_000_000);
  checkInteger("pollIntervalMs", r.pollIntervalMs, 1, 2 ** 31 - 1);
  checkInteger("minChunkBlocks", r.minChunkBlocks, 1, 1_000_000);
  checkInteger("maxChunkBlocks", r.maxChunkBlocks, r.minChunkBlocks, 1_000_000);
  checkInteger("rpcTimeoutMs", r.rpcTimeoutMs, 1, 2 ** 31 - 1);
  checkInteger("maxAttempts", r.maxAttempts, 1, 100);
  checkInteger("baseDelayMs", r.baseDelayMs, 0, 2 ** 31 - 1);
  checkInteger("maxDelayMs", r.maxDelayMs, r.baseDelayMs, 2 ** 31 - 1);
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(r.dbPrefix)) throw invalidOption("dbPrefix", r.dbPrefix, "1–32 of [A-Za-z0-9_-]");
  return Object.freeze(r);
}

function checksumContracts(contracts: IndexerContracts): IndexerContracts {
  const out: Record<string, string> = {};
  for (const [name, address] of Object.entries(contracts) as [string, string | undefined][]) {
    if (address === undefined) continue;
    try {
      out[name] = getAddress(address);
    } catch {
      throw invalidOption(`contracts.${name}`, String(address), "not a 20-byte 0x-hex address");
    }
  }
  if (out.stateCommitRegistry === undefined) {
    throw invalidOption("contracts.stateCommitRegistry", "", "required");
  }
  return Object.freeze(out) as unknown as IndexerContracts;
}

function checkInteger(option: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalidOption(option, String(value), `must be an integer in [${min}, ${max}]`);
  }
}

import { setTimeout as sleep } from "node:timers/promises";

import type { Logger } from "pino";

import { backoffDelayMs, type Hex } from "../../common";
import { IndexerError } from "./errors";
import type { IndexerMetrics } from "./metrics";
import { errorReason, rpcFailure, type RpcTransport } from "./utils/transport";

/** A log as `eth_getLogs` returns it (quantities as 0x-hex). */
export interface RawLog {
  readonly address: string;
  readonly topics: readonly Hex[];
  readonly data: Hex;
  readonly blockNumber: Hex;
  readonly blockHash: Hex;
  readonly transactionHash: Hex;
  readonly logIndex: Hex;
  readonly removed?: boolean;
}

/** Number and hashes of one block header. */
export interface BlockHeader {
  readonly number: number;
  readonly hash: Hex;
  readonly parentHash: Hex;
}

/** Retry policy of {@link RpcClient}. */
export interface RpcClientOptions {
  readonly rpcTimeoutMs: number;
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** Collaborators of {@link RpcClient}. */
export interface RpcClientDeps {
  readonly log: Logger;
  readonly metrics?: IndexerMetrics;
  readonly random: () => number;
}

/**
 * The few JSON-RPC calls the indexer makes, each retried up to `maxAttempts` times with
 * exponential backoff and jitter (honouring a 429's `Retry-After`). A refused `eth_getLogs` range
 * is not retried here: the caller shrinks the range.
 */
export class RpcClient {
  constructor(
    private readonly transport: RpcTransport,
    private readonly opts: RpcClientOptions,
    private readonly deps: RpcClientDeps,
  ) {}

  /**
   * One JSON-RPC call with retries.
   * @throws IndexerError `INDEXER_ERROR_RPC` (with `attempts`) after `maxAttempts` failures, or at once
   *   for kind `range_too_large`; `INDEXER_ERROR_ABORTED` when `signal` fires.
   */
  async call(method: string, params: readonly unknown[], signal?: AbortSignal): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw aborted();
      let failure: IndexerError;
      try {
        return await this.transport.request(method, params, { timeoutMs: this.opts.rpcTimeoutMs, signal });
      } catch (err) {
        failure = asRpcFailure(method, err);
      }
      if (failure.type.code !== "INDEXER_ERROR_RPC") throw failure;
      const { kind, retryAfterSeconds } = failure.type;
      if (kind === "aborted" || signal?.aborted) throw aborted();
      this.deps.metrics?.rpcErrorsTotal.inc({ method, kind });
      if (kind === "range_too_large" || attempt >= this.opts.maxAttempts) {
        throw new IndexerError({ ...failure.type, attempts: attempt }, `${failure.message} (attempt ${attempt})`);
      }
      const delayMs = backoffDelayMs(attempt, this.opts, this.deps.random, retryAfterSeconds);
      this.deps.log.debug({ method, kind, attempt, delayMs, reason: failure.type.reason }, "rpc retry");
      await abortableSleep(delayMs, signal);
    }
  }

  /** `eth_blockNumber`. @throws as {@link call}. */
  async blockNumber(signal?: AbortSignal): Promise<number> {
    return quantity("eth_blockNumber", await this.call("eth_blockNumber", [], signal));
  }

  /**
   * The header of block `n` (`eth_getBlockByNumber`, no transactions).
   * @throws IndexerError `INDEXER_ERROR_RPC` kind `bad_response` when the node does not know the block; as {@link call}.
   */
  async header(n: number, signal?: AbortSignal): Promise<BlockHeader> {
    const block = (await this.call("eth_getBlockByNumber", [toQuantity(n), false], signal)) as {
      number?: string;
      hash?: Hex;
      parentHash?: Hex;
    } | null;
    if (block?.hash === undefined || block.parentHash === undefined || block.number === undefined) {
      throw rpcFailure("eth_getBlockByNumber", "bad_response", `no block ${n}`);
    }
    return { number: quantity("eth_getBlockByNumber", block.number), hash: block.hash, parentHash: block.parentHash };
  }

  /** `eth_getLogs` of `addresses` over blocks `[fromBlock, toBlock]`. @throws as {@link call}. */
  async getLogs(addresses: readonly string[], fromBlock: number, toBlock: number, signal?: AbortSignal) {
    const filter = { address: addresses, fromBlock: toQuantity(fromBlock), toBlock: toQuantity(toBlock) };
    const logs = await this.call("eth_getLogs", [filter], signal);
    if (!Array.isArray(logs)) throw rpcFailure("eth_getLogs", "bad_response", "result is not an array");
    return logs as RawLog[];
  }

  /** `eth_call` of `data` on `to` at block `blockNumber`; the 0x-hex return data. @throws as {@link call}. */
  async ethCall(to: string, data: Hex, blockNumber: number, signal?: AbortSignal): Promise<Hex> {
    const result = await this.call("eth_call", [{ to, data }, toQuantity(blockNumber)], signal);
    if (typeof result !== "string") throw rpcFailure("eth_call", "bad_response", "result is not a string");
    return result as Hex;
  }
}

/** Sleeps `ms`, or rejects with `INDEXER_ERROR_ABORTED` when `signal` fires first. */
export async function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch {
    throw aborted();
  }
}

/** An `INDEXER_ERROR_ABORTED`. */
export function aborted(): IndexerError {
  return new IndexerError({ code: "INDEXER_ERROR_ABORTED" }, "the indexer was stopped");
}

function asRpcFailure(method: string, err: unknown): IndexerError {
  if (err instanceof IndexerError) return err;
  return rpcFailure(method, "network", errorReason(err));
}

function toQuantity(n: number): Hex {
  return `0x${n.toString(16)}`;
}

function quantity(method: string, value: unknown): number {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]{1,14}$/.test(value)) {
    throw rpcFailure(method, "bad_response", `not a quantity: ${String(value).slice(0, 40)}`);
  }
  return Number.parseInt(value.slice(2), 16);
}

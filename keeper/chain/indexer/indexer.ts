import { EventEmitter } from "node:events";

import pino, { type Logger } from "pino";

import { backoffDelayMs, type Hex } from "../../common";
import { IndexerError } from "./errors";
import type { IndexerMetrics } from "./metrics";
import { resolveIndexerOptions, type IndexerOptions, type ResolvedIndexerOptions } from "./options";
import { RpcClient, abortableSleep, aborted, type RawLog } from "./rpc";
import { IndexerStore, type RangeBatch } from "./store";
import type {
  IndexedCommit,
  IndexedRange,
  IndexerRewind,
  IndexedRollback,
  IndexedWrite,
  IndexerCheckpoint,
  PolicyEvent,
  PolicyEventFilter,
} from "./types";
import { STATE_COMMIT_REGISTRY_ABI } from "./utils/decode";
import { HttpRpcTransport, type RpcTransport } from "./utils/transport";
import { gap, prepareRange, type Emitters } from "./utils/prepare";

/** Injected collaborators of {@link ChainIndexer}; all optional. */
export interface ChainIndexerDeps {
  /** pino logger; the indexer logs through a `{module: "indexer"}` child. Default: silent. */
  logger?: Logger;
  /** Metrics sink (see `createIndexerMetrics`). */
  metrics?: IndexerMetrics;
  /** Stops the follower loop and every wait (like {@link ChainIndexer.stop}, without awaiting it). */
  signal?: AbortSignal;
  /** The JSON-RPC transport; default `HttpRpcTransport(opts.rpcUrl)`. */
  transport?: RpcTransport;
  /** Uniform [0, 1) source for backoff jitter. Default `Math.random`. */
  random?: () => number;
}

/** Options of {@link ChainIndexer.waitForBlock}. */
export interface WaitOptions {
  readonly signal?: AbortSignal;
  /** Give up after this many ms (default: wait forever). */
  readonly timeoutMs?: number;
}

/**
 * Follows one chain's StateCommitRegistry (and policy registries) into LMDB: a chunked
 * `eth_getLogs` backfill from `startBlock`, then polling `eth_blockNumber` every `pollIntervalMs`.
 * Only blocks ≤ head − `confirmations` are indexed; each range's events and the checkpoint are
 * written in one transaction. See the module header for the data model.
 */
export class ChainIndexer {
  /** The options in force, defaults applied. */
  readonly opts: ResolvedIndexerOptions;
  private readonly store: IndexerStore;
  private readonly rpc: RpcClient;
  private readonly log: Logger;
  private readonly metrics?: IndexerMetrics;
  private readonly emitter = new EventEmitter();
  private readonly emitters: Emitters;
  private readonly random: () => number;
  private readonly signal?: AbortSignal;
  private chunk: number;
  private running?: { controller: AbortController; loop: Promise<void> };
  /** Set once the chain behind the RPC is found not to be the one the store was built on; indexing stops. */
  private resetCause?: string;
  private identityChecked = false;

  /**
   * Opens (or creates) the sub-databases; sends nothing until {@link start} or {@link syncOnce}.
   * @throws IndexerError `INDEXER_ERROR_INVALID_OPTION` for an invalid option, or when neither
   *   `rpcUrl` nor a transport is given.
   */
  constructor(opts: IndexerOptions, deps: ChainIndexerDeps = {}) {
    this.opts = resolveIndexerOptions(opts);
    const transport = deps.transport ?? (this.opts.rpcUrl ? new HttpRpcTransport(this.opts.rpcUrl) : undefined);
    if (transport === undefined) {
      throw new IndexerError(
        { code: "INDEXER_ERROR_INVALID_OPTION", option: "rpcUrl", value: "", reason: "give rpcUrl or a transport" },
        "invalid indexer option rpcUrl: give rpcUrl or a transport",
      );
    }
    this.log = (deps.logger ?? pino({ level: "silent" })).child({ module: "indexer" });
    this.metrics = deps.metrics;
    this.random = deps.random ?? Math.random;
    this.signal = deps.signal;
    this.rpc = new RpcClient(transport, this.opts, { log: this.log, metrics: this.metrics, random: this.random });
    this.store = new IndexerStore(this.opts.root, this.opts.path, this.opts.dbPrefix);
    this.emitters = emittersOf(this.opts.contracts);
    this.chunk = this.opts.maxChunkBlocks;
    this.metrics?.indexedBlock.set(this.indexedBlock());
  }

  /** The last block whose events are all stored; `startBlock − 1` before the first range. */
  indexedBlock(): number {
    return this.store.checkpoint()?.indexedBlock ?? this.opts.startBlock - 1;
  }

  /** The checkpoint: {@link indexedBlock} and its block hash (undefined before the first range). */
  checkpoint(): IndexerCheckpoint {
    return this.store.checkpoint() ?? { indexedBlock: this.opts.startBlock - 1 };
  }

  /** The current `eth_getLogs` range, in blocks (adapts between `minChunkBlocks` and `maxChunkBlocks`). */
  get chunkBlocks(): number {
    return this.chunk;
  }

  /** Number of writes stored (indexes `0 … writeCount − 1`, no gaps). */
  writeCount(): bigint {
    return this.store.writeCount();
  }

  /** Write `writeIndex`, or undefined when not (yet) indexed. */
  write(writeIndex: bigint): IndexedWrite | undefined {
    return this.store.write(writeIndex);
  }

  /** The writes with index in `[start, end)`, ascending (only those indexed). */
  writesInRange(start: bigint, end: bigint): IndexedWrite[] {
    return this.store.writesInRange(start, end);
  }

  /** The latest indexed write to `keyHash` (32-byte 0x-hex), or undefined. */
  latestWriteOf(keyHash: Hex): IndexedWrite | undefined {
    const index = this.store.latestWriteIndexOf(keyHash);
    return index === undefined ? undefined : this.store.write(index);
  }

  /** Every indexed write to `keyHash`, ascending by index. */
  writesOfKey(keyHash: Hex): IndexedWrite[] {
    return this.store.writeIndexesOf(keyHash).map((i) => this.store.write(i) as IndexedWrite);
  }

  /** Commit `sequenceNo`, or undefined when never indexed or rolled back. */
  commit(sequenceNo: bigint): IndexedCommit | undefined {
    return this.store.commit(sequenceNo);
  }

  /** The latest commit in force, or undefined when only the genesis (sequence 0) is. */
  latestCommit(): IndexedCommit | undefined {
    return this.store.latestCommit();
  }

  /** The commits in force, ascending by sequence number. */
  commits(): IndexedCommit[] {
    return this.store.commits();
  }

  /** Every indexed rollback, in chain order. */
  rollbacks(): IndexedRollback[] {
    return this.store.rollbacks();
  }

  /** The policy registries' events matching `filter`, in chain order. */
  policyEvents(filter?: PolicyEventFilter): PolicyEvent[] {
    return this.store.policyEvents(filter);
  }

  /**
   * Why the chain behind the RPC is not the one this store was built on (chain id or genesis hash changed, or
   * no indexed block is on it any more), or undefined while it is. Once set, nothing more is indexed: the
   * store describes another chain, and the keeper must not act on it (start over with an empty `dataDir`).
   */
  chainReset(): string | undefined {
    return this.resetCause;
  }

  /** Calls `listener` after each stored range (`indexed`) or after a reorg was repaired (`rewound`). */
  on(event: "indexed", listener: (range: IndexedRange) => void): this;
  on(event: "rewound", listener: (rewind: IndexerRewind) => void): this;
  on(event: "indexed" | "rewound", listener: (arg: IndexedRange & IndexerRewind) => void): this {
    this.emitter.on(event, listener);
    return this;
  }

  /** Removes a listener added with {@link on}. */
  off(event: "indexed", listener: (range: IndexedRange) => void): this;
  off(event: "rewound", listener: (rewind: IndexerRewind) => void): this;
  off(event: "indexed" | "rewound", listener: (arg: IndexedRange & IndexerRewind) => void): this {
    this.emitter.off(event, listener);
    return this;
  }

  /**
   * Resolves once block `blockNumber` is indexed (at once if it is).
   * @throws IndexerError `INDEXER_ERROR_TIMEOUT` after `timeoutMs`; `INDEXER_ERROR_ABORTED` when a
   *   signal (the call's or the indexer's) fires first.
   */
  waitForBlock(blockNumber: number, opts: WaitOptions = {}): Promise<void> {
    if (this.indexedBlock() >= blockNumber) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const signals = [opts.signal, this.signal].filter((s): s is AbortSignal => s !== undefined);
      const cleanup = () => {
        this.off("indexed", onIndexed);
        clearTimeout(timer);
        for (const s of signals) s.removeEventListener("abort", onAbort);
      };
      const onIndexed = (range: IndexedRange) => {
        if (range.toBlock < blockNumber) return;
        cleanup();
        resolve();
      };
      const onAbort = () => (cleanup(), reject(aborted()));
      const timer =
        opts.timeoutMs === undefined
          ? undefined
          : setTimeout(() => (cleanup(), reject(timeoutError(blockNumber, opts.timeoutMs ?? 0))), opts.timeoutMs);
      if (signals.some((s) => s.aborted)) return onAbort();
      for (const s of signals) s.addEventListener("abort", onAbort, { once: true });
      this.on("indexed", onIndexed);
    });
  }

  /** Starts the follower loop in the background (no-op when running). Errors are logged and retried. */
  start(): void {
    if (this.running !== undefined) return;
    const controller = new AbortController();
    const signal = this.signal === undefined ? controller.signal : AbortSignal.any([controller.signal, this.signal]);
    this.running = { controller, loop: this.follow(signal) };
    this.log.info({ indexedBlock: this.indexedBlock(), contracts: this.opts.contracts }, "indexer started");
  }

  /** Stops the loop and waits for it to end (a range being written completes or is not written at all). */
  async stop(): Promise<void> {
    const running = this.running;
    if (running === undefined) return;
    running.controller.abort();
    await running.loop;
    this.running = undefined;
    this.log.info({ indexedBlock: this.indexedBlock() }, "indexer stopped");
  }

  /** {@link stop}, then closes the LMDB environment if the indexer opened it. */
  async close(): Promise<void> {
    await this.stop();
    await this.store.close();
  }

  /**
   * Indexes the next range if one is confirmed: returns it, or undefined when caught up.
   * Halves the range and asks again while the RPC refuses it (or times out) and it can still shrink.
   * For tools and tests; never call it while the loop of {@link start} runs (two writers).
   * @throws IndexerError `INDEXER_ERROR_RPC` after the per-call attempts; `INDEXER_ERROR_GAP`,
   *   `INDEXER_ERROR_LOG_ORDER`, `INDEXER_ERROR_RECORD_MISMATCH`, `INDEXER_ERROR_REORG` when the
   *   fetched range is inconsistent (nothing is stored); `INDEXER_ERROR_ABORTED`.
   */
  async syncOnce(signal?: AbortSignal): Promise<IndexedRange | undefined> {
    if (this.resetCause !== undefined) throw chainResetError(this.resetCause);
    if (!this.identityChecked) await this.checkChainIdentity(signal);
    const head = await this.rpc.blockNumber(signal);
    const indexed = this.indexedBlock();
    const checkpoint = this.store.checkpoint();
    if (checkpoint !== undefined && head < checkpoint.indexedBlock) {
      // The indexed block is gone: a reorg to a shorter chain (repaired) or another chain (reset).
      await this.repairReorg(head, signal);
      return undefined;
    }
    this.metrics?.lagBlocks.set(Math.max(0, head - indexed));
    const target = head - this.opts.confirmations;
    if (target <= indexed) return undefined;
    const fromBlock = indexed + 1;
    let toBlock: number;
    let logs: RawLog[] | undefined;
    do {
      toBlock = Math.min(target, fromBlock + this.chunk - 1);
      logs = await this.fetchLogs(fromBlock, toBlock, signal);
    } while (logs === undefined);
    let blockHash: Hex;
    try {
      blockHash = (await this.checkContinuity(fromBlock, toBlock, logs, signal)) as Hex;
    } catch (err) {
      if (!(err instanceof IndexerError) || err.type.code !== "INDEXER_ERROR_REORG") throw err;
      if (checkpoint === undefined || err.type.blockNumber !== checkpoint.indexedBlock) throw err;
      // The stored checkpoint is no longer on the chain: a reorg deeper than `confirmations`.
      await this.repairReorg(head, signal);
      return undefined;
    }
    const batch = prepareRange(logs, { fromBlock, toBlock, blockHash }, this.emitters, this.storeView());
    if (this.opts.verifyWithState) await this.verifyWithState(batch, toBlock, signal);
    if (signal?.aborted) throw aborted();
    this.store.apply(batch);
    return this.stored(batch, fromBlock, head);
  }

  private async follow(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      try {
        const range = await this.syncOnce(signal);
        failures = 0;
        if (range === undefined) await abortableSleep(this.opts.pollIntervalMs, signal);
      } catch (err) {
        if (signal.aborted) break;
        failures++;
        const delayMs = backoffDelayMs(failures, this.opts, this.random);
        const fields = err instanceof IndexerError ? err.toObject() : { message: String(err) };
        this.log.warn({ ...fields, failures, delayMs }, "indexer range failed; retrying");
        await abortableSleep(delayMs, signal).catch(() => undefined);
      }
    }
  }

  /**
   * Compares the chain id and genesis block hash behind the RPC with those the store was built on (recording
   * them on first use).
   * @throws IndexerError `INDEXER_ERROR_CHAIN_RESET` (and sets {@link chainReset}) when they differ.
   */
  private async checkChainIdentity(signal?: AbortSignal): Promise<void> {
    const chainId = BigInt((await this.rpc.call("eth_chainId", [], signal)) as string).toString();
    const genesisHash = (await this.rpc.header(0, signal)).hash as Hex;
    const known = this.store.chainIdentity();
    if (known === undefined) this.store.setChainIdentity({ chainId, genesisHash });
    else if (known.chainId !== chainId)
      this.declareReset(`the RPC serves chain ${chainId}, but this data was indexed from chain ${known.chainId}`);
    else if (known.genesisHash.toLowerCase() !== genesisHash.toLowerCase())
      this.declareReset(
        `the chain's genesis block is ${genesisHash}, but this data was indexed from a chain whose genesis is ${known.genesisHash} (the chain was reset)`,
      );
    this.identityChecked = true;
  }

  private declareReset(cause: string): never {
    this.resetCause = cause;
    this.metrics?.chainReset?.set(1);
    this.log.error(
      { cause, indexedBlock: this.indexedBlock() },
      "chain reset: the chain behind rpcUrl is not the indexed one; indexing stopped",
    );
    throw chainResetError(cause);
  }

  /**
   * Repairs a reorg deeper than `confirmations`: finds the newest recorded range end still on the chain (the
   * common ancestor), forgets everything indexed above it, and emits `rewound`; the next range re-indexes from
   * there. When no recorded block is on the chain any more while the genesis is the same, everything is
   * re-indexed from `startBlock`.
   * @throws IndexerError `INDEXER_ERROR_CHAIN_RESET` when the genesis block changed (checked again first).
   */
  private async repairReorg(head: number, signal?: AbortSignal): Promise<void> {
    this.identityChecked = false;
    await this.checkChainIdentity(signal);
    const from = this.indexedBlock();
    let ancestor: Required<IndexerCheckpoint> | undefined;
    for (const end of this.store.rangeEnds(Math.min(head, from))) {
      if ((await this.rpc.header(end.indexedBlock, signal)).hash.toLowerCase() === end.blockHash.toLowerCase()) {
        ancestor = end;
        break;
      }
    }
    if (signal?.aborted) throw aborted();
    const dropped = this.store.rewind(ancestor, this.opts.startBlock);
    const rewind: IndexerRewind = { fromBlock: from, toBlock: this.indexedBlock(), head, ...dropped };
    this.metrics?.indexedBlock.set(rewind.toBlock);
    this.metrics?.reorgsRepairedTotal?.inc();
    this.log.warn(rewind, "reorg deeper than confirmations: rewound to the common ancestor, re-indexing");
    this.emitter.emit("rewound", rewind);
  }

  /** `eth_getLogs` of the range; undefined after shrinking the chunk on a refused range. */
  private async fetchLogs(fromBlock: number, toBlock: number, signal?: AbortSignal): Promise<RawLog[] | undefined> {
    try {
      const logs = await this.rpc.getLogs([...this.emitters.keys()], fromBlock, toBlock, signal);
      this.chunk = Math.min(this.opts.maxChunkBlocks, this.chunk + Math.max(1, Math.floor(this.chunk / 8)));
      return logs;
    } catch (err) {
      const kind = err instanceof IndexerError && err.type.code === "INDEXER_ERROR_RPC" ? err.type.kind : undefined;
      const shrinkable = kind === "range_too_large" || kind === "timeout";
      if (!shrinkable || this.chunk <= this.opts.minChunkBlocks || toBlock === fromBlock) throw err;
      this.chunk = Math.max(this.opts.minChunkBlocks, Math.floor((toBlock - fromBlock + 1) / 2));
      this.log.debug({ fromBlock, toBlock, kind, chunkBlocks: this.chunk }, "getLogs range shrunk");
      return undefined;
    }
  }

  /**
   * The hash of `toBlock`, after checking that `fromBlock` builds on the checkpoint and that the
   * logs of `toBlock` belong to that block.
   * @throws IndexerError `INDEXER_ERROR_REORG` otherwise.
   */
  private async checkContinuity(fromBlock: number, toBlock: number, logs: readonly RawLog[], signal?: AbortSignal) {
    const to = await this.rpc.header(toBlock, signal);
    const previous = this.store.checkpoint();
    if (previous !== undefined) {
      const from = fromBlock === toBlock ? to : await this.rpc.header(fromBlock, signal);
      if (from.parentHash !== previous.blockHash)
        throw reorg(previous.indexedBlock, previous.blockHash, from.parentHash);
    }
    for (const log of logs) {
      if (Number(log.blockNumber) === toBlock && log.blockHash !== to.hash)
        throw reorg(toBlock, to.hash, log.blockHash);
    }
    return to.hash;
  }

  /**
   * Compares the batch with the contract's state at `toBlock`: `writeCount()`, `latest()`'s
   * sequence number and the record hash of the range's last write — so a log the RPC left out is
   * caught before the checkpoint moves past it (policy events have no on-chain counter to check).
   * @throws IndexerError `INDEXER_ERROR_GAP` (writeCount, sequenceNo) or `INDEXER_ERROR_RECORD_MISMATCH`.
   */
  private async verifyWithState(batch: RangeBatch, toBlock: number, signal?: AbortSignal): Promise<void> {
    const view = (name: string, args: unknown[] = []) => this.viewAt(name, args, toBlock, signal);
    const writeCount = (await view("writeCount"))[0] as bigint;
    const expectedCount = this.store.writeCount() + BigInt(batch.writes.length);
    if (writeCount !== expectedCount) throw gap("writeCount", writeCount, expectedCount);
    const sequenceNo = (await view("latest"))[0] as bigint;
    if (sequenceNo !== batch.latestSequenceNo) throw gap("sequenceNo", sequenceNo, batch.latestSequenceNo);
    const last = batch.writes.at(-1);
    if (last === undefined) return;
    const hash = ((await view("writeRecordHashAt", [last.writeIndex]))[0] as string).toLowerCase();
    if (hash !== last.recordHash) {
      throw new IndexerError(
        {
          code: "INDEXER_ERROR_RECORD_MISMATCH",
          writeIndex: String(last.writeIndex),
          expected: hash,
          actual: last.recordHash,
        },
        `record hash of write ${last.writeIndex} differs from writeRecordHashAt on-chain`,
      );
    }
  }

  /** Calls view `name` of the StateCommitRegistry at block `blockNumber`; the decoded result. */
  private async viewAt(name: string, args: unknown[], blockNumber: number, signal?: AbortSignal) {
    const abi = STATE_COMMIT_REGISTRY_ABI;
    const data = abi.encodeFunctionData(name, args) as Hex;
    const result = await this.rpc.ethCall(this.opts.contracts.stateCommitRegistry, data, blockNumber, signal);
    return abi.decodeFunctionResult(name, result);
  }

  private stored(batch: RangeBatch, fromBlock: number, head: number): IndexedRange {
    const toBlock = batch.checkpoint.indexedBlock;
    const range: IndexedRange = {
      fromBlock,
      toBlock,
      writes: batch.writes.length,
      commits: batch.commitOps.filter((op) => op.type === "commit").length,
      rollbacks: batch.commitOps.filter((op) => op.type === "rollback").length,
      policyEvents: batch.policyEvents.length,
    };
    this.metrics?.indexedBlock.set(toBlock);
    this.metrics?.lagBlocks.set(Math.max(0, head - toBlock));
    if (range.writes > 0) this.metrics?.writesTotal.inc(range.writes);
    this.log.debug({ ...range, chunkBlocks: this.chunk }, "range indexed");
    this.emitter.emit("indexed", range);
    return range;
  }

  private storeView() {
    const store = this.store;
    return {
      writeCount: () => store.writeCount(),
      latestWriteIndexOf: (keyHash: Hex) => store.latestWriteIndexOf(keyHash),
      latestSequenceNo: () => store.latestCommit()?.sequenceNo ?? 0n,
    };
  }
}

function emittersOf(contracts: ResolvedIndexerOptions["contracts"]): Emitters {
  const map = new Map<string, "StateCommitRegistry" | "PolicyRegistry" | "PolicyDataRegistry">();
  map.set(contracts.stateCommitRegistry, "StateCommitRegistry");
  if (contracts.policyRegistry !== undefined) map.set(contracts.policyRegistry, "PolicyRegistry");
  if (contracts.policyDataRegistry !== undefined) map.set(contracts.policyDataRegistry, "PolicyDataRegistry");
  return map;
}

function reorg(blockNumber: number, expected: string, actual: string): IndexerError {
  return new IndexerError(
    { code: "INDEXER_ERROR_REORG", blockNumber, expected, actual },
    `block ${blockNumber} changed (reorg deeper than confirmations?): expected ${expected}, got ${actual}; raise confirmations and re-index`,
  );
}

function chainResetError(cause: string): IndexerError {
  return new IndexerError({ code: "INDEXER_ERROR_CHAIN_RESET", cause }, `chain reset: ${cause}`);
}

function timeoutError(blockNumber: number, timeoutMs: number): IndexerError {
  return new IndexerError(
    { code: "INDEXER_ERROR_TIMEOUT", blockNumber, timeoutMs },
    `block ${blockNumber} was not indexed within ${timeoutMs} ms`,
  );
}

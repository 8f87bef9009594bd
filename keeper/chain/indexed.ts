import type { RootDatabase } from "lmdb";

import type { Hex } from "../common";
import type { WriteRecord } from "./commit";
import type { IndexedCommit, IndexedWrite } from "./indexer";

/**
 * What the keeper roles need from the chain indexer: the write log and the live commit history of one
 * StateCommitRegistry, indexed up to `indexedBlock()` (implemented by `createIndexedChain` over
 * `ChainIndexer`).
 * Rollbacks (`StateRolledBack`) remove the dropped commits from the history. Reads are synchronous
 * over the indexed data; `waitForBlock` and `onUpdate` tell callers when more arrived.
 */
export interface IndexedChain {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Highest block whose events are all indexed. */
  indexedBlock(): number;
  /** Writes indexed so far (= next write index). */
  writeCount(): bigint;
  /** Writes with index in [start, end), ascending; only indexed ones. */
  writesInRange(start: bigint, end: bigint): IndexedWrite[];
  /** The latest indexed write to `keyHash`, if any. */
  latestWriteOf(keyHash: Hex): IndexedWrite | undefined;
  /** Every indexed write to `keyHash`, ascending. */
  writesOfKey(keyHash: Hex): IndexedWrite[];
  /** The live commit `sequenceNo`, if any. */
  commit(sequenceNo: bigint): IndexedCommit | undefined;
  /** The latest live commit (the genesis commit, sequence 0, when none). */
  latestCommit(): IndexedCommit;
  /**
   * Resolves once `indexedBlock() ≥ n`.
   * @throws on `signal` abort or after `timeoutMs`.
   */
  waitForBlock(n: number, opts?: { signal?: AbortSignal; timeoutMs?: number }): Promise<void>;
  /**
   * Why the chain behind the RPC is not the one the indexed data came from (reset chain), or undefined while it
   * is; once set, nothing more is indexed and no role may act on the data.
   */
  chainReset?(): string | undefined;
  /** Calls `listener` after new data was indexed; returns the unsubscribe function. */
  onUpdate(listener: () => void): () => void;
}

/** What a keeper process passes to an {@link IndexedChain} factory. */
export interface IndexedChainOptions {
  readonly rpcUrl: string;
  readonly chainId: bigint;
  /** StateCommitRegistry proxy address. */
  readonly registry: string;
  /** First block to index (the registry's deployment block). */
  readonly fromBlock: number;
  /** Polling interval for new blocks, in ms. */
  readonly pollIntervalMs: number;
  /** Time limit of one RPC call, in ms. */
  readonly rpcTimeoutMs: number;
  /** Only blocks at least this deep are indexed (reorgs shallower than this never reach the store). */
  readonly confirmations: number;
  /** The keeper's LMDB environment: the indexer's data and checkpoint live beside the tree. */
  readonly root?: RootDatabase;
}

/**
 * The on-chain write record (`WriteLog.WriteRecord`) of an indexed write: the fields a fraud proof or an
 * opening answer hands to the ChallengeVerifier, without the indexer's block and certificate.
 */
export function writeRecordOf(w: IndexedWrite): WriteRecord {
  return {
    writeIndex: w.writeIndex,
    namespace: w.namespace,
    keyHash: w.keyHash,
    valueHash: w.valueHash,
    byteLength: w.byteLength,
    prevWriteIndex: w.prevWriteIndex,
  };
}

import type { Hex } from "../common";

/** One `WriteProposed` event as the indexer keeps it, with the previous-write link it derived. */
export interface IndexedWrite {
  readonly writeIndex: bigint;
  /** Namespace byte 0x01–0x08. */
  readonly namespace: number;
  /** 32-byte JMT key. */
  readonly keyHash: Hex;
  /** keccak256 of the value bytes; 32 zero bytes delete. */
  readonly valueHash: Hex;
  /** Length of the value bytes. */
  readonly byteLength: number;
  /** Index of the previous write to the same key, or `NO_WRITE`. */
  readonly prevWriteIndex: bigint;
  /** The account that proposed it (a user, or the namespace's registry contract). */
  readonly writer: string;
  /** The EigenDA certificate of the value bytes (0x-hex). */
  readonly daCert: Hex;
  readonly blockNumber: number;
  readonly txHash: Hex;
  readonly logIndex: number;
}

/** One live commit (`StateRootCommitted` not rolled back). Sequence 0 is genesis (empty tree, no writes). */
export interface IndexedCommit {
  readonly sequenceNo: bigint;
  /** 32-byte JMT root. */
  readonly stateRoot: Hex;
  /** Exclusive end of the write-log prefix it covers. */
  readonly writeIndexEnd: bigint;
  readonly referenceBlock: bigint;
  /** The delta's DA certificate as submitted (0x-hex; "0x" for genesis). */
  readonly daCert: Hex;
  readonly signedWeight: bigint;
  /** Block the commit landed in (the registry's deployment block for genesis). */
  readonly blockNumber: number;
}

/**
 * What the keeper roles need from the chain indexer (keeper/chain/indexer, merged separately): the
 * write log and the live commit history of one StateCommitRegistry, indexed up to `indexedBlock()`.
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
  /** The latest live commit (genesis when none). */
  latestCommit(): IndexedCommit;
  /**
   * Resolves once `indexedBlock() ≥ n`.
   * @throws on `signal` abort or after `timeoutMs`.
   */
  waitForBlock(n: number, opts?: { signal?: AbortSignal; timeoutMs?: number }): Promise<void>;
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
}

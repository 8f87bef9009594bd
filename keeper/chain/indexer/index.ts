/**
 * keeper/chain/indexer — follows one chain's StateCommitRegistry and policy registries into LMDB
 * and answers typed queries about the write log, the commit history and the policy events.
 *
 * Data in: `eth_blockNumber`, `eth_getLogs` (ranges of at most `maxChunkBlocks`, halved when the
 * provider refuses a range or times out, grown by 1/8 after each success), `eth_getBlockByNumber`
 * (continuity of block hashes) and `eth_call` (`writeCount`, `writeRecordHashAt` at the range's last
 * block) over JSON-RPC. Every call is retried with backoff and jitter; the follower loop never gives up.
 *
 * Data out, per processed range `[from, to]` with `to ≤ head − confirmations`, in ONE LMDB
 * transaction (so a crash never separates events from their checkpoint):
 *
 * | sub-database | key | value |
 * |---|---|---|
 * | `<prefix>.writes` | writeIndex u64 BE | {@link IndexedWrite} (with `prevWriteIndex`, `recordHash`) |
 * | `<prefix>.keys` | keyHash ‖ writeIndex u64 BE | 1 |
 * | `<prefix>.commits` | sequenceNo u64 BE | {@link IndexedCommit} (rolled-back ones deleted) |
 * | `<prefix>.rollbacks` | ordinal u64 BE | {@link IndexedRollback} |
 * | `<prefix>.policy` | ordinal u64 BE | {@link PolicyEvent} |
 * | `<prefix>.meta` | checkpoint, writeCount, counters | JSON |
 *
 * ```
 * RPC ─▶ RpcClient (retry) ─▶ syncOnce: getLogs ▶ continuity ▶ prepareRange (order, gaps, prev links)
 *                                        ▶ verifyWithState ▶ IndexerStore.apply (1 txn) ▶ "indexed"
 * ```
 * Spec followed: IStateCommitRegistry (WriteProposed, StateRootCommitted, StateRolledBack;
 * `writeRecordHash` as `WriteLog.recordHash`), IPolicyRegistry / IPolicyDataRegistry events,
 * docs/protocol.md §3.
 */
export { ChainIndexer, type ChainIndexerDeps, type WaitOptions } from "./indexer";
export { loadDeployment, type IndexerDeployment } from "./deployment";
export { IndexerError, type IndexerErrorType, type RpcFailureKind } from "./errors";
export { createIndexerMetrics, type IndexerMetrics } from "./metrics";
export {
  DEFAULT_INDEXER_OPTIONS,
  resolveIndexerOptions,
  type IndexerOptions,
  type ResolvedIndexerOptions,
} from "./options";
export { HttpRpcTransport, classifyRpcError, type RpcRequestOptions, type RpcTransport } from "./utils/transport";
export type {
  CurrentInstanceSetEvent,
  IndexedCommit,
  IndexedRange,
  IndexerRewind,
  IndexedRollback,
  IndexedWrite,
  IndexerCheckpoint,
  IndexerContracts,
  InstanceDeployedEvent,
  LogPosition,
  PolicyEvent,
  PolicyEventFilter,
  PolicyRegistryName,
  SecretsSetEvent,
  TemplateRegisteredEvent,
} from "./types";

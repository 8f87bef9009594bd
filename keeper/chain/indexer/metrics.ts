import { Counter, Gauge, type Registry } from "prom-client";

import type { RpcFailureKind } from "./errors";

/**
 * What the indexer reports; structurally compatible with prom-client metrics, so tests can pass
 * plain objects.
 */
export interface IndexerMetrics {
  /** The checkpoint's block number: `newton_indexer_indexed_block`. */
  indexedBlock: { set(value: number): void };
  /** Failed RPC attempts: `newton_indexer_rpc_errors_total{method, kind}`. */
  rpcErrorsTotal: { inc(labels: { method: string; kind: RpcFailureKind }): void };
  /** `WriteProposed` events stored: `newton_indexer_writes_total`. */
  writesTotal: { inc(value: number): void };
  /** head − indexedBlock, in blocks (≥ confirmations when caught up): `newton_indexer_lag_blocks`. */
  lagBlocks: { set(value: number): void };
  /** 1 once the chain behind the RPC is not the indexed one (reset): `newton_indexer_chain_reset`. */
  chainReset?: { set(value: number): void };
  /** Reorgs deeper than `confirmations` repaired by rewinding: `newton_indexer_reorgs_repaired_total`. */
  reorgsRepairedTotal?: { inc(): void };
}

/** Creates the {@link IndexerMetrics} on a prom-client `registry`. */
export function createIndexerMetrics(registry: Registry): IndexerMetrics {
  const registers = [registry];
  return {
    indexedBlock: new Gauge({
      name: "newton_indexer_indexed_block",
      help: "Last block whose events are stored (the checkpoint)",
      registers,
    }),
    rpcErrorsTotal: new Counter({
      name: "newton_indexer_rpc_errors_total",
      help: "Failed JSON-RPC attempts of the indexer by method and failure kind",
      labelNames: ["method", "kind"],
      registers,
    }),
    writesTotal: new Counter({
      name: "newton_indexer_writes_total",
      help: "WriteProposed events stored by the indexer",
      registers,
    }),
    lagBlocks: new Gauge({
      name: "newton_indexer_lag_blocks",
      help: "Chain head minus the indexed block, in blocks",
      registers,
    }),
    chainReset: new Gauge({
      name: "newton_indexer_chain_reset",
      help: "1 when the chain behind rpcUrl is not the one dataDir was indexed from (reset chain); 0 otherwise",
      registers,
    }),
    reorgsRepairedTotal: new Counter({
      name: "newton_indexer_reorgs_repaired_total",
      help: "Reorgs deeper than confirmations repaired by rewinding to the common ancestor",
      registers,
    }),
  };
}

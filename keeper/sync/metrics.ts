import { Counter, Gauge, type Registry } from "prom-client";

/** Prometheus metrics of state sync and pruning (names per the keeper's `newton_keeper_*` scheme). */
export interface SyncMetrics {
  /** Chunks received, by outcome: verified, tampered, failed (network / HTTP error). */
  readonly chunksTotal: Counter<"outcome">;
  /** Chunk and manifest bytes downloaded. */
  readonly receivedBytesTotal: Counter;
  /** Chunk bytes served to peers. */
  readonly servedBytesTotal: Counter;
  /** Fraction of the current snapshot's chunks verified and staged (0–1; 1 when idle). */
  readonly progressRatio: Gauge;
  /** Peers dropped during a sync, by reason: tampered, unreachable. */
  readonly peersDroppedTotal: Counter<"reason">;
  /** Oldest tree version still readable (everything older was pruned). */
  readonly oldestVersion: Gauge;
  /** Tree nodes removed by pruning. */
  readonly prunedNodesTotal: Counter;
  /** Commits the chain holds beyond this keeper's latest tree version. */
  readonly commitLag: Gauge;
  /** Writes indexed on-chain but not yet in this keeper's latest tree version. */
  readonly writeBacklog: Gauge;
}

/** Registers the {@link SyncMetrics} on `registry`. */
export function createSyncMetrics(registry: Registry): SyncMetrics {
  const registers = [registry];
  return {
    chunksTotal: new Counter({
      name: "newton_keeper_sync_chunks_total",
      help: "State-sync chunks received, by outcome",
      labelNames: ["outcome"],
      registers,
    }),
    receivedBytesTotal: new Counter({
      name: "newton_keeper_sync_received_bytes_total",
      help: "State-sync bytes downloaded",
      registers,
    }),
    servedBytesTotal: new Counter({
      name: "newton_keeper_sync_served_bytes_total",
      help: "State-sync chunk bytes served to peers",
      registers,
    }),
    progressRatio: new Gauge({
      name: "newton_keeper_sync_progress_ratio",
      help: "Fraction of the current snapshot's chunks verified (1 when idle)",
      registers,
    }),
    peersDroppedTotal: new Counter({
      name: "newton_keeper_sync_peers_dropped_total",
      help: "State-sync peers dropped, by reason",
      labelNames: ["reason"],
      registers,
    }),
    oldestVersion: new Gauge({
      name: "newton_keeper_jmt_oldest_version",
      help: "Oldest readable tree version (older ones are pruned)",
      registers,
    }),
    prunedNodesTotal: new Counter({
      name: "newton_keeper_jmt_pruned_nodes_total",
      help: "Tree nodes removed by pruning",
      registers,
    }),
    commitLag: new Gauge({
      name: "newton_keeper_commit_lag",
      help: "Commits on-chain beyond this keeper's latest tree version",
      registers,
    }),
    writeBacklog: new Gauge({
      name: "newton_keeper_write_backlog",
      help: "Writes indexed on-chain but not in this keeper's latest tree version",
      registers,
    }),
  };
}

import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/**
 * The keeper's Prometheus metrics (prom-client), shared by the three roles; each role updates the
 * ones it owns. Names end in `_seconds`, `_bytes` or `_total`; the commit-backlog names
 * `policy_commit_defer_*` follow the source design. The keeper binary labels every metric with
 * `chain_id` (the registry's default labels).
 */
export interface KeeperMetrics {
  /** Seconds from a window's close to its commit being mined (aggregator). */
  readonly commitLatencySeconds: Histogram<"outcome">;
  /** Seconds since the chain's latest commit landed, sampled every window (aggregator). */
  readonly windowLagSeconds: Gauge;
  /** Commits by outcome: committed, idle, no_quorum, failed (aggregator). */
  readonly windowsTotal: Counter<"outcome">;
  /** Operator signatures accepted after batch verification (aggregator). */
  readonly signaturesCollectedTotal: Counter;
  /** Operator signatures rejected, by reason: invalid, refused, unreachable (aggregator). */
  readonly signaturesRejectedTotal: Counter<"reason">;
  /** Seconds per DA fetch/dispersal the keeper issues (not the HTTP attempts: see newton_da_*). */
  readonly daLatencySeconds: Histogram<"op">;
  /** Delta bytes dispersed (aggregator). */
  readonly deltaBytesTotal: Counter;
  /** Leaves in the latest persisted tree version. */
  readonly jmtLeavesTotal: Gauge;
  /** Tree versions persisted by this process. */
  readonly jmtVersionsTotal: Counter;
  /** Failed chain RPC calls, by operation. */
  readonly rpcErrorsTotal: Counter<"op">;
  /** Sign requests answered, by HTTP status (operator). */
  readonly signRequestsTotal: Counter<"status">;
  /** Fraud proofs submitted, by outcome (challenger). */
  readonly challengesTotal: Counter<"outcome">;
  /** Values committed without bytes, by reason (keeper/window `UnavailableReason`). */
  readonly valuesUnavailableTotal: Counter<"reason">;
  /** Writes in the log after the latest commit, sampled every window (aggregator): the commit backlog. */
  readonly commitDeferQueueDepth: Gauge;
  /** Declared bytes of those writes (aggregator). */
  readonly commitDeferQueueBytes: Gauge;
  /** Writes eligible at a window's reference block but left for a later window by the byte cap (aggregator). */
  readonly commitDeferralsTotal: Counter;
  /** Sign requests refused with a typed reason (operator): see `SignRefusal` in keeper/operator. */
  readonly signRefusalsTotal: Counter<"reason">;
}

/** Registers the {@link KeeperMetrics} on `registry`. */
export function createKeeperMetrics(registry: Registry): KeeperMetrics {
  const registers = [registry];
  const buckets = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120];
  return {
    commitLatencySeconds: new Histogram({
      name: "newton_keeper_commit_latency_seconds",
      help: "Seconds from a window's close to its commit being mined",
      labelNames: ["outcome"],
      buckets,
      registers,
    }),
    windowLagSeconds: new Gauge({
      name: "newton_keeper_window_lag_seconds",
      help: "Seconds since the chain's latest commit landed",
      registers,
    }),
    windowsTotal: new Counter({
      name: "newton_keeper_windows_total",
      help: "Windows by outcome",
      labelNames: ["outcome"],
      registers,
    }),
    signaturesCollectedTotal: new Counter({
      name: "newton_keeper_signatures_collected_total",
      help: "Operator signatures accepted",
      registers,
    }),
    signaturesRejectedTotal: new Counter({
      name: "newton_keeper_signatures_rejected_total",
      help: "Operator signatures rejected, by reason",
      labelNames: ["reason"],
      registers,
    }),
    daLatencySeconds: new Histogram({
      name: "newton_keeper_da_latency_seconds",
      help: "Seconds per keeper-level DA fetch or dispersal, retries included",
      labelNames: ["op"],
      buckets,
      registers,
    }),
    deltaBytesTotal: new Counter({ name: "newton_keeper_delta_bytes_total", help: "Delta bytes dispersed", registers }),
    jmtLeavesTotal: new Gauge({
      name: "newton_keeper_jmt_leaves_total",
      help: "Leaves in the latest persisted tree version",
      registers,
    }),
    jmtVersionsTotal: new Counter({
      name: "newton_keeper_jmt_versions_total",
      help: "Tree versions persisted",
      registers,
    }),
    rpcErrorsTotal: new Counter({
      name: "newton_keeper_rpc_errors_total",
      help: "Failed chain RPC calls, by operation",
      labelNames: ["op"],
      registers,
    }),
    signRequestsTotal: new Counter({
      name: "newton_keeper_sign_requests_total",
      help: "Sign requests answered, by HTTP status",
      labelNames: ["status"],
      registers,
    }),
    challengesTotal: new Counter({
      name: "newton_keeper_challenges_total",
      help: "Fraud proofs, by outcome",
      labelNames: ["outcome"],
      registers,
    }),
    valuesUnavailableTotal: new Counter({
      name: "newton_keeper_values_unavailable_total",
      help: "Values committed without bytes, by reason",
      labelNames: ["reason"],
      registers,
    }),
    commitDeferQueueDepth: new Gauge({
      name: "policy_commit_defer_queue_depth",
      help: "Writes in the log after the latest commit",
      registers,
    }),
    commitDeferQueueBytes: new Gauge({
      name: "policy_commit_defer_queue_bytes",
      help: "Declared bytes of the writes after the latest commit",
      registers,
    }),
    commitDeferralsTotal: new Counter({
      name: "policy_commit_deferrals_total",
      help: "Eligible writes left for a later window by the byte cap",
      registers,
    }),
    signRefusalsTotal: new Counter({
      name: "newton_keeper_sign_refusals_total",
      help: "Sign requests refused, by reason",
      labelNames: ["reason"],
      registers,
    }),
  };
}

import { Counter, Histogram, type Registry } from "prom-client";

import type { DaOp } from "./types";

/**
 * What the DA client reports; structurally compatible with prom-client metrics, so tests can pass
 * plain objects. Labels: `op` ∈ put|get|health, `outcome` = HTTP status or an error kind.
 */
export interface DaMetrics {
  /** One per HTTP attempt: `newton_da_requests_total{op, outcome}`. */
  requestsTotal: { inc(labels: { op: DaOp; outcome: string }): void };
  /** Duration of one HTTP attempt in seconds: `newton_da_request_seconds{op}`. */
  requestSeconds: { observe(labels: { op: DaOp }, seconds: number): void };
  /** Payload bytes sent by `put` / received by `get`: `newton_da_payload_bytes_total{op}`. */
  payloadBytesTotal: { inc(labels: { op: DaOp }, bytes: number): void };
  /** Retries scheduled after a retryable failure: `newton_da_retries_total{op}`. */
  retriesTotal: { inc(labels: { op: DaOp }): void };
}

/** Creates the {@link DaMetrics} on a prom-client `registry` (names end in `_total`/`_seconds`). */
export function createDaMetrics(registry: Registry): DaMetrics {
  const registers = [registry];
  return {
    requestsTotal: new Counter({
      name: "newton_da_requests_total",
      help: "HTTP attempts to the EigenDA proxy by operation and outcome (status or error kind)",
      labelNames: ["op", "outcome"],
      registers,
    }),
    requestSeconds: new Histogram({
      name: "newton_da_request_seconds",
      help: "Duration of one HTTP attempt to the EigenDA proxy in seconds",
      labelNames: ["op"],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 20, 30, 60, 120],
      registers,
    }),
    payloadBytesTotal: new Counter({
      name: "newton_da_payload_bytes_total",
      help: "Payload bytes dispersed (put) or retrieved and verified (get)",
      labelNames: ["op"],
      registers,
    }),
    retriesTotal: new Counter({
      name: "newton_da_retries_total",
      help: "Retries scheduled after a retryable EigenDA proxy failure",
      labelNames: ["op"],
      registers,
    }),
  };
}

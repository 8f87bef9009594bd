import { checkInteger, checkRate } from "../options";
import { MAX_PAYLOAD_BYTES } from "../types";

/** Options of {@link DaServer}; all optional. */
export interface DaServerOptions {
  /** Directory for one file per blob (see `DirBlobStore`); unset = in memory. */
  dataDir?: string;
  /** Delay added before answering each `/put` and `/get`, in ms (default 0). */
  latencyMs?: number;
  /** Probability in [0, 1] that a `/put` or `/get` answers 503 "EigenDA down" (default 0). */
  failureRate?: number;
  /** Probability in [0, 1] that a successful `/get` returns wrong bytes (default 0). */
  corruptRate?: number;
  /** Largest accepted payload in bytes; larger → 400 (default {@link MAX_PAYLOAD_BYTES}). */
  maxPayloadBytes?: number;
  /**
   * Seconds a blob stays fetchable after its `/put` (EigenDA keeps blobs ~14 days); after that a
   * `/get` answers as for a blob never stored (500). 0 = forever (default).
   */
  retentionSeconds?: number;
}

/** {@link DaServerOptions} with defaults applied; frozen. */
export type ResolvedServerOptions = Readonly<Required<Omit<DaServerOptions, "dataDir">> & { dataDir?: string }>;

/**
 * Applies defaults and checks ranges.
 * @throws DaError `DA_ERROR_INVALID_OPTION` when a rate is outside [0, 1] or a number is negative
 *   or not an integer.
 */
export function resolveServerOptions(opts: DaServerOptions): ResolvedServerOptions {
  const resolved = {
    latencyMs: 0,
    failureRate: 0,
    corruptRate: 0,
    maxPayloadBytes: MAX_PAYLOAD_BYTES,
    retentionSeconds: 0,
    ...opts,
  };
  checkInteger("latencyMs", resolved.latencyMs, 0, 2 ** 31 - 1);
  checkRate("failureRate", resolved.failureRate);
  checkRate("corruptRate", resolved.corruptRate);
  checkInteger("maxPayloadBytes", resolved.maxPayloadBytes, 0, 2 ** 31 - 1);
  checkInteger("retentionSeconds", resolved.retentionSeconds, 0, 2 ** 31 - 1);
  return Object.freeze(resolved);
}

import { checkInteger, checkRate } from "../options";
import { MAX_PAYLOAD_BYTES } from "../types";
import { CERT_VERSION, SERVER_CERT_VERSION } from "./cert";

/** Options of {@link DaServer}; all optional. */
export interface DaServerOptions {
  /** Directory for one file per blob (see `DirBlobStore`); unset = in memory. */
  dataDir?: string;
  /** Delay added before answering each `/put` and `/get`, in ms (default 0). */
  latencyMs?: number;
  /** Probability in [0, 1] that a `/put` or `/get` answers 503, the proxy's "fail over" signal (default 0). */
  failureRate?: number;
  /** Probability in [0, 1] that a successful `/get` returns wrong bytes (default 0). */
  corruptRate?: number;
  /** Largest accepted payload in bytes; larger → 400 (default {@link MAX_PAYLOAD_BYTES}). */
  maxPayloadBytes?: number;
  /**
   * How long a blob stays retrievable after its `/put`, in seconds; 0 (default) keeps it for ever.
   * A `GET` of an expired blob answers exactly as one of a blob never stored (500), as EigenDA
   * answers a blob past its retention period (~14 days on mainnet).
   */
  retentionSeconds?: number;
  /**
   * Version byte of the certificates `/put` issues: `0x01` (V2), `0x02` (V3) or `0x03` (V4,
   * default, as eigenda-proxy today). `/get` serves every certificate it stored, whatever its version.
   */
  certVersion?: number;
}

/** {@link DaServerOptions} with defaults applied; frozen. */
export type ResolvedServerOptions = Readonly<Required<Omit<DaServerOptions, "dataDir">> & { dataDir?: string }>;

/**
 * Applies defaults and checks ranges.
 * @throws DaError `DA_ERROR_INVALID_OPTION` when a rate is outside [0, 1], a number is negative
 *   or not an integer, or `certVersion` is not `0x01` … `0x03`.
 */
export function resolveServerOptions(opts: DaServerOptions): ResolvedServerOptions {
  const resolved = {
    latencyMs: 0,
    failureRate: 0,
    corruptRate: 0,
    maxPayloadBytes: MAX_PAYLOAD_BYTES,
    retentionSeconds: 0,
    certVersion: SERVER_CERT_VERSION,
    ...opts,
  };
  checkInteger("latencyMs", resolved.latencyMs, 0, 2 ** 31 - 1);
  checkRate("failureRate", resolved.failureRate);
  checkRate("corruptRate", resolved.corruptRate);
  checkInteger("maxPayloadBytes", resolved.maxPayloadBytes, 0, 2 ** 31 - 1);
  checkInteger("retentionSeconds", resolved.retentionSeconds, 0, 2 ** 31 - 1);
  checkInteger("certVersion", resolved.certVersion, CERT_VERSION.V2, CERT_VERSION.V4);
  return Object.freeze(resolved);
}

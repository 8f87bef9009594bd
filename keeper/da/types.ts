import type { Hex } from "../common";

/**
 * Largest payload, in bytes, that fits one EigenDA blob of 16 MiB (2^24 bytes).
 *
 * eigenda-proxy encodes a payload into BN254 field elements of 32 bytes each carrying 31 payload
 * bytes, behind a 32-byte encoding header, and rounds up to a power of two; 16 252 897 bytes is the
 * largest payload whose encoding still fits 16 MiB (docs/protocol.md §6). Both the client and the local
 * server reject anything larger with a 400-equivalent before it is dispersed.
 */
export const MAX_PAYLOAD_BYTES = 16_252_897;

/** The operations of the eigenda-proxy REST API, used as log field and metric label. */
export type DaOp = "put" | "get" | "health";

/** Per-call options of {@link DataAvailability} methods. */
export interface DaCallOptions {
  /** Aborts the call, including its retries and backoff waits (→ `DA_ERROR_ABORTED`). */
  signal?: AbortSignal;
  /**
   * For a `get`: the block number (≥ 0, ≤ 2^64 − 1) of the chain block that included the
   * certificate, sent as `l1_inclusion_block_number` so the proxy can run its recency check (a
   * certificate included too long after its reference block is answered with a 418, code 2). Omit
   * when unknown. Ignored by `put` and `health`.
   */
  l1InclusionBlockNumber?: bigint | number;
}

/**
 * Certificate version bytes the keeper accepts from `put`: EigenDA V2 certificates `0x01` (V2),
 * `0x02` (V3) and `0x03` (V4, eigenda-proxy's current default). `0x00` (EigenDA V1, retired) and
 * unknown bytes are refused.
 */
export const ACCEPTED_CERT_VERSIONS: readonly number[] = Object.freeze([0x01, 0x02, 0x03]);

/**
 * A data-availability layer as the keeper sees it: opaque certificates in, payload bytes out.
 *
 * Implemented over the eigenda-proxy REST API (`POST /put`, `GET /get/0x<cert>`, `GET /health`,
 * standard commitment mode) by `EigenDaProxyClient`; the same API is served locally by `DaServer`.
 */
export interface DataAvailability {
  /**
   * Disperses `payload` (0 … `MAX_PAYLOAD_BYTES` bytes) and returns its certificate: a version
   * byte followed by opaque certificate bytes, to be stored on-chain as `daCert`.
   */
  put(payload: Uint8Array, opts?: DaCallOptions): Promise<Uint8Array>;
  /** Retrieves the payload a certificate from {@link put} stands for, checked against its keccak256. */
  get(cert: Uint8Array, opts?: DaCallOptions): Promise<Uint8Array>;
  /** True when the DA endpoint answers `GET /health` with 200; never throws for an unhealthy peer. */
  health(opts?: DaCallOptions): Promise<boolean>;
}

/** One remembered dispersal: certificate → keccak256 of the payload (both 0x-hex). */
export interface PayloadHashRecord {
  /** The certificate as returned by `put`, 0x-hex. */
  cert: Hex;
  /** keccak256 of the payload, 0x-hex, 32 bytes. */
  payloadHash: Hex;
}

/**
 * keeper/da — EigenDA access for the keeper: the `DataAvailability` interface, the
 * `EigenDaProxyClient` that implements it over the eigenda-proxy REST API, and `DaServer`
 * (`newton-da-server`), a local server speaking the same API for tests and local runs.
 *
 * Data in/out: payloads are raw bytes of 0 … 16 252 897 bytes (`MAX_PAYLOAD_BYTES`, one 16 MiB
 * EigenDA blob); certificates are opaque bytes (version byte ‖ certificate) stored on-chain as
 * `daCert`. The proxy does not hash payloads, so the client records keccak256(payload) per
 * certificate and checks every retrieved payload against it (docs/protocol.md §6).
 *
 * Spec followed: eigenda-proxy REST API (Layr-Labs/eigenda `api/proxy/servers/rest`); the client uses
 * standard commitment mode, the local server also serves `optimism_generic`:
 *
 * | route | success | failures |
 * |---|---|---|
 * | `POST /put?commitment_mode=standard` (body = payload) | 200, body = version byte ‖ cert | 400 bad input / too large, 429 rate limited, 503 fail over (EigenDA down), 500 other |
 * | `GET /get/0x<version><cert>?commitment_mode=standard[&l1_inclusion_block_number=N]` | 200, body = payload | 400 unknown version byte, 404 empty/non-hex cert, 418 derivation error `{"StatusCode":1-4,"Msg"}`, 500 other incl. missing blob, 429, 503 |
 * | `GET /health` | 200, empty body | — |
 * | `GET /config` | 200, compatibility config JSON | — |
 *
 * Accepted certificate version bytes: `0x01` (V2), `0x02` (V3), `0x03` (V4, the proxy's default).
 *
 * ```
 * keeper role ──▶ DataAvailability ──▶ EigenDaProxyClient ──HTTP──▶ eigenda-proxy ──▶ EigenDA
 *                                                         └─HTTP──▶ DaServer (local, tests)
 * ```
 */
export { EigenDaProxyClient, type EigenDaProxyClientDeps } from "./client";
export { DaError, RETRYABLE_DA_CODES, type DaErrorType } from "./errors";
export { createDaMetrics, type DaMetrics } from "./metrics";
export {
  DEFAULT_CLIENT_OPTIONS,
  resolveClientOptions,
  type EigenDaProxyClientOptions,
  type ResolvedClientOptions,
} from "./options";
export {
  ACCEPTED_CERT_VERSIONS,
  MAX_PAYLOAD_BYTES,
  type DaCallOptions,
  type DaOp,
  type DataAvailability,
  type PayloadHashRecord,
} from "./types";
export { backoffDelayMs, parseRetryAfterSeconds, type BackoffOptions } from "./utils/backoff";
export { keccak256Hex } from "./utils/hash";
export * from "./server";

import { KeeperError, type Hex } from "../common";
import type { DaOp } from "./types";

/**
 * Errors of the EigenDA client and the local DA server. Every code that follows a proxy response
 * carries the `op`, the HTTP `status` where there was one, how many `attempts` were made, and the
 * first 512 characters of the response `body` (the proxy puts its reason there).
 */
export type DaErrorType =
  | { code: "DA_ERROR_PAYLOAD_TOO_LARGE"; payloadBytes: number; maxPayloadBytes: number }
  | { code: "DA_ERROR_BAD_REQUEST"; op: DaOp; status: 400; attempts: number; body: string }
  | {
      code: "DA_ERROR_INVALID_CERT";
      op: DaOp;
      status?: 418;
      cert: Hex;
      attempts: number;
      body: string;
      /**
       * The proxy's derivation-error code from the 418 body: 1 certificate parsing failed, 2 recency
       * check failed, 3 invalid certificate, 4 blob decoding failed; absent when the body is not one.
       */
      derivationCode?: number;
      /** The derivation error's message (`Msg`), when the body is one. */
      derivationMsg?: string;
    }
  | { code: "DA_ERROR_NOT_FOUND"; op: DaOp; status: number; cert: Hex; attempts: number; body: string }
  | { code: "DA_ERROR_RATE_LIMITED"; op: DaOp; status: 429; attempts: number; body: string }
  | { code: "DA_ERROR_UNAVAILABLE"; op: DaOp; status: 503; attempts: number; body: string; urls: number }
  | { code: "DA_ERROR_SERVER"; op: DaOp; status: number; attempts: number; body: string }
  | { code: "DA_ERROR_UNEXPECTED_STATUS"; op: DaOp; status: number; attempts: number; body: string }
  | { code: "DA_ERROR_NETWORK"; op: DaOp; attempts: number; reason: string }
  | { code: "DA_ERROR_TIMEOUT"; op: DaOp; attempts: number; timeoutMs: number }
  | { code: "DA_ERROR_ABORTED"; op: DaOp; attempts: number }
  | { code: "DA_ERROR_BAD_RESPONSE"; op: DaOp; reason: string }
  | { code: "DA_ERROR_HASH_MISMATCH"; cert: Hex; expected: Hex; actual: Hex; payloadBytes: number }
  | { code: "DA_ERROR_UNKNOWN_CERT"; cert: Hex }
  | { code: "DA_ERROR_INVALID_OPTION"; option: string; value: string; reason: string };

/**
 * The codes after which another attempt may succeed: the client retries these with backoff.
 * `DA_ERROR_UNAVAILABLE` is the proxy's "fail over" answer (503): the client first moves on to the
 * next URL of its list. `DA_ERROR_NOT_FOUND` (a 500 saying the blob is missing) is not among them:
 * the client retries it only `notFoundRetries` times.
 */
export const RETRYABLE_DA_CODES: ReadonlySet<DaErrorType["code"]> = new Set([
  "DA_ERROR_RATE_LIMITED",
  "DA_ERROR_UNAVAILABLE",
  "DA_ERROR_SERVER",
  "DA_ERROR_NETWORK",
  "DA_ERROR_TIMEOUT",
]);

/** Raised by `EigenDaProxyClient` and `DaServer`; branch on `err.type.code`. */
export class DaError extends KeeperError<DaErrorType> {
  /** True when retrying the same request later may succeed (429, 503, 5xx other than "not found", network, timeout). */
  get retryable(): boolean {
    return RETRYABLE_DA_CODES.has(this.type.code);
  }
}

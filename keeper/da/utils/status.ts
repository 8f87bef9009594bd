import type { Hex } from "../../common";
import { DaError } from "../errors";
import type { DaOp } from "../types";

const BODY_CHARS = 512;

/** The first 512 characters of a response body, decoded as UTF-8 (invalid sequences replaced). */
export function bodyText(body: Uint8Array): string {
  return new TextDecoder("utf-8", { fatal: false }).decode(body.subarray(0, BODY_CHARS * 4)).slice(0, BODY_CHARS);
}

/**
 * Maps a non-200 eigenda-proxy response to a {@link DaError} (source: eigenda-proxy REST API,
 * `api/proxy/server/middleware/error.go`): 400 bad input or too large, 418 invalid certificate
 * (derivation error: re-disperse), 429 rate limited, 503 EigenDA down, other 5xx (a missing blob is
 * 500), anything else unexpected.
 *
 * @param cert - the certificate of a `get`, 0x-hex; names the invalid cert of a 418.
 */
export function statusError(op: DaOp, status: number, body: Uint8Array, attempts: number, cert?: Hex): DaError {
  const text = bodyText(body);
  const tail = `after ${attempts} attempt(s): ${text || "(empty body)"}`;
  if (status === 400) {
    return new DaError(
      { code: "DA_ERROR_BAD_REQUEST", op, status, attempts, body: text },
      `eigenda-proxy rejected the ${op} as bad input (400; too large or malformed) ${tail}; retrying will not help`,
    );
  }
  if (status === 418) {
    return new DaError(
      { code: "DA_ERROR_INVALID_CERT", op, status, cert: cert ?? "0x", attempts, body: text },
      `certificate ${(cert ?? "0x").slice(0, 66)} is invalid (418) ${tail}; re-disperse the payload with put() and use the new certificate`,
    );
  }
  if (status === 429) {
    return new DaError(
      { code: "DA_ERROR_RATE_LIMITED", op, status, attempts, body: text },
      `EigenDA rate-limited the ${op} (429) ${tail}; lower the dispersal rate or raise maxRetries/maxDelayMs`,
    );
  }
  if (status === 503) {
    return new DaError(
      { code: "DA_ERROR_UNAVAILABLE", op, status, attempts, body: text },
      `EigenDA is unavailable (503) ${tail}; retry later and check the proxy's disperser connection`,
    );
  }
  if (status >= 500 && status <= 599) {
    return new DaError(
      { code: "DA_ERROR_SERVER", op, status, attempts, body: text },
      `eigenda-proxy failed the ${op} with ${status} ${tail}; a missing or expired blob is also reported as 500`,
    );
  }
  return new DaError(
    { code: "DA_ERROR_UNEXPECTED_STATUS", op, status, attempts, body: text },
    `unexpected HTTP ${status} for ${op} ${tail}; check that the URL points at eigenda-proxy`,
  );
}

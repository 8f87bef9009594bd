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
 * Layr-Labs/eigenda `api/proxy/servers/rest/middleware/error.go`): 400 bad input or too large,
 * 418 derivation error (invalid certificate: re-disperse; its JSON body `{"StatusCode":n,"Msg":…}`
 * gives the code), 429 rate limited, 503 "fail over" (EigenDA down), a 500 of a `get` whose body
 * says the blob is not found → `DA_ERROR_NOT_FOUND`, other 5xx, anything else unexpected.
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
    const derivation = parseDerivationError(text);
    return new DaError(
      { code: "DA_ERROR_INVALID_CERT", op, status, cert: cert ?? "0x", attempts, body: text, ...derivation },
      `certificate ${(cert ?? "0x").slice(0, 66)} is invalid (418, derivation error ${derivation.derivationCode ?? "?"}: ${DERIVATION_CODES[derivation.derivationCode ?? 0] ?? "unknown"}) ${tail}; re-disperse the payload with put() and use the new certificate`,
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
      { code: "DA_ERROR_UNAVAILABLE", op, status, attempts, body: text, urls: 1 },
      `EigenDA is unavailable: the proxy asked to fail over (503) ${tail}; list more proxies in daUrl or retry later`,
    );
  }
  if (status === 500 && op === "get" && NOT_FOUND_RE.test(text)) {
    return new DaError(
      { code: "DA_ERROR_NOT_FOUND", op, status, cert: cert ?? "0x", attempts, body: text },
      `eigenda-proxy has no blob for certificate ${(cert ?? "0x").slice(0, 66)} (500 not found) ${tail}; it was never dispersed there or has expired`,
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

/** A 500 body saying the blob is missing (the proxy's memstore: "payload not found for key"; expired blobs). */
const NOT_FOUND_RE = /not found|expired|no such blob/i;

/** The proxy's derivation-error codes (418 body `StatusCode`). */
const DERIVATION_CODES: Readonly<Record<number, string>> = {
  1: "certificate parsing failed",
  2: "recency check failed",
  3: "invalid certificate",
  4: "blob decoding failed",
};

/** Reads `{"StatusCode": n, "Msg": "..."}` from a 418 body; empty when the body is not one. */
export function parseDerivationError(text: string): { derivationCode?: number; derivationMsg?: string } {
  try {
    const parsed = JSON.parse(text.trim()) as { StatusCode?: unknown; Msg?: unknown };
    if (!Number.isInteger(parsed.StatusCode)) return {};
    const out: { derivationCode?: number; derivationMsg?: string } = { derivationCode: parsed.StatusCode as number };
    if (typeof parsed.Msg === "string") out.derivationMsg = parsed.Msg;
    return out;
  } catch {
    return {};
  }
}

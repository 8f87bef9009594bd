import { DaError } from "./errors";
import { MAX_PAYLOAD_BYTES } from "./types";

/** Options of {@link EigenDaProxyClient}; every field but `url` has a default. */
export interface EigenDaProxyClientOptions {
  /**
   * Base URL of eigenda-proxy (or `newton-da-server`), e.g. `http://127.0.0.1:3100`, or an ordered
   * list of them: a 503 (the proxy's "fail over" signal), a network error or a timeout moves the
   * same request on to the next URL at once; every call starts again from the first.
   */
  url: string | readonly string[];
  /**
   * Time limit of one HTTP request, in ms (default 120 000). Dispersal through EigenDA certifies
   * in ~10–20 s but may queue longer; retries get a fresh limit each.
   */
  timeoutMs?: number;
  /** Retries after the first attempt for 429, 503, other 5xx, network errors and timeouts (default 5). */
  maxRetries?: number;
  /** Backoff cap before the first retry, in ms; doubles per retry (default 500). */
  baseDelayMs?: number;
  /** Upper bound of one backoff wait, in ms (default 30 000). */
  maxDelayMs?: number;
  /** Largest payload `put` accepts, in bytes (default and maximum {@link MAX_PAYLOAD_BYTES}). */
  maxPayloadBytes?: number;
  /**
   * Retries of a `get` the proxy answered with a 500 meaning "blob not found" (default 1, at most
   * `maxRetries`): a blob just certified may lag on a relay, but a missing or expired one stays missing.
   */
  notFoundRetries?: number;
}

/** {@link EigenDaProxyClientOptions} with every default applied; frozen. */
export type ResolvedClientOptions = Readonly<
  Required<Omit<EigenDaProxyClientOptions, "url">> & {
    /** The first (primary) proxy URL, without trailing slashes. */
    url: string;
    /** Every proxy URL in fail-over order, without trailing slashes; at least one. */
    urls: readonly string[];
  }
>;

/** Defaults of {@link EigenDaProxyClientOptions}. */
export const DEFAULT_CLIENT_OPTIONS = Object.freeze({
  timeoutMs: 120_000,
  maxRetries: 5,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxPayloadBytes: MAX_PAYLOAD_BYTES,
  notFoundRetries: 1,
});

/**
 * Applies defaults and checks ranges.
 * @throws DaError `DA_ERROR_INVALID_OPTION` when `url` is empty, holds more than 16 URLs or one
 *   that is not an http(s) URL, or a number is out of range (negative, not an integer,
 *   `maxPayloadBytes` above {@link MAX_PAYLOAD_BYTES}).
 */
export function resolveClientOptions(opts: EigenDaProxyClientOptions): ResolvedClientOptions {
  const list: readonly string[] = typeof opts.url === "string" ? [opts.url] : opts.url;
  if (list.length === 0 || list.length > 16) {
    throw invalidOption("url", JSON.stringify(list), "must be one URL or a list of 1 to 16 URLs");
  }
  const urls = list.map((u) => u.replace(/\/+$/, ""));
  for (const u of urls) {
    if (!/^https?:\/\/[^/]+/.test(u)) throw invalidOption("url", u, "must be an http:// or https:// base URL");
  }
  const maxRetries = opts.maxRetries ?? DEFAULT_CLIENT_OPTIONS.maxRetries;
  const notFoundRetries = opts.notFoundRetries ?? Math.min(DEFAULT_CLIENT_OPTIONS.notFoundRetries, maxRetries);
  const resolved = { ...DEFAULT_CLIENT_OPTIONS, ...opts, notFoundRetries, url: urls[0], urls: Object.freeze(urls) };
  checkInteger("timeoutMs", resolved.timeoutMs, 1, 2 ** 31 - 1);
  checkInteger("maxRetries", resolved.maxRetries, 0, 100);
  checkInteger("baseDelayMs", resolved.baseDelayMs, 0, 2 ** 31 - 1);
  checkInteger("maxDelayMs", resolved.maxDelayMs, resolved.baseDelayMs, 2 ** 31 - 1);
  checkInteger("maxPayloadBytes", resolved.maxPayloadBytes, 0, MAX_PAYLOAD_BYTES);
  checkInteger("notFoundRetries", resolved.notFoundRetries, 0, resolved.maxRetries);
  return Object.freeze(resolved);
}

/**
 * Checks that `value` is an integer in [min, max].
 * @throws DaError `DA_ERROR_INVALID_OPTION` otherwise.
 */
export function checkInteger(option: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalidOption(option, String(value), `must be an integer in [${min}, ${max}]`);
  }
}

/**
 * Checks that `value` is a probability in [0, 1].
 * @throws DaError `DA_ERROR_INVALID_OPTION` otherwise.
 */
export function checkRate(option: string, value: number): void {
  if (!(Number.isFinite(value) && value >= 0 && value <= 1)) {
    throw invalidOption(option, String(value), "must be a number in [0, 1]");
  }
}

function invalidOption(option: string, value: string, reason: string): DaError {
  return new DaError(
    { code: "DA_ERROR_INVALID_OPTION", option, value, reason },
    `invalid option ${option}=${value}: ${reason}`,
  );
}

/** Bounds of the exponential backoff between retries, in milliseconds. */
export interface BackoffOptions {
  /** Delay cap before the first retry; doubles with each further retry. */
  baseDelayMs: number;
  /** Upper bound of any single delay, including one asked for by a `Retry-After` header. */
  maxDelayMs: number;
}

/**
 * Delay before retry number `retry` (1 = the first retry), in ms: exponential backoff with
 * "equal jitter" — half of `cap = min(maxDelayMs, baseDelayMs · 2^(retry−1))` fixed, the other
 * half uniformly random — so concurrent keepers spread out but never retry immediately.
 * A `Retry-After` of `retryAfterSeconds` (from a 429/503) raises the delay to at least that many
 * seconds, still capped at `maxDelayMs`.
 *
 * @param random - a source of uniform numbers in [0, 1) (inject a fixed one in tests).
 */
export function backoffDelayMs(
  retry: number,
  opts: BackoffOptions,
  random: () => number,
  retryAfterSeconds?: number,
): number {
  const exponent = Math.min(Math.max(retry - 1, 0), 30);
  const cap = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** exponent);
  const jittered = cap / 2 + random() * (cap / 2);
  const asked = retryAfterSeconds !== undefined ? retryAfterSeconds * 1000 : 0;
  return Math.round(Math.min(opts.maxDelayMs, Math.max(jittered, asked)));
}

/**
 * Parses an HTTP `Retry-After` header given in delta-seconds (RFC 9110 §10.2.3); an HTTP-date or
 * anything else yields undefined (the computed backoff then applies).
 */
export function parseRetryAfterSeconds(header: string | null): number | undefined {
  if (header === null || !/^\d{1,6}$/.test(header.trim())) return undefined;
  return Number(header.trim());
}

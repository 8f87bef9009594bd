import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";

import pino, { type Logger } from "pino";

import { assertLength, bytesToHex, hexToBytes, type Hex } from "../common";
import { DaError } from "./errors";
import type { DaMetrics } from "./metrics";
import { resolveClientOptions, type EigenDaProxyClientOptions, type ResolvedClientOptions } from "./options";
import {
  ACCEPTED_CERT_VERSIONS,
  type DaCallOptions,
  type DaOp,
  type DataAvailability,
  type PayloadHashRecord,
} from "./types";
import { backoffDelayMs, parseRetryAfterSeconds } from "./utils/backoff";
import { keccak256Hex } from "./utils/hash";
import { statusError } from "./utils/status";

/** Injected collaborators of {@link EigenDaProxyClient}; all optional. */
export interface EigenDaProxyClientDeps {
  /** pino logger; the client logs through a `{module: "da"}` child. Default: silent. */
  logger?: Logger;
  /** Metrics sink (see `createDaMetrics`). Default: none. */
  metrics?: DaMetrics;
  /** Aborts every call of this client (e.g. on shutdown) → `DA_ERROR_ABORTED`. */
  signal?: AbortSignal;
  /** Uniform [0, 1) source for backoff jitter. Default: `Math.random`. */
  random?: () => number;
}

interface HttpRequest {
  op: DaOp;
  /** Path and query, e.g. `/put?commitment_mode=standard`. */
  path: string;
  method: "GET" | "POST";
  body?: Uint8Array;
  /** The certificate of a `get`, to name it in a 418. */
  cert?: Hex;
}

type Outcome = { body: Uint8Array } | { error: DaError; retryAfterSeconds?: number };

/**
 * {@link DataAvailability} over the eigenda-proxy REST API in standard commitment mode
 * (source: Layr-Labs/eigenda `api/proxy/servers/rest`, routing and error middleware):
 *
 * | call | HTTP | success |
 * |---|---|---|
 * | `put(payload)` | `POST /put?commitment_mode=standard`, body = payload, `application/octet-stream` | 200, body = version byte ‖ cert |
 * | `get(cert)` | `GET /get/0x<hex cert>?commitment_mode=standard[&l1_inclusion_block_number=N]` | 200, body = payload |
 * | `health()` | `GET /health` | 200 |
 *
 * `put` accepts only certificates whose version byte is in `ACCEPTED_CERT_VERSIONS` (`0x01` V2,
 * `0x02` V3, `0x03` V4). `url` may be an ordered list of proxies: a 503 (the proxy's "fail over"
 * answer), a network error or a timeout moves the request on to the next URL at once, and only
 * when every URL failed does the client back off. Each HTTP attempt has its own `timeoutMs`. 429,
 * 503, other 5xx, network errors and timeouts are retried up to `maxRetries` rounds with
 * exponential backoff and jitter (`baseDelayMs`, `maxDelayMs`, honouring `Retry-After`); a 500
 * saying the blob is not found (`DA_ERROR_NOT_FOUND`) only `notFoundRetries` times; 400 and 418
 * are never retried. A `put` retried after a timeout or a dropped connection may have dispersed
 * the payload twice; either certificate is valid. The proxy does not hash payloads, so the client records keccak256(payload) per
 * certificate at `put` and checks it after every `get`; persist {@link payloadHashes} and reload
 * them with {@link recordPayloadHash} across restarts, or use {@link getVerified} with a hash
 * read from the chain.
 */
export class EigenDaProxyClient implements DataAvailability {
  /** The options in force, defaults applied. */
  readonly opts: ResolvedClientOptions;
  private readonly log: Logger;
  private readonly metrics?: DaMetrics;
  private readonly signal?: AbortSignal;
  private readonly random: () => number;
  private readonly hashes = new Map<Hex, Hex>();

  /**
   * @throws DaError `DA_ERROR_INVALID_OPTION` when an option is out of range (see `resolveClientOptions`).
   */
  constructor(opts: EigenDaProxyClientOptions, deps: EigenDaProxyClientDeps = {}) {
    this.opts = resolveClientOptions(opts);
    this.log = (deps.logger ?? pino({ level: "silent" })).child({ module: "da" });
    this.metrics = deps.metrics;
    this.signal = deps.signal;
    this.random = deps.random ?? Math.random;
  }

  /** Certificate (0x-hex) → keccak256 of its payload (0x-hex), for every `put` and recorded hash. */
  get payloadHashes(): ReadonlyMap<Hex, Hex> {
    return this.hashes;
  }

  /** The recorded hashes as a list, e.g. to persist them. */
  exportPayloadHashes(): PayloadHashRecord[] {
    return [...this.hashes].map(([cert, payloadHash]) => ({ cert, payloadHash }));
  }

  /**
   * Remembers the payload hash of a certificate dispersed earlier (e.g. loaded from the keeper's
   * store), so that `get(cert)` can verify it.
   * @param payloadHash - keccak256 of the payload, 0x-hex of 32 bytes (any case).
   * @throws BytesError `BYTES_ERROR_INVALID_HEX` / `BYTES_ERROR_WRONG_LENGTH` when a value is not 0x-hex of the right length.
   */
  recordPayloadHash(cert: Uint8Array | Hex, payloadHash: Hex): void {
    const certBytes = typeof cert === "string" ? hexToBytes(cert) : cert;
    const hash = assertLength(hexToBytes(payloadHash), 32, "payload hash");
    this.hashes.set(bytesToHex(certBytes), bytesToHex(hash));
  }

  /** Forgets the recorded hash of `cert` (e.g. after its blob expired); true if one was recorded. */
  forgetPayloadHash(cert: Uint8Array | Hex): boolean {
    return this.hashes.delete(typeof cert === "string" ? bytesToHex(hexToBytes(cert)) : bytesToHex(cert));
  }

  /**
   * Disperses `payload` and returns its certificate (version byte ‖ opaque bytes); records
   * keccak256(payload) for the certificate. Sends nothing when the payload is too large.
   * @param payload - 0 … `maxPayloadBytes` (default 16 252 897) bytes.
   * @throws DaError `DA_ERROR_PAYLOAD_TOO_LARGE` when `payload.length > maxPayloadBytes` (no request sent);
   *   `DA_ERROR_BAD_REQUEST` on 400; `DA_ERROR_RATE_LIMITED` / `DA_ERROR_UNAVAILABLE` (every URL asked
   *   to fail over) / `DA_ERROR_SERVER` / `DA_ERROR_NETWORK` / `DA_ERROR_TIMEOUT` once retries are
   *   exhausted; `DA_ERROR_UNEXPECTED_STATUS` on another status; `DA_ERROR_BAD_RESPONSE` on an empty
   *   certificate or a version byte not in `ACCEPTED_CERT_VERSIONS`; `DA_ERROR_ABORTED` when a signal fires.
   */
  async put(payload: Uint8Array, opts: DaCallOptions = {}): Promise<Uint8Array> {
    if (payload.length > this.opts.maxPayloadBytes) {
      throw new DaError(
        {
          code: "DA_ERROR_PAYLOAD_TOO_LARGE",
          payloadBytes: payload.length,
          maxPayloadBytes: this.opts.maxPayloadBytes,
        },
        `payload of ${payload.length} bytes exceeds the EigenDA limit of ${this.opts.maxPayloadBytes} bytes; split it (e.g. splitDelta) before dispersing`,
      );
    }
    const payloadHash = await keccak256Hex(payload);
    const path = "/put?commitment_mode=standard";
    const cert = await this.request({ op: "put", path, method: "POST", body: payload }, opts.signal);
    if (cert.length === 0) {
      throw new DaError(
        { code: "DA_ERROR_BAD_RESPONSE", op: "put", reason: "empty certificate" },
        "eigenda-proxy answered put with 200 but an empty certificate; check the proxy version and commitment mode",
      );
    }
    const certHex = bytesToHex(cert);
    if (!ACCEPTED_CERT_VERSIONS.includes(cert[0])) {
      throw new DaError(
        { code: "DA_ERROR_BAD_RESPONSE", op: "put", reason: `certificate version byte ${certHex.slice(0, 4)}` },
        `eigenda-proxy answered put with a certificate of version byte ${certHex.slice(0, 4)}; the keeper accepts 0x01 (V2), 0x02 (V3) and 0x03 (V4): configure the proxy for EigenDA V2 and standard commitment mode`,
      );
    }
    this.hashes.set(certHex, payloadHash);
    this.metrics?.payloadBytesTotal.inc({ op: "put" }, payload.length);
    this.log.info({ cert: certHex.slice(0, 66), payloadBytes: payload.length, payloadHash }, "payload dispersed");
    return cert;
  }

  /**
   * Retrieves the payload of a certificate this client dispersed (or whose hash was recorded) and
   * checks keccak256(payload) against the recorded hash.
   * @throws DaError `DA_ERROR_UNKNOWN_CERT` when no hash is recorded for `cert` (use `getVerified`);
   *   otherwise as {@link getVerified}.
   */
  async get(cert: Uint8Array, opts: DaCallOptions = {}): Promise<Uint8Array> {
    const certHex = bytesToHex(cert);
    const expected = this.hashes.get(certHex);
    if (expected === undefined) {
      throw new DaError(
        { code: "DA_ERROR_UNKNOWN_CERT", cert: certHex },
        `no payload hash recorded for certificate ${certHex.slice(0, 66)}; call getVerified(cert, hash) with the hash from the chain or recordPayloadHash first`,
      );
    }
    return this.getVerified(cert, expected, opts);
  }

  /**
   * Retrieves the payload of `cert` and checks it against `expectedHash` (e.g. a `valueHash` or
   * delta hash read from the chain).
   * @param expectedHash - keccak256 of the payload, 0x-hex of 32 bytes.
   * @throws DaError `DA_ERROR_HASH_MISMATCH` {expected, actual} when the bytes do not hash to it
   *   (a broken or lying proxy; not retried); `DA_ERROR_INVALID_CERT` on 418 (with the proxy's
   *   `derivationCode`) or an empty cert (re-disperse); `DA_ERROR_NOT_FOUND` on a 500 saying the
   *   blob is missing or expired, after `notFoundRetries` retries; `DA_ERROR_SERVER` on another 5xx
   *   after retries; the other codes as in {@link put}.
   * @throws BytesError when `expectedHash` is not 0x-hex of 32 bytes.
   */
  async getVerified(cert: Uint8Array, expectedHash: Hex, opts: DaCallOptions = {}): Promise<Uint8Array> {
    const expected = bytesToHex(assertLength(hexToBytes(expectedHash), 32, "expected payload hash"));
    const certHex = bytesToHex(cert);
    if (cert.length === 0) {
      throw new DaError(
        { code: "DA_ERROR_INVALID_CERT", op: "get", cert: certHex, attempts: 0, body: "" },
        "empty certificate: a certificate is at least a version byte; re-disperse the payload",
      );
    }
    const path = getPath(certHex, opts);
    const payload = await this.request({ op: "get", path, method: "GET", cert: certHex }, opts.signal);
    const actual = await keccak256Hex(payload);
    if (actual !== expected) {
      throw new DaError(
        { code: "DA_ERROR_HASH_MISMATCH", cert: certHex, expected, actual, payloadBytes: payload.length },
        `payload of certificate ${certHex.slice(0, 66)} hashes to ${actual}, expected ${expected}; the proxy returned wrong bytes — do not use them`,
      );
    }
    this.metrics?.payloadBytesTotal.inc({ op: "get" }, payload.length);
    return payload;
  }

  /**
   * Retrieves the payload of `cert` without a hash check, for payloads that carry their own
   * integrity checks and whose hash nobody recorded (e.g. a delta blob named only by an on-chain
   * certificate: keeper/delta checks every value hash and its metadata digest when decoding).
   * @throws DaError as {@link getVerified}, except `DA_ERROR_HASH_MISMATCH`.
   */
  async getUnverified(cert: Uint8Array, opts: DaCallOptions = {}): Promise<Uint8Array> {
    const certHex = bytesToHex(cert);
    if (cert.length === 0) {
      throw new DaError(
        { code: "DA_ERROR_INVALID_CERT", op: "get", cert: certHex, attempts: 0, body: "" },
        "empty certificate: a certificate is at least a version byte; re-disperse the payload",
      );
    }
    const path = getPath(certHex, opts);
    const payload = await this.request({ op: "get", path, method: "GET", cert: certHex }, opts.signal);
    this.metrics?.payloadBytesTotal.inc({ op: "get" }, payload.length);
    return payload;
  }

  /**
   * One `GET /health` per URL, in order, without retries.
   * @returns true when some URL answers 200; false when every one answers another status, a
   *   network error or a timeout.
   * @throws DaError `DA_ERROR_ABORTED` only when a signal fires.
   */
  async health(opts: DaCallOptions = {}): Promise<boolean> {
    for (const url of this.opts.urls) {
      const outcome = await this.attempt(url, { op: "health", path: "/health", method: "GET" }, 1, opts.signal);
      if ("body" in outcome) return true;
      if (outcome.error.code === "DA_ERROR_ABORTED") throw outcome.error;
      this.log.debug({ url, err: outcome.error.toObject() }, "health check failed");
    }
    return false;
  }

  /**
   * Runs `req` with fail-over and retries; returns the 200 body or throws the last attempt's error.
   * A round tries the URLs in order while they answer 503, a network error or a timeout; any other
   * failure (or the last URL failing) ends the round. Rounds are separated by backoff waits.
   */
  private async request(req: HttpRequest, signal: AbortSignal | undefined): Promise<Uint8Array> {
    const { urls } = this.opts;
    let attempt = 0;
    let notFound = 0;
    for (let round = 1; ; round++) {
      let outcome: Outcome | undefined;
      for (let i = 0; i < urls.length; i++) {
        outcome = await this.attempt(urls[i], req, ++attempt, signal);
        if ("body" in outcome) return outcome.body;
        if (!FAIL_OVER_CODES.has(outcome.error.code)) break;
        if (i + 1 < urls.length) {
          this.log.warn({ op: req.op, from: urls[i], to: urls[i + 1], code: outcome.error.code }, "da failing over");
        }
      }
      if (outcome === undefined || "body" in outcome) throw new Error("unreachable: no attempt made");
      const { retryAfterSeconds } = outcome;
      const error = withUrlCount(outcome.error, urls.length);
      const notFoundLeft = error.code === "DA_ERROR_NOT_FOUND" && ++notFound <= this.opts.notFoundRetries;
      if ((!error.retryable && !notFoundLeft) || round > this.opts.maxRetries) throw error;
      const delayMs = backoffDelayMs(round, this.opts, this.random, retryAfterSeconds);
      this.log.warn({ op: req.op, attempt, code: error.code, delayMs }, "da request failed, retrying");
      this.metrics?.retriesTotal.inc({ op: req.op });
      await this.wait(req.op, attempt, delayMs, signal);
    }
  }

  /** One HTTP attempt against `url`; never throws, every failure becomes an outcome with a typed error. */
  private async attempt(
    url: string,
    req: HttpRequest,
    attempt: number,
    signal: AbortSignal | undefined,
  ): Promise<Outcome> {
    const timeout = AbortSignal.timeout(this.opts.timeoutMs);
    const started = performance.now();
    const headers = req.body ? { "content-type": "application/octet-stream" } : undefined;
    try {
      const res = await fetch(url + req.path, {
        method: req.method,
        body: req.body,
        headers,
        signal: AbortSignal.any(this.signals(timeout, signal)),
      });
      const body = new Uint8Array(await res.arrayBuffer());
      this.observe(req.op, String(res.status), started);
      this.log.debug({ op: req.op, attempt, status: res.status, bytes: body.length }, "da response");
      if (res.status === 200) return { body };
      const retryAfterSeconds = parseRetryAfterSeconds(res.headers.get("retry-after"));
      return { error: statusError(req.op, res.status, body, attempt, req.cert), retryAfterSeconds };
    } catch (err) {
      const error = this.fetchError(url, req.op, attempt, timeout, signal, err);
      this.observe(req.op, error.code, started);
      return { error };
    }
  }

  /** Classifies a rejected fetch: our abort signals → ABORTED, the timeout → TIMEOUT, else NETWORK. */
  private fetchError(
    url: string,
    op: DaOp,
    attempts: number,
    timeout: AbortSignal,
    signal: AbortSignal | undefined,
    err: unknown,
  ) {
    if (this.signal?.aborted || signal?.aborted) return aborted(op, attempts);
    if (timeout.aborted) {
      return new DaError(
        { code: "DA_ERROR_TIMEOUT", op, attempts, timeoutMs: this.opts.timeoutMs },
        `eigenda-proxy at ${url} did not answer the ${op} within ${this.opts.timeoutMs} ms (attempt ${attempts}); raise timeoutMs or check the proxy`,
      );
    }
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
    return new DaError(
      { code: "DA_ERROR_NETWORK", op, attempts, reason },
      `cannot reach eigenda-proxy at ${url} for ${op} (attempt ${attempts}): ${reason}; check that it runs and the URL is right`,
    );
  }

  /** Waits `delayMs` before the next attempt; a fired signal ends the wait with `DA_ERROR_ABORTED`. */
  private async wait(op: DaOp, attempts: number, delayMs: number, signal: AbortSignal | undefined): Promise<void> {
    try {
      await sleep(delayMs, undefined, { signal: AbortSignal.any(this.signals(undefined, signal)) });
    } catch {
      throw aborted(op, attempts);
    }
  }

  private signals(timeout: AbortSignal | undefined, signal: AbortSignal | undefined): AbortSignal[] {
    return [timeout, this.signal, signal].filter((s): s is AbortSignal => s !== undefined);
  }

  private observe(op: DaOp, outcome: string, started: number): void {
    this.metrics?.requestsTotal.inc({ op, outcome });
    this.metrics?.requestSeconds.observe({ op }, (performance.now() - started) / 1000);
  }
}

function aborted(op: DaOp, attempts: number): DaError {
  return new DaError(
    { code: "DA_ERROR_ABORTED", op, attempts },
    `${op} aborted by the caller after ${attempts} attempt(s)`,
  );
}

/** Failures that move a request on to the next proxy URL: the proxy's 503 "fail over", a dead or hung proxy. */
const FAIL_OVER_CODES: ReadonlySet<string> = new Set(["DA_ERROR_UNAVAILABLE", "DA_ERROR_NETWORK", "DA_ERROR_TIMEOUT"]);

/** The `GET /get` path of a certificate, with `l1_inclusion_block_number` when the caller knows it. */
function getPath(certHex: Hex, opts: DaCallOptions): string {
  const base = `/get/${certHex}?commitment_mode=standard`;
  const block = opts.l1InclusionBlockNumber;
  if (block === undefined) return base;
  const n = BigInt(block);
  if (n < 0n || n >= 2n ** 64n) {
    throw new DaError(
      { code: "DA_ERROR_INVALID_OPTION", option: "l1InclusionBlockNumber", value: n.toString(), reason: "not a u64" },
      `l1InclusionBlockNumber ${n} is not a block number in [0, 2^64 - 1]`,
    );
  }
  return `${base}&l1_inclusion_block_number=${n}`;
}

/** A 503 after a whole round names how many proxies asked to fail over. */
function withUrlCount(error: DaError, urls: number): DaError {
  if (error.type.code !== "DA_ERROR_UNAVAILABLE" || urls === 1) return error;
  return new DaError(
    { ...error.type, urls },
    `every one of the ${urls} eigenda-proxy URLs asked to fail over (503) or could not be reached; last: ${error.message}`,
  );
}

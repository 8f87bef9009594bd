import { keccak256 } from "ethers";

import type { IndexedWrite } from "../chain";
import { hexToBytes, type Hex, type KeeperMetrics, type Logger } from "../common";
import { DaError } from "../da";
import type { WindowWrite } from "./types";

const ZERO_HASH: Hex = `0x${"00".repeat(32)}`;
const EMPTY_VALUE_HASH = keccak256("0x");

/** The DA calls the window logic needs (an `EigenDaProxyClient` fits). */
export interface ValueSource {
  getVerified(
    cert: Uint8Array,
    expectedHash: Hex,
    opts?: { signal?: AbortSignal; l1InclusionBlockNumber?: number | bigint },
  ): Promise<Uint8Array>;
}

/**
 * Why a write's bytes are unavailable: `empty_cert` (no certificate), `invalid_cert` (the proxy
 * rejects the certificate: 400/418), `not_found` (a well-formed certificate whose blob DA cannot
 * return: never dispersed, expired, or any persistent 5xx), `hash_mismatch` (bytes whose keccak256
 * is not `valueHash`), `length_mismatch` (bytes whose length is not the declared `byteLength`),
 * `timeout` (no answer within `valueTimeoutMs`), `da_error` (any other DA failure).
 */
export type UnavailableReason =
  "empty_cert" | "invalid_cert" | "not_found" | "hash_mismatch" | "length_mismatch" | "timeout" | "da_error";

/** Options of {@link fetchWindowValues}. */
export interface FetchValuesOptions {
  /** Parallel fetches (default 32: fetches wait on DA, not on this process). */
  readonly concurrency?: number;
  /**
   * Time limit of the whole fetch, in ms (default: none): values not fetched by then are
   * unavailable (`timeout`). Bounds a window however many writes name blobs DA never answers for.
   */
  readonly deadlineMs?: number;
  /**
   * Time limit of one value's fetch, the DA client's own retries included, in ms (default 10 000):
   * what bounds a window's fetch phase however many writes name missing blobs.
   */
  readonly valueTimeoutMs?: number;
  /**
   * Bytes this keeper already holds by value hash (its tree's value store): used without a fetch
   * when their length is the write's `byteLength`, so a re-proposal of held bytes under a useless
   * certificate leaves them available.
   */
  readonly held?: (valueHash: Hex) => Uint8Array | undefined;
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
  readonly metrics?: KeeperMetrics;
}

/**
 * Fetches the value bytes of `writes` from DA by each write's `daCert`, and keeps them only when
 * their keccak256 is the write's `valueHash` and their length is its `byteLength`. Deletes and
 * empty values need no fetch. Every other outcome — no certificate, a certificate the proxy
 * rejects, a blob it cannot return (never dispersed, expired, persistent 5xx), wrong bytes, a
 * wrong length, no answer within `valueTimeoutMs` — returns the write without bytes: it is
 * committed by hash (the leaf holds `valueHash` as the write log says) and reported unavailable.
 * Availability never changes which writes a window commits nor the root, so it never stops a commit.
 * @throws only when `signal` aborts; nothing unverified is ever returned as bytes.
 */
export async function fetchWindowValues(
  da: ValueSource,
  writes: readonly IndexedWrite[],
  opts: FetchValuesOptions = {},
): Promise<WindowWrite[]> {
  const out: WindowWrite[] = new Array(writes.length);
  let next = 0;
  const started = performance.now();
  const deadline = opts.deadlineMs === undefined ? undefined : AbortSignal.timeout(opts.deadlineMs);
  const worker = async (): Promise<void> => {
    while (next < writes.length) {
      const i = next++;
      const got = await fetchOne(da, writes[i], opts, deadline);
      if (typeof got === "string") {
        opts.metrics?.valuesUnavailableTotal.inc({ reason: got });
        opts.logger?.warn({ writeIndex: writes[i].writeIndex.toString(), reason: got }, "value bytes unavailable");
        out[i] = toWindowWrite(writes[i]);
      } else {
        out[i] = { ...toWindowWrite(writes[i]), bytes: got };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 32, writes.length) }, worker));
  opts.signal?.throwIfAborted();
  opts.metrics?.daLatencySeconds.observe({ op: "fetch_values" }, (performance.now() - started) / 1000);
  return out;
}

/** The write-log fields of a write, without bytes. */
export function toWindowWrite(w: IndexedWrite): WindowWrite {
  return {
    writeIndex: w.writeIndex,
    namespace: w.namespace,
    keyHash: w.keyHash,
    valueHash: w.valueHash,
    byteLength: w.byteLength,
  };
}

/** Fetches one write's bytes; the bytes, undefined for a delete, or why they are unavailable. */
async function fetchOne(
  da: ValueSource,
  w: IndexedWrite,
  opts: FetchValuesOptions,
  deadline?: AbortSignal,
): Promise<Uint8Array | undefined | UnavailableReason> {
  if (w.valueHash === ZERO_HASH) return undefined;
  if (w.valueHash === EMPTY_VALUE_HASH) return w.byteLength === 0 ? new Uint8Array(0) : "length_mismatch";
  const held = opts.held?.(w.valueHash);
  if (held !== undefined && held.length === w.byteLength) return held;
  const cert = hexToBytes(w.daCert);
  if (cert.length === 0) return "empty_cert";
  if (deadline?.aborted) return "timeout";
  const own = AbortSignal.timeout(opts.valueTimeoutMs ?? 10_000);
  const timeout = deadline ? AbortSignal.any([own, deadline]) : own;
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  let bytes: Uint8Array;
  try {
    // The write's block is where its certificate landed on-chain: the proxy's recency check needs it.
    bytes = await da.getVerified(cert, w.valueHash, { signal, l1InclusionBlockNumber: w.blockNumber });
  } catch (err) {
    opts.signal?.throwIfAborted();
    if (timeout.aborted) return "timeout";
    if (!(err instanceof DaError)) throw err;
    switch (err.code) {
      case "DA_ERROR_INVALID_CERT":
      case "DA_ERROR_BAD_REQUEST":
        return "invalid_cert";
      case "DA_ERROR_HASH_MISMATCH":
        return "hash_mismatch";
      case "DA_ERROR_SERVER":
      case "DA_ERROR_NOT_FOUND":
      case "DA_ERROR_UNKNOWN_CERT":
        return "not_found";
      default:
        return "da_error";
    }
  }
  return bytes.length === w.byteLength ? bytes : "length_mismatch";
}

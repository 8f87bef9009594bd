import { keccak256 } from "ethers";

import type { IndexedWrite } from "../chain";
import { backoffMs, hexToBytes, sleep, type Hex, type KeeperMetrics, type Logger } from "../common";
import { DaError } from "../da";
import { WindowError } from "./errors";
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

/** Options of {@link fetchWindowValues}. */
export interface FetchValuesOptions {
  /** Parallel fetches (default 8). */
  readonly concurrency?: number;
  /** Fetches of one value whose bytes keep hashing wrong before it counts as unavailable (default 4). */
  readonly mismatchAttempts?: number;
  /** Backoff cap between mismatch retries, in ms (default 200). */
  readonly retryBaseMs?: number;
  /**
   * Whether a write whose bytes keep hashing wrong may now be committed by hash (default: always).
   * When it returns false for some writes, the fetch fails with `WINDOW_ERROR_VALUE_MISMATCH`
   * listing them, so a transient DA fault does not make a value unavailable for good.
   */
  readonly acceptUnavailable?: (writeIndex: bigint) => boolean;
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
  readonly metrics?: KeeperMetrics;
}

/**
 * Fetches the value bytes of `writes` from DA by each write's `daCert`, checked against its
 * `valueHash` (DESIGN.md §5 step 3). Deletes and empty values need no fetch. A value whose bytes
 * keep hashing wrong (`mismatchAttempts` fetches), or whose certificate the proxy rejects (400/418,
 * or an empty cert), is returned without bytes: it is committed by hash and reported unavailable.
 * @throws WindowError `WINDOW_ERROR_DA_UNAVAILABLE` when DA keeps failing (after the client's own
 *   retries): the window must wait; nothing unverified is ever returned as bytes.
 *   `WINDOW_ERROR_VALUE_MISMATCH` with the writes `acceptUnavailable` refused to commit by hash.
 */
export async function fetchWindowValues(
  da: ValueSource,
  writes: readonly IndexedWrite[],
  opts: FetchValuesOptions = {},
): Promise<WindowWrite[]> {
  const out: WindowWrite[] = new Array(writes.length);
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < writes.length) {
      const i = next++;
      out[i] = { ...toWindowWrite(writes[i]), bytes: await fetchOne(da, writes[i], opts) };
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 8, writes.length) }, worker));
  const refused = writes.filter(
    (w, i) =>
      out[i].bytes === undefined && w.valueHash !== ZERO_HASH && opts.acceptUnavailable?.(w.writeIndex) === false,
  );
  if (refused.length > 0) {
    const writeIndexes = refused.map((w) => w.writeIndex.toString());
    throw new WindowError(
      { code: "WINDOW_ERROR_VALUE_MISMATCH", writeIndexes },
      `DA returned wrong bytes for writes ${writeIndexes.join(", ")}; not yet committing them by hash`,
    );
  }
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

async function fetchOne(da: ValueSource, w: IndexedWrite, opts: FetchValuesOptions): Promise<Uint8Array | undefined> {
  if (w.valueHash === ZERO_HASH) return undefined;
  if (w.valueHash === EMPTY_VALUE_HASH) return new Uint8Array(0);
  const cert = hexToBytes(w.daCert);
  if (cert.length === 0) return undefined;
  const attempts = opts.mismatchAttempts ?? 4;
  for (let attempt = 0; ; attempt++) {
    try {
      // The write's block is where its certificate landed on-chain: the proxy's recency check needs it.
      return await da.getVerified(cert, w.valueHash, { signal: opts.signal, l1InclusionBlockNumber: w.blockNumber });
    } catch (err) {
      if (!(err instanceof DaError)) throw err;
      const code = err.code;
      const permanent = code === "DA_ERROR_INVALID_CERT" || code === "DA_ERROR_BAD_REQUEST";
      const mismatch = code === "DA_ERROR_HASH_MISMATCH";
      if (permanent || (mismatch && attempt + 1 >= attempts)) {
        opts.logger?.warn({ writeIndex: w.writeIndex.toString(), code }, "value bytes unavailable");
        return undefined;
      }
      if (!mismatch) {
        throw new WindowError(
          { code: "WINDOW_ERROR_DA_UNAVAILABLE", writeIndex: w.writeIndex.toString(), reason: err.message },
          `value of write ${w.writeIndex} could not be fetched: ${err.message}`,
        );
      }
      await sleep(backoffMs(attempt, opts.retryBaseMs ?? 200, 2_000), opts.signal);
    }
  }
}

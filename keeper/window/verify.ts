import { getAddress } from "ethers";

import type { IndexedWrite, StateCommit } from "../chain";
import type { Delta } from "../delta";
import { WindowError } from "./errors";
import type { WindowWrite } from "./types";

/** What a delta must match besides the write log. */
export interface DeltaExpectation {
  readonly chainId: bigint;
  /** StateCommitRegistry address. */
  readonly registry: string;
  readonly commit: StateCommit;
  /** The previous commit's write-index end (= the window's first write index). */
  readonly writeIndexStart: bigint;
}

/**
 * Checks a delta (docs/architecture.md) against the commit it claims to produce and against the
 * caller's own indexed write log `writes` = exactly the writes `[writeIndexStart, writeIndexEnd)`:
 * header fields (chain, registry, sequence, both roots, write range), then every entry's namespace,
 * key hash, value hash and byte count against the write with its index (the codec already checked
 * keccak256(bytes) = valueHash and the ordering). Writes without an entry are returned without
 * bytes (unavailable values, committed by hash).
 * @returns the window's writes in index order, with the delta's verified bytes.
 * @throws WindowError `WINDOW_ERROR_DELTA_MISMATCH` naming the first field that differs.
 */
export function checkDelta(delta: Delta, expect: DeltaExpectation, writes: readonly IndexedWrite[]): WindowWrite[] {
  const h = delta.header;
  const c = expect.commit;
  same("chainId", expect.chainId, h.chainId);
  same("registry", getAddress(expect.registry), getAddress(h.registry));
  same("sequenceNo", c.sequenceNo, h.sequenceNo);
  same("prevRoot", c.prevStateRoot.toLowerCase(), h.prevRoot.toLowerCase());
  same("newRoot", c.stateRoot.toLowerCase(), h.newRoot.toLowerCase());
  same("writeIndexStart", expect.writeIndexStart, h.writeIndexStart);
  same("writeIndexEnd", c.writeIndexEnd, h.writeIndexEnd);
  same("indexedWrites", c.writeIndexEnd - expect.writeIndexStart, BigInt(writes.length));
  const byIndex = new Map<bigint, Uint8Array>();
  for (const e of delta.entries) {
    const w = writes[Number(e.writeIndex - expect.writeIndexStart)];
    if (w === undefined || w.writeIndex !== e.writeIndex) same("entry.writeIndex", "in range", e.writeIndex);
    const at = `entry[${e.writeIndex}]`;
    same(`${at}.namespace`, w.namespace, e.namespace);
    same(`${at}.keyHash`, w.keyHash.toLowerCase(), e.keyHash.toLowerCase());
    same(`${at}.valueHash`, w.valueHash.toLowerCase(), e.valueHash.toLowerCase());
    const zero = /^0x0{64}$/.test(w.valueHash);
    same(`${at}.byteLength`, zero ? 0 : w.byteLength, e.bytes.length);
    byIndex.set(e.writeIndex, e.bytes);
  }
  return writes.map((w) => {
    const bytes = /^0x0{64}$/.test(w.valueHash) ? undefined : byIndex.get(w.writeIndex);
    return {
      writeIndex: w.writeIndex,
      namespace: w.namespace,
      keyHash: w.keyHash,
      valueHash: w.valueHash,
      byteLength: w.byteLength,
      bytes,
    };
  });
}

function same(field: string, expected: unknown, actual: unknown): void {
  if (expected === actual) return;
  throw new WindowError(
    { code: "WINDOW_ERROR_DELTA_MISMATCH", field, expected: String(expected), actual: String(actual) },
    `delta ${field} is ${String(actual)}, expected ${String(expected)}`,
  );
}

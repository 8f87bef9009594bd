import { expect } from "chai";
import fc from "fast-check";

import { bytesToHex, type Hex } from "../../../keeper/common";
import { DeltaError, type Delta, type DeltaEntry, type DeltaErrorType } from "../../../keeper/delta";
import { keccak256Hex } from "../../../keeper/delta/utils/bytes";

export const U64_MAX = 2n ** 64n - 1n;
export const ZERO_HASH: Hex = `0x${"00".repeat(32)}`;

/** Runs `fn`, expects a DeltaError with `code`, returns its typed fields. */
export function throwsDelta<C extends DeltaErrorType["code"]>(
  fn: () => unknown,
  code: C,
): Extract<DeltaErrorType, { code: C }> {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(DeltaError);
    expect((err as DeltaError).code, (err as Error).message).to.equal(code);
    return (err as DeltaError).type as Extract<DeltaErrorType, { code: C }>;
  }
  return expect.fail(`expected ${code}, nothing was thrown`);
}

/** An entry with the right value hash; `bytes` undefined = delete. */
export function entry(writeIndex: bigint, bytes: Uint8Array | undefined, namespace = 4, key = 1): DeltaEntry {
  return {
    writeIndex,
    namespace,
    keyHash: bytesToHex(new Uint8Array(32).fill(key)),
    valueHash: bytes === undefined ? ZERO_HASH : keccak256Hex(bytes),
    bytes: bytes ?? new Uint8Array(0),
  };
}

/** A small fixed delta: a value, an empty value, a delete, a 3-byte value. */
export function smallDelta(): Delta {
  return {
    header: {
      chainId: 11_155_111n,
      registry: `0x${"ab".repeat(20)}`,
      sequenceNo: 7n,
      prevRoot: `0x${"11".repeat(32)}`,
      newRoot: `0x${"22".repeat(32)}`,
      writeIndexStart: 100n,
      writeIndexEnd: 110n,
    },
    entries: [
      entry(100n, new TextEncoder().encode("package newton\nallow := true\n"), 4, 1),
      entry(102n, new Uint8Array(0), 5, 2),
      entry(103n, undefined, 1, 3),
      entry(109n, Uint8Array.of(1, 2, 3), 2, 4),
    ],
  };
}

const hexOf = (n: number): fc.Arbitrary<Hex> => fc.uint8Array({ minLength: n, maxLength: n }).map(bytesToHex);

/** Random valid deltas: up to 12 entries, values up to 64 bytes or deletes, indexes anywhere in u64. */
export const arbDelta: fc.Arbitrary<Delta> = fc
  .record({
    chainId: fc.bigInt({ min: 0n, max: U64_MAX }),
    registry: hexOf(20),
    sequenceNo: fc.bigInt({ min: 0n, max: U64_MAX }),
    prevRoot: hexOf(32),
    newRoot: hexOf(32),
    start: fc.bigInt({ min: 0n, max: U64_MAX - 2000n }),
    span: fc.integer({ min: 0, max: 2000 }),
    rows: fc.uniqueArray(
      fc.record({
        offset: fc.integer({ min: 0, max: 1999 }),
        namespace: fc.integer({ min: 0, max: 255 }),
        keyHash: hexOf(32),
        value: fc.option(fc.uint8Array({ maxLength: 64 }), { freq: 4 }),
      }),
      { selector: (r) => r.offset, maxLength: 12 },
    ),
  })
  .map(({ chainId, registry, sequenceNo, prevRoot, newRoot, start, span, rows }) => {
    const sorted = [...rows].sort((a, b) => a.offset - b.offset);
    const end = start + BigInt(Math.max(span, sorted.length ? sorted[sorted.length - 1].offset + 1 : 0));
    const entries = sorted.map((r) => ({
      ...entry(start + BigInt(r.offset), r.value ?? undefined, r.namespace),
      keyHash: r.keyHash,
    }));
    return {
      header: { chainId, registry, sequenceNo, prevRoot, newRoot, writeIndexStart: start, writeIndexEnd: end },
      entries,
    };
  });

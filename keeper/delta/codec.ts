import { keccak_256 } from "@noble/hashes/sha3";

import { bytesEqual, bytesToHex, type Hex } from "../common";
import { DeltaError } from "./errors";
import {
  DELTA_DIGEST_BYTES,
  DELTA_ENTRY_FIXED_BYTES,
  DELTA_FORMAT_VERSION,
  DELTA_HEADER_BYTES,
  DELTA_MAGIC,
  DELTA_MAX_ENTRIES,
  DELTA_MAX_VALUE_BYTES,
  type Delta,
  type DeltaEntry,
  type DeltaHeader,
  type DeltaPartInfo,
} from "./types";
import { ByteReader, ByteWriter, keccak256Hex } from "./utils/bytes";

const U64_MAX = 2n ** 64n - 1n;
const ZERO_HASH: Hex = `0x${"00".repeat(32)}`;

/** Size in bytes of `encodeDelta(delta)`: 129 + Σ (77 + value bytes) + 32. */
export function encodedDeltaBytes(delta: Delta): number {
  const values = delta.entries.reduce((n, e) => n + DELTA_ENTRY_FIXED_BYTES + e.bytes.length, 0);
  return DELTA_HEADER_BYTES + values + DELTA_DIGEST_BYTES;
}

/**
 * Encodes a whole delta as one blob (part 0 of 1) in format version 1 (layout: module TSDoc).
 * Validates everything `decodeDelta` checks, so whatever it returns decodes to an equal delta.
 * @throws DeltaError `DELTA_ERROR_INVALID_FIELD` (a u64 out of range, an address/hash that is not
 *   0x-hex of 20/32 bytes, a namespace outside 0…255, a value over 2^32−1 bytes),
 *   `DELTA_ERROR_INVALID_RANGE` (start > end), `DELTA_ERROR_COUNT_MISMATCH` (more entries than
 *   the range holds), `DELTA_ERROR_OUT_OF_RANGE` / `DELTA_ERROR_OUT_OF_ORDER` (write indexes not
 *   strictly increasing inside [start, end)), `DELTA_ERROR_INVALID_DELETE` (zero value hash with
 *   bytes), `DELTA_ERROR_HASH_MISMATCH` (keccak256(bytes) ≠ valueHash).
 */
export function encodeDelta(delta: Delta): Uint8Array {
  checkHeaderFields(delta.header);
  checkRangeAndCount(delta.header, delta.entries.length);
  delta.entries.forEach(checkEntryFields);
  checkEntries(delta.header, delta.entries);
  const w = new ByteWriter(encodedDeltaBytes(delta));
  writeHeader(w, { header: delta.header, entryCount: delta.entries.length, partIndex: 0, partCount: 1 });
  const metas: Uint8Array[] = [];
  for (const e of delta.entries) {
    const start = w.position;
    w.u64(e.writeIndex);
    w.u8(e.namespace);
    w.raw(hexBytes(e.keyHash));
    w.raw(hexBytes(e.valueHash));
    w.u32(e.bytes.length);
    metas.push(w.bytes.subarray(start, w.position));
    w.raw(e.bytes);
  }
  w.raw(digestOf(w.bytes.subarray(0, DELTA_HEADER_BYTES), metas));
  return w.bytes;
}

/**
 * Decodes and fully validates a whole-delta blob (part 0 of 1). Nothing is returned unless every
 * check passes; value bytes are copies, not views of `blob`.
 * @throws DeltaError `DELTA_ERROR_TRUNCATED` (blob ends inside a field), `DELTA_ERROR_BAD_MAGIC`,
 *   `DELTA_ERROR_UNSUPPORTED_VERSION`, `DELTA_ERROR_INVALID_PART` / `DELTA_ERROR_SPLIT_PART`
 *   (a part of a split delta: use `joinDeltaParts`), `DELTA_ERROR_INVALID_RANGE`,
 *   `DELTA_ERROR_COUNT_MISMATCH`, `DELTA_ERROR_TRAILING_BYTES` (bytes after the digest),
 *   `DELTA_ERROR_OUT_OF_RANGE`, `DELTA_ERROR_OUT_OF_ORDER`, `DELTA_ERROR_INVALID_DELETE`,
 *   `DELTA_ERROR_HASH_MISMATCH` {index, expected, actual}, `DELTA_ERROR_DIGEST_MISMATCH`
 *   (a header or entry field altered), in that order of checking.
 */
export function decodeDelta(blob: Uint8Array): Delta {
  const info = decodeDeltaPartHeader(blob);
  if (info.partCount !== 1) {
    throw new DeltaError(
      { code: "DELTA_ERROR_SPLIT_PART", partIndex: info.partIndex, partCount: info.partCount },
      `blob is part ${info.partIndex} of a delta split into ${info.partCount}; fetch every part and call joinDeltaParts`,
    );
  }
  return decodeDeltaBody(info, blob.subarray(DELTA_HEADER_BYTES));
}

/**
 * Reads and checks the 129-byte header of a whole delta or of one part of a split delta, without
 * touching the body (e.g. to learn `partCount` before fetching the other parts).
 * @throws DeltaError `DELTA_ERROR_TRUNCATED`, `DELTA_ERROR_BAD_MAGIC`,
 *   `DELTA_ERROR_UNSUPPORTED_VERSION`, `DELTA_ERROR_INVALID_RANGE`, `DELTA_ERROR_COUNT_MISMATCH`,
 *   `DELTA_ERROR_INVALID_PART` (part count 0 or part index ≥ part count).
 */
export function decodeDeltaPartHeader(blob: Uint8Array): DeltaPartInfo {
  const r = new ByteReader(blob);
  checkMagic(blob);
  r.take(DELTA_MAGIC.length, "magic");
  const version = r.u8("version");
  if (version !== DELTA_FORMAT_VERSION) {
    throw new DeltaError(
      { code: "DELTA_ERROR_UNSUPPORTED_VERSION", expected: DELTA_FORMAT_VERSION, actual: version },
      `delta format version ${version} is not supported (this keeper reads version ${DELTA_FORMAT_VERSION}); upgrade the keeper`,
    );
  }
  const header: DeltaHeader = {
    chainId: r.u64("chainId"),
    registry: r.hex(20, "registry"),
    sequenceNo: r.u64("sequenceNo"),
    prevRoot: r.hex(32, "prevRoot"),
    newRoot: r.hex(32, "newRoot"),
    writeIndexStart: r.u64("writeIndexStart"),
    writeIndexEnd: r.u64("writeIndexEnd"),
  };
  const info = {
    header,
    entryCount: r.u32("entryCount"),
    partIndex: r.u16("partIndex"),
    partCount: r.u16("partCount"),
  };
  checkRangeAndCount(header, info.entryCount);
  if (info.partCount === 0 || info.partIndex >= info.partCount) {
    throw new DeltaError(
      { code: "DELTA_ERROR_INVALID_PART", partIndex: info.partIndex, partCount: info.partCount },
      `invalid part ${info.partIndex} of ${info.partCount}: part count must be ≥ 1 and part index below it`,
    );
  }
  return info;
}

/**
 * Decodes the body (entries ‖ digest) of a delta whose header is `info`; `body` may be the
 * concatenation of the slices of all parts. Offsets in errors count from the start of the blob.
 * @throws DeltaError as {@link decodeDelta}, from `DELTA_ERROR_TRUNCATED` on.
 */
export function decodeDeltaBody(info: DeltaPartInfo, body: Uint8Array): Delta {
  const r = new ByteReader(body, DELTA_HEADER_BYTES);
  r.need(info.entryCount * DELTA_ENTRY_FIXED_BYTES + DELTA_DIGEST_BYTES, `${info.entryCount} entries and the digest`);
  const entries: DeltaEntry[] = [];
  const metas: Uint8Array[] = [];
  for (let i = 0; i < info.entryCount; i++) {
    const meta = r.take(DELTA_ENTRY_FIXED_BYTES, `entry ${i}`);
    const m = new ByteReader(meta);
    const entry = { writeIndex: m.u64(""), namespace: m.u8(""), keyHash: m.hex(32, ""), valueHash: m.hex(32, "") };
    const bytes = r.take(m.u32(""), `value bytes of entry ${i}`).slice();
    entries.push({ ...entry, bytes });
    metas.push(meta);
  }
  const digest = r.take(DELTA_DIGEST_BYTES, "digest");
  if (r.remaining > 0) {
    throw new DeltaError(
      { code: "DELTA_ERROR_TRAILING_BYTES", offset: r.position, trailing: r.remaining },
      `delta has ${r.remaining} unexpected bytes after its digest at byte ${r.position}; the blob is not a delta of this format`,
    );
  }
  checkEntries(info.header, entries);
  const canonical = new ByteWriter(DELTA_HEADER_BYTES);
  writeHeader(canonical, { ...info, partIndex: 0, partCount: 1 });
  const actual = digestOf(canonical.bytes, metas);
  if (!bytesEqual(actual, digest)) {
    throw new DeltaError(
      { code: "DELTA_ERROR_DIGEST_MISMATCH", expected: bytesToHex(digest), actual: bytesToHex(actual) },
      "delta digest does not match its header and entry fields: the blob was altered; fetch it again",
    );
  }
  return { header: info.header, entries };
}

/** Writes the 129-byte header. */
export function writeHeader(w: ByteWriter, info: DeltaPartInfo): void {
  const h = info.header;
  w.raw(DELTA_MAGIC);
  w.u8(DELTA_FORMAT_VERSION);
  w.u64(h.chainId);
  w.raw(hexBytes(h.registry));
  w.u64(h.sequenceNo);
  w.raw(hexBytes(h.prevRoot));
  w.raw(hexBytes(h.newRoot));
  w.u64(h.writeIndexStart);
  w.u64(h.writeIndexEnd);
  w.u32(info.entryCount);
  w.u16(info.partIndex);
  w.u16(info.partCount);
}

/** keccak256(canonical header ‖ entry metadata₀ ‖ … ): binds every field not bound by a value hash. */
function digestOf(canonicalHeader: Uint8Array, metas: Uint8Array[]): Uint8Array {
  const h = keccak_256.create().update(canonicalHeader);
  for (const m of metas) h.update(m);
  return h.digest();
}

function checkMagic(blob: Uint8Array): void {
  const seen = blob.subarray(0, DELTA_MAGIC.length);
  if (!bytesEqual(seen, DELTA_MAGIC.subarray(0, seen.length))) {
    throw new DeltaError(
      { code: "DELTA_ERROR_BAD_MAGIC", expected: bytesToHex(DELTA_MAGIC), actual: bytesToHex(seen) },
      `not a Newton delta: starts with ${bytesToHex(seen)}, expected "NWTD" (0x4e575444)`,
    );
  }
}

function checkRangeAndCount(header: DeltaHeader, entryCount: number): void {
  if (header.writeIndexStart > header.writeIndexEnd) {
    throw new DeltaError(
      {
        code: "DELTA_ERROR_INVALID_RANGE",
        writeIndexStart: header.writeIndexStart,
        writeIndexEnd: header.writeIndexEnd,
      },
      `write index range [${header.writeIndexStart}, ${header.writeIndexEnd}) is reversed`,
    );
  }
  const maxEntries = header.writeIndexEnd - header.writeIndexStart;
  if (BigInt(entryCount) > maxEntries || entryCount > DELTA_MAX_ENTRIES) {
    throw new DeltaError(
      { code: "DELTA_ERROR_COUNT_MISMATCH", entryCount, maxEntries },
      `delta claims ${entryCount} entries but its write index range holds at most ${maxEntries}`,
    );
  }
}

/** Range, order, delete and hash checks shared by encode and decode. */
function checkEntries(header: DeltaHeader, entries: readonly DeltaEntry[]): void {
  const { writeIndexStart, writeIndexEnd } = header;
  entries.forEach((e, index) => {
    if (e.writeIndex < writeIndexStart || e.writeIndex >= writeIndexEnd) {
      throw new DeltaError(
        { code: "DELTA_ERROR_OUT_OF_RANGE", index, writeIndex: e.writeIndex, writeIndexStart, writeIndexEnd },
        `entry ${index} has write index ${e.writeIndex}, outside the delta's range [${writeIndexStart}, ${writeIndexEnd})`,
      );
    }
    const previous = index > 0 ? entries[index - 1].writeIndex : undefined;
    if (previous !== undefined && e.writeIndex <= previous) {
      throw new DeltaError(
        { code: "DELTA_ERROR_OUT_OF_ORDER", index, previous, actual: e.writeIndex },
        `entry ${index} has write index ${e.writeIndex}, not above the previous entry's ${previous}; entries must be strictly increasing`,
      );
    }
    checkValue(e, index);
  });
}

function checkValue(e: DeltaEntry, index: number): void {
  const expected = e.valueHash.toLowerCase() as Hex;
  if (expected === ZERO_HASH) {
    if (e.bytes.length > 0) {
      throw new DeltaError(
        { code: "DELTA_ERROR_INVALID_DELETE", index, byteLength: e.bytes.length },
        `entry ${index} is a delete (value hash 0) but carries ${e.bytes.length} bytes; deletes carry none`,
      );
    }
    return;
  }
  const actual = keccak256Hex(e.bytes);
  if (actual !== expected) {
    throw new DeltaError(
      { code: "DELTA_ERROR_HASH_MISMATCH", index, writeIndex: e.writeIndex, expected, actual },
      `value bytes of entry ${index} (write ${e.writeIndex}) hash to ${actual}, expected ${expected}; the bytes are not the ones written on-chain`,
    );
  }
}

function checkHeaderFields(h: DeltaHeader): void {
  checkU64("chainId", h.chainId);
  checkHex("registry", h.registry, 20);
  checkU64("sequenceNo", h.sequenceNo);
  checkHex("prevRoot", h.prevRoot, 32);
  checkHex("newRoot", h.newRoot, 32);
  checkU64("writeIndexStart", h.writeIndexStart);
  checkU64("writeIndexEnd", h.writeIndexEnd);
}

function checkEntryFields(e: DeltaEntry, i: number): void {
  checkU64(`entries[${i}].writeIndex`, e.writeIndex);
  if (!Number.isInteger(e.namespace) || e.namespace < 0 || e.namespace > 0xff) {
    throw invalidField(`entries[${i}].namespace`, String(e.namespace), "must be an integer in [0, 255]");
  }
  checkHex(`entries[${i}].keyHash`, e.keyHash, 32);
  checkHex(`entries[${i}].valueHash`, e.valueHash, 32);
  if (e.bytes.length > DELTA_MAX_VALUE_BYTES) {
    throw invalidField(
      `entries[${i}].bytes`,
      `${e.bytes.length} bytes`,
      `must be at most ${DELTA_MAX_VALUE_BYTES} bytes`,
    );
  }
}

function checkU64(field: string, v: bigint): void {
  if (typeof v !== "bigint" || v < 0n || v > U64_MAX) throw invalidField(field, String(v), "must be a u64 bigint");
}

function checkHex(field: string, v: string, bytes: number): void {
  if (typeof v !== "string" || v.length !== 2 + 2 * bytes || !/^0x[0-9a-fA-F]*$/.test(v)) {
    throw invalidField(field, String(v).slice(0, 80), `must be 0x-hex of ${bytes} bytes`);
  }
}

function invalidField(field: string, value: string, reason: string): DeltaError {
  return new DeltaError(
    { code: "DELTA_ERROR_INVALID_FIELD", field, value, reason },
    `delta field ${field}=${value} ${reason}`,
  );
}

function hexBytes(hex: Hex): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.slice(2), "hex"));
}

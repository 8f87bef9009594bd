import { concatBytes } from "../common";
import { decodeDeltaBody, decodeDeltaPartHeader, encodeDelta } from "./codec";
import { DeltaError } from "./errors";
import { DELTA_HEADER_BYTES, DELTA_MAX_PARTS, type Delta, type DeltaPartInfo } from "./types";

/**
 * Splits a delta into blobs of at most `maxPayloadBytes` bytes each (e.g. 16 252 897, the usable
 * EigenDA payload). A delta that fits is returned as its single `encodeDelta` blob.
 *
 * Otherwise the body of the whole encoding (entries ‖ digest, everything after the 129-byte
 * header) is cut into byte ranges of `maxPayloadBytes − 129` bytes, the last one shorter; part k
 * is the header with part index k and part count n, followed by range k. Cuts ignore entry
 * boundaries, so a value larger than a blob simply spans several parts, and every part is full but
 * the last. All parts carry the same header fields but the part index, and the entry count of
 * the whole delta.
 *
 * @param maxPayloadBytes - largest blob in bytes; at least 130 (header + 1 body byte).
 * @returns n ≥ 1 blobs in part order, each ≤ `maxPayloadBytes` bytes.
 * @throws DeltaError `DELTA_ERROR_LIMIT_TOO_SMALL` when `maxPayloadBytes` < 130 or not an integer;
 *   `DELTA_ERROR_TOO_MANY_PARTS` when more than 65 535 parts would be needed; any error of
 *   `encodeDelta` for an invalid delta.
 */
export function splitDelta(delta: Delta, maxPayloadBytes: number): Uint8Array[] {
  const minimum = DELTA_HEADER_BYTES + 1;
  if (!Number.isInteger(maxPayloadBytes) || maxPayloadBytes < minimum) {
    throw new DeltaError(
      { code: "DELTA_ERROR_LIMIT_TOO_SMALL", maxPayloadBytes, minimum },
      `cannot split a delta into blobs of ${maxPayloadBytes} bytes; the limit must be an integer ≥ ${minimum}`,
    );
  }
  const blob = encodeDelta(delta);
  if (blob.length <= maxPayloadBytes) return [blob];
  const sliceBytes = maxPayloadBytes - DELTA_HEADER_BYTES;
  const body = blob.subarray(DELTA_HEADER_BYTES);
  const partCount = Math.ceil(body.length / sliceBytes);
  if (partCount > DELTA_MAX_PARTS) {
    throw new DeltaError(
      { code: "DELTA_ERROR_TOO_MANY_PARTS", needed: partCount, max: DELTA_MAX_PARTS },
      `delta of ${blob.length} bytes needs ${partCount} parts of ${maxPayloadBytes} bytes, over the ${DELTA_MAX_PARTS} a delta may have; commit fewer writes`,
    );
  }
  return Array.from({ length: partCount }, (_, k) => {
    const header = blob.slice(0, DELTA_HEADER_BYTES);
    new DataView(header.buffer).setUint16(DELTA_HEADER_BYTES - 4, k, false);
    new DataView(header.buffer).setUint16(DELTA_HEADER_BYTES - 2, partCount, false);
    return concatBytes(header, body.subarray(k * sliceBytes, (k + 1) * sliceBytes));
  });
}

/** Header fields every part of one delta must share, with how to print them. */
const SHARED_FIELDS: ReadonlyArray<[string, (i: DeltaPartInfo) => string]> = [
  ["chainId", (i) => i.header.chainId.toString()],
  ["registry", (i) => i.header.registry],
  ["sequenceNo", (i) => i.header.sequenceNo.toString()],
  ["prevRoot", (i) => i.header.prevRoot],
  ["newRoot", (i) => i.header.newRoot],
  ["writeIndexStart", (i) => i.header.writeIndexStart.toString()],
  ["writeIndexEnd", (i) => i.header.writeIndexEnd.toString()],
  ["entryCount", (i) => String(i.entryCount)],
  ["partCount", (i) => String(i.partCount)],
];

/**
 * Rebuilds and fully validates a delta from the blobs `splitDelta` produced, given in any order
 * (a single whole-delta blob is accepted too). Parts are checked to belong together before the
 * joined body is decoded as by `decodeDelta`.
 * @throws DeltaError `DELTA_ERROR_NO_PARTS` for an empty list; any header error of
 *   `decodeDeltaPartHeader` for a part; `DELTA_ERROR_PART_FOREIGN` {partIndex, field} when a part's
 *   header differs from the first part's (another delta), or when a non-last part is not full or
 *   the last one is longer than the others (a part of another split); `DELTA_ERROR_PART_DUPLICATE`
 *   when a part index appears twice; `DELTA_ERROR_PART_MISSING` {partIndex} for the lowest absent
 *   index; then any body error of `decodeDelta` on the joined body.
 */
export function joinDeltaParts(parts: readonly Uint8Array[]): Delta {
  if (parts.length === 0) {
    throw new DeltaError({ code: "DELTA_ERROR_NO_PARTS" }, "no delta parts given; fetch every part of the delta");
  }
  const infos = parts.map(decodeDeltaPartHeader);
  const byIndex = new Map<number, Uint8Array>();
  infos.forEach((info, i) => {
    checkSameDelta(infos[0], info);
    if (byIndex.has(info.partIndex)) {
      throw new DeltaError(
        { code: "DELTA_ERROR_PART_DUPLICATE", partIndex: info.partIndex },
        `delta part ${info.partIndex} was given twice; pass each part once`,
      );
    }
    byIndex.set(info.partIndex, parts[i].subarray(DELTA_HEADER_BYTES));
  });
  const slices = orderedSlices(byIndex, infos[0].partCount);
  return decodeDeltaBody({ ...infos[0], partIndex: 0, partCount: 1 }, concatBytes(...slices));
}

function checkSameDelta(first: DeltaPartInfo, info: DeltaPartInfo): void {
  for (const [field, show] of SHARED_FIELDS) {
    const expected = show(first);
    const actual = show(info);
    if (expected !== actual) {
      throw new DeltaError(
        { code: "DELTA_ERROR_PART_FOREIGN", partIndex: info.partIndex, field, expected, actual },
        `delta part ${info.partIndex} belongs to another delta: ${field} is ${actual}, expected ${expected}`,
      );
    }
  }
}

/** The body slices in part order, checking none is missing and the cut sizes are consistent. */
function orderedSlices(byIndex: Map<number, Uint8Array>, partCount: number): Uint8Array[] {
  const slices: Uint8Array[] = [];
  for (let k = 0; k < partCount; k++) {
    const slice = byIndex.get(k);
    if (slice === undefined) {
      throw new DeltaError(
        { code: "DELTA_ERROR_PART_MISSING", partIndex: k, partCount },
        `delta part ${k} of ${partCount} is missing; fetch it before joining`,
      );
    }
    slices.push(slice);
  }
  const full = slices[0].length;
  slices.forEach((s, k) => {
    const last = k === partCount - 1;
    if ((!last && s.length !== full) || (last && (s.length > full || s.length === 0))) {
      throw new DeltaError(
        {
          code: "DELTA_ERROR_PART_FOREIGN",
          partIndex: k,
          field: "sliceBytes",
          expected: `${full}`,
          actual: `${s.length}`,
        },
        `delta part ${k} carries ${s.length} body bytes where ${last ? `1…${full}` : full} were expected; it comes from another split`,
      );
    }
  });
  return slices;
}

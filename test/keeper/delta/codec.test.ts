import { expect } from "chai";
import fc from "fast-check";

import { bytesToHex } from "../../../keeper/common";
import {
  DELTA_DIGEST_BYTES,
  DELTA_ENTRY_FIXED_BYTES,
  DELTA_HEADER_BYTES,
  DeltaError,
  decodeDelta,
  decodeDeltaPartHeader,
  encodeDelta,
  encodedDeltaBytes,
  type Delta,
} from "../../../keeper/delta";
import { keccak256Hex } from "../../../keeper/delta/utils/bytes";
import { U64_MAX, ZERO_HASH, arbDelta, entry, smallDelta, throwsDelta } from "./delta.helpers";

/** Byte ranges of `blob` (a whole delta) where a flipped bit must fail the value-hash check. */
function hashCheckedRanges(delta: Delta): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let offset = DELTA_HEADER_BYTES;
  for (const e of delta.entries) {
    ranges.push([offset + 41, offset + 73]); // valueHash
    ranges.push([offset + DELTA_ENTRY_FIXED_BYTES, offset + DELTA_ENTRY_FIXED_BYTES + e.bytes.length]); // bytes
    offset += DELTA_ENTRY_FIXED_BYTES + e.bytes.length;
  }
  return ranges;
}

function flipBit(blob: Uint8Array, bit: number): Uint8Array {
  const out = blob.slice();
  out[bit >> 3] ^= 1 << (bit & 7);
  return out;
}

describe("delta codec", () => {
  describe("encodeDelta / decodeDelta", () => {
    /** Invariant: decode(encode(d)) = d for every valid delta, and the size is as documented. */
    it("round-trips random deltas", () => {
      fc.assert(
        fc.property(arbDelta, (delta) => {
          const blob = encodeDelta(delta);
          expect(blob.length).to.equal(encodedDeltaBytes(delta));
          expect(decodeDelta(blob)).to.deep.equal(delta);
        }),
        { numRuns: 300 },
      );
    });

    it("writes the documented header layout", () => {
      const delta = smallDelta();
      const blob = encodeDelta(delta);
      const view = new DataView(blob.buffer);
      expect(new TextDecoder().decode(blob.subarray(0, 4))).to.equal("NWTD");
      expect(blob[4]).to.equal(1);
      expect(view.getBigUint64(5)).to.equal(11_155_111n);
      expect(bytesToHex(blob.subarray(13, 33))).to.equal(delta.header.registry);
      expect(view.getBigUint64(33)).to.equal(7n);
      expect(bytesToHex(blob.subarray(41, 73))).to.equal(delta.header.prevRoot);
      expect(bytesToHex(blob.subarray(73, 105))).to.equal(delta.header.newRoot);
      expect([view.getBigUint64(105), view.getBigUint64(113)]).to.deep.equal([100n, 110n]);
      expect([view.getUint32(121), view.getUint16(125), view.getUint16(127)]).to.deep.equal([4, 0, 1]);
      expect(view.getBigUint64(129)).to.equal(100n);
      expect(decodeDeltaPartHeader(blob)).to.deep.equal({
        header: delta.header,
        entryCount: 4,
        partIndex: 0,
        partCount: 1,
      });
    });

    it("encodes an empty delta as header and digest only", () => {
      const delta: Delta = { header: { ...smallDelta().header, writeIndexEnd: 100n }, entries: [] };
      const blob = encodeDelta(delta);
      expect(blob.length).to.equal(DELTA_HEADER_BYTES + DELTA_DIGEST_BYTES);
      expect(decodeDelta(blob)).to.deep.equal(delta);
    });
  });

  describe("decodeDelta rejects malformed blobs", () => {
    const blob = encodeDelta(smallDelta());

    /** Invariant: every strict prefix of a valid blob is rejected as truncated. */
    it("rejects every prefix with DELTA_ERROR_TRUNCATED", () => {
      for (let len = 0; len < blob.length; len++) {
        const err = throwsDelta(() => decodeDelta(blob.subarray(0, len)), "DELTA_ERROR_TRUNCATED");
        expect(err.offset).to.be.at.most(len);
      }
    });

    /** Invariant: any bytes after the digest are rejected. */
    it("rejects extended blobs with DELTA_ERROR_TRAILING_BYTES", () => {
      fc.assert(
        fc.property(arbDelta, fc.uint8Array({ minLength: 1, maxLength: 100 }), (delta, extra) => {
          const good = encodeDelta(delta);
          const bad = new Uint8Array([...good, ...extra]);
          const err = throwsDelta(() => decodeDelta(bad), "DELTA_ERROR_TRAILING_BYTES");
          expect(err).to.include({ offset: good.length, trailing: extra.length });
        }),
        { numRuns: 100 },
      );
    });

    /**
     * Invariant: every single-bit flip is rejected; a flip inside a value hash or value bytes fails
     * exactly the hash check of that entry.
     */
    it("rejects every single-bit flip of a small blob (exhaustive)", () => {
      const ranges = hashCheckedRanges(smallDelta());
      for (let bit = 0; bit < blob.length * 8; bit++) {
        const byte = bit >> 3;
        const flipped = flipBit(blob, bit);
        const hashed = ranges.findIndex(([from, to]) => byte >= from && byte < to);
        if (hashed >= 0) {
          const err = throwsDelta(() => decodeDelta(flipped), "DELTA_ERROR_HASH_MISMATCH");
          expect(err.index).to.equal(hashed >> 1);
        } else {
          expect(() => decodeDelta(flipped), `bit ${bit}`).to.throw(DeltaError);
        }
      }
    });

    it("rejects random single-bit flips of random deltas", () => {
      fc.assert(
        fc.property(arbDelta, fc.nat(), (delta, n) => {
          const good = encodeDelta(delta);
          const bit = n % (good.length * 8);
          const inHashed = hashCheckedRanges(delta).some(([f, t]) => bit >> 3 >= f && bit >> 3 < t);
          if (inHashed) throwsDelta(() => decodeDelta(flipBit(good, bit)), "DELTA_ERROR_HASH_MISMATCH");
          else expect(() => decodeDelta(flipBit(good, bit))).to.throw(DeltaError);
        }),
        { numRuns: 500 },
      );
    });

    it("rejects a flip in value bytes with the entry index, expected and actual hash", () => {
      const delta = smallDelta();
      const bad = blob.slice();
      bad[bad.length - DELTA_DIGEST_BYTES - 1] ^= 0xff; // last byte of entry 3's value
      const err = throwsDelta(() => decodeDelta(bad), "DELTA_ERROR_HASH_MISMATCH");
      expect(err).to.deep.include({
        index: 3,
        writeIndex: 109n,
        expected: delta.entries[3].valueHash,
        actual: keccak256Hex(Uint8Array.of(1, 2, 3 ^ 0xff)),
      });
    });

    it("rejects another magic with DELTA_ERROR_BAD_MAGIC", () => {
      const bad = blob.slice();
      bad[0] = 0x4f;
      expect(throwsDelta(() => decodeDelta(bad), "DELTA_ERROR_BAD_MAGIC")).to.include({ actual: "0x4f575444" });
      throwsDelta(() => decodeDelta(Uint8Array.of(0x4e, 0x00)), "DELTA_ERROR_BAD_MAGIC");
    });

    for (const version of [0, 2, 255]) {
      it(`rejects format version ${version} with DELTA_ERROR_UNSUPPORTED_VERSION`, () => {
        const bad = blob.slice();
        bad[4] = version;
        expect(throwsDelta(() => decodeDelta(bad), "DELTA_ERROR_UNSUPPORTED_VERSION")).to.include({
          expected: 1,
          actual: version,
        });
      });
    }

    it("rejects entries out of order with DELTA_ERROR_OUT_OF_ORDER", () => {
      const bad = blob.slice();
      const second = DELTA_HEADER_BYTES + DELTA_ENTRY_FIXED_BYTES + smallDelta().entries[0].bytes.length;
      new DataView(bad.buffer).setBigUint64(second, 100n); // same as entry 0
      expect(throwsDelta(() => decodeDelta(bad), "DELTA_ERROR_OUT_OF_ORDER")).to.include({
        index: 1,
        previous: 100n,
        actual: 100n,
      });
    });

    it("rejects an entry count beyond the write range with DELTA_ERROR_COUNT_MISMATCH", () => {
      const bad = blob.slice();
      new DataView(bad.buffer).setUint32(121, 11);
      expect(throwsDelta(() => decodeDelta(bad), "DELTA_ERROR_COUNT_MISMATCH")).to.include({ entryCount: 11 });
    });

    it("rejects a reversed write range with DELTA_ERROR_INVALID_RANGE", () => {
      const bad = blob.slice();
      new DataView(bad.buffer).setBigUint64(113, 99n);
      throwsDelta(() => decodeDelta(bad), "DELTA_ERROR_INVALID_RANGE");
    });

    it("rejects a changed root with DELTA_ERROR_DIGEST_MISMATCH", () => {
      const bad = blob.slice();
      bad[80] ^= 0x80; // inside newRoot
      throwsDelta(() => decodeDelta(bad), "DELTA_ERROR_DIGEST_MISMATCH");
    });

    it("rejects a part of a split delta with DELTA_ERROR_SPLIT_PART and bad part fields with DELTA_ERROR_INVALID_PART", () => {
      const part = blob.slice();
      new DataView(part.buffer).setUint16(127, 2);
      throwsDelta(() => decodeDelta(part), "DELTA_ERROR_SPLIT_PART");
      new DataView(part.buffer).setUint16(125, 2);
      throwsDelta(() => decodeDelta(part), "DELTA_ERROR_INVALID_PART");
      new DataView(part.buffer).setUint16(127, 0);
      throwsDelta(() => decodeDelta(part), "DELTA_ERROR_INVALID_PART");
    });
  });

  describe("encodeDelta rejects invalid deltas", () => {
    const base = smallDelta();
    const withEntries = (entries: Delta["entries"]): Delta => ({ header: base.header, entries });

    it("rejects a wrong value hash with DELTA_ERROR_HASH_MISMATCH", () => {
      const bad = { ...base.entries[0], valueHash: base.entries[3].valueHash };
      const err = throwsDelta(() => encodeDelta(withEntries([bad])), "DELTA_ERROR_HASH_MISMATCH");
      expect(err).to.deep.include({ index: 0, expected: base.entries[3].valueHash, actual: base.entries[0].valueHash });
    });

    it("rejects a delete carrying bytes with DELTA_ERROR_INVALID_DELETE", () => {
      const bad = { ...base.entries[2], bytes: Uint8Array.of(1) };
      throwsDelta(() => encodeDelta(withEntries([bad])), "DELTA_ERROR_INVALID_DELETE");
    });

    it("rejects unordered, duplicate and out-of-range write indexes", () => {
      throwsDelta(() => encodeDelta(withEntries([base.entries[1], base.entries[0]])), "DELTA_ERROR_OUT_OF_ORDER");
      throwsDelta(() => encodeDelta(withEntries([base.entries[0], base.entries[0]])), "DELTA_ERROR_OUT_OF_ORDER");
      throwsDelta(() => encodeDelta(withEntries([entry(110n, undefined)])), "DELTA_ERROR_OUT_OF_RANGE");
      throwsDelta(() => encodeDelta(withEntries([entry(99n, undefined)])), "DELTA_ERROR_OUT_OF_RANGE");
    });

    it("rejects out-of-range header and entry fields with DELTA_ERROR_INVALID_FIELD", () => {
      const h = base.header;
      for (const header of [
        { ...h, chainId: U64_MAX + 1n },
        { ...h, sequenceNo: -1n },
        { ...h, registry: `0x${"ab".repeat(19)}` as const },
        { ...h, newRoot: `0x${"zz".repeat(32)}` as const },
      ]) {
        throwsDelta(() => encodeDelta({ header, entries: [] }), "DELTA_ERROR_INVALID_FIELD");
      }
      throwsDelta(
        () => encodeDelta(withEntries([{ ...base.entries[0], namespace: 256 }])),
        "DELTA_ERROR_INVALID_FIELD",
      );
      throwsDelta(
        () => encodeDelta(withEntries([{ ...base.entries[0], keyHash: ZERO_HASH.slice(0, 10) as `0x${string}` }])),
        "DELTA_ERROR_INVALID_FIELD",
      );
    });

    it("rejects a reversed range and more entries than the range holds", () => {
      throwsDelta(
        () => encodeDelta({ header: { ...base.header, writeIndexEnd: 99n }, entries: [] }),
        "DELTA_ERROR_INVALID_RANGE",
      );
      const narrow = { ...base.header, writeIndexEnd: 101n };
      throwsDelta(() => encodeDelta({ header: narrow, entries: base.entries }), "DELTA_ERROR_COUNT_MISMATCH");
    });
  });
});

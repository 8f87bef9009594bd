import { randomBytes } from "node:crypto";

import { expect } from "chai";
import fc from "fast-check";
import { keccak } from "hash-wasm";

import { bytesEqual } from "../../../keeper/common";
import {
  DELTA_HEADER_BYTES,
  decodeDelta,
  decodeDeltaPartHeader,
  encodeDelta,
  encodedDeltaBytes,
  joinDeltaParts,
  splitDelta,
  type Delta,
  type DeltaEntry,
} from "../../../keeper/delta";
import { arbDelta, entry, smallDelta, throwsDelta } from "./delta.helpers";

const LIMIT = 16_252_897;
const MiB = 1024 * 1024;

/** An entry whose hash is computed with hash-wasm (fast on tens of MiB). */
async function bigEntry(writeIndex: bigint, bytes: Uint8Array): Promise<DeltaEntry> {
  return { ...entry(writeIndex, undefined), valueHash: `0x${await keccak(bytes, 256)}`, bytes };
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe("delta split", () => {
  describe("splitDelta / joinDeltaParts on a 40 MiB delta", () => {
    let delta: Delta;
    let parts: Uint8Array[];

    before(async () => {
      // 40 MiB of values; the 20 MiB one is larger than a blob and must span parts.
      const sizes = [3 * MiB, 20 * MiB, 0, 12 * MiB, 1, 5 * MiB];
      const entries = await Promise.all(sizes.map((n, i) => bigEntry(BigInt(1000 + 2 * i), randomBytes(n))));
      entries.splice(2, 0, entry(1003n, undefined));
      delta = { header: { ...smallDelta().header, writeIndexStart: 1000n, writeIndexEnd: 1100n }, entries };
      parts = splitDelta(delta, LIMIT);
    });

    /** Invariant: parts ≤ limit, all full but the last, same header but the part index. */
    it("cuts it into full parts of at most 16 252 897 bytes", () => {
      const total = encodedDeltaBytes(delta);
      expect(parts).to.have.length(Math.ceil((total - DELTA_HEADER_BYTES) / (LIMIT - DELTA_HEADER_BYTES)));
      expect(parts).to.have.length(3);
      parts.forEach((p, k) => {
        expect(p.length).to.be.at.most(LIMIT);
        if (k < parts.length - 1) expect(p.length).to.equal(LIMIT);
        expect(decodeDeltaPartHeader(p)).to.deep.equal({
          header: delta.header,
          entryCount: 7,
          partIndex: k,
          partCount: 3,
        });
      });
    });

    /** Invariant: join(shuffle(split(d))) = d. */
    it("rejoins shuffled parts into the same delta", () => {
      const joined = joinDeltaParts(shuffled(parts, 42));
      expect(joined.header).to.deep.equal(delta.header);
      expect(joined.entries.map((e) => e.writeIndex)).to.deep.equal(delta.entries.map((e) => e.writeIndex));
      joined.entries.forEach((e, i) => {
        expect(e.valueHash).to.equal(delta.entries[i].valueHash);
        expect(bytesEqual(e.bytes, delta.entries[i].bytes), `entry ${i}`).to.equal(true);
      });
    });

    it("rejects a missing part with DELTA_ERROR_PART_MISSING", () => {
      const err = throwsDelta(() => joinDeltaParts([parts[2], parts[0]]), "DELTA_ERROR_PART_MISSING");
      expect(err).to.include({ partIndex: 1, partCount: 3 });
    });

    it("rejects a duplicate part with DELTA_ERROR_PART_DUPLICATE", () => {
      const err = throwsDelta(
        () => joinDeltaParts([parts[0], parts[1], parts[1], parts[2]]),
        "DELTA_ERROR_PART_DUPLICATE",
      );
      expect(err).to.include({ partIndex: 1 });
    });

    it("rejects decoding one part alone with DELTA_ERROR_SPLIT_PART", () => {
      throwsDelta(() => decodeDelta(parts[0]), "DELTA_ERROR_SPLIT_PART");
    });
  });

  describe("joinDeltaParts", () => {
    const delta = smallDelta();
    const parts = splitDelta(delta, 200);

    it("rejects a part of another delta with DELTA_ERROR_PART_FOREIGN naming the field", () => {
      const other = splitDelta({ ...delta, header: { ...delta.header, sequenceNo: 8n } }, 200);
      const err = throwsDelta(
        () => joinDeltaParts([parts[0], other[1], ...parts.slice(2)]),
        "DELTA_ERROR_PART_FOREIGN",
      );
      expect(err).to.include({ partIndex: 1, field: "sequenceNo", expected: "7", actual: "8" });
    });

    it("rejects a part cut with another limit with DELTA_ERROR_PART_FOREIGN", () => {
      const recut = splitDelta(delta, 201);
      expect(recut.length).to.equal(parts.length);
      const err = throwsDelta(
        () => joinDeltaParts([parts[0], recut[1], ...parts.slice(2)]),
        "DELTA_ERROR_PART_FOREIGN",
      );
      expect(err.field).to.equal("sliceBytes");
    });

    it("rejects an altered part body like an altered delta", () => {
      const bad = parts.map((p) => p.slice());
      bad[1][DELTA_HEADER_BYTES + 3] ^= 0x01;
      expect(() => joinDeltaParts(bad)).to.throw(/delta/);
    });

    it("rejects no parts with DELTA_ERROR_NO_PARTS and accepts one whole blob", () => {
      throwsDelta(() => joinDeltaParts([]), "DELTA_ERROR_NO_PARTS");
      expect(joinDeltaParts([encodeDelta(delta)])).to.deep.equal(delta);
    });
  });

  describe("splitDelta", () => {
    it("returns the single encodeDelta blob when the delta fits", () => {
      const blob = encodeDelta(smallDelta());
      const parts = splitDelta(smallDelta(), blob.length);
      expect(parts).to.have.length(1);
      expect(bytesEqual(parts[0], blob)).to.equal(true);
    });

    it("rejects a limit below header + 1 byte with DELTA_ERROR_LIMIT_TOO_SMALL", () => {
      expect(throwsDelta(() => splitDelta(smallDelta(), 129), "DELTA_ERROR_LIMIT_TOO_SMALL")).to.include({
        minimum: 130,
      });
      throwsDelta(() => splitDelta(smallDelta(), 1.5e3 + 0.5), "DELTA_ERROR_LIMIT_TOO_SMALL");
    });

    it("rejects a split needing more than 65 535 parts with DELTA_ERROR_TOO_MANY_PARTS", () => {
      const delta = { ...smallDelta(), entries: [entry(100n, new Uint8Array(70_000))] };
      throwsDelta(() => splitDelta(delta, 130), "DELTA_ERROR_TOO_MANY_PARTS");
    });

    /** Invariant: for any delta and limit, every part fits and join(shuffle(parts)) = delta. */
    it("round-trips random deltas through random limits in any part order", () => {
      fc.assert(
        fc.property(arbDelta, fc.integer({ min: 130, max: 700 }), fc.integer(), (delta, limit, seed) => {
          const parts = splitDelta(delta, limit);
          parts.forEach((p) => expect(p.length).to.be.at.most(limit));
          expect(joinDeltaParts(shuffled(parts, Math.abs(seed)))).to.deep.equal(delta);
        }),
        { numRuns: 200 },
      );
    });
  });
});

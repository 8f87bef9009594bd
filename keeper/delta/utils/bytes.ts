import { keccak_256 } from "@noble/hashes/sha3";

import { bytesToHex, type Hex } from "../../common";
import { DeltaError } from "../errors";

/** keccak256 of `bytes` as 0x-hex (pure JS, synchronous). */
export function keccak256Hex(bytes: Uint8Array): Hex {
  return bytesToHex(keccak_256(bytes));
}

/**
 * Sequential big-endian reader over `bytes`; every read that runs past the end throws
 * `DELTA_ERROR_TRUNCATED` naming the field, so no partial result escapes.
 */
export class ByteReader {
  private offset = 0;
  private readonly view: DataView;

  /** @param base - offset of `bytes[0]` in the whole blob, for error messages. */
  constructor(
    private readonly bytes: Uint8Array,
    private readonly base = 0,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Offset of the next byte in the whole blob. */
  get position(): number {
    return this.base + this.offset;
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  /** @throws DeltaError `DELTA_ERROR_TRUNCATED` when fewer than `needed` bytes remain. */
  need(needed: number, field: string): void {
    if (this.remaining < needed) {
      throw new DeltaError(
        { code: "DELTA_ERROR_TRUNCATED", offset: this.position, needed, available: this.remaining, field },
        `delta truncated at byte ${this.position}: ${field} needs ${needed} bytes, ${this.remaining} left; fetch the whole blob again`,
      );
    }
  }

  u8(field: string): number {
    this.need(1, field);
    return this.view.getUint8(this.offset++);
  }

  u16(field: string): number {
    this.need(2, field);
    const v = this.view.getUint16(this.offset, false);
    this.offset += 2;
    return v;
  }

  u32(field: string): number {
    this.need(4, field);
    const v = this.view.getUint32(this.offset, false);
    this.offset += 4;
    return v;
  }

  u64(field: string): bigint {
    this.need(8, field);
    const v = this.view.getBigUint64(this.offset, false);
    this.offset += 8;
    return v;
  }

  /** A view of the next `length` bytes (no copy). */
  take(length: number, field: string): Uint8Array {
    this.need(length, field);
    const out = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  /** The next `length` bytes as 0x-hex. */
  hex(length: number, field: string): Hex {
    return bytesToHex(this.take(length, field));
  }
}

/** Sequential big-endian writer into a buffer of known size. */
export class ByteWriter {
  readonly bytes: Uint8Array;
  private offset = 0;
  private readonly view: DataView;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }

  get position(): number {
    return this.offset;
  }

  u8(v: number): void {
    this.view.setUint8(this.offset++, v);
  }

  u16(v: number): void {
    this.view.setUint16(this.offset, v, false);
    this.offset += 2;
  }

  u32(v: number): void {
    this.view.setUint32(this.offset, v, false);
    this.offset += 4;
  }

  u64(v: bigint): void {
    this.view.setBigUint64(this.offset, v, false);
    this.offset += 8;
  }

  raw(b: Uint8Array): void {
    this.bytes.set(b, this.offset);
    this.offset += b.length;
  }
}

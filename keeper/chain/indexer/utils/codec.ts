/**
 * Encodings of the indexer's LMDB keys and values: u64 keys big-endian (so LMDB's byte order is
 * numeric order), values JSON with every bigint written as a decimal string ending in `n`
 * (`"42n"`; no other stored string has that form: hashes and addresses are 0x-hex, names are words).
 */

const BIGINT_RE = /^\d+n$/;

/** A u64 as 8 bytes big-endian. */
export function u64Key(value: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, value);
  return out;
}

/** Reads a big-endian u64 at `offset` of `bytes`. */
export function readU64Key(bytes: Uint8Array, offset = 0): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(offset);
}

/** `keyHash` (32 bytes) ‖ `writeIndex` (u64 BE): one entry of the per-key index. */
export function keyIndexKey(keyHash: string, writeIndex: bigint): Uint8Array {
  const out = new Uint8Array(40);
  out.set(Buffer.from(keyHash.slice(2), "hex"), 0);
  out.set(u64Key(writeIndex), 32);
  return out;
}

/** JSON text of `value`, bigints as `"<decimal>n"`. */
export function encodeValue(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));
}

/** Inverse of {@link encodeValue}. */
export function decodeValue<T>(text: string): T {
  return JSON.parse(text, (_k, v: unknown) =>
    typeof v === "string" && BIGINT_RE.test(v) ? BigInt(v.slice(0, -1)) : v,
  ) as T;
}

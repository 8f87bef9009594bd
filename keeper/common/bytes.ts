import { KeeperError } from "./errors";

/** Errors of the byte/hex helpers. */
export type BytesErrorType =
  | { code: "BYTES_ERROR_INVALID_HEX"; value: string }
  | { code: "BYTES_ERROR_WRONG_LENGTH"; expected: number; actual: number; what: string };

/** Raised when a hex string or byte array does not have the required form. */
export class BytesError extends KeeperError<BytesErrorType> {}

/** A `0x`-prefixed, lower-case hex string. */
export type Hex = `0x${string}`;

const HEX_RE = /^0x([0-9a-fA-F]{2})*$/;

/**
 * Parses a `0x`-prefixed hex string (even length, any case) into bytes.
 * @throws BytesError `BYTES_ERROR_INVALID_HEX` when the string is not 0x-hex of even length.
 */
export function hexToBytes(hex: string): Uint8Array {
  if (!HEX_RE.test(hex)) {
    throw new BytesError(
      { code: "BYTES_ERROR_INVALID_HEX", value: hex.slice(0, 80) },
      `not 0x-prefixed even-length hex: ${hex.slice(0, 80)}`,
    );
  }
  return Uint8Array.from(Buffer.from(hex.slice(2), "hex"));
}

/** Encodes bytes as a `0x`-prefixed lower-case hex string. */
export function bytesToHex(bytes: Uint8Array): Hex {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")}`;
}

/**
 * Checks that `bytes` has exactly `length` bytes and returns it.
 * @param what - what the bytes are, for the error message (e.g. "G1 point").
 * @throws BytesError `BYTES_ERROR_WRONG_LENGTH` otherwise.
 */
export function assertLength(bytes: Uint8Array, length: number, what: string): Uint8Array {
  if (bytes.length !== length) {
    throw new BytesError(
      { code: "BYTES_ERROR_WRONG_LENGTH", expected: length, actual: bytes.length, what },
      `${what} must be ${length} bytes, got ${bytes.length}`,
    );
  }
  return bytes;
}

/** Concatenates byte arrays into a new array. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Byte-wise equality of two arrays (not constant-time: never use it on secrets). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

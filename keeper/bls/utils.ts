/**
 * Internal helpers of keeper/bls: length checks and the translation of blst's error codes into
 * `BlsError`. Not exported from the module.
 */
import { BlsError } from "./errors";

/**
 * Returns `bytes` when its length is one of `expected`.
 * @throws BlsError `BLS_ERROR_INVALID_LENGTH` otherwise.
 */
export function checkLength(bytes: Uint8Array, expected: readonly number[], what: string): Uint8Array {
  if (!(bytes instanceof Uint8Array) || !expected.includes(bytes.length)) {
    const actual = bytes instanceof Uint8Array ? bytes.length : -1;
    throw new BlsError(
      { code: "BLS_ERROR_INVALID_LENGTH", what, expected, actual },
      `${what} must be ${expected.join(" or ")} bytes, got ${actual < 0 ? "a non-Uint8Array" : actual}`,
    );
  }
  return bytes;
}

/** True when every byte is zero. */
export function isZero(bytes: Uint8Array): boolean {
  return bytes.every((b) => b === 0);
}

/** Big-endian unsigned integer of `bytes`. */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString("hex")}`);
}

/** `value` as `length` big-endian bytes; the caller guarantees it fits. */
export function bigIntToBytes(value: bigint, length: number): Uint8Array {
  return Uint8Array.from(Buffer.from(value.toString(16).padStart(length * 2, "0"), "hex"));
}

function blstCode(err: unknown): string | undefined {
  if (err instanceof Error && "code" in err && typeof err.code === "string") return err.code;
  return undefined;
}

/**
 * Runs a blst call and rethrows its errors as `BlsError` (errors without a blst code pass through).
 * @throws BlsError `BLS_ERROR_NOT_CANONICAL` (BLST_BAD_ENCODING), `BLS_ERROR_INVALID_POINT`
 *   (BLST_POINT_NOT_ON_CURVE, BLST_POINT_NOT_IN_GROUP), `BLS_ERROR_INFINITY` (BLST_PK_IS_INFINITY).
 */
export function withBlstErrors<R>(what: string, fn: () => R): R {
  try {
    return fn();
  } catch (err) {
    switch (blstCode(err)) {
      case "BLST_BAD_ENCODING":
        throw new BlsError(
          { code: "BLS_ERROR_NOT_CANONICAL", what, reason: "bad flag bits or a coordinate >= p" },
          `${what} is not a canonical ZCash serialization (bad flag bits or a coordinate >= p)`,
        );
      case "BLST_POINT_NOT_ON_CURVE":
        throw new BlsError(
          { code: "BLS_ERROR_INVALID_POINT", what, reason: "not on curve" },
          `${what} is not on the BLS12-381 curve`,
        );
      case "BLST_POINT_NOT_IN_GROUP":
        throw new BlsError(
          { code: "BLS_ERROR_INVALID_POINT", what, reason: "not in subgroup" },
          `${what} is on the curve but not in the prime-order subgroup`,
        );
      case "BLST_PK_IS_INFINITY":
        throw new BlsError(
          { code: "BLS_ERROR_INFINITY", what },
          `${what} is the point at infinity, which is not a usable key or signature`,
        );
      default:
        throw err;
    }
  }
}

/**
 * EIP-2537 codec: exact conversion between the ZCash serializations that blst reads and writes and
 * the encodings the EIP-2537 precompiles take. Pure (no I/O); blst is used only to decompress and to
 * check curve and subgroup membership.
 *
 * ```
 * ZCash (blst)                               EIP-2537
 * Fp   48 B big-endian, flags in top 3 bits   64 B = 16 zero bytes ‖ 48 B big-endian, value < p
 * G1   uncompressed x‖y (96 B)                x‖y (128 B)
 * G2   uncompressed x.c1‖x.c0‖y.c1‖y.c0       x.c0‖x.c1‖y.c0‖y.c1 (256 B)   ← Fp2 order flips
 * ∞    flag 0x40, all other bits 0            all zero bytes
 * ```
 * Flag bits (byte 0): 0x80 compressed, 0x40 infinity, 0x20 sign of y (compressed form only).
 */
import { PublicKey, Signature } from "@chainsafe/blst";

import { concatBytes } from "../common";
import {
  FLAG_COMPRESSED,
  FLAG_INFINITY,
  FLAG_MASK,
  FLAG_SIGN,
  FP_BYTES,
  FP_EIP2537_BYTES,
  FP_EIP2537_PADDING_BYTES,
  FP_MODULUS,
  G1_COMPRESSED_BYTES,
  G1_EIP2537_BYTES,
  G1_UNCOMPRESSED_BYTES,
  G2_COMPRESSED_BYTES,
  G2_EIP2537_BYTES,
  G2_UNCOMPRESSED_BYTES,
} from "./constants";
import { BlsError } from "./errors";
import type { PointDecodeOptions } from "./types";
import { bigIntToBytes, bytesToBigInt, checkLength, isZero, withBlstErrors } from "./utils";

const G1_EIP = "G1 point (EIP-2537, 128 bytes)";
const G2_EIP = "G2 point (EIP-2537, 256 bytes)";
const G1_ZCASH = "G1 point (ZCash serialization)";
const G2_ZCASH = "G2 point (ZCash serialization)";

function notCanonical(what: string, reason: string): BlsError {
  return new BlsError({ code: "BLS_ERROR_NOT_CANONICAL", what, reason }, `${what} is not canonical: ${reason}`);
}

/** Reads one 64-byte EIP-2537 Fp element, returning its 48 value bytes. */
function readEipFp(bytes: Uint8Array, offset: number, what: string, name: string): Uint8Array {
  const padding = bytes.subarray(offset, offset + FP_EIP2537_PADDING_BYTES);
  if (!isZero(padding)) throw notCanonical(what, `the 16 padding bytes of ${name} are not zero`);
  const value = bytes.slice(offset + FP_EIP2537_PADDING_BYTES, offset + FP_EIP2537_BYTES);
  if (bytesToBigInt(value) >= FP_MODULUS) throw notCanonical(what, `${name} is not below the field modulus p`);
  return value;
}

/** Checks a 48-byte ZCash Fp value (flags already cleared) is below p. */
function checkZcashFp(value: Uint8Array, what: string, name: string): Uint8Array {
  if (bytesToBigInt(value) >= FP_MODULUS) throw notCanonical(what, `${name} is not below the field modulus p`);
  return value;
}

/** 48 value bytes → 64-byte EIP-2537 Fp element. */
function padFp(value: Uint8Array): Uint8Array {
  return concatBytes(new Uint8Array(FP_EIP2537_PADDING_BYTES), value);
}

/**
 * Validates the flag bits of a ZCash uncompressed point and splits it into `FP_BYTES` chunks
 * (flags cleared). Returns `undefined` for the point at infinity.
 */
function splitUncompressed(raw: Uint8Array, what: string): Uint8Array[] | undefined {
  const flags = raw[0] & FLAG_MASK;
  if (flags & FLAG_COMPRESSED) throw notCanonical(what, "the compression flag (0x80) is set in an uncompressed point");
  if (flags & FLAG_SIGN) throw notCanonical(what, "the sign flag (0x20) is set in an uncompressed point");
  const body = raw.slice();
  body[0] &= ~FLAG_MASK;
  if (flags & FLAG_INFINITY) {
    if (!isZero(body)) throw notCanonical(what, "the infinity flag is set but the coordinates are not zero");
    return undefined;
  }
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < raw.length; i += FP_BYTES) {
    chunks.push(checkZcashFp(body.slice(i, i + FP_BYTES), what, `coordinate word ${i / FP_BYTES}`));
  }
  return chunks;
}

/** The ZCash uncompressed encoding of the point at infinity (flag 0x40, rest zero). */
function uncompressedInfinity(length: number): Uint8Array {
  const raw = new Uint8Array(length);
  raw[0] = FLAG_INFINITY;
  return raw;
}

/**
 * Transcodes a ZCash uncompressed G1 point (96 B, x‖y) to EIP-2537 (128 B, x‖y, each Fp padded to
 * 64 B). Infinity (0x40 ‖ 0…) becomes 128 zero bytes. Does not check that the point is on the curve.
 * @throws BlsError `BLS_ERROR_INVALID_LENGTH` when not 96 bytes; `BLS_ERROR_NOT_CANONICAL` when the
 *   compression or sign flag is set, the infinity encoding has non-zero bits, or x or y ≥ p.
 * Source: ZCash BLS12-381 serialization; EIP-2537 "Fine points and encoding of base elements".
 */
export function g1UncompressedToEip2537(raw: Uint8Array): Uint8Array {
  checkLength(raw, [G1_UNCOMPRESSED_BYTES], G1_ZCASH);
  const words = splitUncompressed(raw, G1_ZCASH);
  if (words === undefined) return new Uint8Array(G1_EIP2537_BYTES);
  return concatBytes(padFp(words[0]), padFp(words[1]));
}

/**
 * Transcodes an EIP-2537 G1 point (128 B) to the ZCash uncompressed form (96 B). 128 zero bytes
 * become the infinity encoding (0x40 ‖ 95 zero bytes). Does not check that the point is on the curve.
 * @throws BlsError `BLS_ERROR_INVALID_LENGTH` when not 128 bytes; `BLS_ERROR_NOT_CANONICAL` when a
 *   padding byte is non-zero or x or y ≥ p.
 * Source: EIP-2537 "Encoding of points in G1/G2", "Point of infinity encoding".
 */
export function g1Eip2537ToUncompressed(bytes: Uint8Array): Uint8Array {
  checkLength(bytes, [G1_EIP2537_BYTES], G1_EIP);
  if (isZero(bytes)) return uncompressedInfinity(G1_UNCOMPRESSED_BYTES);
  return concatBytes(readEipFp(bytes, 0, G1_EIP, "x"), readEipFp(bytes, FP_EIP2537_BYTES, G1_EIP, "y"));
}

/**
 * Transcodes a ZCash uncompressed G2 point (192 B: x.c1‖x.c0‖y.c1‖y.c0) to EIP-2537 (256 B:
 * x.c0‖x.c1‖y.c0‖y.c1, each Fp padded to 64 B). Infinity becomes 256 zero bytes. No curve check.
 * @throws BlsError `BLS_ERROR_INVALID_LENGTH` when not 192 bytes; `BLS_ERROR_NOT_CANONICAL` when the
 *   compression or sign flag is set, the infinity encoding has non-zero bits, or a coefficient ≥ p.
 * Source: ZCash BLS12-381 serialization (Fp2 as c1‖c0); EIP-2537 (Fp2 as c0‖c1).
 */
export function g2UncompressedToEip2537(raw: Uint8Array): Uint8Array {
  checkLength(raw, [G2_UNCOMPRESSED_BYTES], G2_ZCASH);
  const words = splitUncompressed(raw, G2_ZCASH);
  if (words === undefined) return new Uint8Array(G2_EIP2537_BYTES);
  const [xc1, xc0, yc1, yc0] = words;
  return concatBytes(padFp(xc0), padFp(xc1), padFp(yc0), padFp(yc1));
}

/**
 * Transcodes an EIP-2537 G2 point (256 B: x.c0‖x.c1‖y.c0‖y.c1) to the ZCash uncompressed form
 * (192 B: x.c1‖x.c0‖y.c1‖y.c0). 256 zero bytes become 0x40 ‖ 191 zero bytes. No curve check.
 * @throws BlsError `BLS_ERROR_INVALID_LENGTH` when not 256 bytes; `BLS_ERROR_NOT_CANONICAL` when a
 *   padding byte is non-zero or a coefficient ≥ p.
 * Source: EIP-2537 "Field elements encoding", "Point of infinity encoding".
 */
export function g2Eip2537ToUncompressed(bytes: Uint8Array): Uint8Array {
  checkLength(bytes, [G2_EIP2537_BYTES], G2_EIP);
  if (isZero(bytes)) return uncompressedInfinity(G2_UNCOMPRESSED_BYTES);
  const xc0 = readEipFp(bytes, 0, G2_EIP, "x.c0");
  const xc1 = readEipFp(bytes, FP_EIP2537_BYTES, G2_EIP, "x.c1");
  const yc0 = readEipFp(bytes, 2 * FP_EIP2537_BYTES, G2_EIP, "y.c0");
  const yc1 = readEipFp(bytes, 3 * FP_EIP2537_BYTES, G2_EIP, "y.c1");
  return concatBytes(xc1, xc0, yc1, yc0);
}

/**
 * Encodes a public key (a G1 point) in EIP-2537 form: 128 bytes, x‖y, each coordinate 16 zero bytes
 * then 48 bytes big-endian. The point at infinity encodes as 128 zero bytes.
 * @param pk - a blst `PublicKey`, or its ZCash serialization: 48 B compressed or 96 B uncompressed.
 *   The point must be on the curve; subgroup membership is not checked here (decoding checks it).
 * @throws BlsError `BLS_ERROR_INVALID_LENGTH` when bytes are neither 48 nor 96 long;
 *   `BLS_ERROR_NOT_CANONICAL` for bad flag bits or x ≥ p; `BLS_ERROR_INVALID_POINT` when not on the curve.
 * Source: EIP-2537; ZCash BLS12-381 serialization.
 */
export function g1ToEip2537(pk: PublicKey | Uint8Array): Uint8Array {
  const point =
    pk instanceof PublicKey
      ? pk
      : withBlstErrors(G1_ZCASH, () =>
          PublicKey.fromBytes(checkLength(pk, [G1_COMPRESSED_BYTES, G1_UNCOMPRESSED_BYTES], G1_ZCASH), false),
        );
  return g1UncompressedToEip2537(point.toBytes(false));
}

/**
 * Decodes a 128-byte EIP-2537 G1 point into a blst `PublicKey`, checking canonical encoding, curve
 * and subgroup membership.
 * @param opts.allowInfinity - accept 128 zero bytes and return the infinity point (default false).
 * @throws BlsError `BLS_ERROR_INVALID_LENGTH` when not 128 bytes; `BLS_ERROR_NOT_CANONICAL` when a
 *   padding byte is non-zero or x or y ≥ p; `BLS_ERROR_INVALID_POINT` when not on the curve or not in
 *   the order-r subgroup; `BLS_ERROR_INFINITY` for 128 zero bytes unless `allowInfinity`.
 * Source: EIP-2537 "Encoding of points in G1/G2".
 */
export function g1FromEip2537(bytes: Uint8Array, opts: PointDecodeOptions = {}): PublicKey {
  const raw = g1Eip2537ToUncompressed(bytes);
  if (raw[0] & FLAG_INFINITY) {
    if (!opts.allowInfinity) throw infinityError(G1_EIP);
    return PublicKey.fromBytes(raw, false);
  }
  return withBlstErrors(G1_EIP, () => PublicKey.fromBytes(raw, true));
}

/**
 * Encodes a signature (a G2 point) in EIP-2537 form: 256 bytes, x.c0‖x.c1‖y.c0‖y.c1 (note: c0
 * first, unlike blst), each Fp 16 zero bytes then 48 bytes big-endian. Infinity → 256 zero bytes.
 * @param sig - a blst `Signature`, or its ZCash serialization: 96 B compressed or 192 B uncompressed.
 *   The point must be on the curve; subgroup membership is not checked here (decoding checks it).
 * @throws BlsError `BLS_ERROR_INVALID_LENGTH` when bytes are neither 96 nor 192 long;
 *   `BLS_ERROR_NOT_CANONICAL` for bad flag bits or a coefficient ≥ p; `BLS_ERROR_INVALID_POINT` when
 *   not on the curve.
 * Source: EIP-2537; ZCash BLS12-381 serialization.
 */
export function g2ToEip2537(sig: Signature | Uint8Array): Uint8Array {
  const point =
    sig instanceof Signature
      ? sig
      : withBlstErrors(G2_ZCASH, () =>
          Signature.fromBytes(checkLength(sig, [G2_COMPRESSED_BYTES, G2_UNCOMPRESSED_BYTES], G2_ZCASH), false, false),
        );
  return g2UncompressedToEip2537(point.toBytes(false));
}

/**
 * Decodes a 256-byte EIP-2537 G2 point (x.c0‖x.c1‖y.c0‖y.c1) into a blst `Signature`, checking
 * canonical encoding, curve and subgroup membership.
 * @param opts.allowInfinity - accept 256 zero bytes and return the infinity point (default false).
 * @throws BlsError `BLS_ERROR_INVALID_LENGTH` when not 256 bytes; `BLS_ERROR_NOT_CANONICAL` when a
 *   padding byte is non-zero or a coefficient ≥ p; `BLS_ERROR_INVALID_POINT` when not on the curve or
 *   not in the order-r subgroup; `BLS_ERROR_INFINITY` for 256 zero bytes unless `allowInfinity`.
 * Source: EIP-2537 "Encoding of points in G1/G2".
 */
export function g2FromEip2537(bytes: Uint8Array, opts: PointDecodeOptions = {}): Signature {
  const raw = g2Eip2537ToUncompressed(bytes);
  if (raw[0] & FLAG_INFINITY) {
    if (!opts.allowInfinity) throw infinityError(G2_EIP);
    return Signature.fromBytes(raw, false, false);
  }
  return withBlstErrors(G2_EIP, () => Signature.fromBytes(raw, true, false));
}

function infinityError(what: string): BlsError {
  return new BlsError(
    { code: "BLS_ERROR_INFINITY", what },
    `${what} is the point at infinity (all zero bytes); pass a real key or signature`,
  );
}

/**
 * Negates a G1 point in EIP-2537 form: (x, y) ↦ (x, p − y); infinity (128 zero bytes) maps to
 * itself. This is what a pairing check `e(P, Q) · e(−G1, σ) = 1` needs for −G1 and what
 * `apk − Σ pk_i` needs on-chain. Pure bigint arithmetic; checks y² = x³ + 4 (mod p), not the
 * subgroup (negation preserves it).
 * @returns a new 128-byte EIP-2537 G1 point.
 * @throws BlsError `BLS_ERROR_INVALID_LENGTH` when not 128 bytes; `BLS_ERROR_NOT_CANONICAL` when a
 *   padding byte is non-zero or x or y ≥ p; `BLS_ERROR_INVALID_POINT` when (x, y) is not on the curve.
 * Source: EIP-2537 "Curve parameters" (B = 4).
 */
export function g1NegateEip2537(point: Uint8Array): Uint8Array {
  checkLength(point, [G1_EIP2537_BYTES], G1_EIP);
  if (isZero(point)) return new Uint8Array(G1_EIP2537_BYTES);
  const x = bytesToBigInt(readEipFp(point, 0, G1_EIP, "x"));
  const y = bytesToBigInt(readEipFp(point, FP_EIP2537_BYTES, G1_EIP, "y"));
  if ((y * y) % FP_MODULUS !== (x * x * x + 4n) % FP_MODULUS) {
    throw new BlsError(
      { code: "BLS_ERROR_INVALID_POINT", what: G1_EIP, reason: "not on curve" },
      `${G1_EIP} is not on the BLS12-381 curve y² = x³ + 4`,
    );
  }
  const negY = y === 0n ? 0n : FP_MODULUS - y;
  return concatBytes(padFp(bigIntToBytes(x, FP_BYTES)), padFp(bigIntToBytes(negY, FP_BYTES)));
}

/**
 * Sizes and field constants of BLS12-381 as used by keeper/bls. Sources: EIP-2537 "Curve
 * parameters" and "Fine points and encoding of base elements"; ZCash BLS12-381 serialization
 * (zkcrypto/bls12_381 `notes/serialization.md`).
 */

/** Base field modulus p of BLS12-381 (381 bits), EIP-2537 "Curve parameters". */
export const FP_MODULUS = BigInt(
  "0x1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab",
);

/** Bytes of one Fp element in the ZCash/blst serialization (big-endian, top 3 bits are flags). */
export const FP_BYTES = 48;
/** Bytes of one Fp element in EIP-2537: 16 zero bytes, then the 48-byte big-endian value. */
export const FP_EIP2537_BYTES = 64;
/** Zero padding in front of each EIP-2537 Fp element. */
export const FP_EIP2537_PADDING_BYTES = FP_EIP2537_BYTES - FP_BYTES;

/** ZCash compressed G1 (public key): x with flags. */
export const G1_COMPRESSED_BYTES = 48;
/** ZCash uncompressed G1: x‖y with flags in x's top bits. */
export const G1_UNCOMPRESSED_BYTES = 96;
/** EIP-2537 G1: x‖y, 64 bytes each. */
export const G1_EIP2537_BYTES = 128;
/** ZCash compressed G2 (signature): x.c1‖x.c0 with flags. */
export const G2_COMPRESSED_BYTES = 96;
/** ZCash uncompressed G2: x.c1‖x.c0‖y.c1‖y.c0 with flags in the first byte. */
export const G2_UNCOMPRESSED_BYTES = 192;
/** EIP-2537 G2: x.c0‖x.c1‖y.c0‖y.c1, 64 bytes each. */
export const G2_EIP2537_BYTES = 256;
/** Secret key: big-endian scalar, 0 < sk < r. */
export const SECRET_KEY_BYTES = 32;
/** Minimum input keying material of KeyGen (draft-irtf-cfrg-bls-signature §2.3). */
export const MIN_IKM_BYTES = 32;

/** ZCash flag bits in byte 0 of a serialized point. */
export const FLAG_COMPRESSED = 0x80;
export const FLAG_INFINITY = 0x40;
export const FLAG_SIGN = 0x20;
export const FLAG_MASK = FLAG_COMPRESSED | FLAG_INFINITY | FLAG_SIGN;

import type { PublicKey, SecretKey, Signature } from "@chainsafe/blst";
import type { IKdfModule, IKeystore } from "@chainsafe/bls-keystore";

/** Options of the EIP-2537 point decoders. */
export interface PointDecodeOptions {
  /** Accept the all-zero encoding and return the point at infinity (default false: reject it). */
  readonly allowInfinity?: boolean;
}

/**
 * A BLS secret key with its public key in every encoding the project uses. Immutable; the byte
 * arrays are copies owned by the keypair.
 */
export interface BlsKeypair {
  /** The secret scalar (blst object; `toBytes()` gives 32 bytes big-endian). Never log it. */
  readonly secretKey: SecretKey;
  /** The public key sk·G1 as a blst object. */
  readonly publicKey: PublicKey;
  /** 48-byte ZCash compressed G1 (what EIP-2335 keystores and the beacon chain store). */
  readonly pubkeyCompressed: Uint8Array;
  /** 96-byte ZCash uncompressed G1 (x‖y, flags in byte 0). */
  readonly pubkeyUncompressed: Uint8Array;
  /** 128-byte EIP-2537 G1 (x‖y, each 16 zero bytes ‖ 48 bytes big-endian): what the registry stores. */
  readonly pubkeyG1Eip2537: Uint8Array;
}

/** One (message, public key, signature) triple of a batch verification. */
export interface SignatureSetItem {
  /** The signed message bytes (hashed to G2 by blst with the POP ciphersuite DST). */
  readonly message: Uint8Array;
  readonly publicKey: PublicKey;
  readonly signature: Signature;
}

/** An EIP-2335 keystore object (version 4) as produced by `@chainsafe/bls-keystore`. */
export type Eip2335Keystore = IKeystore;

/** Options of `encryptKeystore`. */
export interface KeystoreOptions {
  /** EIP-2334 derivation path recorded in the keystore; "" when the key was not derived (default). */
  readonly path?: string;
  /** Free-text description stored in the keystore. */
  readonly description?: string;
  /**
   * KDF and its parameters. Default: the library's pbkdf2 (hmac-sha256, c = 262 144, random salt).
   * Lower costs are for tests only.
   */
  readonly kdf?: Pick<IKdfModule, "function" | "params">;
}

/**
 * BLS key material: key generation (KeyGen of draft-irtf-cfrg-bls-signature §2.3 via blst), public
 * key parsing, and EIP-2335 keystores (`@chainsafe/bls-keystore`). No file I/O: callers read and
 * write the keystore JSON.
 */
import { randomBytes } from "node:crypto";

import { PublicKey, SecretKey } from "@chainsafe/blst";
import { create, decrypt, validateKeystore } from "@chainsafe/bls-keystore";

import { bytesToHex } from "../common";
import { G1_COMPRESSED_BYTES, G1_UNCOMPRESSED_BYTES, MIN_IKM_BYTES, SECRET_KEY_BYTES } from "./constants";
import { g1ToEip2537 } from "./eip2537";
import { BlsError } from "./errors";
import type { BlsKeypair, Eip2335Keystore, KeystoreOptions } from "./types";
import { checkLength, withBlstErrors } from "./utils";

/**
 * Creates a keypair with KeyGen (HKDF-SHA-256 over `ikm`, salt "BLS-SIG-KEYGEN-SALT-").
 * @param ikm - input keying material, at least 32 bytes; default 32 bytes from `crypto.randomBytes`.
 *   The same `ikm` always yields the same key.
 * @throws BlsError `BLS_ERROR_INVALID_SECRET_KEY` when `ikm` is shorter than 32 bytes.
 * Source: draft-irtf-cfrg-bls-signature-05 §2.3 KeyGen.
 */
export function generateKeypair(ikm: Uint8Array = randomBytes(MIN_IKM_BYTES)): BlsKeypair {
  if (!(ikm instanceof Uint8Array) || ikm.length < MIN_IKM_BYTES) {
    throw new BlsError(
      { code: "BLS_ERROR_INVALID_SECRET_KEY", reason: "ikm shorter than 32 bytes" },
      `key material (ikm) must be at least ${MIN_IKM_BYTES} bytes of entropy`,
    );
  }
  return keypairFromSecretKey(SecretKey.fromKeygen(ikm));
}

/**
 * Parses a 32-byte big-endian secret scalar.
 * @throws BlsError `BLS_ERROR_INVALID_LENGTH` when not 32 bytes; `BLS_ERROR_INVALID_SECRET_KEY` when
 *   the scalar is 0 or not below the group order r.
 */
export function secretKeyFromBytes(bytes: Uint8Array): SecretKey {
  checkLength(bytes, [SECRET_KEY_BYTES], "secret key");
  try {
    return SecretKey.fromBytes(bytes);
  } catch {
    throw new BlsError(
      { code: "BLS_ERROR_INVALID_SECRET_KEY", reason: "scalar is 0 or not below the group order r" },
      "secret key must be a 32-byte big-endian scalar with 0 < sk < r",
    );
  }
}

/**
 * Builds the keypair view (all pubkey encodings) of a secret key.
 * @param sk - a blst `SecretKey` or its 32-byte big-endian encoding.
 * @throws BlsError as `secretKeyFromBytes` when given bytes.
 */
export function keypairFromSecretKey(sk: SecretKey | Uint8Array): BlsKeypair {
  const secretKey = sk instanceof SecretKey ? sk : secretKeyFromBytes(sk);
  const publicKey = secretKey.toPublicKey();
  return Object.freeze({
    secretKey,
    publicKey,
    pubkeyCompressed: publicKey.toBytes(true),
    pubkeyUncompressed: publicKey.toBytes(false),
    pubkeyG1Eip2537: g1ToEip2537(publicKey),
  });
}

/**
 * Parses and validates a public key from its ZCash serialization (48 B compressed or 96 B
 * uncompressed): canonical, on the curve, in the subgroup, not infinity (KeyValidate).
 * @throws BlsError `BLS_ERROR_INVALID_LENGTH`, `BLS_ERROR_NOT_CANONICAL`, `BLS_ERROR_INVALID_POINT`,
 *   `BLS_ERROR_INFINITY` for the corresponding failure.
 * Source: ZCash BLS12-381 serialization; draft-irtf-cfrg-bls-signature-05 §2.5 KeyValidate.
 */
export function publicKeyFromBytes(bytes: Uint8Array): PublicKey {
  const what = "public key (ZCash G1)";
  checkLength(bytes, [G1_COMPRESSED_BYTES, G1_UNCOMPRESSED_BYTES], what);
  return withBlstErrors(what, () => PublicKey.fromBytes(bytes, true));
}

/**
 * Encrypts a keypair's secret key into an EIP-2335 keystore (version 4, aes-128-ctr, sha256
 * checksum; `pubkey` = 48-byte compressed G1 as hex without 0x).
 * @param password - normalized per EIP-2335 (NFKD, control codes stripped) by the library.
 * @returns the keystore object; `JSON.stringify` it to save it.
 * Source: EIP-2335.
 */
export async function encryptKeystore(
  keypair: BlsKeypair,
  password: string,
  opts: KeystoreOptions = {},
): Promise<Eip2335Keystore> {
  return create(
    password,
    keypair.secretKey.toBytes(),
    keypair.pubkeyCompressed,
    opts.path ?? "",
    opts.description ?? null,
    opts.kdf,
  );
}

/**
 * Decrypts an EIP-2335 keystore and rebuilds the keypair, checking that the stored `pubkey` matches
 * the decrypted secret key.
 * @param keystore - the keystore object or its JSON text.
 * @throws BlsError `BLS_ERROR_KEYSTORE_INVALID` when the JSON or its schema is invalid or the secret
 *   is not a valid scalar; `BLS_ERROR_KEYSTORE_PASSWORD` when the checksum does not match (wrong
 *   password); `BLS_ERROR_KEYSTORE_PUBKEY_MISMATCH` when `pubkey` is not the key's public key.
 * Source: EIP-2335.
 */
export async function decryptKeystore(keystore: Eip2335Keystore | string, password: string): Promise<BlsKeypair> {
  const parsed = parseKeystore(keystore);
  let secret: Uint8Array;
  try {
    secret = await decrypt(parsed, password);
  } catch (err) {
    if (err instanceof Error && err.message === "Invalid password") {
      throw new BlsError({ code: "BLS_ERROR_KEYSTORE_PASSWORD" }, "wrong keystore password (checksum mismatch)");
    }
    throw keystoreInvalid(err instanceof Error ? err.message : String(err));
  }
  let keypair: BlsKeypair;
  try {
    keypair = keypairFromSecretKey(secret);
  } catch {
    throw keystoreInvalid("the decrypted secret is not a valid BLS secret key");
  }
  checkStoredPubkey(parsed.pubkey, keypair);
  return keypair;
}

function parseKeystore(keystore: Eip2335Keystore | string): Eip2335Keystore {
  try {
    const obj: unknown = typeof keystore === "string" ? JSON.parse(keystore) : keystore;
    validateKeystore(obj);
    return obj;
  } catch (err) {
    throw keystoreInvalid(err instanceof Error ? err.message : String(err));
  }
}

function checkStoredPubkey(stored: string, keypair: BlsKeypair): void {
  const actual = bytesToHex(keypair.pubkeyCompressed).slice(2);
  const expected = stored.toLowerCase().replace(/^0x/, "");
  if (expected !== "" && expected !== actual) {
    throw new BlsError(
      { code: "BLS_ERROR_KEYSTORE_PUBKEY_MISMATCH", expected, actual },
      `keystore pubkey ${expected} does not belong to its secret key (derived ${actual}); the file is corrupt`,
    );
  }
}

function keystoreInvalid(reason: string): BlsError {
  return new BlsError({ code: "BLS_ERROR_KEYSTORE_INVALID", reason }, `not a usable EIP-2335 keystore: ${reason}`);
}

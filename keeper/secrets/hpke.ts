import { Chacha20Poly1305 } from "@hpke/chacha20poly1305";
import { CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from "@hpke/core";

import { bytesToHex, concatBytes, hexToBytes } from "../common";
import { decodeEnvelope, encodeEnvelope, epochBytes } from "./envelope";
import { SecretsError } from "./errors";
import {
  SECRETS_INFO_PREFIX,
  SECRETS_INFO_PREFIX_EPOCH,
  SECRETS_KEY_BYTES,
  SECRETS_SUITE,
  type SecretsKeyDocument,
  type SecretsKeyPair,
} from "./types";

let suite: CipherSuite | undefined;

/** The one HPKE suite: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305 (RFC 9180 ids 0x0020/0x0001/0x0003). */
function hpke(): CipherSuite {
  suite ??= new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Chacha20Poly1305() });
  return suite;
}

/**
 * The HPKE `info` of an instance: `utf8("newton-secrets-v1") ‖ instanceId` (17 + 32 = 49 bytes), or
 * for a key epoch, `utf8("newton-secrets-v2") ‖ epoch (u32 BE) ‖ instanceId` (53 bytes).
 * @throws SecretsError `SECRETS_ERROR_INVALID_INSTANCE_ID` when `instanceId` is not 32 bytes;
 *   `SECRETS_ERROR_INVALID_EPOCH` when `epoch` is not a u32.
 */
export function secretsInfo(instanceId: Uint8Array, epoch?: number): Uint8Array {
  checkInstanceId(instanceId);
  if (epoch === undefined) return concatBytes(new TextEncoder().encode(SECRETS_INFO_PREFIX), instanceId);
  return concatBytes(new TextEncoder().encode(SECRETS_INFO_PREFIX_EPOCH), epochBytes(epoch), instanceId);
}

/**
 * Seals `plaintext` to the operators' X25519 `publicKey` for one policy-data instance with HPKE base mode
 * (RFC 9180 §6.1 single-shot `Seal`): `info = utf8("newton-secrets-v1") ‖ instanceId`, `aad = instanceId`.
 * Randomized (fresh ephemeral key per call).
 * @param publicKey - 32-byte X25519 public key (as served at `GET /v1/secrets-key`).
 * @param instanceId - the 32-byte policy-data instance id the secrets belong to.
 * @param plaintext - the secrets bytes (the CLI seals compact UTF-8 JSON).
 * @param epoch - the epoch of `publicKey` (from its `GET /v1/secrets-key` document); given, the
 *   envelope is version 2 and names it (`info` binds it too); absent, version 1 (epoch 0 implied).
 * @returns the envelope `0x01 ‖ enc (32 bytes) ‖ ciphertext (plaintext length + 16 bytes)`, or
 *   `0x02 ‖ epoch (u32 BE) ‖ enc ‖ ciphertext`.
 * @throws SecretsError `SECRETS_ERROR_INVALID_KEY` / `SECRETS_ERROR_INVALID_INSTANCE_ID` on wrong lengths;
 *   `SECRETS_ERROR_INVALID_EPOCH` for an epoch that is not a u32; `SECRETS_ERROR_SEAL_FAILED` when the key
 *   is not a valid X25519 point or HPKE fails.
 */
export async function sealSecrets(
  publicKey: Uint8Array,
  instanceId: Uint8Array,
  plaintext: Uint8Array,
  epoch?: number,
): Promise<Uint8Array> {
  checkKey(publicKey, "publicKey");
  const info = secretsInfo(instanceId, epoch);
  try {
    const recipientPublicKey = await hpke().kem.deserializePublicKey(publicKey);
    const { enc, ct } = await hpke().seal({ recipientPublicKey, info }, plaintext, instanceId);
    return encodeEnvelope({ epoch, enc: new Uint8Array(enc), ciphertext: new Uint8Array(ct) });
  } catch (err) {
    if (err instanceof SecretsError) throw err;
    throw new SecretsError(
      { code: "SECRETS_ERROR_SEAL_FAILED", reason: reason(err) },
      `cannot seal secrets: ${reason(err)}; check the operators' public key`,
    );
  }
}

/**
 * Opens an envelope sealed by {@link sealSecrets} (RFC 9180 §6.1 single-shot `Open`) with the operators'
 * private key, for the same instance id.
 * @param privateKey - 32-byte X25519 private key (of the epoch the envelope names; see `SecretsKeyRing`).
 * @param instanceId - the 32-byte policy-data instance id the envelope was sealed for.
 * @param envelope - `0x01 ‖ enc ‖ ciphertext` or `0x02 ‖ epoch ‖ enc ‖ ciphertext`.
 * @returns the plaintext bytes.
 * @throws SecretsError `SECRETS_ERROR_ENVELOPE_TOO_SHORT` / `SECRETS_ERROR_ENVELOPE_VERSION` for a malformed
 *   envelope; `SECRETS_ERROR_INVALID_KEY` / `SECRETS_ERROR_INVALID_INSTANCE_ID` on wrong lengths;
 *   `SECRETS_ERROR_OPEN_FAILED` for a wrong key, a wrong instance id or a tampered envelope.
 */
export async function openSecrets(
  privateKey: Uint8Array,
  instanceId: Uint8Array,
  envelope: Uint8Array,
): Promise<Uint8Array> {
  checkKey(privateKey, "privateKey");
  const { epoch, enc, ciphertext } = decodeEnvelope(envelope);
  const info = secretsInfo(instanceId, epoch);
  try {
    const recipientKey = await hpke().kem.deserializePrivateKey(privateKey);
    return new Uint8Array(await hpke().open({ recipientKey, enc, info }, ciphertext, instanceId));
  } catch (err) {
    throw new SecretsError(
      { code: "SECRETS_ERROR_OPEN_FAILED", reason: reason(err) },
      `cannot open the secrets envelope (${reason(err)}): wrong operators' key, wrong instance id, or a tampered envelope`,
    );
  }
}

/** A fresh random X25519 key pair for the operators' shared secrets key (raw 32-byte encodings). */
export async function generateSecretsKeyPair(): Promise<SecretsKeyPair> {
  const pair = await hpke().kem.generateKeyPair();
  return {
    publicKey: new Uint8Array(await hpke().kem.serializePublicKey(pair.publicKey)),
    privateKey: new Uint8Array(await hpke().kem.serializePrivateKey(pair.privateKey)),
  };
}

/**
 * The `GET /v1/secrets-key` document of `publicKey` (32 bytes), naming its `epoch` when given.
 * @throws SecretsError `SECRETS_ERROR_INVALID_KEY`; `SECRETS_ERROR_INVALID_EPOCH` for an epoch that is not a u32.
 */
export function secretsKeyDocument(publicKey: Uint8Array, epoch?: number): SecretsKeyDocument {
  checkKey(publicKey, "publicKey");
  if (epoch === undefined) return { ...SECRETS_SUITE, publicKey: bytesToHex(publicKey) };
  epochBytes(epoch);
  return { ...SECRETS_SUITE, publicKey: bytesToHex(publicKey), epoch };
}

/**
 * Checks a `GET /v1/secrets-key` answer and returns the public key with its epoch (0 when the
 * document names none: an operator that predates key rotation).
 * @throws SecretsError as {@link parseSecretsKeyDocument}; `SECRETS_ERROR_KEY_DOCUMENT` when `epoch`
 *   is present but not an integer in [0, 2^32 − 1].
 */
export function parseSecretsKey(doc: unknown): { publicKey: Uint8Array; epoch: number } {
  const publicKey = parseSecretsKeyDocument(doc);
  const epoch = (doc as { epoch?: unknown }).epoch;
  if (epoch === undefined) return { publicKey, epoch: 0 };
  if (typeof epoch !== "number" || !Number.isInteger(epoch) || epoch < 0 || epoch > 0xffff_ffff) {
    throw keyDocError("epoch", "an integer in [0, 2^32 - 1]", epoch);
  }
  return { publicKey, epoch };
}

/**
 * Checks a `GET /v1/secrets-key` answer and returns the 32-byte public key.
 * @throws SecretsError `SECRETS_ERROR_KEY_DOCUMENT` when a suite field differs from {@link SECRETS_SUITE} or
 *   `publicKey` is not 0x-hex of 32 bytes.
 */
export function parseSecretsKeyDocument(doc: unknown): Uint8Array {
  const obj = (typeof doc === "object" && doc !== null ? doc : {}) as Record<string, unknown>;
  for (const field of ["kem", "kdf", "aead"] as const) {
    if (obj[field] !== SECRETS_SUITE[field]) throw keyDocError(field, SECRETS_SUITE[field], obj[field]);
  }
  const pk = obj.publicKey;
  if (typeof pk !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(pk)) {
    throw keyDocError("publicKey", "0x-hex of 32 bytes", pk);
  }
  return hexToBytes(pk);
}

function keyDocError(field: string, expected: string, actual: unknown): SecretsError {
  const got = JSON.stringify(actual) ?? "undefined";
  return new SecretsError(
    { code: "SECRETS_ERROR_KEY_DOCUMENT", field, expected, actual: got },
    `operators' secrets key: ${field} must be ${JSON.stringify(expected)}, got ${got}; the operator serves another suite`,
  );
}

function checkKey(key: Uint8Array, what: "publicKey" | "privateKey"): void {
  if (key.length !== SECRETS_KEY_BYTES) {
    throw new SecretsError(
      { code: "SECRETS_ERROR_INVALID_KEY", what, expected: SECRETS_KEY_BYTES, actual: key.length },
      `X25519 ${what} must be ${SECRETS_KEY_BYTES} bytes, got ${key.length}`,
    );
  }
}

function checkInstanceId(instanceId: Uint8Array): void {
  if (instanceId.length !== 32) {
    throw new SecretsError(
      { code: "SECRETS_ERROR_INVALID_INSTANCE_ID", expected: 32, actual: instanceId.length },
      `instance id must be 32 bytes, got ${instanceId.length}`,
    );
  }
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * keeper/secrets — the policy-data secrets envelope: HPKE seal/open (RFC 9180 base mode,
 * DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 / ChaCha20-Poly1305, via `@hpke/core` +
 * `@hpke/chacha20poly1305`) and the versioned envelope codec. The `newton` CLI seals a client's
 * secrets to the operators' shared key; the operator role opens them with `openSecrets` and serves
 * its public key at `GET /v1/secrets-key` as {@link SecretsKeyDocument}.
 *
 * Binding: `info = utf8("newton-secrets-v1") ‖ instanceId (32 bytes)`, `aad = instanceId`, so an
 * envelope opens only for the instance it was sealed for.
 *
 * Envelope byte layout, version 1 (stored in DA, hashed on-chain by `setSecrets`):
 * ```
 * offset  0      1                        33
 *         ┌──────┬────────────────────────┬──────────────────────────────────────────┐
 *         │ 0x01 │ enc (32 bytes, X25519) │ ciphertext = AEAD(plaintext) ‖ tag (16)   │
 *         └──────┴────────────────────────┴──────────────────────────────────────────┘
 * ```
 * Total length = 49 + plaintext length. Version 2 names the operators' key epoch the envelope was
 * sealed to, so keys can rotate (`SecretsKeyRing` holds the current and the previous epoch):
 * ```
 * ┌──────┬──────────────────┬─────────────┬────────────┐
 * │ 0x02 │ epoch (u32 BE, 4) │ enc (32)    │ ciphertext │   info = utf8("newton-secrets-v2") ‖ epoch ‖ instanceId
 * └──────┴──────────────────┴─────────────┴────────────┘
 * ```
 * A version-1 envelope is epoch 0. Readers reject versions they do not know (`SECRETS_ERROR_ENVELOPE_VERSION`).
 */
export { decodeEnvelope, encodeEnvelope, epochBytes } from "./envelope";
export { SecretsError, type SecretsErrorType } from "./errors";
export {
  generateSecretsKeyPair,
  openSecrets,
  parseSecretsKey,
  parseSecretsKeyDocument,
  sealSecrets,
  secretsInfo,
  secretsKeyDocument,
} from "./hpke";
export { SecretsKeyRing } from "./keyring";
export {
  SECRETS_ENC_BYTES,
  SECRETS_ENVELOPE_VERSION,
  SECRETS_ENVELOPE_VERSION_EPOCH,
  SECRETS_EPOCH_BYTES,
  SECRETS_INFO_PREFIX_EPOCH,
  SECRETS_MAX_EPOCH,
  SECRETS_INFO_PREFIX,
  SECRETS_KEY_BYTES,
  SECRETS_MIN_ENVELOPE_BYTES,
  SECRETS_SUITE,
  SECRETS_TAG_BYTES,
  type SecretsEnvelope,
  type SecretsEpochKey,
  type SecretsKeyDocument,
  type SecretsKeyPair,
} from "./types";

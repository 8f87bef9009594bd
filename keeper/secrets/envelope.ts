import { concatBytes } from "../common";
import { SecretsError } from "./errors";
import {
  SECRETS_ENC_BYTES,
  SECRETS_ENVELOPE_VERSION,
  SECRETS_MIN_ENVELOPE_BYTES,
  SECRETS_TAG_BYTES,
  type SecretsEnvelope,
} from "./types";

/**
 * Encodes `0x01 ‖ enc (32 bytes) ‖ ciphertext` (version byte, HPKE encapsulated key, AEAD ciphertext with tag).
 * @throws SecretsError `SECRETS_ERROR_INVALID_KEY` when `enc` is not 32 bytes;
 *   `SECRETS_ERROR_ENVELOPE_TOO_SHORT` when the ciphertext is shorter than the 16-byte tag.
 */
export function encodeEnvelope(envelope: SecretsEnvelope): Uint8Array {
  if (envelope.enc.length !== SECRETS_ENC_BYTES) {
    throw new SecretsError(
      { code: "SECRETS_ERROR_INVALID_KEY", what: "enc", expected: SECRETS_ENC_BYTES, actual: envelope.enc.length },
      `HPKE enc must be ${SECRETS_ENC_BYTES} bytes, got ${envelope.enc.length}`,
    );
  }
  if (envelope.ciphertext.length < SECRETS_TAG_BYTES)
    throw tooShort(1 + SECRETS_ENC_BYTES + envelope.ciphertext.length);
  return concatBytes(Uint8Array.of(SECRETS_ENVELOPE_VERSION), envelope.enc, envelope.ciphertext);
}

/**
 * Decodes an envelope written by {@link encodeEnvelope}; the parts are copies.
 * @throws SecretsError `SECRETS_ERROR_ENVELOPE_TOO_SHORT` when shorter than 49 bytes (version + enc + tag);
 *   `SECRETS_ERROR_ENVELOPE_VERSION` when the first byte is not `0x01`.
 */
export function decodeEnvelope(bytes: Uint8Array): SecretsEnvelope {
  if (bytes.length < SECRETS_MIN_ENVELOPE_BYTES) throw tooShort(bytes.length);
  if (bytes[0] !== SECRETS_ENVELOPE_VERSION) {
    throw new SecretsError(
      { code: "SECRETS_ERROR_ENVELOPE_VERSION", expected: SECRETS_ENVELOPE_VERSION, actual: bytes[0] },
      `unknown secrets envelope version 0x${bytes[0].toString(16).padStart(2, "0")}; this keeper reads version 0x01 — upgrade it`,
    );
  }
  return {
    enc: bytes.slice(1, 1 + SECRETS_ENC_BYTES),
    ciphertext: bytes.slice(1 + SECRETS_ENC_BYTES),
  };
}

function tooShort(actual: number): SecretsError {
  return new SecretsError(
    { code: "SECRETS_ERROR_ENVELOPE_TOO_SHORT", minBytes: SECRETS_MIN_ENVELOPE_BYTES, actual },
    `a secrets envelope is at least ${SECRETS_MIN_ENVELOPE_BYTES} bytes (version ‖ enc ‖ tag), got ${actual}`,
  );
}

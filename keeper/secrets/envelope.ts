import { concatBytes } from "../common";
import { SecretsError } from "./errors";
import {
  SECRETS_ENC_BYTES,
  SECRETS_ENVELOPE_VERSION,
  SECRETS_ENVELOPE_VERSION_EPOCH,
  SECRETS_EPOCH_BYTES,
  SECRETS_MAX_EPOCH,
  SECRETS_MIN_ENVELOPE_BYTES,
  SECRETS_TAG_BYTES,
  type SecretsEnvelope,
} from "./types";

/**
 * Encodes `0x01 ‖ enc (32 bytes) ‖ ciphertext` (version byte, HPKE encapsulated key, AEAD ciphertext
 * with tag), or with `envelope.epoch` set, `0x02 ‖ epoch (u32 big-endian) ‖ enc ‖ ciphertext`.
 * @throws SecretsError `SECRETS_ERROR_INVALID_KEY` when `enc` is not 32 bytes;
 *   `SECRETS_ERROR_ENVELOPE_TOO_SHORT` when the ciphertext is shorter than the 16-byte tag;
 *   `SECRETS_ERROR_INVALID_EPOCH` when the epoch is not an integer in [0, 2^32 − 1].
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
  if (envelope.epoch === undefined) {
    return concatBytes(Uint8Array.of(SECRETS_ENVELOPE_VERSION), envelope.enc, envelope.ciphertext);
  }
  return concatBytes(
    Uint8Array.of(SECRETS_ENVELOPE_VERSION_EPOCH),
    epochBytes(envelope.epoch),
    envelope.enc,
    envelope.ciphertext,
  );
}

/**
 * The 4-byte big-endian encoding of a key epoch.
 * @throws SecretsError `SECRETS_ERROR_INVALID_EPOCH` when `epoch` is not an integer in [0, 2^32 − 1].
 */
export function epochBytes(epoch: number): Uint8Array {
  if (!Number.isInteger(epoch) || epoch < 0 || epoch > SECRETS_MAX_EPOCH) {
    throw new SecretsError(
      { code: "SECRETS_ERROR_INVALID_EPOCH", epoch: String(epoch) },
      `a secrets key epoch is an integer in [0, ${SECRETS_MAX_EPOCH}], got ${epoch}`,
    );
  }
  const out = new Uint8Array(SECRETS_EPOCH_BYTES);
  new DataView(out.buffer).setUint32(0, epoch, false);
  return out;
}

/**
 * Decodes an envelope written by {@link encodeEnvelope}; the parts are copies. A version-1 envelope
 * has no `epoch` field (it was sealed to epoch 0).
 * @throws SecretsError `SECRETS_ERROR_ENVELOPE_TOO_SHORT` when shorter than 49 bytes (version + enc + tag),
 *   or 53 for version 2; `SECRETS_ERROR_ENVELOPE_VERSION` when the first byte is neither `0x01` nor `0x02`.
 */
export function decodeEnvelope(bytes: Uint8Array): SecretsEnvelope {
  if (bytes.length < SECRETS_MIN_ENVELOPE_BYTES) throw tooShort(bytes.length);
  if (bytes[0] === SECRETS_ENVELOPE_VERSION_EPOCH) {
    if (bytes.length < SECRETS_MIN_ENVELOPE_BYTES + SECRETS_EPOCH_BYTES) {
      throw tooShort(bytes.length, SECRETS_MIN_ENVELOPE_BYTES + SECRETS_EPOCH_BYTES);
    }
    const start = 1 + SECRETS_EPOCH_BYTES;
    return {
      epoch: new DataView(bytes.buffer, bytes.byteOffset + 1, SECRETS_EPOCH_BYTES).getUint32(0, false),
      enc: bytes.slice(start, start + SECRETS_ENC_BYTES),
      ciphertext: bytes.slice(start + SECRETS_ENC_BYTES),
    };
  }
  if (bytes[0] !== SECRETS_ENVELOPE_VERSION) {
    throw new SecretsError(
      { code: "SECRETS_ERROR_ENVELOPE_VERSION", expected: SECRETS_ENVELOPE_VERSION_EPOCH, actual: bytes[0] },
      `unknown secrets envelope version 0x${bytes[0].toString(16).padStart(2, "0")}; this keeper reads versions 0x01 and 0x02 — upgrade it`,
    );
  }
  return {
    enc: bytes.slice(1, 1 + SECRETS_ENC_BYTES),
    ciphertext: bytes.slice(1 + SECRETS_ENC_BYTES),
  };
}

function tooShort(actual: number, minBytes = SECRETS_MIN_ENVELOPE_BYTES): SecretsError {
  return new SecretsError(
    { code: "SECRETS_ERROR_ENVELOPE_TOO_SHORT", minBytes, actual },
    `a secrets envelope is at least ${minBytes} bytes (version ‖ [epoch ‖] enc ‖ tag), got ${actual}`,
  );
}

import { KeeperError } from "../common";

/**
 * Errors of the secrets envelope codec and HPKE seal/open. Every code names the offending values;
 * `SECRETS_ERROR_OPEN_FAILED` deliberately does not say *which* of key, instance id or ciphertext was
 * wrong (the AEAD cannot tell them apart).
 */
export type SecretsErrorType =
  | { code: "SECRETS_ERROR_ENVELOPE_TOO_SHORT"; minBytes: number; actual: number }
  | { code: "SECRETS_ERROR_ENVELOPE_VERSION"; expected: number; actual: number }
  | { code: "SECRETS_ERROR_INVALID_KEY"; what: "publicKey" | "privateKey" | "enc"; expected: number; actual: number }
  | { code: "SECRETS_ERROR_INVALID_INSTANCE_ID"; expected: number; actual: number }
  | { code: "SECRETS_ERROR_SEAL_FAILED"; reason: string }
  | { code: "SECRETS_ERROR_OPEN_FAILED"; reason: string }
  | { code: "SECRETS_ERROR_KEY_DOCUMENT"; field: string; expected: string; actual: string }
  | { code: "SECRETS_ERROR_INVALID_EPOCH"; epoch: string }
  | { code: "SECRETS_ERROR_UNKNOWN_EPOCH"; epoch: number; held: number[] };

/** Raised by `keeper/secrets`; branch on `err.type.code`. */
export class SecretsError extends KeeperError<SecretsErrorType> {}

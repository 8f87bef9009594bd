import { KeeperError } from "../common";

/**
 * Errors of keeper/bls. Every variant names `what` was being decoded or checked (e.g. "G1 point
 * (EIP-2537)"), so one code serves all encodings.
 */
export type BlsErrorType =
  | { code: "BLS_ERROR_INVALID_LENGTH"; what: string; expected: readonly number[]; actual: number }
  | { code: "BLS_ERROR_NOT_CANONICAL"; what: string; reason: string }
  | { code: "BLS_ERROR_INVALID_POINT"; what: string; reason: "not on curve" | "not in subgroup" }
  | { code: "BLS_ERROR_INFINITY"; what: string }
  | { code: "BLS_ERROR_INVALID_SECRET_KEY"; reason: string }
  | { code: "BLS_ERROR_EMPTY_INPUT"; what: string }
  | { code: "BLS_ERROR_INVALID_QUORUM"; reason: string }
  | { code: "BLS_ERROR_INVALID_ADDRESS"; what: string; value: string }
  | { code: "BLS_ERROR_INVALID_CHAIN_ID"; value: string }
  | { code: "BLS_ERROR_KEYSTORE_INVALID"; reason: string }
  | { code: "BLS_ERROR_KEYSTORE_PASSWORD" }
  | { code: "BLS_ERROR_KEYSTORE_PUBKEY_MISMATCH"; expected: string; actual: string };

/** Raised by keeper/bls when a key, point, signature, keystore or PoP input is unusable. */
export class BlsError extends KeeperError<BlsErrorType> {}

import { KeeperError } from "../common";

/** Errors of the keeper's chain access (transaction sender, RPC). */
export type ChainErrorType =
  | { code: "CHAIN_ERROR_REVERTED"; label: string; reason: string }
  | { code: "CHAIN_ERROR_SEND_FAILED"; label: string; attempts: number; reason: string }
  | { code: "CHAIN_ERROR_RECEIPT_TIMEOUT"; label: string; txHash: string; timeoutMs: number };

/** Raised by `TxSender`; branch on `err.type.code`. */
export class ChainError extends KeeperError<ChainErrorType> {}

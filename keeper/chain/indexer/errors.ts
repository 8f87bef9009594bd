import { KeeperError } from "../../common";

/** How one RPC attempt failed; every kind but `range_too_large` and `aborted` is retried with backoff. */
export type RpcFailureKind =
  "rate_limited" | "timeout" | "network" | "server" | "rpc" | "bad_response" | "range_too_large" | "aborted";

/**
 * Errors of the chain indexer. `INDEXER_ERROR_RPC` carries the JSON-RPC `method`, the failure `kind`,
 * the HTTP `status` / JSON-RPC `rpcCode` when known and the number of `attempts` made.
 */
export type IndexerErrorType =
  | {
      code: "INDEXER_ERROR_RPC";
      method: string;
      kind: RpcFailureKind;
      attempts: number;
      status?: number;
      rpcCode?: number;
      /** Seconds asked for by a 429's `Retry-After` header. */
      retryAfterSeconds?: number;
      reason: string;
    }
  | { code: "INDEXER_ERROR_GAP"; what: "writeIndex" | "sequenceNo" | "writeCount"; expected: string; actual: string }
  | { code: "INDEXER_ERROR_LOG_ORDER"; blockNumber: number; logIndex: number; reason: string }
  | { code: "INDEXER_ERROR_RECORD_MISMATCH"; writeIndex: string; expected: string; actual: string }
  | { code: "INDEXER_ERROR_REORG"; blockNumber: number; expected: string; actual: string }
  | { code: "INDEXER_ERROR_TIMEOUT"; blockNumber: number; timeoutMs: number }
  | { code: "INDEXER_ERROR_CHAIN_RESET"; cause: string }
  | { code: "INDEXER_ERROR_ABORTED" }
  | { code: "INDEXER_ERROR_INVALID_OPTION"; option: string; value: string; reason: string }
  | { code: "INDEXER_ERROR_DEPLOYMENT"; file: string; reason: string };

/** Raised by the indexer, its RPC client and `loadDeployment`; branch on `err.type.code`. */
export class IndexerError extends KeeperError<IndexerErrorType> {}

/** An `INDEXER_ERROR_INVALID_OPTION` for `option=value`. */
export function invalidOption(option: string, value: string, reason: string): IndexerError {
  return new IndexerError(
    { code: "INDEXER_ERROR_INVALID_OPTION", option, value, reason },
    `invalid indexer option ${option}=${value}: ${reason}`,
  );
}

import { KeeperError } from "../common";

/** Every failure of state sync, by code. */
export type SyncErrorType =
  /** A peer's bytes do not decode as the wire format says (wrong magic, lengths, counts). */
  | { code: "SYNC_ERROR_MALFORMED"; reason: string }
  /** A peer's manifest or chunk does not fold to what the trusted root implies: the peer lies. */
  | { code: "SYNC_ERROR_TAMPERED"; peer: string; reason: string }
  /** Every peer was dropped (tampered or unreachable) before the snapshot was complete. */
  | { code: "SYNC_ERROR_NO_PEERS"; missingChunks: number; dropped: readonly string[] }
  /** The local state cannot take a snapshot (it already holds leaves). */
  | { code: "SYNC_ERROR_STATE_NOT_EMPTY"; latest: number }
  /** A serving request names something the peer cannot serve. */
  | { code: "SYNC_ERROR_BAD_REQUEST"; reason: string };

/** The state-sync module's error; branch on `err.type.code`. */
export class SyncError extends KeeperError<SyncErrorType> {}

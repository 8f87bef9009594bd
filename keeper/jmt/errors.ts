import { KeeperError } from "../common";

/** Every failure the JMT module raises, by code, with the values that explain it. */
export type JmtErrorType =
  | { code: "JMT_ERROR_VERSION_NOT_FOUND"; version: number; latest: number | null }
  | { code: "JMT_ERROR_VERSION_PRUNED"; version: number; oldest: number }
  | { code: "JMT_ERROR_VERSION_NOT_NEXT"; expected: number; actual: number }
  | { code: "JMT_ERROR_ROOT_MISMATCH"; expected: string; actual: string }
  | { code: "JMT_ERROR_INVALID_KEY"; expected: number; actual: number }
  | { code: "JMT_ERROR_MISSING_NODE"; nodeKey: string }
  | { code: "JMT_ERROR_MISSING_VALUE"; valueHash: string }
  | { code: "JMT_ERROR_CORRUPT_NODE"; nodeKey: string; reason: string }
  | { code: "JMT_ERROR_STORE_NOT_EMPTY"; latest: number }
  | { code: "JMT_ERROR_INVALID_PRUNE"; beforeVersion: number; latest: number | null }
  | { code: "JMT_ERROR_INVALID_CHUNK"; reason: string };

/** The JMT module's error; branch on `err.type.code`. */
export class JmtError extends KeeperError<JmtErrorType> {}

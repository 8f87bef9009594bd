import { KeeperError } from "../common";

/** Errors of the window logic shared by the operator, aggregator and challenger. */
export type WindowErrorType =
  | { code: "WINDOW_ERROR_DA_UNAVAILABLE"; writeIndex: string; reason: string }
  | { code: "WINDOW_ERROR_VALUE_MISMATCH"; writeIndexes: string[] }
  | { code: "WINDOW_ERROR_BAD_MANIFEST"; reason: string }
  | { code: "WINDOW_ERROR_DELTA_MISMATCH"; field: string; expected: string; actual: string }
  | { code: "WINDOW_ERROR_BAD_REQUEST"; field: string; reason: string }
  | { code: "WINDOW_ERROR_NOT_INDEXED"; writeIndexEnd: string; writeCount: string };

/** Raised by keeper/window; branch on `err.type.code`. */
export class WindowError extends KeeperError<WindowErrorType> {}

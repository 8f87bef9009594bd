import { KeeperError, type Hex } from "../common";

/**
 * Errors of the delta codec. Decoding reports the first problem found, with byte `offset`s
 * relative to the start of the (joined) blob and entry `index`es counted from 0.
 */
export type DeltaErrorType =
  | { code: "DELTA_ERROR_TRUNCATED"; offset: number; needed: number; available: number; field: string }
  | { code: "DELTA_ERROR_TRAILING_BYTES"; offset: number; trailing: number }
  | { code: "DELTA_ERROR_BAD_MAGIC"; expected: Hex; actual: Hex }
  | { code: "DELTA_ERROR_UNSUPPORTED_VERSION"; expected: number; actual: number }
  | { code: "DELTA_ERROR_INVALID_FIELD"; field: string; value: string; reason: string }
  | { code: "DELTA_ERROR_INVALID_RANGE"; writeIndexStart: bigint; writeIndexEnd: bigint }
  | { code: "DELTA_ERROR_COUNT_MISMATCH"; entryCount: number; maxEntries: bigint }
  | { code: "DELTA_ERROR_OUT_OF_ORDER"; index: number; previous: bigint; actual: bigint }
  | {
      code: "DELTA_ERROR_OUT_OF_RANGE";
      index: number;
      writeIndex: bigint;
      writeIndexStart: bigint;
      writeIndexEnd: bigint;
    }
  | { code: "DELTA_ERROR_INVALID_DELETE"; index: number; byteLength: number }
  | { code: "DELTA_ERROR_HASH_MISMATCH"; index: number; writeIndex: bigint; expected: Hex; actual: Hex }
  | { code: "DELTA_ERROR_DIGEST_MISMATCH"; expected: Hex; actual: Hex }
  | { code: "DELTA_ERROR_INVALID_PART"; partIndex: number; partCount: number }
  | { code: "DELTA_ERROR_SPLIT_PART"; partIndex: number; partCount: number }
  | { code: "DELTA_ERROR_LIMIT_TOO_SMALL"; maxPayloadBytes: number; minimum: number }
  | { code: "DELTA_ERROR_TOO_MANY_PARTS"; needed: number; max: number }
  | { code: "DELTA_ERROR_NO_PARTS" }
  | { code: "DELTA_ERROR_PART_MISSING"; partIndex: number; partCount: number }
  | { code: "DELTA_ERROR_PART_DUPLICATE"; partIndex: number }
  | { code: "DELTA_ERROR_PART_FOREIGN"; partIndex: number; field: string; expected: string; actual: string };

/** Raised when a delta cannot be encoded, decoded, split or joined; branch on `err.type.code`. */
export class DeltaError extends KeeperError<DeltaErrorType> {}

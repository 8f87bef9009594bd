/**
 * Base class of every error the keeper raises.
 *
 * Each module defines one subclass over a union of `{code, ...fields}` objects (codes like
 * `DA_ERROR_HASH_MISMATCH`), so callers branch on `err.type.code` and log the structured fields;
 * the message is for humans and says what to do. Pattern: Lodestar `LodestarError`.
 */
export class KeeperError<T extends { code: string }> extends Error {
  /** The machine-readable error: a `code` plus the values that explain it (expected/actual…). */
  readonly type: T;

  /**
   * @param type - the error code and its fields.
   * @param message - a sentence a user can act on; defaults to the code.
   */
  constructor(type: T, message?: string) {
    super(message ?? type.code);
    this.type = type;
    this.name = new.target.name;
  }

  /** The error code, e.g. `BLS_ERROR_INVALID_POINT`. */
  get code(): T["code"] {
    return this.type.code;
  }

  /** A plain object for structured logs: the code, its fields and the message. */
  toObject(): T & { message: string } {
    return { ...this.type, message: this.message };
  }
}

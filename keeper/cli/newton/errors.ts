import { KeeperError } from "../../common";

/**
 * Errors of the `newton` CLI. `NEWTON_ERROR_USAGE` and `NEWTON_ERROR_CONFIG` exit with 2 (fix the
 * command line or the profile); every other code exits with 1 (a failed check, DA or transaction).
 * The message always says what to do.
 */
export type NewtonErrorType =
  | { code: "NEWTON_ERROR_USAGE"; option: string; value: string }
  | { code: "NEWTON_ERROR_CONFIG"; key: string; flag?: string; env?: string }
  | { code: "NEWTON_ERROR_CHECK"; check: string; chain?: string }
  | { code: "NEWTON_ERROR_DA"; what: string }
  | { code: "NEWTON_ERROR_TX"; method: string; chain?: string; txHash?: string };

/** Raised by the `newton` command handlers; `runNewton` turns it into an exit code and a message. */
export class NewtonError extends KeeperError<NewtonErrorType> {
  /** 2 for usage/config errors, 1 otherwise. */
  get exitCode(): 1 | 2 {
    return this.type.code === "NEWTON_ERROR_USAGE" || this.type.code === "NEWTON_ERROR_CONFIG" ? 2 : 1;
  }
}

/** A usage error about `option` (exit 2). */
export function usageError(option: string, value: string, message: string): NewtonError {
  return new NewtonError({ code: "NEWTON_ERROR_USAGE", option, value }, message);
}

/** A failed pre-flight check (exit 1); nothing was sent. */
export function checkError(check: string, message: string, chain?: string): NewtonError {
  return new NewtonError({ code: "NEWTON_ERROR_CHECK", check, chain }, message);
}

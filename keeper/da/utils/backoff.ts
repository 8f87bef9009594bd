/** The backoff helpers live in `keeper/common` (shared with keeper/chain); re-exported here for the DA client. */
export { backoffDelayMs, parseRetryAfterSeconds, type BackoffOptions } from "../../common/backoff";

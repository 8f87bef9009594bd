/**
 * keeper/common — what every keeper module shares: the `KeeperError` base class that all typed
 * errors extend, byte/hex helpers (0x-hex in, `Uint8Array` out), retry backoff with jitter (shared by
 * keeper/da and keeper/chain), the pino logger factory, the Prometheus metrics of the keeper roles, and
 * abortable waits (sleep, poll, mutex). It imports nothing from the rest of the keeper (imports
 * go down only, and this is the bottom).
 */
export { KeeperError } from "./errors";
export { backoffDelayMs, parseRetryAfterSeconds, type BackoffOptions } from "./backoff";
export {
  BytesError,
  type BytesErrorType,
  type Hex,
  hexToBytes,
  bytesToHex,
  assertLength,
  concatBytes,
  bytesEqual,
} from "./bytes";
export { createLogger, silentLogger, type Logger, type LogLevel } from "./logger";
export { createKeeperMetrics, type KeeperMetrics } from "./metrics";
export { Mutex, WaitError, type WaitErrorType, backoffMs, retry, sleep, waitUntil } from "./wait";
export { HttpError, type HttpErrorType, type HttpReply, readJsonBody, startHttpServer, stopHttpServer } from "./server";

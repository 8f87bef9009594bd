/**
 * keeper/common — what every keeper module shares: the `KeeperError` base class that all typed
 * errors extend, retry backoff with jitter (shared by keeper/da and keeper/chain), and byte/hex helpers (0x-hex in, `Uint8Array` out). It imports nothing from the
 * rest of the keeper (STYLE.md: imports go down only, and this is the bottom).
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

import { KeeperError } from "./errors";

/** Errors of the wait helpers. */
export type WaitErrorType = { code: "WAIT_ERROR_ABORTED" } | { code: "WAIT_ERROR_TIMEOUT"; timeoutMs: number };

/** Raised by {@link sleep} and {@link waitUntil} when aborted or timed out. */
export class WaitError extends KeeperError<WaitErrorType> {}

/**
 * Resolves after `ms` milliseconds, or rejects with `WAIT_ERROR_ABORTED` when `signal` fires first
 * (Lodestar `sleep`). The timer never keeps the process alive once aborted.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new WaitError({ code: "WAIT_ERROR_ABORTED" }, "aborted"));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new WaitError({ code: "WAIT_ERROR_ABORTED" }, "aborted"));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Polls `pred` every `intervalMs` until it returns true.
 * @throws WaitError `WAIT_ERROR_TIMEOUT` after `timeoutMs`; `WAIT_ERROR_ABORTED` when `signal` fires.
 */
export async function waitUntil(
  pred: () => boolean | Promise<boolean>,
  opts: { timeoutMs: number; intervalMs?: number; signal?: AbortSignal },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if (await pred()) return;
    if (Date.now() >= deadline) {
      throw new WaitError(
        { code: "WAIT_ERROR_TIMEOUT", timeoutMs: opts.timeoutMs },
        `condition not met within ${opts.timeoutMs} ms`,
      );
    }
    await sleep(opts.intervalMs ?? 50, opts.signal);
  }
}

/**
 * Exponential backoff with full jitter: a uniform delay in [0, min(maxMs, baseMs·2^attempt)].
 * @param attempt - 0 for the first retry.
 */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30)));
}

/** A FIFO mutex: `run(fn)` executes `fn` after every earlier call finished. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T> | T): Promise<T> {
    const result = this.tail.then(fn, fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/**
 * Calls `fn` up to `attempts` times, waiting a jittered exponential backoff (`baseMs`) between
 * failures; rethrows the last error. For idempotent reads (RPC views), never for sends.
 */
export async function retry<T>(
  fn: () => Promise<T>,
  opts: { attempts: number; baseMs: number; signal?: AbortSignal; onError?: (err: unknown) => void },
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      opts.onError?.(err);
      if (attempt + 1 >= opts.attempts) throw err;
      await sleep(backoffMs(attempt, opts.baseMs, 2_000), opts.signal);
    }
  }
}

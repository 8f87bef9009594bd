import pino, { type Logger } from "pino";

export type { Logger } from "pino";

/** Log levels the keeper accepts (pino's). */
export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

/**
 * The keeper's root logger: JSON lines on stdout (pino), one `module` child per module. Messages are
 * fixed strings; the variable parts go in fields: `log.info({sequenceNo, root}, "commit submitted")`.
 */
export function createLogger(opts: { level?: LogLevel; name?: string } = {}): Logger {
  return pino({ level: opts.level ?? "info", name: opts.name, base: { pid: process.pid } });
}

/** A logger that drops everything (tests, tools). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}

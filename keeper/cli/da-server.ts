/**
 * `newton-da-server` — runs {@link DaServer}, a local eigenda-proxy stand-in, until SIGINT/SIGTERM.
 *
 * Usage: `ts-node --transpile-only keeper/cli/da-server.ts [--port 3100] [--host 127.0.0.1]
 * [--data-dir DIR] [--latency-ms 0] [--failure-rate 0] [--corrupt-rate 0] [--max-payload-bytes N]
 * [--retention-seconds 0]`.
 * Logs JSON lines with pino on stdout (level from `--log-level`, default `info`).
 */
import { Command, InvalidArgumentError } from "commander";
import pino from "pino";

import { DaServer, MAX_PAYLOAD_BYTES, type DaServerOptions } from "../da";

interface CliFlags {
  port: number;
  host: string;
  dataDir?: string;
  latencyMs: number;
  failureRate: number;
  corruptRate: number;
  maxPayloadBytes: number;
  retentionSeconds: number;
  logLevel: string;
}

function integer(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError("must be a non-negative integer");
  return Number(value);
}

function rate(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !(n >= 0 && n <= 1)) throw new InvalidArgumentError("must be a number in [0, 1]");
  return n;
}

/** Parses `argv` (as `process.argv`) into the server's options. */
export function parseDaServerArgs(argv: readonly string[]): CliFlags {
  return new Command("newton-da-server")
    .description("Local EigenDA proxy stand-in (eigenda-proxy REST API, standard commitment mode)")
    .option("--port <n>", "TCP port, 0 = any free port", integer, 3100)
    .option("--host <addr>", "interface to listen on", "127.0.0.1")
    .option("--data-dir <dir>", "store blobs as files in this directory (default: in memory)")
    .option("--latency-ms <ms>", "delay added to every /put and /get, in ms", integer, 0)
    .option("--failure-rate <p>", "probability in [0, 1] of answering 503", rate, 0)
    .option("--corrupt-rate <p>", "probability in [0, 1] of returning wrong bytes from /get", rate, 0)
    .option("--max-payload-bytes <n>", "largest accepted payload in bytes", integer, MAX_PAYLOAD_BYTES)
    .option("--retention-seconds <n>", "seconds a blob stays fetchable after /put, 0 = forever", integer, 0)
    .option("--log-level <level>", "pino log level (trace|debug|info|warn|error)", "info")
    .parse(argv as string[])
    .opts<CliFlags>();
}

async function main(): Promise<void> {
  const flags = parseDaServerArgs(process.argv);
  const logger = pino({ level: flags.logLevel, name: "newton-da-server" });
  const opts: DaServerOptions = Object.freeze({
    dataDir: flags.dataDir,
    latencyMs: flags.latencyMs,
    failureRate: flags.failureRate,
    corruptRate: flags.corruptRate,
    maxPayloadBytes: flags.maxPayloadBytes,
    retentionSeconds: flags.retentionSeconds,
  });
  const server = new DaServer(opts, { logger });
  const { url } = await server.start(flags.port, flags.host);
  logger.info({ url, ...opts }, "newton-da-server ready");
  const shutdown = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, "stopping");
    server.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, "stop failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    pino({ name: "newton-da-server" }).fatal({ err }, "newton-da-server failed to start");
    process.exit(1);
  });
}

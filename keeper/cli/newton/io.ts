import type { Writable } from "node:stream";

import type { AbstractProvider, Provider } from "ethers";

/** A text sink (stdout/stderr or a test buffer). */
export interface TextSink {
  write(chunk: string): unknown;
}

/** What a chain connection resolves to; `url` is the configured RPC URL. */
export interface ConnectRequest {
  /** The chain's name (profile or network), for messages. */
  readonly chain: string;
  /** The resolved RPC URL. */
  readonly rpcUrl: string;
}

/** Opens a provider for a chain; tests inject one backed by the in-process Hardhat network. */
export type ProviderFactory = (req: ConnectRequest) => Provider | AbstractProvider | Promise<Provider>;

/** The process edges `runNewton` works against (injected so tests run the CLI in-process). */
export interface NewtonIo {
  /** Environment (`NEWTON_HOME`, `NEWTON_SIGNER_KEY`, `NEWTON_RPC_URL`, `NEWTON_CHAIN`, `NEWTON_DA_URL`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Results (tables, ids, JSON). */
  readonly stdout: TextSink | Writable;
  /** Progress and errors. */
  readonly stderr: TextSink | Writable;
  /** Provider factory; default `new JsonRpcProvider(rpcUrl)`. */
  readonly connect?: ProviderFactory;
  /** Working directory for relative paths (default `process.cwd()`). */
  readonly cwd?: string;
  /**
   * Asks the mainnet confirmation (one line); absent = no terminal, so a mainnet transaction needs
   * `--yes` or `NEWTON_CONFIRM_MAINNET`. The `newton` binary passes a prompt when stdin is a TTY.
   */
  readonly prompt?: (question: string) => Promise<string>;
}

/** Output helpers bound to one run: results on stdout (text or JSON), progress on stderr. */
export class Output {
  constructor(
    private readonly io: NewtonIo,
    /** `--json`: results are one JSON document on stdout. */
    readonly json: boolean,
  ) {}

  /** A line of result text (suppressed under `--json`). */
  line(text = ""): void {
    if (!this.json) this.io.stdout.write(`${text}\n`);
  }

  /** The machine-readable result (printed only under `--json`). bigint values print as decimal strings. */
  result(value: unknown): void {
    if (this.json) this.io.stdout.write(`${JSON.stringify(value, jsonReplacer, 2)}\n`);
  }

  /** A progress line on stderr. */
  progress(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }

  /** A table with a header row, columns padded (suppressed under `--json`). */
  table(header: readonly string[], rows: readonly (readonly string[])[]): void {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
    const fmt = (r: readonly string[]) =>
      r
        .map((c, i) => c.padEnd(widths[i]))
        .join(" | ")
        .trimEnd();
    this.line(fmt(header));
    this.line(widths.map((w) => "-".repeat(w)).join("-|-"));
    for (const r of rows) this.line(fmt(r));
  }
}

/** JSON.stringify replacer: bigint → decimal string, Uint8Array → 0x-hex. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return `0x${Buffer.from(value).toString("hex")}`;
  return value;
}

/** `0x1234…cdef`: the first 4 and last 4 hex digits of a secret (private key), never more. */
export function maskSecret(secret: string): string {
  const hex = secret.startsWith("0x") ? secret.slice(2) : secret;
  if (hex.length <= 8) return "0x…";
  return `0x${hex.slice(0, 4)}…${hex.slice(-4)}`;
}

/** A short form of a long hex value for progress lines: `0x01ab…9f3c`. */
export function shortHex(hex: string): string {
  return hex.length <= 14 ? hex : `${hex.slice(0, 6)}…${hex.slice(-4)}`;
}

/** A byte count for humans: `512 B`, `1.2 KiB`, `3.4 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * Local processes of a devnet: a spawned `hardhat node`, keeper processes (`newton-keeper` under
 * ts-node) and the waits around them, each child's output in a log file. Loopback only. Used by
 * `npm start` (scripts/devnet.ts) and by the keeper integration tests.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";

import { waitUntil } from "../../keeper/common";

/**
 * Hardhat's own CLI entry, run with `process.execPath`: signals then reach the Hardhat process itself (through
 * `npx` and its shell they do not, and a stopped devnet would leave an orphaned node behind).
 */
const HARDHAT_CLI = require.resolve("hardhat/internal/cli/cli");

/** The project root (child processes run there). */
export const ROOT = path.resolve(__dirname, "../..");

/** Polls `pred` until true; never a fixed sleep. */
export async function waitFor(pred: () => boolean | Promise<boolean>, opts: { timeoutMs: number }): Promise<void> {
  await waitUntil(
    async () => {
      try {
        return await pred();
      } catch {
        return false;
      }
    },
    { timeoutMs: opts.timeoutMs, intervalMs: 100 },
  );
}

/**
 * Waits until a JSON-RPC node answers `eth_chainId` at `url`, with plain HTTP requests: an ethers provider created
 * before the node is up logs "failed to detect network … retry in 1s" on every attempt.
 * @returns the node's chain id.
 * @throws Error when it does not answer within `timeoutMs`.
 */
export async function waitForRpc(url: string, timeoutMs: number): Promise<bigint> {
  let chainId: bigint | undefined;
  const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] });
  await waitFor(
    async () => {
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
      chainId = BigInt(((await res.json()) as { result: string }).result);
      return true;
    },
    { timeoutMs },
  ).catch(() => {
    throw new Error(`no JSON-RPC node answered at ${url} within ${timeoutMs} ms`);
  });
  return chainId!;
}

/** A TCP port that is free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A child process with its output in a log file. */
export interface Proc {
  readonly child: ChildProcess;
  readonly logFile: string;
  readonly exited: Promise<number | null>;
  kill9(): Promise<void>;
  stop(): Promise<void>;
  /** The process's log so far. */
  log(): string;
}

/** Spawns `cmd` in the project root, its stdout and stderr appended to `logFile`. */
export function spawnLogged(cmd: string, args: string[], env: NodeJS.ProcessEnv, logFile: string): Proc {
  const out = createWriteStream(logFile, { flags: "a" });
  const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.pipe(out, { end: false });
  child.stderr?.pipe(out, { end: false });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const kill = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return {
    child,
    logFile,
    exited,
    kill9: () => kill("SIGKILL"),
    stop: () => kill("SIGTERM"),
    log: () => readFileSync(logFile, "utf8"),
  };
}

/**
 * Spawns `hardhat node` (chain id 31337, or `NEWTON_HARDHAT_CHAIN_ID` in `env`) on loopback `port` (default: a
 * free one) and waits for its RPC. `onSpawn` sees the process as soon as it exists (so a caller stopping on a
 * signal can stop it while its RPC is not up yet).
 * @throws Error when the RPC does not answer within 120 s.
 */
export async function startHardhatNode(
  dir: string,
  port?: number,
  env: NodeJS.ProcessEnv = {},
  onSpawn?: (proc: Proc) => void,
): Promise<{ url: string; proc: Proc }> {
  port ??= await freePort();
  const proc = spawnLogged(
    process.execPath,
    [HARDHAT_CLI, "node", "--port", String(port), "--hostname", "127.0.0.1"],
    env,
    path.join(dir, `node-${port}.log`),
  );
  onSpawn?.(proc);
  const url = `http://127.0.0.1:${port}`;
  await waitForRpc(url, 120_000);
  return { url, proc };
}

/** A keeper process definition: its config file and how to (re)start it. */
export class KeeperProcess {
  proc?: Proc;
  starts = 0;
  constructor(
    readonly name: string,
    readonly role: "operator" | "aggregator" | "challenger" | "bootnode",
    readonly configFile: string,
    readonly dir: string,
    readonly env: NodeJS.ProcessEnv = {},
  ) {}

  start(): Proc {
    this.starts++;
    this.proc = spawnLogged(
      process.execPath,
      [
        "-r",
        "ts-node/register/transpile-only",
        "keeper/cli/keeper.ts",
        "--role",
        this.role,
        "--config",
        this.configFile,
      ],
      {
        TS_NODE_TRANSPILE_ONLY: "true",
        ...this.env,
      },
      path.join(this.dir, `${this.name}.log`),
    );
    return this.proc;
  }

  async kill9(): Promise<void> {
    await this.proc?.kill9();
  }

  async stop(): Promise<void> {
    await this.proc?.stop();
  }

  running(): boolean {
    return this.proc !== undefined && this.proc.child.exitCode === null && this.proc.child.signalCode === null;
  }

  log(): string {
    try {
      return readFileSync(path.join(this.dir, `${this.name}.log`), "utf8");
    } catch {
      return "";
    }
  }
}

/** A new temporary folder. */
export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Removes a folder and everything in it. */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Creates `dir` (and parents) if missing; returns it. */
export function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Runs `hardhat compile` (Solidity and the typechain typings) as a child process, its output in `logFile`.
 * `onSpawn` sees the process at once (to stop it on a signal).
 * @returns whether anything was compiled ("up to date" when Hardhat found nothing to do).
 * @throws Error with the end of the compile log when compilation fails.
 */
export async function compileContracts(
  logFile: string,
  onSpawn?: (proc: Proc) => void,
): Promise<"compiled" | "up to date"> {
  mkdirSync(path.dirname(logFile), { recursive: true });
  rmSync(logFile, { force: true });
  const proc = spawnLogged(process.execPath, [HARDHAT_CLI, "compile"], {}, logFile);
  onSpawn?.(proc);
  let stdout = "";
  proc.child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  const closed = new Promise<void>((resolve) => proc.child.once("close", () => resolve()));
  const code = await proc.exited;
  await closed;
  if (code !== 0)
    throw new Error(`compiling the contracts failed (exit ${code}); see ${logFile}:\n${proc.log().slice(-2000)}`);
  return /Nothing to compile/.test(stdout) ? "up to date" : "compiled";
}

/**
 * Runs `hardhat newton:deploy --network localhost` against `rpcUrl` with `configFile`, recording into
 * `deploymentsDir` (`localhost.json`); `env` carries the keystore passwords the config names.
 * @throws Error with the end of the deploy log when the task fails.
 */
export async function runDeployTask(opts: {
  rpcUrl: string;
  configFile: string;
  deploymentsDir: string;
  env: NodeJS.ProcessEnv;
  logFile: string;
  /** Sees the deploy process as soon as it exists (to stop it on a signal). */
  onSpawn?: (proc: Proc) => void;
}): Promise<void> {
  const args = [HARDHAT_CLI, "newton:deploy", "--network", "localhost", "--config-file", opts.configFile];
  const proc = spawnLogged(
    process.execPath,
    [...args, "--deployments-dir", opts.deploymentsDir],
    { LOCALHOST_RPC_URL: opts.rpcUrl, ...opts.env },
    opts.logFile,
  );
  opts.onSpawn?.(proc);
  const code = await proc.exited;
  if (code !== 0) throw new Error(`deployment failed (exit ${code}); see ${opts.logFile}:\n${proc.log().slice(-2000)}`);
}

import { freePort } from "../../../scripts/devnet/processes";
import { type ChildProcess, spawn } from "node:child_process";
import { type Server, createServer } from "node:http";
import { type AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

import { expect } from "chai";
import { id } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { HardhatContext } from "hardhat/internal/context";
import { Environment } from "hardhat/internal/core/runtime-environment";

import type { RpcRequestOptions, RpcTransport } from "../../../keeper/chain";

/** Polls `pred` every 5 ms until it holds (Lodestar-style waitFor); fails after `timeoutMs`. */
export async function waitFor(
  pred: () => boolean | Promise<boolean>,
  { timeoutMs = 20_000, what = "condition" } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > deadline) expect.fail(`${what} not met within ${timeoutMs} ms`);
    await sleep(5);
  }
}

/** One JSON-RPC call over HTTP (test plumbing; no retries). */
export async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

/** A `hardhat node` child process on a loopback port. */
export interface HardhatNode {
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Spawns `hardhat node --port <free> --hostname 127.0.0.1` (the project's own Hardhat CLI, as
 * `npx hardhat node` runs it) and resolves once its RPC answers `eth_chainId`.
 */
export async function startHardhatNode(root: string, { timeoutMs = 60_000 } = {}): Promise<HardhatNode> {
  const port = await freePort();
  const cli = require.resolve("hardhat/internal/cli/cli");
  const env = { ...process.env };
  delete env.HARDHAT_NETWORK;
  const child = spawn(process.execPath, [cli, "node", "--port", String(port), "--hostname", "127.0.0.1"], {
    cwd: root,
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const answers = async () => {
    if (child.exitCode !== null) expect.fail(`hardhat node exited: ${stderr}`);
    return rpc(url, "eth_chainId").then(
      () => true,
      () => false,
    );
  };
  await waitFor(answers, { timeoutMs, what: "hardhat node RPC" });
  const stop = async () => {
    if (child.exitCode === null) child.kill("SIGTERM");
    await exited;
  };
  return { url, child, stop };
}

/**
 * A second Hardhat runtime environment of this project, bound to the `localhost` network at `url`
 * (with the same plugins: hardhat-ethers, upgrades), so `deployNewton` and `hre.ethers` work against
 * the spawned node while the test process's own `hre` stays on the in-process network.
 */
export function localhostEnvironment(hre: HardhatRuntimeEnvironment, url: string): HardhatRuntimeEnvironment {
  const ctx = HardhatContext.getHardhatContext();
  const localhost = { ...hre.config.networks.localhost, url };
  const config = { ...hre.config, networks: { ...hre.config.networks, localhost } };
  return new Environment(
    config,
    { ...hre.hardhatArguments, network: "localhost" },
    hre.tasks,
    hre.scopes,
    ctx.environmentExtenders,
    hre.userConfig,
    ctx.providerExtenders,
  ) as unknown as HardhatRuntimeEnvironment;
}

/** Deterministic uniform [0, 1) numbers (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The faults {@link startFaultyProxy} injects, and how often each happened. */
export type Fault = "http429" | "http500" | "drop" | "rpc32005" | "dropLog" | "rangeRefused";

/** An HTTP JSON-RPC proxy in front of the node that fails a share of the requests. */
export interface FaultyProxy {
  readonly url: string;
  readonly faults: Record<Fault, number>;
  close(): Promise<void>;
}

const KINDS: readonly Fault[] = ["http429", "http500", "drop", "rpc32005"];
/** topic0 of the logs the proxy drops: those the indexer can detect missing (write index, writeCount, sequenceNo). */
const WRITE_PROPOSED_TOPIC = id("WriteProposed(uint64,uint8,bytes32,bytes32,uint32,address,bytes)");
const STATE_ROOT_COMMITTED_TOPIC = id("StateRootCommitted(uint64,bytes32,uint64,uint64,bytes,uint256)");

/**
 * Starts a loopback proxy to `target` that answers a `rate` share of requests with a fault (HTTP
 * 429 with `Retry-After: 0`, HTTP 500, a destroyed connection, JSON-RPC -32005), removes one log
 * from each of the first `dropLogs` (≤ 3) `eth_getLogs` results that hold a droppable one, and
 * refuses `eth_getLogs` ranges wider than `maxLogRange` blocks like Infura (-32005 "query returned
 * more than 10000 results").
 */
export async function startFaultyProxy(
  target: string,
  opts: { rate: number; seed: number; maxLogRange: number; dropLogs: number },
): Promise<FaultyProxy> {
  const random = seededRandom(opts.seed);
  let injected = 0;
  const faults: Record<Fault, number> = { http429: 0, http500: 0, drop: 0, rpc32005: 0, dropLog: 0, rangeRefused: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString();
      const msg = JSON.parse(body) as { id: number; method: string; params: { fromBlock: string; toBlock: string }[] };
      const reply = (status: number, text: string, headers: Record<string, string> = {}) =>
        res.writeHead(status, { "content-type": "application/json", ...headers }).end(text);
      const rpcError = (code: number, message: string) =>
        reply(200, JSON.stringify({ jsonrpc: "2.0", id: msg.id, error: { code, message } }));
      if (msg.method === "eth_getLogs" && logRange(msg.params[0]) > opts.maxLogRange) {
        faults.rangeRefused++;
        return rpcError(-32005, "query returned more than 10000 results");
      }
      // Which requests fail is random (seeded); the kinds take turns, so each occurs.
      const fault = random() < opts.rate ? KINDS[injected++ % KINDS.length] : undefined;
      if (fault !== undefined) faults[fault]++;
      if (fault === "http429") return reply(429, "rate limited", { "retry-after": "0" });
      if (fault === "http500") return reply(500, "internal error");
      if (fault === "drop") return req.socket.destroy();
      if (fault === "rpc32005") return rpcError(-32005, "request rate exceeded");
      return forward(body, reply, msg.method === "eth_getLogs" && faults.dropLog < opts.dropLogs);
    });
  });
  const forward = (body: string, reply: (status: number, text: string) => void, dropLog = false) => {
    fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body })
      .then((r) => r.text())
      .then((text) => reply(200, dropLog ? withoutOneLog(text, faults) : text))
      .catch(() => reply(502, "bad gateway"));
  };
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { url: `http://127.0.0.1:${port}`, faults, close };
}

function logRange(filter: { fromBlock: string; toBlock: string }): number {
  return Number(filter.toBlock) - Number(filter.fromBlock) + 1;
}

/** Drop n° 0: the first `WriteProposed` of a result; n° 1: its last one (a tail gap); then the first `StateRootCommitted`. */
function withoutOneLog(text: string, faults: Record<Fault, number>): string {
  const body = JSON.parse(text) as { result?: { topics: string[] }[] };
  const logs = body.result ?? [];
  const writes = logs.flatMap((log, i) => (log.topics[0] === WRITE_PROPOSED_TOPIC ? [i] : []));
  const commit = logs.findIndex((log) => log.topics[0] === STATE_ROOT_COMMITTED_TOPIC);
  const index = faults.dropLog === 0 ? writes[0] : faults.dropLog === 1 ? writes.at(-1) : commit;
  if (index === undefined || index < 0) return text;
  faults.dropLog++;
  logs.splice(index, 1);
  return JSON.stringify(body);
}

/** Wraps a transport and counts requests per method. */
export function countingTransport(inner: RpcTransport): RpcTransport & { counts: Map<string, number> } {
  const counts = new Map<string, number>();
  return {
    counts,
    request(method: string, params: readonly unknown[], opts: RpcRequestOptions) {
      counts.set(method, (counts.get(method) ?? 0) + 1);
      return inner.request(method, params, opts);
    },
  };
}

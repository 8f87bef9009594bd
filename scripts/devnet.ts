/**
 * `npm start` — the Newton State devnet on the embedded defaults, every part a real process on 127.0.0.1:
 * a Hardhat node (chain 31337), the deployment (`newton:deploy`), the local EigenDA proxy, 4 operators,
 * the aggregator (12 s windows) and a challenger; then a demo that registers real policy artifacts with the
 * `newton` CLI for two clients, prints every commit as it lands and a final `describe`. Afterwards a load
 * generator keeps proposing a few writes per window, so commits keep flowing, until SIGINT or SIGTERM (to
 * this process alone or to its whole group), which stops every process it started, at any point of the start.
 *
 *   npm start                            start (keys in .devnet/keys are kept; the chain is new each time)
 *   npm start -- --reset                 also regenerate the operator keys
 *   npm start -- --window-seconds 6      another commit window
 *   npm start -- --writes-per-window 0   no load after the demo (default 3)
 *   npm start -- --exit-when-done        stop after the demo's writes are committed (for scripts)
 *
 * The contracts are compiled first (a child `hardhat compile`), so a clean clone needs nothing else; the
 * modules that import the generated typings are loaded only after that.
 */
import { readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";

import { Command, InvalidArgumentError, Option } from "commander";

import type { StartedProcess } from "./devnet/network";
import { ROOT, compileContracts } from "./devnet/processes";

interface Args {
  reset: boolean;
  windowSeconds: number;
  writesPerWindow: number;
  exitWhenDone: boolean;
  dir: string;
  ports?: number[];
}

const DEFAULT_PORTS = [8545, 3100, 9101, 9102, 9103, 9104, 9200, 9300];

function integer(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError("must be a non-negative integer");
  return Number(value);
}

function portList(value: string): number[] {
  const ports = value.split(",").map((p) => Number(p));
  if (ports.length !== 8 || ports.some((p) => !Number.isInteger(p) || p <= 0 || p > 65535))
    throw new InvalidArgumentError("must be 8 ports: node,da,operator×4,aggregator,challenger");
  return ports;
}

async function checkPorts(ports: readonly number[]): Promise<void> {
  for (const port of ports) {
    const busy = await new Promise<boolean>((resolve) => {
      const server = createServer().once("error", () => resolve(true));
      server.listen(port, "127.0.0.1", () => server.close(() => resolve(false)));
    });
    if (busy) throw new Error(`port ${port} on 127.0.0.1 is in use: stop what uses it (an earlier devnet?) and retry`);
  }
}

/**
 * Every process started so far, stopped (newest first) on SIGINT/SIGTERM or at the end. A process spawned
 * while stopping is stopped at once.
 */
class Supervisor {
  private readonly live: StartedProcess[] = [];
  private readonly cleanups: (() => Promise<void>)[] = [];
  private stopping?: Promise<void>;

  add(p: StartedProcess): void {
    if (this.stopping !== undefined) void p.stop();
    else this.live.push(p);
  }

  /** Runs `fn` first when stopping (watchers, load generator). */
  onStop(fn: () => Promise<void>): void {
    this.cleanups.push(fn);
  }

  /** Stops everything once; later calls wait for the same stop. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const fn of this.cleanups.reverse()) await fn().catch(() => undefined);
      while (this.live.length > 0) await this.live.pop()!.stop();
    })();
    return this.stopping;
  }
}

const log = (line: string): void => console.log(`[devnet] ${line}`);
const supervisor = new Supervisor();
let exiting = false;

/** Stops every process once and exits with `code`. */
async function stop(code: number, why: string): Promise<void> {
  if (exiting) return;
  exiting = true;
  log(why);
  await supervisor.stop();
  process.exit(code);
}

// Installed before anything starts: a signal during the minutes-long start must not orphan the node or keepers.
process.once("SIGINT", () => void stop(0, "SIGINT: stopping every process…"));
process.once("SIGTERM", () => void stop(0, "SIGTERM: stopping every process…"));

async function main(): Promise<void> {
  const args = new Command("devnet")
    .option("--reset", "regenerate the operator keys as well", false)
    .option("--window-seconds <n>", "aggregator commit window in seconds", integer, 12)
    .option("--writes-per-window <n>", "user writes proposed every window after the demo (0: none)", integer, 3)
    .option("--exit-when-done", "stop once the demo's writes are committed", false)
    .addOption(new Option("--dir <dir>", "the devnet's folder").default(path.join(ROOT, ".devnet")).hideHelp())
    .addOption(
      new Option("--ports <list>", "node,da,operator×4,aggregator,challenger ports (tests)")
        .argParser(portList)
        .hideHelp(),
    )
    .parse()
    .opts<Args>();

  const dir = path.resolve(args.dir);
  if (args.reset) rmSync(dir, { recursive: true, force: true });
  const p = args.ports ?? DEFAULT_PORTS;
  const ports = { node: p[0], da: p[1], operators: p.slice(2, 6), aggregator: p[6], challenger: p[7] };
  await checkPorts(p);

  log("compiling contracts… (about a minute on a clean clone)");
  const compiled = await compileContracts(path.join(dir, "compile.log"), (proc) =>
    supervisor.add({ name: "hardhat compile", stop: () => proc.stop() }),
  );
  log(compiled === "up to date" ? "contracts up to date" : "contracts compiled");

  // Loaded after the compile: they import the generated typings (typechain-types).
  const { Devnet } = await import("./devnet/network");
  const { describePolicy, runDemo } = await import("./devnet/demo");
  const { CommitWatcher, formatCommit } = await import("./devnet/watch");
  const { LoadGenerator } = await import("./devnet/load");
  const { DEVNET_ACCOUNTS } = await import("./devnet/accounts");
  const { waitFor } = await import("./devnet/processes");
  const { StateCommitRegistry__factory } = await import("../typechain-types");
  const { JsonRpcProvider, Network } = await import("ethers");

  const devnet = await Devnet.start({
    dir,
    ports,
    windowSeconds: args.windowSeconds,
    log,
    onProcess: (proc) => supervisor.add(proc),
  });
  const { rpcUrl, daUrl, deploymentsDir, deploymentFile, operatorUrls, logsDir, newtonHome } = devnet.handles;
  const record = JSON.parse(readFileSync(deploymentFile, "utf8")) as {
    chainId: number;
    contracts: Record<string, { proxy: string }>;
  };
  const watcher = new CommitWatcher(rpcUrl, deploymentFile, (c) => console.log(formatCommit(c)));
  supervisor.onStop(() => watcher.stop());
  watcher.start();
  const target = { rpcUrl, daUrl, deploymentsDir, operatorUrl: operatorUrls[0], dir: path.join(dir, "demo"), log };
  const demo = await runDemo(target);
  const provider = new JsonRpcProvider(rpcUrl, Network.from(record.chainId), { staticNetwork: true });
  const writeCount = await StateCommitRegistry__factory.connect(
    record.contracts.StateCommitRegistry.proxy,
    provider,
  ).writeCount();
  provider.destroy();
  log(`demo done: waiting for the commits covering all ${writeCount} writes…`);
  await waitFor(() => (watcher.latest()?.writeIndexEnd ?? 0n) >= writeCount, { timeoutMs: 15 * 60_000 });
  for (const client of demo.clients) console.log((await describePolicy(target, client.policyInstanceId)).text);
  if (args.exitWhenDone)
    return stop(0, `all ${writeCount} writes of the demo are committed; stopping (--exit-when-done)`);

  const load = new LoadGenerator({
    rpcUrl,
    chainId: BigInt(record.chainId),
    daUrl,
    registry: record.contracts.StateCommitRegistry.proxy,
    privateKey: DEVNET_ACCOUNTS.load,
    writesPerRound: args.writesPerWindow,
    intervalMs: args.windowSeconds * 1000,
    onError: (err) => log(`load generator: ${err instanceof Error ? err.message : String(err)} (retrying next window)`),
  });
  supervisor.onStop(() => load.stop());
  load.start();
  log(`devnet running: RPC ${rpcUrl}, DA ${daUrl}, operators ${operatorUrls.join(" ")}; logs in ${logsDir}`);
  if (args.writesPerWindow > 0)
    log(`load: ${args.writesPerWindow} writes per ${args.windowSeconds} s window (--writes-per-window N to change)`);
  log("the newton CLI is set up for this devnet (profile localhost); in another shell, from the project root:");
  console.log(`  export NEWTON_HOME=${newtonHome}`);
  console.log("  npm run newton -- config show");
  log("Ctrl-C (or SIGTERM) stops every process");
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  void stop(1, "start failed: stopping every process…");
});

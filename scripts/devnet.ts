/**
 * `npm start` — the Newton State devnet on the embedded defaults, every part a real process on 127.0.0.1:
 * a Hardhat node (chain 31337), the deployment (`newton:deploy`), the local EigenDA proxy, 4 operators,
 * the aggregator (12 s windows) and a challenger; then a demo that registers real policy artifacts with the
 * `newton` CLI for two clients, prints every commit as it lands and a final `describe`. The devnet keeps
 * running (commits continue as writes arrive) until Ctrl-C, which stops every process.
 *
 *   npm start                          start (keys in .devnet/keys are kept; the chain is new each time)
 *   npm start -- --reset               also regenerate the operator keys
 *   npm start -- --window-seconds 6    another commit window
 *   npm start -- --exit-when-done      stop after the demo's writes are committed (for scripts)
 */
import { readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";

import { Command } from "commander";
import { JsonRpcProvider } from "ethers";

import { StateCommitRegistry__factory } from "../typechain-types";

import { describePolicy, runDemo } from "./devnet/demo";
import { Devnet } from "./devnet/network";
import { ROOT, waitFor } from "./devnet/processes";
import { CommitWatcher, formatCommit } from "./devnet/watch";

interface Args {
  reset: boolean;
  windowSeconds: string;
  exitWhenDone: boolean;
}

const PORTS = { node: 8545, da: 3100, operators: [9101, 9102, 9103, 9104], aggregator: 9200, challenger: 9300 };

async function checkPorts(): Promise<void> {
  const wanted = [PORTS.node, PORTS.da, ...PORTS.operators, PORTS.aggregator, PORTS.challenger];
  for (const port of wanted) {
    const busy = await new Promise<boolean>((resolve) => {
      const server = createServer().once("error", () => resolve(true));
      server.listen(port, "127.0.0.1", () => server.close(() => resolve(false)));
    });
    if (busy) throw new Error(`port ${port} on 127.0.0.1 is in use: stop what uses it (an earlier devnet?) and retry`);
  }
}

async function main(): Promise<void> {
  const args = new Command("devnet")
    .option("--reset", "regenerate the operator keys as well", false)
    .option("--window-seconds <n>", "aggregator commit window in seconds", "12")
    .option("--exit-when-done", "stop once the demo's writes are committed", false)
    .parse()
    .opts<Args>();
  const dir = path.join(ROOT, ".devnet");
  if (args.reset) rmSync(dir, { recursive: true, force: true });
  await checkPorts();
  const log = (line: string) => console.log(`[devnet] ${line}`);
  const devnet = await Devnet.start({ dir, ports: PORTS, windowSeconds: Number(args.windowSeconds), log });
  const { rpcUrl, daUrl, deploymentsDir, deploymentFile, operatorUrls, logsDir } = devnet.handles;
  const watcher = new CommitWatcher(rpcUrl, deploymentFile, (c) => console.log(formatCommit(c)));
  const stop = async (code: number) => {
    log("stopping every process…");
    await watcher.stop();
    await devnet.stop();
    process.exit(code);
  };
  process.once("SIGINT", () => void stop(0));
  process.once("SIGTERM", () => void stop(0));
  watcher.start();
  try {
    const target = { rpcUrl, daUrl, deploymentsDir, operatorUrl: operatorUrls[0], dir: path.join(dir, "demo"), log };
    const demo = await runDemo(target);
    const writeCount = await writeCountOf(rpcUrl, deploymentFile);
    log(`demo done: waiting for the commits covering all ${writeCount} writes…`);
    await waitFor(() => (watcher.latest()?.writeIndexEnd ?? 0n) >= writeCount, { timeoutMs: 15 * 60_000 });
    for (const client of demo.clients) console.log((await describePolicy(target, client.policyInstanceId)).text);
    log(`devnet running: RPC ${rpcUrl}, DA ${daUrl}, operators ${operatorUrls.join(" ")}; logs in ${logsDir}`);
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    await stop(1);
  }
  if (args.exitWhenDone) await stop(0);
  else log("Ctrl-C to stop");
}

async function writeCountOf(rpcUrl: string, deploymentFile: string): Promise<bigint> {
  const record = JSON.parse(readFileSync(deploymentFile, "utf8")) as { contracts: Record<string, { proxy: string }> };
  const provider = new JsonRpcProvider(rpcUrl);
  const count = await StateCommitRegistry__factory.connect(
    record.contracts.StateCommitRegistry.proxy,
    provider,
  ).writeCount();
  provider.destroy();
  return count;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

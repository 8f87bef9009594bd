/**
 * A whole Newton State devnet on one machine, each part a real process on 127.0.0.1:
 *
 *   hardhat node (chain 31337, a block every second) ─ newton:deploy (5 UUPS proxies, 4 BLS operators)
 *   newton-da-server (eigenda-proxy API, on disk) ─ 4 × newton-keeper operator ─ aggregator ─ challenger
 *
 * Data lives under one folder (`.devnet/` for `npm start`): keys (kept across runs), and per run the
 * deployment record, the DA store, every keeper's LMDB environment and every process's log. A Hardhat
 * node keeps its chain in memory, so each start begins a fresh chain and wipes the per-run data.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

import { JsonRpcProvider, Network } from "ethers";

import { saveConfig } from "../../keeper/cli/newton/config";
import { DEVNET_ACCOUNTS } from "./accounts";
import { KEEPER_ENV, type DevnetPorts, writeKeeperConfigs } from "./keepers";
import { DEVNET_KEYSTORE_PASSWORD, type DevnetKeys, ensureDevnetKeys } from "./keys";
import { KeeperProcess, type Proc, runDeployTask, spawnLogged, startHardhatNode, waitFor } from "./processes";

/** Options of {@link Devnet.start}. */
export interface DevnetOptions {
  /** The devnet's folder. */
  readonly dir: string;
  readonly ports: DevnetPorts;
  /** Commit window of the aggregator, in seconds. */
  readonly windowSeconds: number;
  /** Progress lines (default: none). */
  readonly log?: (line: string) => void;
  /**
   * Sees every process as soon as it is spawned, with how to stop it: a caller handling SIGINT/SIGTERM
   * during the (minutes long) start stops these itself, since `start` has not returned a `Devnet` yet.
   */
  readonly onProcess?: (p: StartedProcess) => void;
}

/** A process the devnet started and how to stop it (SIGTERM, then wait for its exit). */
export interface StartedProcess {
  readonly name: string;
  stop(): Promise<void>;
}

/** What a started devnet exposes. */
export interface DevnetHandles {
  readonly rpcUrl: string;
  readonly daUrl: string;
  readonly operatorUrls: readonly string[];
  readonly deploymentsDir: string;
  readonly deploymentFile: string;
  readonly keys: DevnetKeys;
  readonly logsDir: string;
  /** The `newton` CLI's home (`NEWTON_HOME`) holding a ready `localhost` profile for this devnet. */
  readonly newtonHome: string;
}

const OPERATORS = 4;

/** A running devnet; `stop()` ends every process it started. */
export class Devnet {
  private readonly procs: StartedProcess[] = [];

  private constructor(readonly handles: DevnetHandles) {}

  /**
   * Starts every part in order and waits until each answers.
   * @throws Error naming the part that failed to start (its log file holds the details); whatever
   *   already started is stopped first.
   */
  static async start(opts: DevnetOptions): Promise<Devnet> {
    const log = opts.log ?? (() => undefined);
    const logsDir = path.join(opts.dir, "logs");
    for (const sub of ["data", "deployments", "da", "logs", "config"])
      rmSync(path.join(opts.dir, sub), { recursive: true, force: true });
    mkdirSync(logsDir, { recursive: true });
    const keys = await ensureDevnetKeys(opts.dir, OPERATORS);
    const started: StartedProcess[] = [];
    const track = (p: StartedProcess): void => {
      started.push(p);
      opts.onProcess?.(p);
    };
    try {
      const node = await startHardhatNode(logsDir, opts.ports.node, {}, (proc) =>
        track({ name: "hardhat node", stop: () => proc.stop() }),
      );
      await intervalMining(node.url);
      log(`hardhat node: ${node.url} (chain 31337, a block per second)`);
      const deploymentsDir = path.join(opts.dir, "deployments");
      await deploy(opts.dir, node.url, deploymentsDir, keys, logsDir, track);
      const deploymentFile = path.join(deploymentsDir, "localhost.json");
      log(`contracts deployed: ${deploymentFile}`);
      const daUrl = await startDa(opts, logsDir, track);
      log(`local EigenDA proxy: ${daUrl}`);
      const operatorUrls = opts.ports.operators.map((p) => `http://127.0.0.1:${p}`);
      const newtonHome = path.join(opts.dir, "newton");
      writeNewtonProfile(newtonHome, { rpcUrl: node.url, daUrl, deploymentsDir, operatorUrl: operatorUrls[0] });
      const handles = {
        rpcUrl: node.url,
        daUrl,
        operatorUrls,
        deploymentsDir,
        deploymentFile,
        keys,
        logsDir,
        newtonHome,
      };
      await startKeepers(opts, handles, track);
      log(
        `keepers: ${OPERATORS} operators (${handles.operatorUrls.join(", ")}), aggregator (${opts.windowSeconds} s windows), challenger`,
      );
      const devnet = new Devnet(handles);
      devnet.procs.push(...started);
      return devnet;
    } catch (err) {
      for (const p of started.reverse()) await p.stop();
      throw err;
    }
  }

  /** Stops every process (SIGTERM, keepers first) and waits for them to exit. */
  async stop(): Promise<void> {
    for (const p of [...this.procs].reverse()) await p.stop();
    this.procs.length = 0;
  }
}

/** Mines a block every second besides on each transaction, as a real chain would. */
async function intervalMining(rpcUrl: string): Promise<void> {
  const provider = new JsonRpcProvider(rpcUrl, Network.from(31337n), { staticNetwork: true });
  await provider.send("evm_setIntervalMining", [1000]);
  provider.destroy();
}

async function deploy(
  dir: string,
  rpcUrl: string,
  deploymentsDir: string,
  keys: DevnetKeys,
  logsDir: string,
  track: (p: StartedProcess) => void,
): Promise<void> {
  const configFile = path.join(dir, "deploy-config.json");
  const operators = keys.operators.map((op) => ({
    address: op.address,
    weight: 100,
    keystore: op.keystore,
    keystorePasswordEnv: "NEWTON_DEVNET_OPERATOR_PW",
  }));
  const config = {
    templateRegistrationPermissionless: true,
    instanceDeploymentPermissionless: true,
    quorumBips: 6667,
    challengeWindowBlocks: 100,
    confirmations: 1,
    operators,
  };
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  await runDeployTask({
    rpcUrl,
    configFile,
    deploymentsDir,
    env: { DEPLOYER_PRIVATE_KEY: DEVNET_ACCOUNTS.deployer, NEWTON_DEVNET_OPERATOR_PW: DEVNET_KEYSTORE_PASSWORD },
    logFile: path.join(logsDir, "deploy.log"),
    onSpawn: (proc) => track({ name: "deploy", stop: () => proc.stop() }),
  });
}

async function startDa(opts: DevnetOptions, logsDir: string, track: (p: StartedProcess) => void): Promise<string> {
  const url = `http://127.0.0.1:${opts.ports.da}`;
  const proc: Proc = spawnLogged(
    process.execPath,
    [
      "-r",
      "ts-node/register/transpile-only",
      "keeper/cli/da-server.ts",
      "--port",
      String(opts.ports.da),
      "--data-dir",
      path.join(opts.dir, "da"),
    ],
    { TS_NODE_TRANSPILE_ONLY: "true" },
    path.join(logsDir, "da-server.log"),
  );
  track({ name: "da-server", stop: () => proc.stop() });
  await waitFor(async () => (await fetch(`${url}/health`)).ok, { timeoutMs: 60_000 }).catch(() => {
    throw new Error(`the DA server did not start; see ${proc.logFile}`);
  });
  return url;
}

async function startKeepers(
  opts: DevnetOptions,
  handles: DevnetHandles,
  track: (p: StartedProcess) => void,
): Promise<void> {
  const configs = writeKeeperConfigs({
    dir: opts.dir,
    rpcUrl: handles.rpcUrl,
    daUrl: handles.daUrl,
    deploymentFile: handles.deploymentFile,
    keys: handles.keys,
    ports: opts.ports,
    windowSeconds: opts.windowSeconds,
  });
  const env = {
    [KEEPER_ENV.operatorPassword]: DEVNET_KEYSTORE_PASSWORD,
    [KEEPER_ENV.aggregatorKey]: DEVNET_ACCOUNTS.aggregator,
    [KEEPER_ENV.challengerKey]: DEVNET_ACCOUNTS.challenger,
  };
  for (const c of configs) {
    const keeper = new KeeperProcess(c.name, c.role, c.file, handles.logsDir, env);
    keeper.start();
    track({ name: c.name, stop: () => keeper.stop() });
  }
  for (const url of handles.operatorUrls) {
    await waitFor(async () => (await fetch(`${url}/healthz`)).ok, { timeoutMs: 120_000 }).catch(() => {
      throw new Error(`operator ${url} did not start; see the logs in ${handles.logsDir}`);
    });
  }
}

/**
 * Writes `<home>/config.toml` for the `newton` CLI: a `localhost` profile (current) with this devnet's RPC, DA,
 * deployment records, first operator and the policy author's key (Hardhat's public account #0), so
 * `NEWTON_HOME=<home> npm run newton -- …` works without flags (`--chains localhost` included).
 */
export function writeNewtonProfile(
  home: string,
  t: { rpcUrl: string; daUrl: string; deploymentsDir: string; operatorUrl: string },
): void {
  saveConfig(path.join(home, "config.toml"), {
    current: "localhost",
    profiles: {
      localhost: {
        chain: "localhost",
        "rpc-url": t.rpcUrl,
        "da-url": t.daUrl,
        deployments: t.deploymentsDir,
        "operator-url": t.operatorUrl,
        "signer-key": DEVNET_ACCOUNTS.deployer,
      },
    },
  });
}

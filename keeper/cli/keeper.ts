/**
 * `newton-keeper` — runs one keeper role until SIGINT/SIGTERM:
 *
 *   ts-node --transpile-only keeper/cli/keeper.ts --role operator|aggregator|challenger|bootnode --config <file>
 *
 * Reads the role's JSON config (see `config.ts`; `NEWTON_KEEPER_*` env overrides), the deployment
 * record it names, the operator's EIP-2335 keystore (password from env or a file) or the sender's
 * private key, checks that `dataDir` can hold a database and that `operator.address` is registered with the
 * keystore's key (both refused at startup, naming the field), opens the LMDB state in `dataDir`, and starts the role. Logs JSON lines (pino) on
 * stdout; exits 0 on a signal, 1 on a startup error (message on stderr).
 */
import { readFileSync } from "node:fs";

import { Command, Option } from "commander";
import { Contract, JsonRpcProvider, Network, Wallet } from "ethers";
import { Registry, collectDefaultMetrics } from "prom-client";

import { Aggregator } from "../aggregator";
import { decryptKeystore, type Eip2335Keystore } from "../bls";
import {
  OPERATOR_REGISTRY_ABI,
  STATE_COMMIT_REGISTRY_ABI,
  TxSender,
  createIndexedChain,
  createIndexerMetrics,
} from "../chain";
import { Challenger } from "../challenger";
import { createKeeperMetrics, createLogger } from "../common";
import { EigenDaProxyClient, createDaMetrics } from "../da";
import { OpeningResolver, Operator } from "../operator";
import { Bootnode } from "../sync";
import { KeeperState } from "../window";
import {
  KeeperConfigError,
  ROLES,
  loadKeeperConfig,
  readSecret,
  readSecretsKeys,
  type KeeperConfig,
  type Role,
  type TxKeyConfig,
} from "./config";
import { checkDataDir, checkOperatorKey, type OperatorInfoReader } from "./startup-checks";

/** What the keeper reads from `deployments/<network>.json`. */
interface DeploymentInfo {
  readonly chainId: bigint;
  readonly stateCommitRegistry: string;
  readonly operatorRegistry: string;
  readonly challengeVerifier: string;
  readonly fromBlock: number;
}

type Runnable = { start(): Promise<void>; stop(): Promise<void> };

function readDeploymentInfo(file: string): DeploymentInfo {
  let json: { chainId?: number; contracts?: Record<string, { proxy?: string; deployBlock?: number } | undefined> };
  try {
    json = JSON.parse(readFileSync(file, "utf8")) as typeof json;
  } catch (err) {
    throw new KeeperConfigError(`deployment ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const proxy = (name: string): string => {
    const p = json.contracts?.[name]?.proxy;
    if (typeof p !== "string") throw new KeeperConfigError(`deployment ${file}: /contracts/${name}/proxy is missing`);
    return p;
  };
  if (typeof json.chainId !== "number") throw new KeeperConfigError(`deployment ${file}: /chainId is missing`);
  const blocks = Object.values(json.contracts ?? {}).map((c) => c?.deployBlock ?? 0);
  return {
    chainId: BigInt(json.chainId),
    stateCommitRegistry: proxy("StateCommitRegistry"),
    operatorRegistry: proxy("OperatorRegistry"),
    challengeVerifier: proxy("ChallengeVerifier"),
    fromBlock: Math.min(...blocks),
  };
}

function txWallet(key: TxKeyConfig, provider: JsonRpcProvider, env: NodeJS.ProcessEnv): Wallet {
  const secret = readSecret({ env: key.privateKeyEnv, file: key.privateKeyFile }, env, "txKey");
  try {
    return new Wallet(secret, provider);
  } catch {
    throw new KeeperConfigError("txKey: not a 32-byte 0x-hex private key");
  }
}

/** Builds and starts the role; resolves with it (for shutdown). */
async function startRole(
  role: Role,
  config: KeeperConfig,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
): Promise<Runnable & { close(): Promise<void> }> {
  const logger = createLogger({ level: config.logLevel, name: `keeper-${role}` });
  const deployment = readDeploymentInfo(config.deployment);
  const registry = new Registry();
  // One keeper per chain: every metric (default, keeper, DA client) carries the chain it serves.
  registry.setDefaultLabels({ chain_id: deployment.chainId.toString() });
  collectDefaultMetrics({ register: registry });
  const metrics = createKeeperMetrics(registry);
  const provider = new JsonRpcProvider(config.rpcUrl, Network.from(deployment.chainId), {
    staticNetwork: true,
    batchMaxCount: 1,
    pollingInterval: Math.min(config.pollIntervalMs, 250),
  });
  checkDataDir(config.dataDir);
  const state = await KeeperState.open({ path: config.dataDir }, { logger, metrics });
  const chain = createIndexedChain(
    {
      rpcUrl: config.rpcUrl,
      chainId: deployment.chainId,
      registry: deployment.stateCommitRegistry,
      fromBlock: deployment.fromBlock,
      pollIntervalMs: config.pollIntervalMs,
      rpcTimeoutMs: config.timeouts.rpcMs,
      confirmations: config.confirmations,
      root: state.root,
    },
    { logger, metrics: createIndexerMetrics(registry) },
  );
  const da = new EigenDaProxyClient(
    {
      url: config.daUrl,
      timeoutMs: config.timeouts.daMs,
      maxRetries: config.da.maxRetries,
      baseDelayMs: config.da.baseDelayMs,
    },
    { logger, metrics: createDaMetrics(registry), signal },
  );
  const common = { state, chain, da, provider, logger, metrics, registry, signal };
  let runnable: Runnable;
  const challengeWindowBlocks = async (): Promise<number> =>
    Number(
      await new Contract(deployment.stateCommitRegistry, STATE_COMMIT_REGISTRY_ABI, provider).challengeWindowBlocks(),
    );
  if (role === "bootnode") {
    runnable = new Bootnode(
      {
        httpHost: config.http.host,
        httpPort: config.http.port ?? 9400,
        peers: config.sync!.peers,
        keepVersions: config.sync!.keepVersions,
        challengeWindowBlocks: await challengeWindowBlocks(),
      },
      common,
    );
  } else if (role === "operator") {
    const op = config.operator!;
    const password = readSecret({ env: op.passwordEnv, file: op.passwordFile }, env, "operator keystore password");
    const keystore = JSON.parse(readFileSync(op.keystore, "utf8")) as Eip2335Keystore;
    const keypair = await decryptKeystore(keystore, password);
    const operatorRegistry = new Contract(deployment.operatorRegistry, OPERATOR_REGISTRY_ABI, provider);
    try {
      await checkOperatorKey(
        op.address,
        keypair.pubkeyG1Eip2537,
        operatorRegistry as unknown as OperatorInfoReader,
        deployment.operatorRegistry,
      );
    } catch (err) {
      if (err instanceof KeeperConfigError) throw err;
      // An unreachable RPC is not a config error: the role waits for the chain like it does for every read.
      logger.warn({ err }, "cannot check operator.address against the OperatorRegistry yet; starting anyway");
    }
    runnable = new Operator(
      {
        chainId: deployment.chainId,
        registry: deployment.stateCommitRegistry,
        operatorAddress: op.address,
        keypair,
        ...readSecretsKeys(op.secretsKeyFile),
        httpHost: config.http.host,
        httpPort: config.http.port ?? 9100,
        aggregators: op.aggregators,
        maxCommitBytes: op.maxCommitBytes,
        maxConcurrentSigns: op.maxConcurrentSigns,
        maxReferenceLagBlocks: op.maxReferenceLagBlocks,
        valueTimeoutMs: config.timeouts.valueMs,
        maxRequestBytes: 1 << 20,
        sync: config.sync && {
          peers: config.sync.peers,
          keepVersions: config.sync.keepVersions,
          challengeWindowBlocks: await challengeWindowBlocks(),
        },
      },
      {
        ...common,
        // With a funded key the operator answers key-opening challenges from its tree.
        openings:
          op.txKey &&
          new OpeningResolver(deployment.challengeVerifier, {
            ...common,
            sender: new TxSender(
              { maxAttempts: config.tx.maxAttempts, receiptTimeoutMs: config.timeouts.receiptMs },
              { wallet: txWallet(op.txKey, provider, env), logger, metrics, signal },
            ),
          }),
      },
    );
  } else {
    const txKey = role === "aggregator" ? config.aggregator!.txKey : config.challenger!.txKey;
    const wallet = txWallet(txKey, provider, env);
    const sender = new TxSender(
      { maxAttempts: config.tx.maxAttempts, receiptTimeoutMs: config.timeouts.receiptMs },
      { wallet, logger, metrics, signal },
    );
    if (role === "aggregator") {
      const agg = config.aggregator!;
      runnable = new Aggregator(
        {
          chainId: deployment.chainId,
          registry: deployment.stateCommitRegistry,
          fromBlock: deployment.fromBlock,
          windowSeconds: agg.windowSeconds,
          confirmations: agg.confirmations,
          maxCommitBytes: agg.maxCommitBytes,
          maxBlobBytes: agg.maxBlobBytes,
          operators: agg.operators,
          valueTimeoutMs: config.timeouts.valueMs,
          signTimeoutMs: config.timeouts.signMs,
          indexTimeoutMs: config.timeouts.indexMs,
          httpHost: config.http.host,
          httpPort: config.http.port,
        },
        {
          ...common,
          sender,
          requestSigner: wallet,
          operatorRegistry: new Contract(deployment.operatorRegistry, OPERATOR_REGISTRY_ABI, provider),
        },
      );
    } else {
      const scr = new Contract(deployment.stateCommitRegistry, STATE_COMMIT_REGISTRY_ABI, provider);
      runnable = new Challenger(
        {
          challengeVerifier: deployment.challengeVerifier,
          challengeWindowBlocks: Number(await scr.challengeWindowBlocks()),
          httpHost: config.http.host,
          httpPort: config.http.port,
        },
        { ...common, sender },
      );
    }
  }
  await runnable.start();
  return {
    start: () => Promise.resolve(),
    stop: () => runnable.stop(),
    close: async () => {
      provider.destroy();
      await state.close();
    },
  };
}

async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  const program = new Command("newton-keeper")
    .description("Newton State keeper: operator, aggregator, challenger or bootnode (follows and serves state sync)")
    .addOption(new Option("--role <role>", "role to run").choices(ROLES).makeOptionMandatory())
    .requiredOption("--config <file>", "JSON config file of the role")
    .parse(argv as string[]);
  const flags = program.opts<{ role: Role; config: string }>();
  const config = loadKeeperConfig(flags.config, flags.role, env);
  const controller = new AbortController();
  const running = await startRole(flags.role, config, env, controller.signal);
  const shutdown = (): void => {
    controller.abort();
    running
      .stop()
      .then(() => running.close())
      .finally(() => process.exit(0));
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

if (require.main === module) {
  main(process.argv, process.env).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}

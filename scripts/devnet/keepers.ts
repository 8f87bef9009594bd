/** The devnet's keeper configs: one file per process, in the format `newton-keeper --config` reads. */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

import { Wallet } from "ethers";

import { DEVNET_ACCOUNTS } from "./accounts";
import type { DevnetKeys } from "./keys";

/** Where the devnet's services listen (all on 127.0.0.1). */
export interface DevnetPorts {
  readonly node: number;
  readonly da: number;
  /** One per operator. */
  readonly operators: readonly number[];
  readonly aggregator: number;
  readonly challenger: number;
}

/** What every keeper config shares. */
export interface KeeperConfigContext {
  readonly dir: string;
  readonly rpcUrl: string;
  readonly daUrl: string;
  readonly deploymentFile: string;
  readonly keys: DevnetKeys;
  readonly ports: DevnetPorts;
  readonly windowSeconds: number;
}

/** The env var names the configs point at (the devnet sets them on each child). */
export const KEEPER_ENV = {
  operatorPassword: "NEWTON_DEVNET_OPERATOR_PW",
  aggregatorKey: "NEWTON_DEVNET_AGGREGATOR_KEY",
  challengerKey: "NEWTON_DEVNET_CHALLENGER_KEY",
} as const;

const COMMON = {
  logLevel: "info",
  pollIntervalMs: 250,
  confirmations: 1,
  timeouts: { rpcMs: 10_000, daMs: 60_000, signMs: 30_000, receiptMs: 30_000, indexMs: 30_000 },
};

/** Writes the config files of every keeper process; returns `name → {role, file}`. */
export function writeKeeperConfigs(
  ctx: KeeperConfigContext,
): { name: string; role: "operator" | "aggregator" | "challenger"; file: string }[] {
  const configs = path.join(ctx.dir, "config");
  mkdirSync(configs, { recursive: true });
  const base = (name: string, port: number) => ({
    rpcUrl: ctx.rpcUrl,
    deployment: ctx.deploymentFile,
    daUrl: ctx.daUrl,
    dataDir: path.join(ctx.dir, "data", name),
    http: { host: "127.0.0.1", port },
    ...COMMON,
  });
  const out: { name: string; role: "operator" | "aggregator" | "challenger"; file: string }[] = [];
  const write = (name: string, role: "operator" | "aggregator" | "challenger", body: object) => {
    const file = path.join(configs, `${name}.json`);
    writeFileSync(file, JSON.stringify({ role, ...body }, null, 2));
    out.push({ name, role, file });
  };
  ctx.keys.operators.forEach((op, i) =>
    write(`operator-${i}`, "operator", {
      ...base(`operator-${i}`, ctx.ports.operators[i]),
      operator: {
        address: op.address,
        keystore: op.keystore,
        passwordEnv: KEEPER_ENV.operatorPassword,
        secretsKeyFile: ctx.keys.secretsKeyFile,
        // Sign requests are answered only when signed by the aggregator's tx account.
        aggregators: [new Wallet(DEVNET_ACCOUNTS.aggregator).address],
      },
    }),
  );
  write("aggregator", "aggregator", {
    ...base("aggregator", ctx.ports.aggregator),
    aggregator: {
      windowSeconds: ctx.windowSeconds,
      confirmations: 1,
      operators: ctx.ports.operators.map((p) => ({ url: `http://127.0.0.1:${p}` })),
      txKey: { privateKeyEnv: KEEPER_ENV.aggregatorKey },
    },
  });
  write("challenger", "challenger", {
    ...base("challenger", ctx.ports.challenger),
    challenger: { txKey: { privateKeyEnv: KEEPER_ENV.challengerKey } },
  });
  return out;
}

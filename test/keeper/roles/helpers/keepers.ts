/**
 * Test-only: generated keeper configs, the write helper (bytes to DA, then `proposeWrite`), the
 * independent root recomputation (a fresh in-memory JMT over the write log) and HTTP helpers.
 */
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";

import { Contract, JsonRpcProvider, Network, Wallet, ZeroHash, getBytes, hexlify, id, keccak256 } from "ethers";

import type { Signature } from "@chainsafe/blst";

import { buildSignerProof, sign } from "../../../../keeper/bls";
import {
  STATE_COMMIT_REGISTRY_ABI,
  stateCommitDigest,
  stateCommitRegistryInterface,
  type StateCommit,
} from "../../../../keeper/chain";
import { EigenDaProxyClient } from "../../../../keeper/da";
import { JellyfishMerkleTree, MemoryTreeStore, createKeccakHasher } from "../../../../keeper/jmt";
import { HARDHAT_KEYS, KeeperProcess, ensureDir, freePort, funded, type DevnetDeployment } from "./devnet";

/** Shared settings of the generated configs. */
export interface KeeperSetup {
  readonly dir: string;
  readonly rpcUrl: string;
  readonly daUrl: string;
  readonly deployment: DevnetDeployment;
  readonly secretsKeyFile: string;
  readonly windowSeconds: number;
  /** Extra fields of every operator's `operator` config section (e.g. `maxCommitBytes`). */
  readonly operatorExtra?: Record<string, unknown>;
  /** Extra fields of the aggregator's `aggregator` config section. */
  readonly aggregatorExtra?: Record<string, unknown>;
}

/** The aggregator's tx account (Hardhat account 1): the one address operators trust for sign requests. */
export const AGGREGATOR_ADDRESS = new Wallet(HARDHAT_KEYS[1]).address;

const COMMON = {
  logLevel: "info",
  pollIntervalMs: 100,
  timeouts: { rpcMs: 5_000, daMs: 5_000, signMs: 8_000, receiptMs: 10_000, indexMs: 8_000 },
  da: { maxRetries: 2, baseDelayMs: 50 },
  tx: { maxAttempts: 6 },
};

/** Operator processes for `indexes` (ports chosen now, kept across restarts). */
export async function makeOperatorProcesses(
  setup: KeeperSetup,
  indexes: readonly number[],
  /** Funded transaction keys by operator index: those operators answer key-opening challenges. */
  txKeys: Readonly<Record<number, string>> = {},
): Promise<{ procs: KeeperProcess[]; urls: string[]; ports: number[] }> {
  const procs: KeeperProcess[] = [];
  const urls: string[] = [];
  const ports: number[] = [];
  for (const i of indexes) {
    const port = await freePort();
    const file = path.join(setup.dir, `operator-${i}.config.json`);
    writeFileSync(
      file,
      JSON.stringify({
        role: "operator",
        rpcUrl: setup.rpcUrl,
        deployment: setup.deployment.file,
        daUrl: setup.daUrl,
        dataDir: ensureDir(path.join(setup.dir, `operator-${i}-data`)),
        http: { host: "127.0.0.1", port },
        ...COMMON,
        operator: {
          address: setup.deployment.operators[i].address,
          keystore: setup.deployment.keystores[i],
          passwordEnv: "NEWTON_TEST_OPERATOR_PW",
          secretsKeyFile: setup.secretsKeyFile,
          ...(txKeys[i] ? { txKey: { privateKeyEnv: "NEWTON_TEST_OPERATOR_TX_KEY" } } : {}),
          aggregators: [AGGREGATOR_ADDRESS],
          ...setup.operatorExtra,
        },
      }),
    );
    procs.push(
      new KeeperProcess(`operator-${i}`, "operator", file, setup.dir, {
        NEWTON_TEST_OPERATOR_PW: "keeper test password",
        ...(txKeys[i] ? { NEWTON_TEST_OPERATOR_TX_KEY: txKeys[i] } : {}),
      }),
    );
    urls.push(`http://127.0.0.1:${port}`);
    ports.push(port);
  }
  return { procs, urls, ports };
}

/** The aggregator process (tx key: Hardhat account 1). */
export async function makeAggregatorProcess(
  setup: KeeperSetup,
  operatorUrls: readonly string[],
): Promise<{ proc: KeeperProcess; url: string }> {
  const port = await freePort();
  const file = path.join(setup.dir, "aggregator.config.json");
  writeFileSync(
    file,
    JSON.stringify({
      role: "aggregator",
      rpcUrl: setup.rpcUrl,
      deployment: setup.deployment.file,
      daUrl: setup.daUrl,
      dataDir: ensureDir(path.join(setup.dir, "aggregator-data")),
      http: { host: "127.0.0.1", port },
      ...COMMON,
      aggregator: {
        windowSeconds: setup.windowSeconds,
        confirmations: 1,
        operators: operatorUrls.map((url) => ({ url })),
        txKey: { privateKeyEnv: "NEWTON_TEST_AGGREGATOR_KEY" },
        ...setup.aggregatorExtra,
      },
    }),
  );
  return {
    proc: new KeeperProcess("aggregator", "aggregator", file, setup.dir, {
      NEWTON_TEST_AGGREGATOR_KEY: HARDHAT_KEYS[1],
    }),
    url: `http://127.0.0.1:${port}`,
  };
}

/** The challenger process (tx key: Hardhat account 2). */
export async function makeChallengerProcess(setup: KeeperSetup): Promise<KeeperProcess> {
  const file = path.join(setup.dir, "challenger.config.json");
  writeFileSync(
    file,
    JSON.stringify({
      role: "challenger",
      rpcUrl: setup.rpcUrl,
      deployment: setup.deployment.file,
      daUrl: setup.daUrl,
      dataDir: ensureDir(path.join(setup.dir, "challenger-data")),
      http: { host: "127.0.0.1", port: await freePort() },
      ...COMMON,
      challenger: { txKey: { privateKeyEnv: "NEWTON_TEST_CHALLENGER_KEY" } },
    }),
  );
  return new KeeperProcess("challenger", "challenger", file, setup.dir, {
    NEWTON_TEST_CHALLENGER_KEY: HARDHAT_KEYS[2],
  });
}

/** Proposes user writes with real bytes uploaded to DA first; remembers every value by hash. */
export class Writer {
  readonly values = new Map<string, Uint8Array>();
  readonly registry: Contract;
  readonly da: EigenDaProxyClient;
  private slots = 0;

  constructor(wallet: Wallet, registryAddress: string, daUrl: string) {
    this.registry = new Contract(registryAddress, STATE_COMMIT_REGISTRY_ABI, wallet);
    this.da = new EigenDaProxyClient({ url: daUrl, maxRetries: 2, baseDelayMs: 20 });
  }

  /** Uploads `n` values (mostly new keys, some overwrites, every 10th a delete); returns the prepared writes. */
  async prepare(n: number): Promise<{ slot: string; valueHash: string; byteLength: number; cert: string }[]> {
    const out = [];
    for (let i = 0; i < n; i++) {
      const k = this.slots++;
      const slot = id(`slot-${k % 3 === 2 ? k - 2 : k}`);
      if (k % 10 === 9) {
        out.push({ slot, valueHash: ZeroHash, byteLength: 0, cert: "0x" });
        continue;
      }
      const bytes = Uint8Array.from(randomBytes(32 + ((k * 37) % 1500)));
      const valueHash = keccak256(bytes);
      this.values.set(valueHash, bytes);
      out.push({ slot, valueHash, byteLength: bytes.length, cert: hexlify(await this.da.put(bytes)) });
    }
    return out;
  }

  /** Sends prepared writes one by one (each mined before the next). */
  async send(
    prepared: readonly { slot: string; valueHash: string; byteLength: number; cert: string }[],
  ): Promise<void> {
    const wallet = this.registry.runner as Wallet;
    let nonce = await wallet.provider!.getTransactionCount(wallet.address, "latest");
    for (const w of prepared) {
      const tx = await this.registry.proposeWrite(1, w.slot, w.valueHash, w.byteLength, w.cert, { nonce: nonce++ });
      await tx.wait();
    }
  }

  async write(n: number): Promise<void> {
    await this.send(await this.prepare(n));
  }
}

/** A live commit as the registry stores it. */
export interface ChainCommit {
  readonly sequenceNo: bigint;
  readonly stateRoot: string;
  readonly writeIndexEnd: bigint;
  readonly nonSignerBitmap: bigint;
}

/** Reads every live commit 0..latest. */
export async function liveCommits(rpcUrl: string, registry: string): Promise<ChainCommit[]> {
  const provider = new JsonRpcProvider(rpcUrl, Network.from(31337n), { staticNetwork: true });
  const c = new Contract(registry, STATE_COMMIT_REGISTRY_ABI, provider);
  const [latest] = (await c.latest()) as [bigint];
  const out: ChainCommit[] = [];
  for (let n = 0n; n <= latest; n++) {
    const r = (await c.commitAt(n)) as { stateRoot: string; writeIndexEnd: bigint; nonSignerBitmap: bigint };
    out.push({
      sequenceNo: n,
      stateRoot: r.stateRoot,
      writeIndexEnd: r.writeIndexEnd,
      nonSignerBitmap: r.nonSignerBitmap,
    });
  }
  provider.destroy();
  return out;
}

/** The chain's write log (keyHash, valueHash per index). */
export async function writeLog(rpcUrl: string, registry: string): Promise<{ keyHash: string; valueHash: string }[]> {
  const provider = new JsonRpcProvider(rpcUrl, Network.from(31337n), { staticNetwork: true });
  const logs = await provider.getLogs({
    address: registry,
    fromBlock: 0,
    toBlock: "latest",
    topics: [stateCommitRegistryInterface.getEvent("WriteProposed")!.topicHash],
  });
  provider.destroy();
  return logs
    .map((l) => stateCommitRegistryInterface.parseLog(l)!)
    .sort((a, b) => Number((a.args.writeIndex as bigint) - (b.args.writeIndex as bigint)))
    .map((p) => ({ keyHash: p.args.keyHash as string, valueHash: p.args.valueHash as string }));
}

/**
 * Independently recomputes the root of each prefix end: a fresh in-memory JMT over the write log
 * (last write of a key wins, zero value hash deletes), from the value bytes the test wrote.
 */
export async function recomputeRoots(
  log: readonly { keyHash: string; valueHash: string }[],
  ends: readonly bigint[],
  values: ReadonlyMap<string, Uint8Array>,
): Promise<string[]> {
  const roots: string[] = [];
  for (const end of ends) {
    const tree = new JellyfishMerkleTree({ store: new MemoryTreeStore(), hasher: await createKeccakHasher() });
    const state = new Map<string, Uint8Array | null>();
    for (const w of log.slice(0, Number(end)))
      state.set(w.keyHash, w.valueHash === ZeroHash ? null : values.get(w.valueHash)!);
    const info = tree.putValueSet(
      0,
      [...state].map(([k, v]) => [getBytes(k), v] as const),
    );
    roots.push(hexlify(info.root));
  }
  return roots;
}

export async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The value of a Prometheus sample line (`name{labels} value`), summed over matching lines; 0 when absent. */
export async function metric(url: string, selector: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return sumMetric(text, selector);
}

/**
 * Sums the samples in Prometheus text `text` that match `selector` = `name` or `name{a="x",…}`: same
 * name, and every listed label present with that value (other labels, e.g. `chain_id`, ignored).
 */
export function sumMetric(text: string, selector: string): number {
  const [, name, labelText = ""] = /^([^{]+)(?:\{(.*)\})?$/.exec(selector) ?? [];
  const wanted = labelText === "" ? [] : labelText.split(",");
  return text
    .split("\n")
    .filter((l) => {
      const m = /^([^{ ]+)(?:\{([^}]*)\})? /.exec(l);
      if (m === null || m[1] !== name) return false;
      const have = (m[2] ?? "").split(",");
      return wanted.every((w) => have.includes(w));
    })
    .reduce((n, l) => n + Number(l.split(" ").at(-1)), 0);
}

/**
 * A colluding quorum at work: the operators at `colluders` (indexes into `deployment.operators`, keys held by the
 * test) BLS-sign `commit` (chain 31337) and submit it with `daCert` through `commitStateRoot`, whatever it holds.
 * @param operatorRegistry - the OperatorRegistry, for each operator's index in the set.
 */
export async function submitColludingCommit(
  nodeUrl: string,
  deployment: DevnetDeployment,
  operatorRegistry: Contract,
  commit: StateCommit,
  daCert: string,
  colluders: readonly number[],
): Promise<void> {
  const registryAddress = deployment.record.contracts.StateCommitRegistry.proxy;
  const digest = getBytes(stateCommitDigest(31337n, registryAddress, commit));
  const members = [];
  const signatures = new Map<number, Signature>();
  for (const [i, op] of deployment.operators.entries()) {
    const info = (await operatorRegistry.operatorInfo(op.address)) as { index: bigint };
    members.push({ index: Number(info.index), pubkeyG1Eip2537: op.keypair.pubkeyG1Eip2537 });
    if (colluders.includes(i)) signatures.set(Number(info.index), sign(op.keypair.secretKey, digest));
  }
  const registry = new Contract(registryAddress, STATE_COMMIT_REGISTRY_ABI, funded(4, nodeUrl));
  await (await registry.commitStateRoot(commit, daCert, buildSignerProof(members, signatures))).wait();
}

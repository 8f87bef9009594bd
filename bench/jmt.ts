/**
 * JMT vs @ethereumjs/trie (Merkle Patricia Trie) on the same workload, both persisted to LMDB
 * (the trie through a `DB` adapter over an LMDB sub-database; each batch = one LMDB transaction
 * for both, default durable commits). Each implementation runs in its own child process so peak
 * RSS is per implementation. Run: `npm run bench:jmt`; `BENCH_JMT_LEAVES` scales the big tree
 * (default 1 000 000).
 *
 * Workloads (identical keys/values from a seeded PRNG):
 *  A. 100 000 random 32-byte keys, 100-byte values, inserted in batches of 1 000;
 *  B. build a BENCH_JMT_LEAVES tree in batches of 100 000, then one batch of 10 000 updates;
 *  proofs: mean bytes per key over 1 000 present keys (JMT: 32 per sibling + 64 leaf; trie: RLP
 *  node bytes of `createProof`).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { Trie } from "@ethereumjs/trie";
import { type BatchDBOp, type DB, ValueEncoding } from "@ethereumjs/util";
import { open, type Database, type RootDatabase } from "lmdb";

import { JellyfishMerkleTree, LmdbTreeStore, proofSizeBytes, type Write } from "../keeper/jmt";
import { rng } from "./lib/rng";

const LEAVES = Number(process.env.BENCH_JMT_LEAVES ?? 1_000_000);
const A_KEYS = 100_000;
const A_BATCH = 1_000;
const B_BATCH = Number(process.env.BENCH_JMT_BUILD_BATCH ?? 50_000);
const B_UPDATES = 10_000;
const PROOF_SAMPLES = 1_000;

interface Result {
  impl: string;
  aWritesPerSecond: number;
  aProofBytes: number;
  bBuildSeconds: number;
  bUpdateSeconds: number;
  bProofBytes: number;
  peakRssMb: number;
}

function makeKeys(n: number, seed: number): Uint8Array[] {
  const fill = rng(seed);
  return Array.from({ length: n }, () => fill(new Uint8Array(32)));
}

function makeBatch(keys: Uint8Array[], from: number, to: number, seed: number): Write[] {
  const fill = rng(seed);
  return keys.slice(from, to).map((k): Write => [k, fill(new Uint8Array(100))]);
}

/** Minimal @ethereumjs/util `DB` over an LMDB sub-database; `batch` is one transaction. */
class LmdbTrieDb implements DB<string, string | Uint8Array> {
  constructor(
    private readonly root: RootDatabase,
    private readonly db: Database<Uint8Array, Uint8Array>,
  ) {}
  async get(key: string): Promise<Uint8Array | undefined> {
    const v = this.db.getBinary(Buffer.from(key, "hex"));
    return v === undefined ? undefined : new Uint8Array(v);
  }
  async put(key: string, val: string | Uint8Array): Promise<void> {
    this.root.transactionSync(() => this.db.putSync(Buffer.from(key, "hex"), val as Uint8Array));
  }
  async del(key: string): Promise<void> {
    this.root.transactionSync(() => this.db.removeSync(Buffer.from(key, "hex")));
  }
  async batch(ops: BatchDBOp<string, string | Uint8Array>[]): Promise<void> {
    this.root.transactionSync(() => {
      for (const op of ops) {
        if (op.type === "put") this.db.putSync(Buffer.from(op.key, "hex"), op.value as Uint8Array);
        else this.db.removeSync(Buffer.from(op.key, "hex"));
      }
    });
  }
  shallowCopy(): DB<string, string | Uint8Array> {
    return this;
  }
  async open(): Promise<void> {}
}

/** One persisted tree under test. */
interface Subject {
  put(writes: Write[]): Promise<void>;
  proofBytes(key: Uint8Array): Promise<number>;
  close(): Promise<void>;
}

async function jmtSubject(dir: string): Promise<Subject> {
  const store = new LmdbTreeStore({ path: dir });
  const tree = await JellyfishMerkleTree.open({ store });
  let version = 0;
  return {
    put: async (writes) => void tree.putValueSet(version++, writes),
    proofBytes: async (key) => proofSizeBytes(tree.getWithProof(key, version - 1).proof),
    close: () => store.close(),
  };
}

async function trieSubject(dir: string): Promise<Subject> {
  const root = open({ path: dir, maxDbs: 8, compression: false });
  const db = root.openDB<Uint8Array, Uint8Array>({ name: "trie", keyEncoding: "binary", encoding: "binary" });
  const trie = await Trie.create({ db: new LmdbTrieDb(root, db), valueEncoding: ValueEncoding.Bytes });
  return {
    put: async (writes) => {
      trie.checkpoint();
      for (const [k, v] of writes) await trie.put(k, v as Uint8Array);
      await trie.commit();
    },
    proofBytes: async (key) => (await trie.createProof(key)).reduce((n, node) => n + node.length, 0),
    close: () => root.close(),
  };
}

async function meanProofBytes(s: Subject, keys: Uint8Array[]): Promise<number> {
  let total = 0;
  for (let i = 0; i < PROOF_SAMPLES; i++)
    total += await s.proofBytes(keys[Math.floor((i * keys.length) / PROOF_SAMPLES)]);
  return total / PROOF_SAMPLES;
}

async function runWorkloadA(make: (dir: string) => Promise<Subject>): Promise<[number, number]> {
  const dir = mkdtempSync(join(tmpdir(), "bench-jmt-a-"));
  const s = await make(dir);
  const keys = makeKeys(A_KEYS, 1);
  let seconds = 0;
  for (let i = 0; i < A_KEYS; i += A_BATCH) {
    const batch = makeBatch(keys, i, i + A_BATCH, 1000 + i);
    const t = performance.now();
    await s.put(batch);
    seconds += (performance.now() - t) / 1000;
  }
  const proof = await meanProofBytes(s, keys);
  await s.close();
  rmSync(dir, { recursive: true, force: true });
  return [A_KEYS / seconds, proof];
}

async function runWorkloadB(make: (dir: string) => Promise<Subject>): Promise<[number, number, number]> {
  const dir = mkdtempSync(join(tmpdir(), "bench-jmt-b-"));
  const s = await make(dir);
  const keys = makeKeys(LEAVES, 2);
  let t = performance.now();
  for (let i = 0; i < LEAVES; i += B_BATCH) await s.put(makeBatch(keys, i, Math.min(LEAVES, i + B_BATCH), 5000 + i));
  const build = (performance.now() - t) / 1000;
  const stride = Math.max(1, Math.floor(LEAVES / B_UPDATES));
  const picked = Array.from({ length: B_UPDATES }, (_, i) => keys[(i * stride) % LEAVES]);
  const updates = makeBatch(picked, 0, picked.length, 99);
  t = performance.now();
  await s.put(updates);
  const update = (performance.now() - t) / 1000;
  const proof = await meanProofBytes(s, keys);
  await s.close();
  rmSync(dir, { recursive: true, force: true });
  return [build, update, proof];
}

async function child(impl: string): Promise<void> {
  const make = impl === "jmt" ? jmtSubject : trieSubject;
  const [aWritesPerSecond, aProofBytes] = await runWorkloadA(make);
  const [bBuildSeconds, bUpdateSeconds, bProofBytes] = await runWorkloadB(make);
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const result: Result = { impl, aWritesPerSecond, aProofBytes, bBuildSeconds, bUpdateSeconds, bProofBytes, peakRssMb };
  console.log(JSON.stringify(result));
}

/**
 * Runs one implementation in a child process. SIGINT/SIGTERM to this process (e.g. sent to `npm run
 * bench:jmt` alone) stop the child too, so no benchmark keeps running orphaned.
 */
async function runChild(impl: string): Promise<Result> {
  const args = ["-r", "ts-node/register/transpile-only", __filename, impl];
  const proc = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  const stop = (signal: NodeJS.Signals): void => {
    proc.kill(signal);
    process.exitCode = 130;
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  let stdout = "";
  proc.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  const status = await new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  process.off("SIGINT", stop);
  process.off("SIGTERM", stop);
  if (status !== 0) throw new Error(`${impl} benchmark failed (${status})`);
  return JSON.parse(stdout.trim().split("\n").pop() as string) as Result;
}

function printTable(jmt: Result, trie: Result): void {
  const row = (name: string, a: number, b: number, digits: number, better: "higher" | "lower"): string =>
    `| ${name} | ${a.toFixed(digits)} | ${b.toFixed(digits)} | ${(a / b).toFixed(2)}× (${better} is better) |`;
  console.log(`JMT vs @ethereumjs/trie, both on LMDB; big tree = ${LEAVES} leaves`);
  console.log("| metric | jmt | trie (MPT) | jmt / trie |");
  console.log("|---|---|---|---|");
  console.log(
    row(
      `A: insert ${A_KEYS} keys, batches of ${A_BATCH} (writes/s)`,
      jmt.aWritesPerSecond,
      trie.aWritesPerSecond,
      0,
      "higher",
    ),
  );
  console.log(row(`A: proof bytes/key at ${A_KEYS} leaves`, jmt.aProofBytes, trie.aProofBytes, 1, "lower"));
  console.log(
    row(`B: build ${LEAVES} leaves, batches of ${B_BATCH} (s)`, jmt.bBuildSeconds, trie.bBuildSeconds, 2, "lower"),
  );
  console.log(row(`B: ${B_UPDATES} updates in one batch (s)`, jmt.bUpdateSeconds, trie.bUpdateSeconds, 3, "lower"));
  console.log(row(`B: proof bytes/key at ${LEAVES} leaves`, jmt.bProofBytes, trie.bProofBytes, 1, "lower"));
  console.log(row("peak RSS (MB)", jmt.peakRssMb, trie.peakRssMb, 0, "lower"));
}

async function main(): Promise<void> {
  const impl = process.argv[2];
  if (impl === "jmt" || impl === "trie") return child(impl);
  printTable(await runChild("jmt"), await runChild("trie"));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

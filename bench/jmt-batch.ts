/**
 * Micro-benchmark of the target: one 10 000-write batch into an N-leaf tree persisted to
 * LMDB (default durable commits). Run: `npx ts-node --transpile-only bench/jmt-batch.ts`;
 * `BENCH_JMT_LEAVES` = N (default 1 000 000), `BENCH_JMT_RUNS` = timed batches (default 5).
 *
 * The N-leaf tree is built once (batches of 50 000 through `putValueSet`) and cached under
 * `os.tmpdir()/newton-jmt-bench-<N>`; each run copies the cache to a scratch directory, so the
 * cache stays pristine and reruns skip the build. Then it applies `BENCH_JMT_RUNS` batches of
 * 10 000 updates of existing keys (a different key subset and fresh values each time, one version
 * each) and prints every time, the median, peak RSS and the load average. The build time printed
 * on a cache miss is the build with the current code.
 */
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";

import { JellyfishMerkleTree, LmdbTreeStore, type Write } from "../keeper/jmt";
import { rng } from "./lib/rng";

const LEAVES = Number(process.env.BENCH_JMT_LEAVES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_JMT_RUNS ?? 5);
const BUILD_BATCH = 50_000;
const UPDATES = 10_000;

function makeKeys(n: number): Uint8Array[] {
  const fill = rng(2);
  return Array.from({ length: n }, () => fill(new Uint8Array(32)));
}

function makeWrites(keys: readonly Uint8Array[], seed: number): Write[] {
  const fill = rng(seed);
  return keys.map((k): Write => [k, fill(new Uint8Array(100))]);
}

/** Builds the N-leaf tree into `dir` (versions 0 … ⌈N/50 000⌉−1); returns seconds taken. */
async function build(dir: string, keys: readonly Uint8Array[]): Promise<number> {
  const store = new LmdbTreeStore({ path: dir });
  const tree = await JellyfishMerkleTree.open({ store });
  const start = performance.now();
  for (let i = 0, v = 0; i < keys.length; i += BUILD_BATCH, v++) {
    tree.putValueSet(v, makeWrites(keys.slice(i, i + BUILD_BATCH), 5000 + i));
  }
  const seconds = (performance.now() - start) / 1000;
  await store.close();
  return seconds;
}

/** The cached tree's directory, building it on a miss (a `complete` marker guards half builds). */
async function cachedTree(keys: readonly Uint8Array[]): Promise<string> {
  const dir = join(tmpdir(), `newton-jmt-bench-${LEAVES}`);
  if (existsSync(join(dir, "complete"))) return dir;
  rmSync(dir, { recursive: true, force: true });
  const seconds = await build(dir, keys);
  writeFileSync(join(dir, "complete"), `${seconds}\n`);
  console.log(`built ${LEAVES} leaves in ${seconds.toFixed(2)} s (cached at ${dir})`);
  return dir;
}

/** Wall and CPU (user + system) seconds of each timed batch. */
interface Timing {
  wall: number[];
  cpu: number[];
}

async function timeBatches(dir: string, keys: readonly Uint8Array[]): Promise<Timing> {
  const store = new LmdbTreeStore({ path: dir });
  const tree = await JellyfishMerkleTree.open({ store });
  const stride = Math.max(1, Math.floor(keys.length / UPDATES));
  const times: Timing = { wall: [], cpu: [] };
  for (let run = 0; run < RUNS; run++) {
    const picked = Array.from({ length: UPDATES }, (_, i) => keys[(i * stride + run) % keys.length]);
    const writes = makeWrites(picked, 100 + run);
    const version = (tree.latestVersion() ?? -1) + 1;
    const start = performance.now();
    const cpu = process.cpuUsage();
    tree.putValueSet(version, writes);
    times.wall.push((performance.now() - start) / 1000);
    const used = process.cpuUsage(cpu);
    times.cpu.push((used.user + used.system) / 1e6);
  }
  await store.close();
  return times;
}

function median(xs: readonly number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}

async function main(): Promise<void> {
  const keys = makeKeys(LEAVES);
  const cache = await cachedTree(keys);
  const work = mkdtempSync(join(tmpdir(), "bench-jmt-batch-"));
  try {
    cpSync(cache, work, { recursive: true });
    const load = loadavg().map((l) => l.toFixed(2));
    const times = await timeBatches(work, keys);
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    console.log(`${UPDATES} updates into ${LEAVES} leaves (LMDB), ${RUNS} runs`);
    console.log(`wall s: ${times.wall.map((t) => t.toFixed(3))}; median ${median(times.wall).toFixed(3)}`);
    console.log(`cpu s:  ${times.cpu.map((t) => t.toFixed(3))}; median ${median(times.cpu).toFixed(3)}`);
    console.log(
      `peak RSS ${peakRssMb.toFixed(0)} MB; load average before ${load.join(" ")}, after ${loadavg()[0].toFixed(2)}`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

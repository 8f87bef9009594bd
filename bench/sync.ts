/**
 * State sync vs replay, and disk with vs without pruning. Run: `npm run bench:sync`.
 * Flags (env): `BENCH_SYNC_LEAVES` (default 1 000 000) leaves of 100-byte values in the served tree;
 * `BENCH_SYNC_WINDOWS` (default 1 000) windows of `BENCH_SYNC_OVERWRITES` (default 1 000) overwrites
 * for the disk measurement; `BENCH_SYNC_KEEP` (default 10) versions kept when pruning.
 *
 * Each measurement runs in its own child process, so peak RSS is per role:
 *  - serve: builds the tree in a keeper state (LMDB, batches of 50 000) and serves `/v1/sync/*`;
 *  - sync: a fresh keeper state restores that version from the server over HTTP (4 requests in
 *    flight, 256 chunks, every chunk verified against the root) — wall time, bytes received, RSS;
 *  - replay (the path it replaces): the same leaves applied from the write log as commits of
 *    1 000 writes each, hashing each value as a DA fetch check would, but without the DA fetches
 *    themselves (a lower bound on replay time);
 *  - disk: `BENCH_SYNC_WINDOWS` commits of `BENCH_SYNC_OVERWRITES` overwrites of a 10 000-key state
 *    (new 100-byte values each time), `dataDir` size after, without and with pruning.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { hexlify } from "ethers";

import { startHttpServer } from "../keeper/common";
import { SyncServer, restoreFromPeers } from "../keeper/sync";
import { KeeperState, type WindowWrite } from "../keeper/window";
import { rng } from "./lib/rng";

const LEAVES = Number(process.env.BENCH_SYNC_LEAVES ?? 1_000_000);
const WINDOWS = Number(process.env.BENCH_SYNC_WINDOWS ?? 1_000);
const OVERWRITES = Number(process.env.BENCH_SYNC_OVERWRITES ?? 1_000);
const KEEP = Number(process.env.BENCH_SYNC_KEEP ?? 10);
const DISK_KEYS = 10_000;

const rss = (): number => process.resourceUsage().maxRSS / 1024;

/** The next `n` writes of a seeded stream of new keys with 100-byte values (the same in every process). */
function writeStream(seed: number, hash: (b: Uint8Array) => Uint8Array): (n: number) => WindowWrite[] {
  const fillKey = rng(seed);
  const fillValue = rng(seed ^ 0x5a5a5a5a);
  let index = 0;
  return (n) =>
    Array.from({ length: n }, () => {
      const value = fillValue(new Uint8Array(100));
      return {
        writeIndex: BigInt(index++),
        namespace: 1,
        keyHash: hexlify(fillKey(new Uint8Array(32))) as `0x${string}`,
        valueHash: hexlify(hash(value)) as `0x${string}`,
        byteLength: 100,
        bytes: value,
      };
    });
}

/** Applies `total` streamed writes as consecutive versions of `batch` writes each; returns the last version. */
function applyInBatches(state: KeeperState, next: (n: number) => WindowWrite[], total: number, batch: number): number {
  let version = state.latestVersion();
  for (let i = 0; i < total; i += batch) {
    version++;
    const n = Math.min(batch, total - i);
    state.persist(state.compute(version, BigInt(i + n), next(n)));
  }
  return version;
}

async function serve(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "bench-sync-serve-"));
  const state = await KeeperState.open({ path: dir });
  const started = performance.now();
  const version = applyInBatches(
    state,
    writeStream(1, (b) => state.tree.hasher.hash(b)),
    LEAVES,
    50_000,
  );
  const buildSeconds = (performance.now() - started) / 1000;
  const server = new SyncServer({ store: state.store, hasher: state.tree.hasher });
  const { url } = await startHttpServer(
    "127.0.0.1",
    0,
    (req, u) => Promise.resolve(server.handle(req, u) ?? { status: 404, json: {} }),
    () => undefined,
  );
  const root = state.rootAt(version);
  console.log(JSON.stringify({ url, version, root, buildSeconds, dataBytes: dirBytes(dir) }));
  process.stdin.resume();
  process.stdin.on("end", () => {
    void state.close().then(() => {
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    });
  });
}

async function sync(url: string, version: number, root: `0x${string}`): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "bench-sync-new-"));
  const state = await KeeperState.open({ path: dir });
  const started = performance.now();
  const stats = await restoreFromPeers(state, { version, root, writeIndexEnd: BigInt(LEAVES) }, { peers: [url] });
  const seconds = (performance.now() - started) / 1000;
  console.log(
    JSON.stringify({ seconds, bytes: stats.bytes, leaves: stats.leaves, rssMb: rss(), dataBytes: dirBytes(dir) }),
  );
  await state.close();
  rmSync(dir, { recursive: true, force: true });
}

async function replay(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "bench-sync-replay-"));
  const state = await KeeperState.open({ path: dir });
  const next = writeStream(1, (b) => state.tree.hasher.hash(b));
  const started = performance.now();
  applyInBatches(state, next, LEAVES, 1_000);
  const seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ seconds, rssMb: rss() }));
  await state.close();
  rmSync(dir, { recursive: true, force: true });
}

async function disk(prune: boolean): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "bench-sync-disk-"));
  const state = await KeeperState.open({ path: dir });
  const hash = (b: Uint8Array): Uint8Array => state.tree.hasher.hash(b);
  const keys = writeStream(7, hash)(DISK_KEYS);
  applyInBatches(state, () => keys, DISK_KEYS, DISK_KEYS);
  const pick = rng(11);
  const fill = rng(13);
  const started = performance.now();
  for (let w = 0; w < WINDOWS; w++) {
    const idx = new Uint32Array(OVERWRITES);
    pick(new Uint8Array(idx.buffer));
    const ws: WindowWrite[] = Array.from(idx, (r, i) => {
      const value = fill(new Uint8Array(100));
      const k = keys[r % DISK_KEYS];
      return { ...k, writeIndex: BigInt(i), valueHash: hexlify(hash(value)) as `0x${string}`, bytes: value };
    });
    const version = state.latestVersion() + 1;
    state.persist(state.compute(version, 0n, ws));
    if (prune) state.prune(version, KEEP);
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ bytes: dirBytes(dir), seconds, rssMb: rss() }));
  await state.close();
  rmSync(dir, { recursive: true, force: true });
}

/** Bytes LMDB's data file actually occupies (allocated blocks, not the sparse map size). */
function dirBytes(dir: string): number {
  return statSync(join(dir, "data.mdb")).blocks * 512;
}

function child(args: string[]): Record<string, number> {
  const out = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", __filename, ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 1 << 24,
  });
  if (out.status !== 0) throw new Error(`bench child ${args.join(" ")} failed (${out.status})`);
  return JSON.parse(out.stdout.trim().split("\n").pop() as string) as Record<string, number>;
}

const mb = (b: number): string => (b / 2 ** 20).toFixed(1);

async function main(): Promise<void> {
  const role = process.argv[2];
  if (role === "serve") return serve();
  if (role === "sync") return sync(process.argv[3], Number(process.argv[4]), process.argv[5] as `0x${string}`);
  if (role === "replay") return replay();
  if (role === "disk") return disk(process.argv[3] === "prune");

  const server = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", __filename, "serve"], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let buf = "";
    server.stdout.on("data", (d: Buffer) => {
      buf += d.toString("utf8");
      if (buf.includes("\n")) resolve(buf.split("\n")[0]);
    });
    server.once("exit", (code) => reject(new Error(`serve exited ${code}`)));
  });
  const served = JSON.parse(line) as {
    url: string;
    version: number;
    root: string;
    buildSeconds: number;
    dataBytes: number;
  };
  let synced: Record<string, number>;
  try {
    synced = child(["sync", served.url, String(served.version), served.root]);
  } finally {
    server.stdin.end();
  }
  const replayed = child(["replay"]);
  const raw = LEAVES * (32 + 32 + 100);
  console.log(`State sync of a ${LEAVES.toLocaleString("en")}-leaf tree (100-byte values), one peer on 127.0.0.1`);
  console.log("| metric | state sync | replay of the write log (1 000 writes per commit) |");
  console.log("|---|---|---|");
  console.log(`| wall time (s) | ${synced.seconds.toFixed(1)} | ${replayed.seconds.toFixed(1)} |`);
  console.log(
    `| bytes transferred (MiB) | ${mb(synced.bytes)} (${(synced.bytes / raw).toFixed(2)}× the ${mb(raw)} MiB of keys, value hashes and values) | — (DA fetches not counted) |`,
  );
  console.log(`| peak RSS (MB) | ${synced.rssMb.toFixed(0)} | ${replayed.rssMb.toFixed(0)} |`);
  console.log(`| dataDir after (MiB) | ${mb(synced.dataBytes)} | serving peer: ${mb(served.dataBytes)} |`);
  console.log(`(the serving peer built its tree in ${served.buildSeconds.toFixed(1)} s in batches of 50 000)`);
  const plain = child(["disk", "keep"]);
  const pruned = child(["disk", "prune"]);
  console.log("");
  console.log(`dataDir after ${WINDOWS} windows of ${OVERWRITES} overwrites over ${DISK_KEYS} keys (100-byte values)`);
  console.log(`| | no pruning | pruning (keep ${KEEP} versions) | pruned / not |`);
  console.log("|---|---|---|---|");
  console.log(
    `| dataDir (MiB) | ${mb(plain.bytes)} | ${mb(pruned.bytes)} | ${(pruned.bytes / plain.bytes).toFixed(3)} |`,
  );
  console.log(`| time (s) | ${plain.seconds.toFixed(1)} | ${pruned.seconds.toFixed(1)} | |`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

import { getBytes, hexlify } from "ethers";

import { silentLogger, sleep, type Logger } from "../common";
import {
  entriesEqual,
  foldChunk,
  foldManifest,
  JmtError,
  type Hasher,
  type HashedWrite,
  type SubtreeEntry,
} from "../jmt";
import { SyncError } from "./errors";
import type { SyncMetrics } from "./metrics";
import type { SnapshotStaging } from "./staging";
import { decodeChunk, decodeEntries, MANIFEST_FORMAT, type ManifestJson } from "./wire";

/** The tree version to download, with the root the caller trusts (the chain's). */
export interface SnapshotTarget {
  readonly version: number;
  /** 0x-hex 32-byte root from the chain (never from a peer). */
  readonly root: string;
}

/** Options of {@link fetchSnapshot}. */
export interface FetchSnapshotOptions {
  /** Peer base URLs (operators or bootnodes), e.g. `http://10.0.0.2:9101`. */
  readonly peers: readonly string[];
  /** Chunk depth in nibbles (1–3; default 2 = 256 chunks). */
  readonly depth?: number;
  /** Requests in flight per peer (default 4). */
  readonly concurrency?: number;
  /** Per-request timeout, in ms (default 30 000). */
  readonly timeoutMs?: number;
  /** Largest chunk body accepted, in bytes (default 256 MiB). */
  readonly maxChunkBytes?: number;
  /** Failed requests in a row before a peer is dropped as unreachable (default 3). */
  readonly maxFailures?: number;
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
  readonly metrics?: SyncMetrics;
  /** Called after each chunk is verified and staged (progress, tests). */
  readonly onChunk?: (index: number, peer: string) => void;
}

/** What one {@link fetchSnapshot} call did. */
export interface SnapshotStats {
  /** Non-empty chunks of the snapshot. */
  readonly chunks: number;
  /** Chunks downloaded and verified by this call. */
  readonly fetched: number;
  /** Chunks already staged by an earlier, interrupted call. */
  readonly resumed: number;
  /** Bytes downloaded (manifests and chunks, including rejected ones). */
  readonly bytes: number;
  /** Peers dropped, with the reason. */
  readonly dropped: readonly { readonly peer: string; readonly reason: string }[];
}

interface Peer {
  readonly url: string;
  failures: number;
  dropped?: string;
}

/**
 * Downloads tree version `target.version` from peers into `staging`, verifying everything against
 * `target.root` (Cosmos SDK state sync, Aptos JMT restore): the manifest must fold to the root, and
 * each chunk must fold to its manifest entry with every carried value hashing to its leaf's value
 * hash. A peer that serves anything else is dropped for the rest of the sync and its work goes to
 * the others; a peer that fails `maxFailures` requests in a row is dropped as unreachable. Chunks
 * staged by an earlier call for the same target are kept (resume after a crash).
 * @throws SyncError `SYNC_ERROR_NO_PEERS` when every peer was dropped before the snapshot was
 *   complete (the staged chunks stay for the next attempt); `AbortError` when `signal` aborts.
 */
export async function fetchSnapshot(
  staging: SnapshotStaging,
  hasher: Hasher,
  target: SnapshotTarget,
  opts: FetchSnapshotOptions,
): Promise<SnapshotStats> {
  const log = (opts.logger ?? silentLogger()).child({ module: "sync" });
  const depth = opts.depth ?? 2;
  const root = target.root.toLowerCase();
  staging.begin(target.version, root, depth);
  const peers: Peer[] = opts.peers.map((url) => ({ url: url.replace(/\/+$/, ""), failures: 0 }));
  const stats = { fetched: 0, bytes: 0 };
  const drop = (peer: Peer, reason: string, kind: "tampered" | "unreachable"): void => {
    if (peer.dropped !== undefined) return;
    peer.dropped = reason;
    opts.metrics?.peersDroppedTotal.inc({ reason: kind });
    log.warn({ peer: peer.url, reason }, "state-sync peer dropped");
  };
  const live = (): Peer[] => peers.filter((p) => p.dropped === undefined);
  const get = async (peer: Peer, path: string, max: number): Promise<Uint8Array> => {
    const signal = AbortSignal.any([
      AbortSignal.timeout(opts.timeoutMs ?? 30_000),
      ...(opts.signal ? [opts.signal] : []),
    ]);
    const res = await fetch(`${peer.url}${path}`, { signal });
    const declared = Number(res.headers.get("content-length") ?? "0");
    if (declared > max) {
      await res.body?.cancel();
      throw new Error(`${path}: ${declared} bytes exceed the limit of ${max}`);
    }
    const body = new Uint8Array(await res.arrayBuffer());
    stats.bytes += body.length;
    opts.metrics?.receivedBytesTotal.inc(body.length);
    if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status} ${Buffer.from(body).toString("utf8").trim()}`);
    if (body.length > max) throw new Error(`${path}: ${body.length} bytes exceed the limit of ${max}`);
    return body;
  };
  const failed = (peer: Peer, err: unknown): void => {
    opts.signal?.throwIfAborted();
    opts.metrics?.chunksTotal.inc({ outcome: "failed" });
    peer.failures++;
    log.debug({ peer: peer.url, err: err instanceof Error ? err.message : String(err) }, "state-sync request failed");
    if (peer.failures >= (opts.maxFailures ?? 3)) drop(peer, `unreachable: ${String(err)}`, "unreachable");
  };
  const noPeers = (missing: number): SyncError => {
    const dropped = peers.map((p) => `${p.url} (${p.dropped ?? "?"})`);
    return new SyncError(
      { code: "SYNC_ERROR_NO_PEERS", missingChunks: missing, dropped },
      `state sync of version ${target.version}: every peer was dropped with ${missing} chunks missing ` +
        `(${dropped.join("; ")}); add peers and restart, verified chunks are kept`,
    );
  };

  let manifest = staging.manifest();
  while (manifest === undefined) {
    const peer = live()[0];
    if (peer === undefined) throw noPeers(-1);
    try {
      const body = await get(peer, `/v1/sync/manifest?version=${target.version}&depth=${depth}`, 4 << 20);
      manifest = checkManifest(hasher, body, target, depth, root);
      staging.putManifest(manifest);
    } catch (err) {
      if (err instanceof SyncError || err instanceof JmtError)
        drop(peer, `tampered manifest: ${err.message}`, "tampered");
      else failed(peer, err);
    }
  }
  const entries = manifest;
  const wanted = entries.flatMap((e, i) => (e.kind === "empty" ? [] : [i]));
  const queue = wanted.filter((i) => !staging.has(i));
  const total = wanted.length;
  const progress = (): void =>
    opts.metrics?.progressRatio.set(total === 0 ? 1 : (total - queue.length - inFlight) / total);
  let inFlight = 0;
  log.info(
    { version: target.version, chunks: total, resumed: total - queue.length, peers: peers.length },
    "state sync",
  );

  const worker = async (peer: Peer): Promise<void> => {
    while (peer.dropped === undefined && queue.length > 0) {
      const index = queue.shift() as number;
      inFlight++;
      try {
        const body = await get(
          peer,
          `/v1/sync/chunks/${index}?version=${target.version}&depth=${depth}`,
          opts.maxChunkBytes ?? 256 << 20,
        );
        try {
          checkChunk(hasher, body, target.version, depth, index, entries[index]);
        } catch (err) {
          queue.push(index);
          opts.metrics?.chunksTotal.inc({ outcome: "tampered" });
          drop(peer, `tampered chunk ${index}: ${err instanceof Error ? err.message : String(err)}`, "tampered");
          continue;
        }
        await staging.put(index, body);
        peer.failures = 0;
        stats.fetched++;
        opts.metrics?.chunksTotal.inc({ outcome: "verified" });
        opts.onChunk?.(index, peer.url);
      } catch (err) {
        queue.push(index);
        failed(peer, err);
        if (peer.dropped === undefined) await sleep(Math.min(2_000, 100 * 2 ** peer.failures), opts.signal);
      } finally {
        inFlight--;
        progress();
      }
    }
  };
  while (queue.length > 0) {
    const peersNow = live();
    if (peersNow.length === 0) throw noPeers(queue.length);
    const per = opts.concurrency ?? 4;
    await Promise.all(peersNow.flatMap((p) => Array.from({ length: per }, () => worker(p))));
    opts.signal?.throwIfAborted();
  }
  progress();
  log.info({ version: target.version, fetched: stats.fetched, bytes: stats.bytes }, "state sync: all chunks verified");
  return {
    chunks: total,
    fetched: stats.fetched,
    resumed: total - stats.fetched,
    bytes: stats.bytes,
    dropped: peers.filter((p) => p.dropped !== undefined).map((p) => ({ peer: p.url, reason: p.dropped as string })),
  };
}

function checkManifest(
  hasher: Hasher,
  body: Uint8Array,
  target: SnapshotTarget,
  depth: number,
  root: string,
): SubtreeEntry[] {
  let json: Partial<ManifestJson>;
  try {
    json = JSON.parse(Buffer.from(body).toString("utf8")) as Partial<ManifestJson>;
  } catch {
    throw new SyncError({ code: "SYNC_ERROR_MALFORMED", reason: "manifest is not JSON" }, "manifest is not JSON");
  }
  if (json.format !== MANIFEST_FORMAT || json.version !== target.version || json.depth !== depth) {
    throw new SyncError(
      { code: "SYNC_ERROR_MALFORMED", reason: "manifest header" },
      `manifest is ${String(json.format)} v${String(json.version)} depth ${String(json.depth)}, asked ${MANIFEST_FORMAT} v${target.version} depth ${depth}`,
    );
  }
  const entries = decodeEntries(json.entries, depth);
  const folded = hexlify(foldManifest(hasher, entries));
  if (folded !== root) {
    throw new SyncError(
      { code: "SYNC_ERROR_TAMPERED", peer: "", reason: "manifest root" },
      `manifest folds to ${folded}, the chain's root is ${root}`,
    );
  }
  return entries;
}

function checkChunk(
  hasher: Hasher,
  body: Uint8Array,
  version: number,
  depth: number,
  index: number,
  entry: SubtreeEntry,
): void {
  const chunk = decodeChunk(body);
  if (chunk.version !== version || chunk.depth !== depth || chunk.index !== index) {
    throw new Error(
      `chunk header says v${chunk.version}/d${chunk.depth}/#${chunk.index}, asked v${version}/d${depth}/#${index}`,
    );
  }
  const got = foldChunk(hasher, depth, index, chunk.leaves);
  if (!entriesEqual(got, entry)) {
    throw new Error(
      `chunk folds to ${got.kind} ${hexlify(got.hash)}, manifest says ${entry.kind} ${hexlify(entry.hash)}`,
    );
  }
}

/**
 * The staged snapshot's leaves in key order as hashed writes (bytes when a peer had them), for
 * {@link KeeperState.importSnapshot}. Leaves without bytes are listed in `missing` (value hashes,
 * 0x-hex) so the caller can fetch them elsewhere.
 */
export function stagedLeaves(staging: SnapshotStaging): { writes: HashedWrite[]; missing: string[] } {
  const writes: HashedWrite[] = [];
  const missing: string[] = [];
  for (const [, bytes] of staging.entries()) {
    for (const l of decodeChunk(bytes).leaves) {
      writes.push({ keyHash: l.keyHash, valueHash: l.valueHash, value: l.value });
      if (l.value === undefined) missing.push(hexlify(l.valueHash));
    }
  }
  return { writes, missing };
}

/**
 * Fetches value bytes by hash from peers' `GET /v1/artifacts/:hash` (`{hash, bytes}`), keeping only
 * bytes whose keccak256 is the hash. Returns the ones found; a value no peer holds stays missing
 * (its leaf is committed by hash, as when DA never had it).
 */
export async function fetchValuesFromPeers(
  peers: readonly string[],
  hasher: Hasher,
  hashes: readonly string[],
  opts: { timeoutMs?: number; signal?: AbortSignal; headers?: (hash: string) => Record<string, string> } = {},
): Promise<Map<string, Uint8Array>> {
  const found = new Map<string, Uint8Array>();
  for (const hash of hashes) {
    for (const peer of peers) {
      try {
        const signal = AbortSignal.any([
          AbortSignal.timeout(opts.timeoutMs ?? 10_000),
          ...(opts.signal ? [opts.signal] : []),
        ]);
        const res = await fetch(`${peer.replace(/\/+$/, "")}/v1/artifacts/${hash}`, {
          signal,
          headers: opts.headers?.(hash),
        });
        if (res.status !== 200) {
          await res.body?.cancel();
          continue;
        }
        const json = (await res.json()) as { bytes?: string };
        const bytes = getBytes(String(json.bytes));
        if (hexlify(hasher.hash(bytes)) !== hash.toLowerCase()) continue;
        found.set(hash.toLowerCase(), bytes);
        break;
      } catch {
        opts.signal?.throwIfAborted();
      }
    }
  }
  return found;
}

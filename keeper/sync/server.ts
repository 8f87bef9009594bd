import type { IncomingMessage } from "node:http";

import { hexlify } from "ethers";

import { HttpError, type HttpReply } from "../common";
import {
  buildManifest,
  exportChunk,
  JmtError,
  MAX_CHUNK_DEPTH,
  MIN_CHUNK_DEPTH,
  type Hasher,
  type TreeReader,
} from "../jmt";
import type { SyncMetrics } from "./metrics";
import { encodeChunk, encodeEntries, MANIFEST_FORMAT, type ManifestJson } from "./wire";

/** Options of {@link SyncServer}. */
export interface SyncServerOptions {
  /** The tree store to serve from (read-only use). */
  readonly store: TreeReader;
  readonly hasher: Hasher;
  /** Chunk depth in nibbles when a request names none (default 2: 256 chunks). */
  readonly defaultDepth?: number;
  readonly metrics?: SyncMetrics;
}

/**
 * The serving side of state sync: read-only HTTP routes over a keeper's tree, mounted by the
 * operator and the bootnode. Wire format: keeper/sync/README.md.
 *
 * - `GET /v1/sync/status` → `{format, latest, oldest}` (versions this peer can serve: oldest..latest)
 * - `GET /v1/sync/manifest?version=N[&depth=D]` → {@link ManifestJson}
 * - `GET /v1/sync/chunks/:index?version=N&depth=D` → chunk bytes (`application/octet-stream`)
 *
 * Errors (JSON `{error}`): 400 for a malformed parameter, 404 for a version this peer never held
 * or not yet, 410 for a pruned version.
 */
export class SyncServer {
  constructor(private readonly opts: SyncServerOptions) {}

  /** Answers a request under `/v1/sync/`, or returns undefined for any other path. */
  handle(req: IncomingMessage, url: URL): HttpReply | undefined {
    const path = url.pathname;
    if (!path.startsWith("/v1/sync/")) return undefined;
    if (req.method !== "GET") throw new HttpError(405, `method ${req.method} not allowed on ${path}`);
    if (path === "/v1/sync/status") return this.status();
    if (path === "/v1/sync/manifest") return this.manifest(url);
    const chunk = /^\/v1\/sync\/chunks\/([0-9]{1,5})$/.exec(path);
    if (chunk) return this.chunk(Number(chunk[1]), url);
    throw new HttpError(404, `no route ${path}`);
  }

  private status(): HttpReply {
    const latest = this.opts.store.latestVersion() ?? null;
    return { status: 200, json: { format: MANIFEST_FORMAT, latest, oldest: this.opts.store.prunedBefore() } };
  }

  private manifest(url: URL): HttpReply {
    const version = this.version(url);
    const depth = this.depth(url);
    const info = this.opts.store.getVersionInfo(version);
    if (info === undefined) throw new HttpError(404, `version ${version} is not held here`);
    const entries = this.read(() => buildManifest(this.opts.store, this.opts.hasher, version, depth));
    const body: ManifestJson = {
      format: MANIFEST_FORMAT,
      version,
      root: hexlify(info.root),
      leafCount: info.leafCount,
      depth,
      entries: encodeEntries(entries),
    };
    return { status: 200, json: body };
  }

  private chunk(index: number, url: URL): HttpReply {
    const version = this.version(url);
    const depth = this.depth(url);
    if (index >= 16 ** depth) throw new HttpError(400, `chunk index ${index} ≥ 16^${depth}`);
    if (this.opts.store.getVersionInfo(version) === undefined) {
      throw new HttpError(404, `version ${version} is not held here`);
    }
    const leaves = this.read(() => exportChunk(this.opts.store, version, depth, index));
    const bytes = encodeChunk(version, depth, index, leaves);
    this.opts.metrics?.servedBytesTotal.inc(bytes.length);
    return { status: 200, bytes };
  }

  private version(url: URL): number {
    const raw = url.searchParams.get("version");
    if (raw === null || !/^(0|[1-9][0-9]{0,15})$/.test(raw))
      throw new HttpError(400, "version must be a decimal integer");
    const version = Number(raw);
    const latest = this.opts.store.latestVersion();
    if (latest === undefined || version > latest)
      throw new HttpError(404, `version ${version} is not held here (latest ${latest ?? "none"})`);
    if (version < this.opts.store.prunedBefore()) {
      throw new HttpError(410, `version ${version} was pruned here (oldest ${this.opts.store.prunedBefore()})`);
    }
    return version;
  }

  private depth(url: URL): number {
    const raw = url.searchParams.get("depth");
    const depth = raw === null ? (this.opts.defaultDepth ?? 2) : Number(raw);
    if (!Number.isInteger(depth) || depth < MIN_CHUNK_DEPTH || depth > MAX_CHUNK_DEPTH) {
      throw new HttpError(400, `depth must be an integer in [${MIN_CHUNK_DEPTH}, ${MAX_CHUNK_DEPTH}]`);
    }
    return depth;
  }

  /** Maps a read of pruned nodes (a prune raced the request) to 410. */
  private read<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof JmtError && err.type.code === "JMT_ERROR_MISSING_NODE") throw new HttpError(410, err.message);
      throw err;
    }
  }
}

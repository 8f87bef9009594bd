import type { IncomingMessage, Server } from "node:http";

import type { Provider } from "ethers";
import type { Registry } from "prom-client";

import type { IndexedChain } from "../chain";
import {
  HttpError,
  Mutex,
  bytesToHex,
  startHttpServer,
  stopHttpServer,
  type HttpReply,
  type KeeperMetrics,
  type Logger,
} from "../common";
import { syncToChain, type KeeperState, type SyncResult, type ValueSource } from "../window";
import { joinFromPeers, latestFinalCommit, PeerFallbackValues } from "./join";
import { createSyncMetrics, type SyncMetrics } from "./metrics";
import { SyncServer } from "./server";

/** Settings of {@link Bootnode}. */
export interface BootnodeOptions {
  readonly httpHost: string;
  /** 0 picks a free port. */
  readonly httpPort: number;
  /** Peers to restore an empty `dataDir` from and to read DA-expired values from. */
  readonly peers: readonly string[];
  /** The registry's `challengeWindowBlocks` (finality). */
  readonly challengeWindowBlocks: number;
  /** Versions kept below the latest final commit (undefined = never prune). */
  readonly keepVersions?: number;
}

/** Collaborators of {@link Bootnode}. */
export interface BootnodeDeps {
  readonly state: KeeperState;
  readonly chain: IndexedChain;
  readonly da: ValueSource;
  readonly provider: Provider;
  readonly logger: Logger;
  readonly metrics: KeeperMetrics;
  readonly registry: Registry;
  readonly signal: AbortSignal;
}

/**
 * `newton-keeper --role bootnode`: a keeper that only follows and serves. It holds no key and never
 * signs: it restores from peers when its `dataDir` is empty, follows every commit into its own tree
 * (DA first, peers for expired blobs), prunes like an operator, and serves state sync
 * (`/v1/sync/*`), value bytes by hash (`/v1/artifacts/:hash`, as operators do), `/v1/state`,
 * `/healthz` and `/metrics` — a stable peer for new operators.
 */
export class Bootnode {
  private readonly log: Logger;
  private readonly mutex = new Mutex();
  private readonly syncMetrics: SyncMetrics;
  private readonly syncServer: SyncServer;
  private readonly values: ValueSource;
  private lastSync: SyncResult | undefined;
  private server?: Server;
  private unsubscribe?: () => void;
  /** Base URL of the HTTP API once started. */
  url = "";

  constructor(
    private readonly opts: BootnodeOptions,
    private readonly deps: BootnodeDeps,
  ) {
    this.log = deps.logger.child({ module: "bootnode" });
    this.syncMetrics = createSyncMetrics(deps.registry);
    this.syncServer = new SyncServer({
      store: deps.state.store,
      hasher: deps.state.tree.hasher,
      metrics: this.syncMetrics,
    });
    this.values = new PeerFallbackValues(deps.da, opts.peers, deps.state.tree.hasher, { logger: this.log });
  }

  async start(): Promise<void> {
    await this.deps.chain.start();
    await joinFromPeers({
      state: this.deps.state,
      chain: this.deps.chain,
      headBlock: () => this.deps.provider.getBlockNumber(),
      challengeWindowBlocks: this.opts.challengeWindowBlocks,
      peers: this.opts.peers,
      logger: this.log,
      metrics: this.syncMetrics,
      signal: this.deps.signal,
    }).catch((err: unknown) => this.log.error({ err: String(err) }, "state sync from peers failed; replaying"));
    this.unsubscribe = this.deps.chain.onUpdate(() => void this.follow());
    const { server, url } = await startHttpServer(
      this.opts.httpHost,
      this.opts.httpPort,
      (req, u) => this.route(req, u),
      (err) => this.log.error({ err }, "request failed"),
    );
    this.server = server;
    this.url = url;
    await this.follow();
    this.log.info({ url }, "bootnode listening");
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    if (this.server) await stopHttpServer(this.server);
    await this.deps.chain.stop();
  }

  private follow(): Promise<void> {
    return this.mutex
      .run(async () => {
        const { state, chain } = this.deps;
        this.lastSync = await syncToChain({
          state,
          chain,
          da: this.values,
          logger: this.log,
          metrics: this.deps.metrics,
          signal: this.deps.signal,
        });
        const version = state.latestVersion();
        this.syncMetrics.commitLag.set(Math.max(0, Number(chain.latestCommit().sequenceNo) - version));
        this.syncMetrics.writeBacklog.set(Math.max(0, Number(chain.writeCount() - state.writeIndexEndAt(version))));
        const final = latestFinalCommit(chain, chain.indexedBlock(), this.opts.challengeWindowBlocks);
        if (this.opts.keepVersions !== undefined && final !== undefined) {
          this.syncMetrics.prunedNodesTotal.inc(state.prune(Number(final.sequenceNo), this.opts.keepVersions));
          this.syncMetrics.oldestVersion.set(state.store.prunedBefore());
        }
      })
      .catch((err: unknown) => this.log.warn({ err: String(err) }, "follow failed; retrying on the next block"));
  }

  private async route(req: IncomingMessage, url: URL): Promise<HttpReply> {
    const synced = this.syncServer.handle(req, url);
    if (synced !== undefined) return synced;
    const path = url.pathname;
    if (req.method !== "GET") throw new HttpError(405, `method ${req.method} not allowed on ${path}`);
    if (path === "/healthz") return { status: 200, json: { ok: true } };
    if (path === "/metrics") {
      return { status: 200, text: await this.deps.registry.metrics(), contentType: this.deps.registry.contentType };
    }
    if (path === "/v1/state") {
      const { state, chain } = this.deps;
      const version = state.latestVersion();
      return {
        status: 200,
        json: {
          role: "bootnode",
          sequenceNo: String(version),
          root: state.rootAt(version),
          writeIndexEnd: state.writeIndexEndAt(version).toString(),
          oldestVersion: state.store.prunedBefore(),
          indexedBlock: chain.indexedBlock(),
          chainSequenceNo: chain.latestCommit().sequenceNo.toString(),
          sync: this.lastSync?.status ?? "starting",
        },
      };
    }
    const artifact = /^\/v1\/artifacts\/(0x[0-9a-fA-F]{64})$/.exec(path);
    if (artifact) {
      const hash = artifact[1].toLowerCase() as `0x${string}`;
      const value = this.deps.state.valueByHash(hash);
      if (value === undefined) throw new HttpError(404, `no value with hash ${hash}`);
      return { status: 200, json: { hash, bytes: bytesToHex(value) } };
    }
    throw new HttpError(404, `no route ${path}`);
  }
}

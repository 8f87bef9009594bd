import type { IncomingMessage, Server } from "node:http";

import { getBytes, hexlify, keccak256, type Provider } from "ethers";
import type { Registry } from "prom-client";

import { sign } from "../bls";
import { stateCommitDigest, type IndexedChain } from "../chain";
import {
  HttpError,
  Mutex,
  bytesToHex,
  readJsonBody,
  startHttpServer,
  stopHttpServer,
  waitUntil,
  type HttpReply,
  type KeeperMetrics,
  type Logger,
} from "../common";
import { DaError, type EigenDaProxyClient } from "../da";
import { DeltaError } from "../delta";
import { JellyfishMerkleTree, JmtError } from "../jmt";
import {
  WindowError,
  checkDelta,
  fetchDelta,
  fetchWindowValues,
  parseSignRequest,
  syncToChain,
  toAbiProof,
  type KeeperState,
  type ScratchVersion,
  type SignRequest,
  type SignResponseJson,
  type SyncResult,
} from "../window";
import {
  PeerFallbackValues,
  SyncServer,
  createSyncMetrics,
  joinFromPeers,
  latestFinalCommit,
  type SyncMetrics,
} from "../sync";
import { LenientValueStore } from "./lenient";
import type { OperatorOptions } from "./options";

/** Collaborators of {@link Operator}. */
export interface OperatorDeps {
  readonly state: KeeperState;
  readonly chain: IndexedChain;
  readonly da: EigenDaProxyClient;
  readonly provider: Provider;
  readonly logger: Logger;
  readonly metrics: KeeperMetrics;
  readonly registry: Registry;
  readonly signal: AbortSignal;
}

/**
 * The operator role (DESIGN.md §5 step 5, §7): follows the chain's commits into its own tree,
 * checks proposals against its own indexed write log and DA, signs only matching ones, and serves
 * reads. A proposal's tree version stays a scratch batch until the chain commits it.
 */
export class Operator {
  private readonly log: Logger;
  private readonly mutex = new Mutex();
  private pending: ScratchVersion | undefined;
  private lastSync: SyncResult | undefined;
  private server?: Server;
  private unsubscribe?: () => void;
  /** Base URL of the HTTP API once started. */
  url = "";
  private readonly syncMetrics: SyncMetrics;
  private readonly syncServer: SyncServer;

  constructor(
    private readonly opts: OperatorOptions,
    private readonly deps: OperatorDeps,
  ) {
    this.log = deps.logger.child({ module: "operator" });
    this.syncMetrics = createSyncMetrics(deps.registry);
    this.syncServer = new SyncServer({
      store: deps.state.store,
      hasher: deps.state.tree.hasher,
      metrics: this.syncMetrics,
    });
  }

  async start(): Promise<void> {
    await this.deps.chain.start();
    // Before following the chain: a replay from genesis would fill the tree and make state sync moot.
    if (this.opts.sync !== undefined) {
      await this.join().catch((err: unknown) =>
        this.log.error({ err: errFields(err) }, "state sync from peers failed; replaying from DA"),
      );
    }
    this.unsubscribe = this.deps.chain.onUpdate(() => void this.sync());
    const { server, url } = await startHttpServer(
      this.opts.httpHost,
      this.opts.httpPort,
      (req, u) => this.route(req, u),
      (err) => this.log.error({ err }, "request failed"),
    );
    this.server = server;
    this.url = url;
    await this.sync();
    this.log.info({ url, operator: this.opts.operatorAddress }, "operator listening");
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    if (this.server) await stopHttpServer(this.server);
    await this.deps.chain.stop();
  }

  /** Follows the chain (serialized with sign requests); errors are logged and retried on the next update. */
  private sync(): Promise<SyncResult | undefined> {
    return this.mutex
      .run(() => this.syncLocked())
      .catch((err: unknown) => {
        this.log.warn({ err: errFields(err) }, "sync failed");
        return undefined;
      });
  }

  /** Restores an empty `dataDir` from peers (state sync) before the first replay. */
  private async join(): Promise<void> {
    const sync = this.opts.sync!;
    await joinFromPeers({
      state: this.deps.state,
      chain: this.deps.chain,
      headBlock: () => this.deps.provider.getBlockNumber(),
      challengeWindowBlocks: sync.challengeWindowBlocks,
      peers: sync.peers,
      logger: this.log,
      metrics: this.syncMetrics,
      signal: this.deps.signal,
    });
  }

  /** Updates the lag gauges, then prunes below the latest final commit (by the indexed block) − keepVersions. */
  private prune(): void {
    const { chain, state } = this.deps;
    const version = state.latestVersion();
    this.syncMetrics.commitLag.set(Math.max(0, Number(chain.latestCommit().sequenceNo) - version));
    this.syncMetrics.writeBacklog.set(Math.max(0, Number(chain.writeCount() - state.writeIndexEndAt(version))));
    const sync = this.opts.sync;
    if (sync?.keepVersions === undefined) return;
    const final = latestFinalCommit(this.deps.chain, this.deps.chain.indexedBlock(), sync.challengeWindowBlocks);
    if (final === undefined) return;
    const removed = this.deps.state.prune(Number(final.sequenceNo), sync.keepVersions);
    this.syncMetrics.prunedNodesTotal.inc(removed);
    this.syncMetrics.oldestVersion.set(this.deps.state.store.prunedBefore());
  }

  private async syncLocked(): Promise<SyncResult> {
    const peers = this.opts.sync?.peers ?? [];
    const result = await syncToChain({
      state: this.deps.state,
      chain: this.deps.chain,
      da: peers.length === 0 ? this.deps.da : new PeerFallbackValues(this.deps.da, peers, this.deps.state.tree.hasher),
      logger: this.log,
      metrics: this.deps.metrics,
      signal: this.deps.signal,
      pending: () => this.pending,
    });
    if (this.pending !== undefined && this.pending.version <= this.deps.state.latestVersion()) this.pending = undefined;
    if (result.status === "diverged" && result.commit.sequenceNo !== this.lastDivergence) {
      this.lastDivergence = result.commit.sequenceNo;
      this.log.warn(
        { sequenceNo: result.commit.sequenceNo.toString() },
        "chain holds a wrong commit; waiting for rollback",
      );
    }
    this.lastSync = result;
    this.prune();
    return result;
  }
  private lastDivergence: bigint | undefined;

  private async route(req: IncomingMessage, url: URL): Promise<HttpReply> {
    const path = url.pathname;
    if (req.method === "POST" && path === "/v1/commits/sign") return this.handleSign(req);
    if (req.method !== "GET") throw new HttpError(405, `method ${req.method} not allowed on ${path}`);
    if (path === "/v1/state") return this.handleState();
    const synced = this.syncServer.handle(req, url);
    if (synced !== undefined) return synced;
    if (path === "/healthz") return { status: 200, json: { ok: true } };
    if (path === "/metrics") {
      return { status: 200, text: await this.deps.registry.metrics(), contentType: this.deps.registry.contentType };
    }
    if (path === "/v1/secrets-key") return this.handleSecretsKey();
    const leaf = /^\/v1\/leaves\/([^/]+)$/.exec(path);
    if (leaf) return this.handleLeaf(leaf[1], url.searchParams.get("sequence"));
    const artifact = /^\/v1\/artifacts\/([^/]+)$/.exec(path);
    if (artifact) return this.handleArtifact(artifact[1]);
    throw new HttpError(404, `no route ${path}`);
  }

  private async handleSign(req: IncomingMessage): Promise<HttpReply> {
    let request: SignRequest;
    try {
      request = parseSignRequest(await readJsonBody(req, this.opts.maxRequestBytes));
    } catch (err) {
      if (err instanceof WindowError) throw new HttpError(400, err.message);
      throw err;
    }
    const reply = await this.mutex.run(() => this.signLocked(request)).catch((err: unknown) => signError(err));
    this.deps.metrics.signRequestsTotal.inc({ status: String(reply.status) });
    return reply;
  }

  private async signLocked(request: SignRequest): Promise<HttpReply> {
    const { commit, delta } = request;
    if (keccak256(delta.daCert) !== commit.daCommitment)
      throw new HttpError(400, "daCommitment is not keccak256(daCert)");
    const synced = await this.syncLocked();
    const { state, chain } = this.deps;
    const version = state.latestVersion();
    const ours = state.rootAt(version);
    if (synced.status !== "synced") {
      return conflict(`operator is ${synced.status} at sequence ${version}`, ours, commit.prevStateRoot);
    }
    if (commit.sequenceNo !== BigInt(version + 1)) {
      return conflict(`expected sequence ${version + 1}, got ${commit.sequenceNo}`, ours, commit.prevStateRoot);
    }
    if (commit.prevStateRoot !== ours)
      return conflict("prevStateRoot is not the latest committed root", ours, commit.prevStateRoot);
    const start = state.writeIndexEndAt(version);
    if (commit.writeIndexEnd < start)
      throw new HttpError(400, `writeIndexEnd ${commit.writeIndexEnd} is below ${start}`);
    await this.waitForWrites(commit.writeIndexEnd, Number(commit.referenceBlock));
    const writes = chain.writesInRange(start, commit.writeIndexEnd);
    const late = writes.find((w) => BigInt(w.blockNumber) > commit.referenceBlock);
    if (late !== undefined) return conflict(`write ${late.writeIndex} is after referenceBlock`, ours, commit.stateRoot);
    const fetched = await fetchDelta(this.deps.da, delta, { signal: this.deps.signal, metrics: this.deps.metrics });
    let windowWrites = checkDelta(
      fetched,
      { chainId: this.opts.chainId, registry: this.opts.registry, commit, writeIndexStart: start },
      writes,
    );
    windowWrites = await this.fillMissing(windowWrites, writes);
    const scratch = state.compute(version + 1, commit.writeIndexEnd, windowWrites);
    if (scratch.root !== commit.stateRoot)
      return conflict("stateRoot differs from the write log", scratch.root, commit.stateRoot);
    this.pending = scratch;
    const digest = stateCommitDigest(this.opts.chainId, this.opts.registry, commit);
    const signature = sign(this.opts.keypair.secretKey, getBytes(digest));
    this.log.info({ sequenceNo: commit.sequenceNo.toString(), root: scratch.root }, "commit signed");
    const body: SignResponseJson = {
      signature: bytesToHex(signature.toBytes(true)),
      publicKey: bytesToHex(this.opts.keypair.pubkeyCompressed),
      operator: this.opts.operatorAddress,
    };
    return { status: 200, json: body };
  }

  /** Fetches the bytes the delta left out (unavailable per the aggregator) once; hash only if DA has none. */
  private async fillMissing(
    windowWrites: ReturnType<typeof checkDelta>,
    writes: ReturnType<IndexedChain["writesInRange"]>,
  ): Promise<ReturnType<typeof checkDelta>> {
    const zero = /^0x0{64}$/;
    const missing = writes.filter((w, i) => !zero.test(w.valueHash) && windowWrites[i].bytes === undefined);
    if (missing.length === 0) return windowWrites;
    const got = await fetchWindowValues(this.deps.da, missing, { mismatchAttempts: 1, signal: this.deps.signal }).catch(
      () => [],
    );
    const bytes = new Map(got.filter((g) => g.bytes !== undefined).map((g) => [g.writeIndex, g.bytes]));
    return windowWrites.map((w) =>
      w.bytes === undefined && bytes.has(w.writeIndex) ? { ...w, bytes: bytes.get(w.writeIndex) } : w,
    );
  }

  private async waitForWrites(writeIndexEnd: bigint, referenceBlock: number): Promise<void> {
    const { chain } = this.deps;
    try {
      await waitUntil(() => chain.writeCount() >= writeIndexEnd && chain.indexedBlock() >= referenceBlock, {
        timeoutMs: this.opts.signWaitMs,
        intervalMs: 25,
        signal: this.deps.signal,
      });
    } catch {
      throw new HttpError(409, `writes up to ${writeIndexEnd} (block ${referenceBlock}) are not indexed yet`, {
        writeCount: chain.writeCount().toString(),
        indexedBlock: chain.indexedBlock(),
      });
    }
  }

  private async handleState(): Promise<HttpReply> {
    const { state, chain } = this.deps;
    const version = state.latestVersion();
    let head: number | null = null;
    try {
      head = await this.deps.provider.getBlockNumber();
    } catch {
      this.deps.metrics.rpcErrorsTotal.inc({ op: "getBlockNumber" });
    }
    const indexedBlock = chain.indexedBlock();
    return {
      status: 200,
      json: {
        sequenceNo: String(version),
        root: state.rootAt(version),
        writeIndexEnd: state.writeIndexEndAt(version).toString(),
        indexedBlock,
        headBlock: head,
        lagBlocks: head === null ? null : Math.max(0, head - indexedBlock),
        chainSequenceNo: chain.latestCommit().sequenceNo.toString(),
        sync: this.lastSync?.status ?? "starting",
        operator: this.opts.operatorAddress,
      },
    };
  }

  private handleSecretsKey(): HttpReply {
    return {
      status: 200,
      json: {
        kem: "DHKEM(X25519, HKDF-SHA256)",
        kdf: "HKDF-SHA256",
        aead: "ChaCha20Poly1305",
        publicKey: this.opts.secretsPublicKey,
      },
    };
  }

  private handleLeaf(keyHashParam: string, sequenceParam: string | null): HttpReply {
    if (!/^0x[0-9a-fA-F]{64}$/.test(keyHashParam)) throw new HttpError(400, "keyHash must be 0x-hex of 32 bytes");
    const latest = this.deps.state.latestVersion();
    if (sequenceParam !== null && !/^(0|[1-9][0-9]{0,15})$/.test(sequenceParam)) {
      throw new HttpError(400, "sequence must be a decimal integer");
    }
    const version = sequenceParam === null ? latest : Number(sequenceParam);
    if (version > latest) throw new HttpError(404, `sequence ${version} is not committed here (latest ${latest})`);
    const lenient = new LenientValueStore(this.deps.state.store);
    const tree = new JellyfishMerkleTree({ store: lenient, hasher: this.deps.state.tree.hasher });
    let result;
    try {
      result = tree.getWithProof(getBytes(keyHashParam), version);
    } catch (err) {
      if (err instanceof JmtError) throw new HttpError(410, err.message);
      throw err;
    }
    const available = result.value === null || !lenient.isPlaceholder(result.value);
    return {
      status: 200,
      json: {
        sequenceNo: String(version),
        keyHash: keyHashParam.toLowerCase(),
        valueHash: result.proof.leaf && result.value !== null ? hexlify(result.proof.leaf.valueHash) : null,
        value: result.value === null || !available ? null : bytesToHex(result.value),
        available,
        proof: toAbiProof(result.proof),
      },
    };
  }

  private handleArtifact(hashParam: string): HttpReply {
    if (!/^0x[0-9a-fA-F]{64}$/.test(hashParam)) throw new HttpError(400, "hash must be 0x-hex of 32 bytes");
    const value = this.deps.state.valueByHash(hashParam.toLowerCase() as `0x${string}`);
    if (value === undefined) throw new HttpError(404, `no value with hash ${hashParam}`);
    return { status: 200, json: { hash: hashParam.toLowerCase(), bytes: bytesToHex(value) } };
  }
}

function conflict(error: string, expectedRoot: string, actualRoot: string): HttpReply {
  return { status: 409, json: { error, expectedRoot, actualRoot } };
}

function signError(err: unknown): HttpReply {
  if (err instanceof HttpError) return { status: err.type.status, json: { error: err.message, ...err.extra } };
  if (err instanceof WindowError && err.type.code === "WINDOW_ERROR_DELTA_MISMATCH") {
    return { status: 422, json: { error: err.message, field: err.type.field } };
  }
  if (err instanceof DeltaError || err instanceof WindowError) return { status: 422, json: { error: err.message } };
  if (err instanceof DaError) return { status: 503, json: { error: `DA: ${err.message}`, code: err.code } };
  return { status: 500, json: { error: err instanceof Error ? err.message : "internal error" } };
}

function errFields(err: unknown): object {
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { message: String(err) };
}

import type { IncomingMessage, Server } from "node:http";

import { getAddress, getBytes, hexlify, keccak256, type Provider } from "ethers";
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
  type Hex,
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
  recoverSignRequestSigner,
  selectWindow,
  syncToChain,
  toAbiProof,
  type KeeperState,
  type ScratchVersion,
  type SignRequest,
  type SignResponseJson,
  type SyncResult,
  healthReply,
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
import type { OpeningResolver } from "./openings";
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
  /** Answers key-opening challenges when the operator has a funded transaction key (see ./openings). */
  readonly openings?: OpeningResolver;
}

/**
 * The operator role (docs/architecture.md): follows the chain's commits into its own tree,
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
    this.trusted = new Set(opts.aggregators.map((a) => getAddress(a)));
    this.syncMetrics = createSyncMetrics(deps.registry);
    this.syncServer = new SyncServer({
      store: deps.state.store,
      hasher: deps.state.tree.hasher,
      metrics: this.syncMetrics,
    });
  }
  private readonly trusted: ReadonlySet<string>;

  async start(): Promise<void> {
    await this.deps.chain.start();
    // Before following the chain: a replay from genesis would fill the tree and make state sync moot.
    if (this.opts.sync !== undefined) {
      await this.join().catch((err: unknown) =>
        this.log.error({ err: errFields(err) }, "state sync from peers failed; replaying from DA"),
      );
    }
    const openings = this.deps.openings;
    this.unsubscribe = this.deps.chain.onUpdate(() => {
      void this.sync().then(() => openings?.poll());
    });
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
      fetch: this.fetchOptions(),
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
    if (path === "/healthz") return healthReply(this.deps.chain);
    if (path === "/metrics") {
      return { status: 200, text: await this.deps.registry.metrics(), contentType: this.deps.registry.contentType };
    }
    if (path === "/v1/secrets-key") return this.handleSecretsKey(url.searchParams.get("epoch"));
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
    const reply = await this.answerSign(request).catch((err: unknown) => signError(err));
    this.deps.metrics.signRequestsTotal.inc({ status: String(reply.status) });
    const code = (reply.json as { code?: unknown } | undefined)?.code;
    if (typeof code === "string") this.deps.metrics.signRefusalsTotal.inc({ reason: refusalReason(code) });
    return reply;
  }

  /**
   * Everything that can be decided without the lock is decided first and answered at once: the
   * aggregator's authentication, the in-flight bound, and whether the proposal's writes are indexed
   * yet (a proposal not yet verifiable gets `SIGN_RETRY_LATER` instead of a wait holding the lock).
   */
  private async answerSign(request: SignRequest): Promise<HttpReply> {
    const { commit, delta } = request;
    const digest = stateCommitDigest(this.opts.chainId, this.opts.registry, commit) as Hex;
    if (!this.trusted.has(request.aggregator) || recoverSignRequestSigner(request, digest) === undefined) {
      return refuse(401, "SIGN_UNAUTHENTICATED", "the request is not signed by an aggregator this operator trusts");
    }
    if (keccak256(delta.daCert) !== commit.daCommitment)
      throw new HttpError(400, "daCommitment is not keccak256(daCert)");
    if (this.signsInFlight >= this.opts.maxConcurrentSigns) {
      return refuse(429, "SIGN_BUSY", `${this.signsInFlight} sign requests in flight`, { retryAfterMs: 100 });
    }
    const notYet = this.notYetVerifiable(commit.writeIndexEnd, commit.referenceBlock);
    if (notYet !== undefined) return notYet;
    this.signsInFlight++;
    try {
      return await this.mutex.run(() => this.signLocked(request, digest));
    } finally {
      this.signsInFlight--;
    }
  }
  private signsInFlight = 0;

  /** `SIGN_RETRY_LATER` while the indexer has not reached the proposal's writes or reference block. */
  private notYetVerifiable(writeIndexEnd: bigint, referenceBlock: bigint): HttpReply | undefined {
    const { chain } = this.deps;
    if (chain.writeCount() >= writeIndexEnd && BigInt(chain.indexedBlock()) >= referenceBlock) return undefined;
    return refuse(503, "SIGN_RETRY_LATER", `writes up to ${writeIndexEnd} (block ${referenceBlock}) not indexed yet`, {
      retryAfterMs: 100,
      writeCount: chain.writeCount().toString(),
      indexedBlock: chain.indexedBlock(),
    });
  }

  private async signLocked(request: SignRequest, digest: Hex): Promise<HttpReply> {
    const { commit, delta } = request;
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
    const notYet = this.notYetVerifiable(commit.writeIndexEnd, commit.referenceBlock);
    if (notYet !== undefined) return notYet;
    const refusal = this.checkWindowRule(commit, start);
    if (refusal !== undefined) return refusal;
    const writes = chain.writesInRange(start, commit.writeIndexEnd);
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
    const signature = sign(this.opts.keypair.secretKey, getBytes(digest));
    this.log.info({ sequenceNo: commit.sequenceNo.toString(), root: scratch.root }, "commit signed");
    const body: SignResponseJson = {
      signature: bytesToHex(signature.toBytes(true)),
      publicKey: bytesToHex(this.opts.keypair.pubkeyCompressed),
      operator: this.opts.operatorAddress,
    };
    return { status: 200, json: body };
  }

  /**
   * The censorship check: the proposal must commit exactly the maximal eligible prefix of the
   * uncommitted write log under the window rule (`selectWindow`) at its reference block, and the
   * reference block must be recent (within `maxReferenceLagBlocks` of this operator's indexed
   * block), so an aggregator can neither leave an eligible write out nor hide writes behind an old
   * reference block. Refusals: `SIGN_REFUSED_NOT_MAXIMAL`, `SIGN_REFUSED_STALE_REFERENCE`.
   */
  private checkWindowRule(commit: SignRequest["commit"], start: bigint): HttpReply | undefined {
    const { chain } = this.deps;
    const indexed = BigInt(chain.indexedBlock());
    if (commit.referenceBlock + BigInt(this.opts.maxReferenceLagBlocks) < indexed) {
      return refuse(409, "SIGN_REFUSED_STALE_REFERENCE", `referenceBlock ${commit.referenceBlock} is stale`, {
        indexedBlock: Number(indexed),
        maxReferenceLagBlocks: this.opts.maxReferenceLagBlocks,
      });
    }
    const uncommitted = chain.writesInRange(start, chain.writeCount());
    const selected = selectWindow(uncommitted, Number(commit.referenceBlock), this.opts.maxCommitBytes);
    const maximal = start + BigInt(selected.length);
    if (commit.writeIndexEnd === maximal) return undefined;
    this.log.warn(
      {
        sequenceNo: commit.sequenceNo.toString(),
        proposed: commit.writeIndexEnd.toString(),
        maximal: maximal.toString(),
      },
      "proposal is not the maximal eligible prefix; refused",
    );
    return refuse(
      409,
      "SIGN_REFUSED_NOT_MAXIMAL",
      `writeIndexEnd ${commit.writeIndexEnd} is not the maximal eligible prefix end ${maximal} at block ${commit.referenceBlock}`,
      { maximalWriteIndexEnd: maximal.toString() },
    );
  }

  /**
   * Fetches the bytes the delta left out (unavailable per the aggregator) once, within the value
   * timeout; a value this operator cannot fetch either is committed by hash all the same.
   */
  private async fillMissing(
    windowWrites: ReturnType<typeof checkDelta>,
    writes: ReturnType<IndexedChain["writesInRange"]>,
  ): Promise<ReturnType<typeof checkDelta>> {
    const zero = /^0x0{64}$/;
    const missing = writes.filter((w, i) => !zero.test(w.valueHash) && windowWrites[i].bytes === undefined);
    if (missing.length === 0) return windowWrites;
    const got = await fetchWindowValues(this.deps.da, missing, this.fetchOptions());
    const bytes = new Map(got.filter((g) => g.bytes !== undefined).map((g) => [g.writeIndex, g.bytes]));
    return windowWrites.map((w) =>
      w.bytes === undefined && bytes.has(w.writeIndex) ? { ...w, bytes: bytes.get(w.writeIndex) } : w,
    );
  }

  private fetchOptions() {
    return {
      valueTimeoutMs: this.opts.valueTimeoutMs,
      // The whole fetch within one value timeout: a sign request must answer before the aggregator's deadline.
      deadlineMs: this.opts.valueTimeoutMs,
      held: (h: Hex) => this.deps.state.valueByHash(h),
      signal: this.deps.signal,
      logger: this.log,
      metrics: this.deps.metrics,
    };
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

  /** The current epoch's key, or with `?epoch=<n>` the key of epoch n while it is held (current or previous). */
  private handleSecretsKey(epochParam: string | null): HttpReply {
    const { secretsPublicKey, secretsEpoch, secretsPrevious } = this.opts;
    const doc = (publicKey: OperatorOptions["secretsPublicKey"], epoch: number | undefined): HttpReply => ({
      status: 200,
      json: {
        kem: "DHKEM(X25519, HKDF-SHA256)",
        kdf: "HKDF-SHA256",
        aead: "ChaCha20Poly1305",
        publicKey,
        ...(epoch === undefined ? {} : { epoch }),
      },
    });
    if (epochParam === null) return doc(secretsPublicKey, secretsEpoch);
    if (!/^(0|[1-9][0-9]{0,9})$/.test(epochParam)) throw new HttpError(400, "epoch must be a decimal integer");
    const epoch = Number(epochParam);
    if (epoch === (secretsEpoch ?? 0)) return doc(secretsPublicKey, secretsEpoch);
    if (secretsPrevious !== undefined && epoch === secretsPrevious.epoch) {
      return doc(secretsPrevious.publicKey, secretsPrevious.epoch);
    }
    const held = [secretsEpoch ?? 0, ...(secretsPrevious ? [secretsPrevious.epoch] : [])].join(", ");
    throw new HttpError(404, `secrets key epoch ${epoch} is not held (held: ${held})`);
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
    // The leaf (and its proof) always holds the write log's value hash; only the bytes may be missing.
    const status = result.value === null ? "absent" : available ? "available" : "bytes_unavailable";
    return {
      status: 200,
      json: {
        status,
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

/** A typed refusal: `{error, code, ...extra}` (codes `SIGN_*`, counted per reason in `signRefusalsTotal`). */
function refuse(status: number, code: string, error: string, extra: Record<string, unknown> = {}): HttpReply {
  return { status, json: { error, code, ...extra } };
}

/** Metric label of a refusal code: `SIGN_REFUSED_NOT_MAXIMAL` → `not_maximal`. */
function refusalReason(code: string): string {
  return code.replace(/^SIGN_(REFUSED_)?/, "").toLowerCase();
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

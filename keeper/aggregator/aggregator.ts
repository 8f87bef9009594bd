import type { Server } from "node:http";

import { getBytes, keccak256, type Contract, type Provider } from "ethers";
import type { Registry } from "prom-client";

import { buildSignerProof } from "../bls";
import {
  ChainError,
  stateCommitDigest,
  stateCommitRegistryInterface,
  type IndexedChain,
  type IndexedWrite,
  type StateCommit,
  type TxSender,
} from "../chain";
import {
  HttpError,
  retry,
  sleep,
  startHttpServer,
  stopHttpServer,
  type HttpReply,
  type KeeperMetrics,
  type Logger,
} from "../common";
import type { EigenDaProxyClient } from "../da";
import {
  buildDelta,
  disperseDelta,
  encodeSignRequest,
  fetchWindowValues,
  selectWindow,
  syncToChain,
  type DeltaPointer,
  type KeeperState,
  type ScratchVersion,
  type SignRequestSigner,
  healthReply,
} from "../window";
import { collectSignatures } from "./collect";
import { loadOperatorSet, quorumMet, type OperatorSetView } from "./operator-set";
import type { AggregatorOptions } from "./options";

/** Collaborators of {@link Aggregator}. */
export interface AggregatorDeps {
  readonly state: KeeperState;
  readonly chain: IndexedChain;
  readonly da: EigenDaProxyClient;
  readonly provider: Provider;
  readonly operatorRegistry: Contract;
  readonly sender: TxSender;
  readonly logger: Logger;
  readonly metrics: KeeperMetrics;
  readonly registry: Registry;
  readonly signal: AbortSignal;
  /** Signs sign requests (EIP-191); its address must be in every operator's `aggregators` (the tx wallet fits). */
  readonly requestSigner: SignRequestSigner;
  /** Wall clock in ms (tests may inject). */
  readonly now?: () => number;
}

/** Outcome of one window. */
export type WindowOutcome = "committed" | "idle" | "no_quorum" | "not_synced" | "reverted";

/**
 * The aggregator role (docs/architecture.md): every wall-clock-aligned window it syncs its tree with the
 * chain, selects the eligible writes, fetches their values from DA, applies them as a scratch tree
 * version, disperses the delta, collects and batch-verifies the operators' signatures, and submits
 * `commitStateRoot` through the single transaction sender. The scratch version is persisted only
 * after the chain's `StateRootCommitted` for it is indexed (the same sync path every role uses);
 * after any failure the next window re-proposes from fresh chain state.
 */
export class Aggregator {
  private readonly log: Logger;
  private readonly now: () => number;
  private pending: ScratchVersion | undefined;
  private readonly pubkeys = new Map<string, Uint8Array>();
  private server?: Server;
  private loop?: Promise<void>;
  private lastOutcome: WindowOutcome | "starting" = "starting";
  /** Base URL of the HTTP API when enabled. */
  url = "";

  constructor(
    private readonly opts: AggregatorOptions,
    private readonly deps: AggregatorDeps,
  ) {
    this.log = deps.logger.child({ module: "aggregator" });
    this.now = deps.now ?? Date.now;
  }

  async start(): Promise<void> {
    const stale = this.deps.state.getRecord<{ sequenceNo: string }>("pending");
    if (stale !== undefined)
      this.log.info({ sequenceNo: stale.sequenceNo }, "discarding pending proposal from before restart");
    this.deps.state.putRecord("pending", undefined);
    await this.deps.chain.start();
    if (this.opts.httpPort !== undefined) {
      const started = await startHttpServer(
        this.opts.httpHost,
        this.opts.httpPort,
        (req, url) => this.route(req.method ?? "GET", url),
        (err) => this.log.error({ err }, "request failed"),
      );
      this.server = started.server;
      this.url = started.url;
    }
    this.loop = this.run();
    this.log.info(
      { windowSeconds: this.opts.windowSeconds, operators: this.opts.operators.length },
      "aggregator started",
    );
  }

  async stop(): Promise<void> {
    await this.loop?.catch(() => undefined);
    if (this.server) await stopHttpServer(this.server);
    await this.deps.chain.stop();
  }

  private async run(): Promise<void> {
    const windowMs = this.opts.windowSeconds * 1000;
    while (!this.deps.signal.aborted) {
      const closeMs = (Math.floor(this.now() / windowMs) + 1) * windowMs;
      try {
        await sleep(closeMs - this.now(), this.deps.signal);
      } catch {
        return;
      }
      try {
        this.lastOutcome = await this.runWindow(closeMs);
      } catch (err) {
        this.lastOutcome = "reverted";
        this.deps.metrics.windowsTotal.inc({ outcome: "failed" });
        this.log.warn({ err: errFields(err) }, "window failed; re-proposing next window");
        continue;
      }
      this.deps.metrics.windowsTotal.inc({ outcome: this.lastOutcome });
    }
  }

  /** Runs one window closed at `closeMs` (wall clock); exported for tests and the benchmark. */
  async runWindow(closeMs: number): Promise<WindowOutcome> {
    const { state, chain, provider, metrics } = this.deps;
    const head = await this.read("getBlockNumber", () => provider.getBlockNumber());
    const referenceBlock = head - this.opts.confirmations;
    if (referenceBlock < 0) return "idle";
    await chain.waitForBlock(referenceBlock, { signal: this.deps.signal, timeoutMs: this.opts.indexTimeoutMs });
    const synced = await this.sync();
    if (synced !== "synced") return "not_synced";
    const version = state.latestVersion();
    metrics.windowLagSeconds.set(this.lagSeconds());
    const start = state.writeIndexEndAt(version);
    const uncommitted = chain.writesInRange(start, chain.writeCount());
    const selected = selectWindow(uncommitted, referenceBlock, this.opts.maxCommitBytes);
    this.observeBacklog(uncommitted, selected.length, referenceBlock);
    if (selected.length === 0) return "idle";
    // Never waits for bytes: a value DA cannot serve is committed by hash (see fetchWindowValues).
    const writes = await fetchWindowValues(this.deps.da, selected, {
      signal: this.deps.signal,
      logger: this.log,
      metrics,
      valueTimeoutMs: this.opts.valueTimeoutMs,
      // Half a window for all values at most, so the window still commits in time.
      deadlineMs: Math.max(1_000, this.opts.windowSeconds * 500),
      held: (h) => state.valueByHash(h),
    });
    const writeIndexEnd = selected[selected.length - 1].writeIndex + 1n;
    const scratch = state.compute(version + 1, writeIndexEnd, writes);
    const prevStateRoot = state.rootAt(version);
    const delta = buildDelta(
      {
        chainId: this.opts.chainId,
        registry: this.opts.registry.toLowerCase() as `0x${string}`,
        sequenceNo: BigInt(version + 1),
        prevRoot: prevStateRoot,
        newRoot: scratch.root,
        writeIndexStart: start,
        writeIndexEnd,
      },
      writes,
    );
    const pointer = await disperseDelta(this.deps.da, delta, { maxBlobBytes: this.opts.maxBlobBytes, metrics });
    const set = await this.operatorSet();
    const commit: StateCommit = {
      sequenceNo: BigInt(version + 1),
      prevStateRoot,
      stateRoot: scratch.root,
      writeIndexEnd,
      referenceBlock: BigInt(referenceBlock),
      daCommitment: keccak256(pointer.daCert) as `0x${string}`,
      operatorSetId: set.operatorSetId,
    };
    this.log.info(
      {
        sequenceNo: commit.sequenceNo.toString(),
        root: commit.stateRoot,
        writes: selected.length,
        unavailable: scratch.unavailable.length,
        deltaBytes: pointer.bytes,
        deltaParts: pointer.parts,
      },
      "window proposed",
    );
    return this.certifyAndSubmit(commit, pointer, scratch, set, closeMs);
  }

  private async certifyAndSubmit(
    commit: StateCommit,
    pointer: DeltaPointer,
    scratch: ScratchVersion,
    set: OperatorSetView,
    closeMs: number,
  ): Promise<WindowOutcome> {
    const { state, chain, metrics } = this.deps;
    this.pending = scratch;
    state.putRecord("pending", { sequenceNo: commit.sequenceNo.toString(), root: commit.stateRoot, ...pointer });
    try {
      const digestHex = stateCommitDigest(this.opts.chainId, this.opts.registry, commit) as `0x${string}`;
      const digest = getBytes(digestHex);
      const request = encodeSignRequest(commit, pointer, digestHex, this.deps.requestSigner);
      const signatures = await collectSignatures(this.opts.operators, request, digest, set, {
        timeoutMs: this.opts.signTimeoutMs,
        logger: this.log,
        metrics,
        signal: this.deps.signal,
      });
      const signedWeight = set.members.reduce((n, m) => (signatures.has(m.index) ? n + m.weight : n), 0n);
      if (signatures.size === 0 || !quorumMet(set, signedWeight)) {
        this.log.warn(
          { sequenceNo: commit.sequenceNo.toString(), signers: signatures.size, signedWeight: signedWeight.toString() },
          "quorum not reached",
        );
        metrics.commitLatencySeconds.observe({ outcome: "no_quorum" }, (this.now() - closeMs) / 1000);
        return "no_quorum";
      }
      const proof = buildSignerProof(set.members, signatures);
      const data = stateCommitRegistryInterface.encodeFunctionData("commitStateRoot", [commit, pointer.daCert, proof]);
      const receipt = await this.deps.sender
        .send({ to: this.opts.registry, data, label: `commitStateRoot(${commit.sequenceNo})` })
        .catch((err: unknown) => {
          if (err instanceof ChainError && err.code === "CHAIN_ERROR_REVERTED") {
            this.log.warn({ reason: err.type }, "commit reverted; re-syncing next window");
            return undefined;
          }
          throw err;
        });
      if (receipt === undefined) return "reverted";
      metrics.commitLatencySeconds.observe({ outcome: "committed" }, (this.now() - closeMs) / 1000);
      this.log.info(
        {
          sequenceNo: commit.sequenceNo.toString(),
          root: commit.stateRoot,
          block: receipt.blockNumber,
          signers: signatures.size,
          gasUsed: receipt.gasUsed.toString(),
        },
        "commit mined",
      );
      this.lastCommitMs = this.now();
      await chain.waitForBlock(receipt.blockNumber, { signal: this.deps.signal, timeoutMs: this.opts.indexTimeoutMs });
      await this.sync();
      return "committed";
    } finally {
      state.putRecord("pending", undefined);
    }
  }
  private lastCommitMs: number | undefined;
  private cachedSet: OperatorSetView | undefined;

  /** An RPC read with bounded retries (reads are idempotent); failures counted per operation. */
  private read<T>(op: string, fn: () => Promise<T>): Promise<T> {
    return retry(fn, {
      attempts: 4,
      baseMs: 100,
      signal: this.deps.signal,
      onError: () => this.deps.metrics.rpcErrorsTotal.inc({ op }),
    });
  }

  /** The current operator set, re-read only when `operatorSetId` changed. */
  private async operatorSet(): Promise<OperatorSetView> {
    const registry = this.deps.operatorRegistry;
    const id = await this.read("operatorSetId", async () => (await registry.operatorSetId()) as bigint);
    if (this.cachedSet?.operatorSetId === id) return this.cachedSet;
    this.cachedSet = await this.read("loadOperatorSet", () =>
      loadOperatorSet(registry, this.deps.provider, this.opts.fromBlock, this.pubkeys, this.log),
    );
    return this.cachedSet;
  }

  /** Backlog gauges (`policy_commit_defer_queue_*`) and the eligible writes the byte cap leaves for later. */
  private observeBacklog(uncommitted: readonly IndexedWrite[], selectedCount: number, referenceBlock: number): void {
    const { metrics } = this.deps;
    metrics.commitDeferQueueDepth.set(uncommitted.length);
    metrics.commitDeferQueueBytes.set(uncommitted.reduce((n, w) => n + w.byteLength, 0));
    const eligible = uncommitted.filter((w) => w.blockNumber <= referenceBlock).length;
    if (eligible > selectedCount) metrics.commitDeferralsTotal.inc(eligible - selectedCount);
  }

  private lagSeconds(): number {
    return this.lastCommitMs === undefined ? 0 : (this.now() - this.lastCommitMs) / 1000;
  }

  private async sync(): Promise<string> {
    const result = await syncToChain({
      state: this.deps.state,
      chain: this.deps.chain,
      da: this.deps.da,
      logger: this.log,
      metrics: this.deps.metrics,
      signal: this.deps.signal,
      fetch: { valueTimeoutMs: this.opts.valueTimeoutMs, held: (h) => this.deps.state.valueByHash(h) },
      pending: () => this.pending,
    });
    if (this.pending !== undefined && this.pending.version <= this.deps.state.latestVersion()) this.pending = undefined;
    if (result.status !== "synced")
      this.log.warn({ status: result.status, version: result.version }, "tree not synced with chain");
    return result.status;
  }

  private async route(method: string, url: URL): Promise<HttpReply> {
    if (method !== "GET") throw new HttpError(405, `method ${method} not allowed`);
    if (url.pathname === "/healthz") return healthReply(this.deps.chain);
    if (url.pathname === "/metrics") {
      return { status: 200, text: await this.deps.registry.metrics(), contentType: this.deps.registry.contentType };
    }
    if (url.pathname === "/v1/state") {
      const version = this.deps.state.latestVersion();
      return {
        status: 200,
        json: {
          sequenceNo: String(version),
          root: this.deps.state.rootAt(version),
          indexedBlock: this.deps.chain.indexedBlock(),
          lastWindow: this.lastOutcome,
        },
      };
    }
    throw new HttpError(404, `no route ${url.pathname}`);
  }
}

function errFields(err: unknown): object {
  if (err instanceof Error) return { name: err.name, message: err.message.slice(0, 500) };
  return { message: String(err) };
}

import { getBytes, type Provider } from "ethers";
import type { Registry } from "prom-client";

import {
  ChainError,
  challengeVerifierInterface,
  type IndexedChain,
  type IndexedCommit,
  type TxSender,
  writeRecordOf,
} from "../chain";
import { Mutex, startHttpServer, stopHttpServer, type Hex, type KeeperMetrics, type Logger } from "../common";
import type { EigenDaProxyClient } from "../da";
import { JellyfishMerkleTree, type HashedWrite } from "../jmt";
import {
  OverlayTreeStore,
  fetchDelta,
  healthReply,
  syncToChain,
  type KeeperState,
  type ScratchVersion,
  type SyncResult,
} from "../window";
import { OpeningResolver } from "../operator/openings";
import { LenientValueStore } from "../operator/lenient";
import { buildCommitChallenge, type ClaimedTree, type CommitChallenge } from "./commit-challenge";
import { type CorrectState, correctStateFrom } from "./opening";
import { OpeningPlayer } from "./opening-player";

/** Everything the challenger role needs, resolved by the CLI (frozen). */
export interface ChallengerOptions {
  /** ChallengeVerifier proxy address. */
  readonly challengeVerifier: string;
  /** Blocks after a commit during which it can be challenged (StateCommitRegistry.challengeWindowBlocks). */
  readonly challengeWindowBlocks: number;
  readonly httpHost: string;
  /** Port for /metrics and /healthz; undefined = no server. */
  readonly httpPort?: number;
}

/** Collaborators of {@link Challenger}. */
export interface ChallengerDeps {
  readonly state: KeeperState;
  readonly chain: IndexedChain;
  readonly da: EigenDaProxyClient;
  readonly provider: Provider;
  readonly sender: TxSender;
  readonly logger: Logger;
  readonly metrics: KeeperMetrics;
  readonly registry: Registry;
  readonly signal: AbortSignal;
}

const ZERO: Hex = `0x${"00".repeat(32)}`;

/**
 * The challenger role (docs/security-model.md): replays the chain into its own tree (write log + DA) and
 * compares every committed root with its own. On a mismatch it fetches the committed (dishonest)
 * delta, rebuilds the claimed tree = previous committed tree + that delta in memory, finds a key
 * whose claimed value differs from the write log's, and submits `challengeCommit` within the
 * challenge window. The registry then rolls back and the sync continues from the restored root.
 */
export class Challenger {
  private readonly log: Logger;
  private readonly mutex = new Mutex();
  private readonly attempted = new Set<string>();
  /** Answers opening challenges on commits this tree agrees with. */
  private readonly resolver: OpeningResolver;
  /** Plays the key-opening game on commits it cannot rebuild. */
  private readonly player: OpeningPlayer;
  private unsubscribe?: () => void;
  private server?: Awaited<ReturnType<typeof startHttpServer>>["server"];

  constructor(
    private readonly opts: ChallengerOptions,
    private readonly deps: ChallengerDeps,
  ) {
    this.log = deps.logger.child({ module: "challenger" });
    this.resolver = new OpeningResolver(opts.challengeVerifier, deps);
    this.player = new OpeningPlayer(opts.challengeVerifier, deps);
  }

  async start(): Promise<void> {
    await this.deps.chain.start();
    this.unsubscribe = this.deps.chain.onUpdate(() => void this.check());
    if (this.opts.httpPort !== undefined) {
      const started = await startHttpServer(
        this.opts.httpHost,
        this.opts.httpPort,
        async (_req, url) =>
          url.pathname === "/metrics"
            ? { status: 200, text: await this.deps.registry.metrics(), contentType: this.deps.registry.contentType }
            : url.pathname === "/healthz"
              ? healthReply(this.deps.chain)
              : { status: 404, json: { ok: false } },
        (err) => this.log.error({ err }, "request failed"),
      );
      this.server = started.server;
    }
    await this.check();
    this.log.info({ challengeVerifier: this.opts.challengeVerifier }, "challenger started");
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    if (this.server) await stopHttpServer(this.server);
    await this.deps.chain.stop();
  }

  /** Syncs and, on a wrong commit, challenges it; serialized, errors logged and retried on the next update. */
  check(): Promise<void> {
    return this.mutex
      .run(async () => {
        const result = await syncToChain({
          state: this.deps.state,
          chain: this.deps.chain,
          da: this.deps.da,
          logger: this.log,
          metrics: this.deps.metrics,
          signal: this.deps.signal,
        });
        if (result.status === "diverged") await this.challenge(result);
        await this.resolver.poll();
        await this.player.poll();
      })
      .catch((err: unknown) =>
        this.log.warn({ message: err instanceof Error ? err.message : String(err) }, "check failed"),
      );
  }

  private async challenge(result: Extract<SyncResult, { status: "diverged" }>): Promise<void> {
    const { commit, version } = result;
    const id = `${commit.sequenceNo}/${commit.stateRoot}`;
    if (this.attempted.has(id)) return;
    const head = await this.deps.provider.getBlockNumber();
    if (head >= commit.blockNumber + this.opts.challengeWindowBlocks) {
      this.attempted.add(id);
      this.log.error({ sequenceNo: commit.sequenceNo.toString() }, "wrong commit is final; cannot challenge");
      return;
    }
    let built: CommitChallenge | undefined;
    try {
      built = await this.buildChallenge(commit, version);
    } catch (err) {
      // The delta is withheld or undecodable: only the key-opening game can prove this root wrong.
      this.log.warn({ message: err instanceof Error ? err.message : String(err) }, "cannot rebuild the committed tree");
    }
    this.attempted.add(id);
    if (built !== undefined) {
      await this.submit(built);
      return;
    }
    if (this.player.playing(commit.sequenceNo) || BigInt(result.ours.version) !== commit.sequenceNo) return;
    await this.player.open(commit, this.correctState(result.ours));
    this.deps.metrics.challengesTotal.inc({ outcome: "opening" });
  }

  /** Our (correct) tree at the diverged commit: the persisted tree plus our version of its window, in memory. */
  private correctState(ours: ScratchVersion): CorrectState {
    const overlay = new OverlayTreeStore(this.deps.state.store);
    const hasher = this.deps.state.tree.hasher;
    new JellyfishMerkleTree({ store: overlay, hasher }).writeBatch(ours.batch);
    // Values of the window may be known by hash only; proofs need the leaf, not the bytes.
    const tree = new JellyfishMerkleTree({ store: new LenientValueStore(overlay), hasher });
    const keys = (function* () {
      for (const [key] of tree.exportSnapshot(ours.version)) yield key;
    })();
    return correctStateFrom((k) => tree.getWithProof(k, ours.version).proof, keys);
  }

  private async buildChallenge(commit: IndexedCommit, version: number): Promise<CommitChallenge | undefined> {
    const { state, chain } = this.deps;
    const delta = await fetchDelta(this.deps.da, { daCert: commit.daCert }, { signal: this.deps.signal });
    const claimed = new JellyfishMerkleTree({ store: new OverlayTreeStore(state.store), hasher: state.tree.hasher });
    const writes: HashedWrite[] = delta.entries.map((e) => ({
      keyHash: getBytes(e.keyHash),
      valueHash: e.valueHash === ZERO ? null : getBytes(e.valueHash),
      value: e.valueHash === ZERO ? undefined : e.bytes,
    }));
    const claimedVersion = version + 1;
    const info = claimed.writeBatch(claimed.computeUpdateHashed(claimedVersion, writes));
    const claimedRoot = `0x${Buffer.from(info.root).toString("hex")}`;
    if (claimedRoot !== commit.stateRoot.toLowerCase()) {
      this.log.error(
        { sequenceNo: commit.sequenceNo.toString(), claimedRoot, committedRoot: commit.stateRoot },
        "committed delta does not reproduce the committed root; cannot build a proof",
      );
      this.deps.metrics.challengesTotal.inc({ outcome: "no_proof" });
      return undefined;
    }
    const start = state.writeIndexEndAt(version);
    const end = commit.writeIndexEnd > start ? commit.writeIndexEnd : start;
    const keys = new Set<string>([
      ...delta.entries.map((e) => e.keyHash.toLowerCase()),
      ...chain.writesInRange(start, end).map((w) => w.keyHash.toLowerCase()),
    ]);
    const tree: ClaimedTree = { getWithProof: (k, v) => claimed.getWithProof(k, v) };
    for (const key of keys) {
      try {
        const challenge = buildCommitChallenge({
          sequenceNo: commit.sequenceNo,
          writeIndexEnd: commit.writeIndexEnd,
          keyHash: key as Hex,
          writeLog: chain.writesOfKey(key as Hex).map(writeRecordOf),
          claimedTree: tree,
          claimedVersion,
        });
        if (challenge !== null) return challenge;
      } catch (err) {
        this.log.debug({ keyHash: key, message: err instanceof Error ? err.message : String(err) }, "key skipped");
      }
    }
    this.log.error({ sequenceNo: commit.sequenceNo.toString() }, "no provable key found");
    this.deps.metrics.challengesTotal.inc({ outcome: "no_proof" });
    return undefined;
  }

  private async submit(c: CommitChallenge): Promise<void> {
    const data = challengeVerifierInterface.encodeFunctionData("challengeCommit", [
      c.sequenceNo,
      c.write,
      c.successor,
      c.proof,
    ]);
    const fields = {
      sequenceNo: c.sequenceNo.toString(),
      keyHash: c.write.keyHash,
      expectedValueHash: c.expectedValueHash,
      committedValueHash: c.committedValueHash,
    };
    try {
      const receipt = await this.deps.sender.send({
        to: this.opts.challengeVerifier,
        data,
        label: `challengeCommit(${c.sequenceNo})`,
      });
      this.deps.metrics.challengesTotal.inc({ outcome: "submitted" });
      this.log.info({ ...fields, txHash: receipt.hash, block: receipt.blockNumber }, "fraud proof accepted");
    } catch (err) {
      this.deps.metrics.challengesTotal.inc({ outcome: "failed" });
      const reason = err instanceof ChainError ? err.type : String(err);
      this.log.error({ ...fields, reason }, "fraud proof failed");
    }
  }
}

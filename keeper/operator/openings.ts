import { Contract, type Provider } from "ethers";

import {
  CHALLENGE_VERIFIER_ABI,
  ChainError,
  OPENING_STATUS,
  challengeVerifierInterface,
  writeRecordOf,
  type IndexedChain,
  type TxSender,
} from "../chain";
import { openingAnswer } from "../challenger/opening";
import { Mutex, type Hex, type Logger } from "../common";
import type { KeeperState } from "../window";

/** One opening challenge as `ChallengeVerifier.openingAt` returns it. */
export interface OpeningView {
  readonly id: bigint;
  readonly sequenceNo: bigint;
  readonly level: number;
  readonly status: number;
  readonly keyHash: Hex;
  readonly deadline: bigint;
}

/** Collaborators of {@link OpeningResolver}. */
export interface OpeningResolverDeps {
  readonly state: KeeperState;
  readonly chain: IndexedChain;
  readonly provider: Provider;
  readonly sender: TxSender;
  readonly logger: Logger;
}

/**
 * Answers key-opening challenges from this keeper's own tree (operators, and the challenger role for
 * commits it agrees with): every challenge on a commit whose root this tree holds at that version is
 * resolved with an inclusion or exclusion proof and the key's write witness, within the resolve
 * window; a resolved challenge is settled once its descent window is over, which releases the
 * commit's hold on finality. A challenge on a commit this tree does not hold (a wrong root) is left
 * alone: nobody honest can answer it, and its expiry slashes the commit's signers.
 *
 * State is read from the chain on every poll (`openingCount`, `openingAt`), so a restart loses
 * nothing; each id is tried at most `maxAttempts` times per status.
 */
export class OpeningResolver {
  private readonly log: Logger;
  private readonly mutex = new Mutex();
  private readonly verifier: Contract;
  private nextId = 1n;
  private readonly active = new Set<bigint>();
  private readonly attempts = new Map<string, number>();

  constructor(
    private readonly challengeVerifier: string,
    private readonly deps: OpeningResolverDeps,
    private readonly maxAttempts = 3,
  ) {
    this.log = deps.logger.child({ module: "openings" });
    this.verifier = new Contract(challengeVerifier, CHALLENGE_VERIFIER_ABI, deps.provider);
  }

  /** Reads new and active challenges and acts on them; serialized, errors logged (retried on the next poll). */
  poll(): Promise<void> {
    return this.mutex
      .run(() => this.pollLocked())
      .catch((err: unknown) =>
        this.log.warn({ message: err instanceof Error ? err.message : String(err) }, "opening poll failed"),
      );
  }

  /** The ids of challenges still Open or Resolved as of the last poll. */
  activeIds(): bigint[] {
    return [...this.active];
  }

  private async pollLocked(): Promise<void> {
    const count = (await this.verifier.openingCount()) as bigint;
    for (; this.nextId <= count; this.nextId++) this.active.add(this.nextId);
    if (this.active.size === 0) return;
    const head = BigInt(await this.deps.provider.getBlockNumber());
    for (const id of [...this.active]) {
      const o = await this.opening(id);
      if (o.status === OPENING_STATUS.Open && head < o.deadline) await this.resolve(o);
      else if (o.status === OPENING_STATUS.Resolved && head > o.deadline) await this.settle(o);
      else if (o.status !== OPENING_STATUS.Open && o.status !== OPENING_STATUS.Resolved) this.active.delete(id);
    }
  }

  /** `openingAt(id)` decoded. */
  async opening(id: bigint): Promise<OpeningView> {
    const o = (await this.verifier.openingAt(id)) as {
      sequenceNo: bigint;
      level: bigint;
      status: bigint;
      keyHash: string;
      deadline: bigint;
    };
    return {
      id,
      sequenceNo: o.sequenceNo,
      level: Number(o.level),
      status: Number(o.status),
      keyHash: o.keyHash as Hex,
      deadline: o.deadline,
    };
  }

  private async resolve(o: OpeningView): Promise<void> {
    const { state, chain } = this.deps;
    const version = Number(o.sequenceNo);
    const commit = chain.commit(o.sequenceNo);
    // Only a version this tree persisted, i.e. whose root equals the committed one, can be answered.
    if (commit === undefined || state.latestVersion() < version) return;
    if (state.rootAt(version) !== commit.stateRoot.toLowerCase()) return;
    if (!this.tryOnce(`resolve/${o.id}`)) return;
    const answer = openingAnswer(
      (k) => state.tree.getWithProof(k, version).proof,
      chain.writesOfKey(o.keyHash).map(writeRecordOf),
      o.keyHash,
      commit.writeIndexEnd,
    );
    const data = challengeVerifierInterface.encodeFunctionData("resolveOpening", [
      o.id,
      answer.write,
      answer.successor,
      answer.proof,
    ]);
    await this.send(data, `resolveOpening(${o.id})`, { id: o.id, sequenceNo: o.sequenceNo, keyHash: o.keyHash });
  }

  private async settle(o: OpeningView): Promise<void> {
    if (!this.tryOnce(`settle/${o.id}`)) return;
    const data = challengeVerifierInterface.encodeFunctionData("settleOpening", [o.id]);
    await this.send(data, `settleOpening(${o.id})`, { id: o.id, sequenceNo: o.sequenceNo });
  }

  private tryOnce(what: string): boolean {
    const n = this.attempts.get(what) ?? 0;
    if (n >= this.maxAttempts) return false;
    this.attempts.set(what, n + 1);
    return true;
  }

  private async send(data: string, label: string, fields: Record<string, unknown>): Promise<void> {
    const logged = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, String(v)]));
    try {
      const receipt = await this.deps.sender.send({ to: this.challengeVerifier, data, label });
      this.log.info({ ...logged, txHash: receipt.hash, block: receipt.blockNumber }, `${label} done`);
    } catch (err) {
      // Another keeper may have answered or settled first: the next poll sees the new status.
      const reason = err instanceof ChainError ? err.message : String(err);
      this.log.warn({ ...logged, reason }, `${label} failed`);
    }
  }
}

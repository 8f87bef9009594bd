import { Contract, toBeHex, type Provider } from "ethers";

import {
  CHALLENGE_VERIFIER_ABI,
  ChainError,
  OPENING_STATUS,
  challengeVerifierInterface,
  writeRecordOf,
  type IndexedChain,
  type IndexedCommit,
  type TxSender,
} from "../chain";
import type { Hex, Logger } from "../common";
import type { AbiSparseMerkleProof } from "../window";
import { type CorrectState, latestWriteWitness, nextOpeningMove } from "./opening";

/** One game the challenger plays on a commit it cannot prove wrong directly. */
interface Game {
  readonly commit: IndexedCommit;
  readonly correct: CorrectState;
  id: bigint;
  keyHash: Hex;
  level: number;
  fromBlock: number;
  done: boolean;
}

/** Collaborators of {@link OpeningPlayer}. */
export interface OpeningPlayerDeps {
  readonly chain: IndexedChain;
  readonly provider: Provider;
  readonly sender: TxSender;
  readonly logger: Logger;
}

/**
 * The challenger's side of the key-opening challenge. For a commit whose root it cannot rebuild
 * (the delta is withheld, or does not reproduce the root) it opens a key on the commit's root,
 * posting the bond; then, on every poll:
 * - unanswered past the deadline: `settleOpening` (the commit is rolled back, its signers slashed);
 * - answered: it reads the revealed path from `OpeningResolved` and plays `nextOpeningMove` against
 *   its own (correct) tree: `challengeCommit` with the revealed path when it misstates a key or is
 *   malformed, else a descent below the first revealed sibling that differs (at most 257 rounds).
 */
export class OpeningPlayer {
  private readonly log: Logger;
  private readonly verifier: Contract;
  private readonly games: Game[] = [];

  constructor(
    private readonly challengeVerifier: string,
    private readonly deps: OpeningPlayerDeps,
  ) {
    this.log = deps.logger.child({ module: "opening-player" });
    this.verifier = new Contract(challengeVerifier, CHALLENGE_VERIFIER_ABI, deps.provider);
  }

  /** Whether a game on `sequenceNo` is being played. */
  playing(sequenceNo: bigint): boolean {
    return this.games.some((g) => !g.done && g.commit.sequenceNo === sequenceNo);
  }

  /**
   * Opens the root challenge of `commit` on `keyHash` (default: the first key the commit covers, else zero).
   * @throws ChainError when the transaction reverts (e.g. the commit left its challenge window).
   */
  async open(commit: IndexedCommit, correct: CorrectState, keyHash?: Hex): Promise<void> {
    const key = keyHash ?? firstKey(this.deps.chain, commit);
    const fromBlock = await this.deps.provider.getBlockNumber();
    const id = await this.send("openKey", [commit.sequenceNo, key, 0n], `openKey(${commit.sequenceNo})`, true);
    this.games.push({ commit, correct, id, keyHash: key, level: 0, fromBlock, done: false });
    this.log.info({ sequenceNo: commit.sequenceNo.toString(), id: id.toString(), keyHash: key }, "opening challenge");
  }

  /** Advances every game (serialize calls with the caller's other chain work). */
  async poll(): Promise<void> {
    for (const g of this.games.filter((x) => !x.done)) {
      try {
        await this.step(g);
      } catch (err) {
        const reason = err instanceof ChainError ? err.message : String(err);
        this.log.warn({ sequenceNo: g.commit.sequenceNo.toString(), id: g.id.toString(), reason }, "game step failed");
      }
    }
  }

  private async step(g: Game): Promise<void> {
    const o = (await this.verifier.openingAt(g.id)) as { status: bigint; deadline: bigint };
    const status = Number(o.status);
    const head = BigInt(await this.deps.provider.getBlockNumber());
    const fields = { sequenceNo: g.commit.sequenceNo.toString(), id: g.id.toString() };
    if (status === OPENING_STATUS.Open) {
      if (head <= o.deadline) return;
      await this.send("settleOpening", [g.id], `settleOpening(${g.id})`);
      this.log.info(fields, "unanswered opening settled: commit rolled back, signers slashed");
      g.done = true;
      return;
    }
    if (status !== OPENING_STATUS.Resolved) {
      g.done = true;
      return;
    }
    const proof = await this.revealed(g);
    const move = nextOpeningMove({ keyHash: g.keyHash, level: g.level, proof, correct: g.correct });
    if (move.kind === "none") {
      this.log.warn(fields, "the revealed path agrees with our tree below the disputed node; game over");
      g.done = true;
      return;
    }
    if (move.kind === "fraud") {
      const w = latestWriteWitness(
        this.deps.chain.writesOfKey(move.keyHash).map(writeRecordOf),
        move.keyHash,
        g.commit.writeIndexEnd,
      );
      await this.send(
        "challengeCommit",
        [g.commit.sequenceNo, w.write, w.successor, move.proof],
        `challengeCommit(${g.commit.sequenceNo})`,
      );
      this.log.info({ ...fields, keyHash: move.keyHash, reason: move.reason }, "fraud proof accepted");
      g.done = true;
      return;
    }
    g.fromBlock = await this.deps.provider.getBlockNumber();
    g.id = await this.send(
      "openKey",
      [g.commit.sequenceNo, move.keyHash, g.id],
      `openKey(${g.commit.sequenceNo}, descent)`,
      true,
    );
    g.keyHash = move.keyHash;
    g.level = move.level;
    this.log.info({ ...fields, child: g.id.toString(), level: move.level, keyHash: move.keyHash }, "descending");
  }

  /** The path the resolution of the game's current challenge revealed (from its `OpeningResolved` event). */
  private async revealed(g: Game): Promise<AbiSparseMerkleProof> {
    const event = challengeVerifierInterface.getEvent("OpeningResolved")!;
    const logs = await this.deps.provider.getLogs({
      address: this.challengeVerifier,
      fromBlock: g.fromBlock,
      toBlock: "latest",
      topics: [event.topicHash, toBeHex(g.id, 32)],
    });
    if (logs.length === 0) throw new Error(`no OpeningResolved event for ${g.id} yet`);
    const parsed = challengeVerifierInterface.parseLog(logs[0])!;
    const p = parsed.args.proof as { hasLeaf: boolean; leafKeyHash: string; leafValueHash: string; siblings: string[] };
    return {
      hasLeaf: p.hasLeaf,
      leafKeyHash: p.leafKeyHash as Hex,
      leafValueHash: p.leafValueHash as Hex,
      siblings: [...p.siblings] as Hex[],
    };
  }

  /** Sends `fn(args)` (with the bond when `bonded`); returns the new challenge id for an `openKey`. */
  private async send(fn: string, args: unknown[], label: string, bonded = false): Promise<bigint> {
    const value = bonded ? ((await this.verifier.openingConfig()) as [bigint, bigint])[0] : undefined;
    const data = challengeVerifierInterface.encodeFunctionData(fn, args);
    const receipt = await this.deps.sender.send({ to: this.challengeVerifier, data, label, value });
    if (fn !== "openKey") return 0n;
    for (const log of receipt.logs) {
      const parsed = challengeVerifierInterface.parseLog(log);
      if (parsed?.name === "OpeningChallenged") return parsed.args.id as bigint;
    }
    throw new Error(`${label}: no OpeningChallenged event`);
  }
}

/** The first key written in the commit's range (any key would do; a written one usually diverges soonest). */
function firstKey(chain: IndexedChain, commit: IndexedCommit): Hex {
  const writes = chain.writesInRange(0n, commit.writeIndexEnd);
  return (writes.at(-1)?.keyHash ?? `0x${"00".repeat(32)}`) as Hex;
}

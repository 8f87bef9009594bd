/**
 * The key-opening game on the in-process network: a write log, commits of any root, and a driver that plays a whole
 * game — a dishonest quorum answering whatever its (possibly tampered) tree lets it answer, against the keeper's
 * challenger strategy (`nextOpeningMove`) holding the correct tree.
 */
import { mine } from "@nomicfoundation/hardhat-network-helpers";
import type { Signer } from "ethers";
import { ethers } from "hardhat";

import { NO_WRITE, type WriteRecord, keyHash, userLeafId } from "../../keeper/chain";
import {
  type AbiSparseMerkleProof,
  type CorrectState,
  correctStateFrom,
  isMalformedPath,
  latestWriteWitness,
  nextOpeningMove,
} from "../../keeper/challenger";
import type { Hex } from "../../keeper/common";
import { JellyfishMerkleTree, MemoryTreeStore, createKeccakHasher } from "../../keeper/jmt";
import { OPENING_BOND, RESOLVE_WINDOW, deployNewtonStack } from "./challenge";
import { nextCommit } from "./commits";
import { type VNode, canonical, vprove } from "./virtual-tree";

/** Three colluders hold 90 % of the weight: enough to commit anything on their own. */
export const WEIGHTS = [30n, 30n, 30n, 10n];

/** Slots written by the fixture, in order (k3 is deleted, k0 and k5 overwritten). */
const WRITES: readonly { slot: string; value: string | null }[] = [
  ...Array.from({ length: 14 }, (_, i) => ({ slot: `k${i}`, value: `v${i}` })),
  { slot: "k0", value: "v0-again" },
  { slot: "k3", value: null },
  { slot: "k5", value: "v5-again" },
  ...Array.from({ length: 6 }, (_, i) => ({ slot: `m${i}`, value: `w${i}` })),
];

/** The stack, with `WRITES` proposed by alice: `records` is the write log as the chain stores it. */
export async function openingFixture() {
  const [owner, alice, challenger, resolver] = await ethers.getSigners();
  const stack = await deployNewtonStack(owner, WEIGHTS);
  const records: WriteRecord[] = [];
  const values = new Map<string, Uint8Array>();
  const latest = new Map<string, bigint>();
  for (const w of WRITES) {
    const bytes = w.value === null ? null : ethers.toUtf8Bytes(w.value);
    const valueHash = (bytes === null ? ethers.ZeroHash : ethers.keccak256(bytes)) as Hex;
    await stack.stateCommitRegistry
      .connect(alice)
      .proposeWrite(1, ethers.id(w.slot), valueHash, bytes?.length ?? 0, "0x01");
    const key = keyHash(1, userLeafId(alice.address, ethers.id(w.slot)));
    const writeIndex = BigInt(records.length);
    records.push({
      writeIndex,
      namespace: 1,
      keyHash: key,
      valueHash,
      byteLength: bytes?.length ?? 0,
      prevWriteIndex: latest.get(key) ?? NO_WRITE,
    });
    latest.set(key, writeIndex);
    if (bytes !== null) values.set(valueHash, bytes);
  }
  await mine(1);
  const key = (slot: string) => keyHash(1, userLeafId(alice.address, ethers.id(slot)));
  return { ...stack, records, values, key, alice, challenger, resolver };
}

export type OpeningCtx = Awaited<ReturnType<typeof openingFixture>>;

/** The state after writes `[0, end)`: key → value hash (deleted keys absent). */
export function stateAt(records: readonly WriteRecord[], end: bigint): Map<Hex, Hex> {
  const state = new Map<Hex, Hex>();
  for (const r of records.filter((x) => x.writeIndex < end)) {
    if (r.valueHash === ethers.ZeroHash) state.delete(r.keyHash);
    else state.set(r.keyHash, r.valueHash);
  }
  return state;
}

/** The canonical (honest) tree of the state after writes `[0, end)`. */
export function honestTree(records: readonly WriteRecord[], end: bigint): VNode {
  const entries = [...stateAt(records, end)].map(([k, v]) => [ethers.getBytes(k), ethers.getBytes(v)] as const);
  return canonical(entries.sort((a, b) => Buffer.compare(a[0], b[0])));
}

/** The challenger's correct tree (a real keeper/jmt tree) after writes `[0, end)`. */
export async function correctState(ctx: OpeningCtx, end: bigint): Promise<CorrectState> {
  const tree = new JellyfishMerkleTree({ store: new MemoryTreeStore(), hasher: await createKeccakHasher() });
  const state = stateAt(ctx.records, end);
  tree.putValueSet(
    0,
    [...state].map(([k, v]) => [ethers.getBytes(k), ctx.values.get(v)!] as const),
  );
  return correctStateFrom(
    (k) => tree.getWithProof(k, 0).proof,
    [...state.keys()].map((k) => ethers.getBytes(k)),
  );
}

/** Commits `root` as the next sequence number over writes `[0, end)`, signed by everyone but `nonSigners`. */
export async function commitRoot(ctx: OpeningCtx, root: Uint8Array | Hex, end: bigint, nonSigners?: string[]) {
  const { commit, proof, daCert } = await nextCommit(
    ctx.stateCommitRegistry,
    ctx.operatorRegistry,
    ctx.operators,
    { stateRoot: ethers.hexlify(root) as Hex, writeIndexEnd: end },
    { nonSigners: nonSigners ?? [ctx.operators[3].address] },
  );
  await ctx.stateCommitRegistry.commitStateRoot(commit, daCert, proof);
  return commit;
}

/** Opens `keyHash` on `sequenceNo` (below `parentId`), returning the new id. */
export async function openKey(ctx: OpeningCtx, sequenceNo: bigint, key: Hex, parentId = 0n, from?: Signer) {
  const verifier = ctx.challengeVerifier.connect(from ?? ctx.challenger);
  await verifier.openKey(sequenceNo, key, parentId, { value: OPENING_BOND });
  return ctx.challengeVerifier.openingCount();
}

/** Whether an answer would be judged fraud (a dishonest resolver never sends such an answer). */
export function answerIsFraud(records: readonly WriteRecord[], end: bigint, key: Hex, proof: AbiSparseMerkleProof) {
  if (isMalformedPath(ethers.getBytes(key), proof)) return true;
  const { expectedValueHash } = latestWriteWitness(records, key, end);
  const present = proof.hasLeaf && proof.leafKeyHash.toLowerCase() === key.toLowerCase();
  const committed = present ? proof.leafValueHash : ethers.ZeroHash;
  return present !== (expectedValueHash !== ethers.ZeroHash) || committed.toLowerCase() !== expectedValueHash;
}

/** How a game ended. */
export interface GameResult {
  /** "slashed": the commit was rolled back through the game; "survived": every challenge was answered correctly. */
  readonly outcome: "slashed" | "survived";
  /** Opening challenges opened (the root challenge and every descent). */
  readonly rounds: number;
  /** How the slash came: an unanswered challenge, or a fraud proof with a revealed path. */
  readonly via?: "unanswered" | "fraud";
  /** Total gas of every transaction of the game. */
  readonly gas: bigint;
}

/**
 * Plays the game on commit `sequenceNo` (over writes `[0, end)`) whose tree is `committed`: the challenger opens
 * `startKey`, the quorum answers every challenge its tree can answer without proving itself wrong, the challenger
 * descends per `nextOpeningMove` until a fraud proof, an unanswered challenge or nothing left to dispute.
 */
export async function playGame(
  ctx: OpeningCtx,
  args: { sequenceNo: bigint; end: bigint; committed: VNode; correct: CorrectState; startKey: Hex },
): Promise<GameResult> {
  const verifier = ctx.challengeVerifier;
  let gas = 0n;
  const track = async (tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>) => {
    gas += (await (await tx).wait())!.gasUsed;
  };
  let key = args.startKey;
  let level = 0;
  await track(verifier.connect(ctx.challenger).openKey(args.sequenceNo, key, 0, { value: OPENING_BOND }));
  let id = await verifier.openingCount();
  for (let rounds = 1; rounds <= 300; rounds++) {
    const proof = vprove(args.committed, ethers.getBytes(key));
    if (proof === null || answerIsFraud(ctx.records, args.end, key, proof)) {
      await mine(RESOLVE_WINDOW + 1n);
      await track(verifier.settleOpening(id));
      return { outcome: "slashed", rounds, via: "unanswered", gas };
    }
    const { write, successor } = latestWriteWitness(ctx.records, key, args.end);
    await track(verifier.connect(ctx.resolver).resolveOpening(id, write, successor, proof));
    const move = nextOpeningMove({ keyHash: key, level, proof, correct: args.correct });
    if (move.kind === "fraud") {
      const w = latestWriteWitness(ctx.records, move.keyHash, args.end);
      await track(verifier.connect(ctx.challenger).challengeCommit(args.sequenceNo, w.write, w.successor, move.proof));
      return { outcome: "slashed", rounds, via: "fraud", gas };
    }
    if (move.kind === "none") {
      // Past the descent window and the commit's challenge window: settled, the commit is final.
      await mine(RESOLVE_WINDOW + 1n + (await ctx.stateCommitRegistry.challengeWindowBlocks()));
      await track(verifier.settleOpening(id));
      return { outcome: "survived", rounds, gas };
    }
    await track(verifier.connect(ctx.challenger).openKey(args.sequenceNo, move.keyHash, id, { value: OPENING_BOND }));
    id = await verifier.openingCount();
    key = move.keyHash;
    level = move.level;
  }
  throw new Error("the game did not end within 300 rounds");
}

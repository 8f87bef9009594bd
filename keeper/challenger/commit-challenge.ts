import { getBytes, keccak256 } from "ethers";

import { NO_WRITE, type WriteRecord } from "../chain";
import type { Hex } from "../common";
import type { SparseMerkleProof } from "../jmt";
import { toAbiProof, type AbiSparseMerkleProof } from "../window";

export { toAbiProof, type AbiSparseMerkleProof };

/** `IChallengeVerifier.SuccessorWitness` in ABI form. */
export interface SuccessorWitness {
  readonly keyHasNoLaterWrite: boolean;
  readonly next: WriteRecord;
}

/** The arguments of `ChallengeVerifier.challengeCommit`, ready for ethers. */
export interface CommitChallenge {
  readonly sequenceNo: bigint;
  readonly write: WriteRecord;
  readonly successor: SuccessorWitness;
  readonly proof: AbiSparseMerkleProof;
  /** What the write log says the key holds at the commit (32 zero bytes: absent). */
  readonly expectedValueHash: Hex;
  /** What the challenged root holds (32 zero bytes: absent). */
  readonly committedValueHash: Hex;
}

/** Anything that can prove a key against the challenged root (a `JellyfishMerkleTree` at that version). */
export interface ClaimedTree {
  getWithProof(keyHash: Uint8Array, version: number): { value: Uint8Array | null; proof: SparseMerkleProof };
}

const ZERO: Hex = `0x${"00".repeat(32)}`;

/** A `WriteRecord` meaning "no write" (the key had no write below the commit's end); only `keyHash` is read. */
export function noWriteRecord(keyHash: Hex): WriteRecord {
  return { writeIndex: NO_WRITE, namespace: 0, keyHash, valueHash: ZERO, byteLength: 0, prevWriteIndex: 0n };
}

/**
 * Builds the fraud proof that commit `sequenceNo` (covering writes `[0, writeIndexEnd)`) does not hold
 * the write log's value of `keyHash`:
 * - the key's latest write below `writeIndexEnd` (or a "no write" record),
 * - a successor witness: the key's first write at or after `writeIndexEnd` (whose previous-write
 *   link points back), or "no later write" when there is none,
 * - a JMT proof of the key against the challenged root, from `claimedTree` at `claimedVersion`.
 *
 * Returns null when the claimed root holds exactly the expected value (nothing to challenge).
 * @param writeLog - every indexed write to `keyHash` (others are ignored), any order; indexes as on chain.
 */
export function buildCommitChallenge(args: {
  readonly sequenceNo: bigint;
  readonly writeIndexEnd: bigint;
  readonly keyHash: Hex;
  readonly writeLog: readonly WriteRecord[];
  readonly claimedTree: ClaimedTree;
  readonly claimedVersion: number;
}): CommitChallenge | null {
  const key = args.keyHash.toLowerCase();
  const writes = args.writeLog
    .filter((w) => w.keyHash.toLowerCase() === key)
    .sort((a, b) => (a.writeIndex < b.writeIndex ? -1 : 1));
  const covered = writes.filter((w) => w.writeIndex < args.writeIndexEnd);
  const write = covered.at(-1) ?? noWriteRecord(args.keyHash);
  const next = writes.find((w) => w.writeIndex >= args.writeIndexEnd);
  const successor: SuccessorWitness = next
    ? { keyHasNoLaterWrite: false, next }
    : { keyHasNoLaterWrite: true, next: noWriteRecord(ZERO) };
  const { value, proof } = args.claimedTree.getWithProof(getBytes(args.keyHash), args.claimedVersion);
  const expectedValueHash = write.writeIndex === NO_WRITE ? ZERO : write.valueHash;
  const committedValueHash = value === null ? ZERO : (keccak256(value) as Hex);
  if (committedValueHash.toLowerCase() === expectedValueHash.toLowerCase()) return null;
  return {
    sequenceNo: args.sequenceNo,
    write,
    successor,
    proof: toAbiProof(proof),
    expectedValueHash,
    committedValueHash,
  };
}

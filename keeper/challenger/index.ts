/**
 * keeper/challenger — the challenger role: it replays the chain independently, compares every
 * committed root with its own, and files fraud proofs with `ChallengeVerifier.challengeCommit`.
 *
 * `buildCommitChallenge` turns (write log, the tree behind a wrong root, a key) into the call's
 * arguments: the key's latest write below the commit's `writeIndexEnd`, a successor witness (the
 * first later write whose previous-write link points back, or "no later write"), and a JMT proof
 * of the key against the wrong root. `Challenger` wires it: sync (keeper/window) → on divergence
 * fetch the committed delta, rebuild the claimed tree in memory over the persisted one, find a
 * differing key, submit through the transaction sender. docs/security-model.md.
 *
 * `opening` plays the key-opening challenge: `openingAnswer` (what a resolver sends) and
 * `nextOpeningMove` (the bisection: fraud proof, descent, or nothing to dispute).
 */
export {
  type AbiSparseMerkleProof,
  type ClaimedTree,
  type CommitChallenge,
  type SuccessorWitness,
  buildCommitChallenge,
  noWriteRecord,
  toAbiProof,
} from "./commit-challenge";
export {
  type CorrectState,
  type OpeningAnswer,
  type OpeningMove,
  correctStateFrom,
  isMalformedPath,
  keyBit,
  latestWriteWitness,
  nextOpeningMove,
  openingAnswer,
  sharedBits,
} from "./opening";
export { Challenger, type ChallengerDeps, type ChallengerOptions } from "./challenger";

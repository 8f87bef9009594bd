/**
 * keeper/aggregator — the aggregator role (wiring only; docs/architecture.md). One per chain. Per window
 * (wall-clock aligned, `windowSeconds`):
 *
 * ```text
 * close ─► head − confirmations = referenceBlock ─► sync tree with chain ─► selectWindow (FIFO, ≤ maxCommitBytes)
 *       ─► fetch values (DA, hash-checked; DA down → window waits) ─► scratch version seq
 *       ─► delta (split + manifest when > blob) ─► disperse ─► StateCommit ─► POST /v1/commits/sign × operators
 *       ─► batch-verify arrivals, drop invalid ─► quorum by on-chain weight ─► commitStateRoot (TxSender)
 *       ─► StateRootCommitted indexed ─► persist version seq
 * ```
 *
 * Persistence choice: a version is persisted only after its commit is mined and indexed (never
 * persist-then-roll-back), so a crash at any point leaves the tree at the last committed version
 * and the next window re-proposes from chain state.
 */
export { Aggregator, type AggregatorDeps, type WindowOutcome } from "./aggregator";
export { collectSignatures } from "./collect";
export { loadOperatorSet, quorumMet, type OperatorSetView, type SetMember } from "./operator-set";
export type { AggregatorOptions, OperatorEndpoint } from "./options";

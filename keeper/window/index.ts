/**
 * keeper/window — the commit-window logic the operator, aggregator and challenger share (see
 * docs/architecture.md): the keeper's durable state (JMT + progress in one LMDB environment), choosing a window's
 * writes, fetching their values from DA, the window's scratch tree version, the delta blob and its
 * split-delta manifest, checking a delta against the indexed write log, the sign-request wire
 * format, and following the chain's commits. Imports only chain, da, jmt, delta and common.
 *
 * ```text
 *   IndexedChain ──writesInRange──► selectWindow ──► fetchWindowValues (DA, by write cert + valueHash)
 *        │                                                   │
 *        │                     KeeperState.compute(seq) ◄────┘   (scratch: nothing persisted)
 *        │                              │
 *        └──StateRootCommitted──► syncToChain ──root = chain?──► KeeperState.persist (version = seq)
 * ```
 *
 * Split deltas: a delta larger than one blob is dispersed as parts, then a manifest ("NWTM" ‖ v1 ‖
 * count ‖ (certLength ‖ cert ‖ keccak256(part))*) is dispersed and the commit's `daCert` is the
 * manifest's certificate (see `encodeManifest`).
 */
export { WindowError, type WindowErrorType } from "./errors";
export type { DeltaPointer, ScratchVersion, WindowWrite } from "./types";
export { GENESIS_ROOT, KeeperState } from "./state";
export { OverlayTreeStore } from "./overlay";
export { selectWindow } from "./select";
export {
  fetchWindowValues,
  toWindowWrite,
  type FetchValuesOptions,
  type UnavailableReason,
  type ValueSource,
} from "./values";
export {
  MANIFEST_MAGIC,
  MANIFEST_VERSION,
  buildDelta,
  decodeManifest,
  disperseDelta,
  encodeManifest,
  fetchDelta,
  type DeltaStore,
  type ManifestPart,
} from "./delta";
export { checkDelta, type DeltaExpectation } from "./verify";
export {
  SIGN_REQUEST_AUTH_DOMAIN,
  encodeSignRequest,
  parseAddress,
  parseSignRequest,
  recoverSignRequestSigner,
  signRequestAuthHash,
  type SignRequest,
  type SignRequestJson,
  type SignRequestSigner,
  type SignResponseJson,
} from "./wire";
export { healthReply, syncToChain, type SyncDeps, type SyncResult } from "./sync";
export { toAbiProof, type AbiSparseMerkleProof } from "./proof";

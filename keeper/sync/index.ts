/**
 * keeper/sync — state sync from peers and the serving side of it: a new or lagging keeper downloads
 * the latest final tree version in verified chunks from any peer operator or bootnode instead of
 * replaying every delta from DA (which forgets blobs after its retention). Anchors: Cosmos SDK state
 * sync (snapshots, chunks, verification against the app hash), the Aptos JMT restore.
 *
 * Owns: the wire format (README.md here), the HTTP routes (`SyncServer`), the resumable multi-peer
 * download (`fetchSnapshot`, `SnapshotStaging`), the restore into a keeper state, and the metrics.
 */
export { SyncError, type SyncErrorType } from "./errors";
export { SyncServer, type SyncServerOptions } from "./server";
export {
  fetchSnapshot,
  fetchValuesFromPeers,
  stagedLeaves,
  type FetchSnapshotOptions,
  type SnapshotStats,
  type SnapshotTarget,
} from "./client";
export { SnapshotStaging } from "./staging";
export { Bootnode, type BootnodeDeps, type BootnodeOptions } from "./bootnode";
export { restoreFromPeers, type RestoreStats, type RestoreTarget } from "./restore";
export { joinFromPeers, latestFinalCommit, PeerFallbackValues, type JoinOptions } from "./join";
export { createSyncMetrics, type SyncMetrics } from "./metrics";
export {
  CHUNK_MAGIC,
  MANIFEST_FORMAT,
  NO_VALUE,
  decodeChunk,
  decodeEntries,
  encodeChunk,
  encodeEntries,
  type DecodedChunk,
  type ManifestJson,
} from "./wire";

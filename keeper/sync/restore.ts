import type { Hex } from "../common";
import type { KeeperState } from "../window";
import {
  fetchSnapshot,
  fetchValuesFromPeers,
  stagedLeaves,
  type FetchSnapshotOptions,
  type SnapshotStats,
} from "./client";
import { SyncError } from "./errors";
import { SnapshotStaging } from "./staging";

/** The commit to restore: its sequence number, root and write-index end, all read from the chain. */
export interface RestoreTarget {
  readonly version: number;
  readonly root: Hex;
  readonly writeIndexEnd: bigint;
}

/** {@link SnapshotStats} plus what the restore itself did. */
export interface RestoreStats extends SnapshotStats {
  readonly leaves: number;
  /** Leaves committed by hash because no peer sent their bytes. */
  readonly missingValues: number;
}

/**
 * Restores a fresh keeper state to `target` from peers: downloads and verifies the snapshot (see
 * {@link fetchSnapshot}; resumable through the state's own LMDB environment), asks the peers for
 * any value bytes the chunks did not carry, rebuilds the tree, checks the root once more and writes
 * it with its write-index end in one transaction. Later commits are then replayed as usual.
 * @throws SyncError `SYNC_ERROR_STATE_NOT_EMPTY` when the state already holds leaves;
 *   `SYNC_ERROR_NO_PEERS` when the peers could not provide a verified snapshot.
 */
export async function restoreFromPeers(
  state: KeeperState,
  target: RestoreTarget,
  opts: FetchSnapshotOptions,
): Promise<RestoreStats> {
  const latest = state.latestVersion();
  if (state.tree.versionInfo(latest).leafCount !== 0 || latest >= target.version) {
    throw new SyncError(
      { code: "SYNC_ERROR_STATE_NOT_EMPTY", latest },
      `state already holds version ${latest}; state sync only fills an empty dataDir (move it away to resync)`,
    );
  }
  const staging = new SnapshotStaging(state.root);
  const stats = await fetchSnapshot(staging, state.tree.hasher, target, opts);
  const { writes, missing } = stagedLeaves(staging);
  let missingValues = missing.length;
  if (missing.length > 0) {
    const found = await fetchValuesFromPeers(opts.peers, state.tree.hasher, [...new Set(missing)], {
      signal: opts.signal,
      timeoutMs: opts.timeoutMs,
    });
    missingValues = 0;
    for (let i = 0; i < writes.length; i++) {
      const w = writes[i];
      if (w.value !== undefined || w.valueHash === null) continue;
      const bytes = found.get(`0x${Buffer.from(w.valueHash).toString("hex")}`);
      if (bytes === undefined) missingValues++;
      else writes[i] = { ...w, value: bytes };
    }
  }
  state.importSnapshot(target.version, target.writeIndexEnd, writes, target.root);
  staging.clear();
  return { ...stats, leaves: writes.length, missingValues };
}

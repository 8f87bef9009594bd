import type { IndexedChain, IndexedCommit } from "../chain";
import type { Hex, Logger } from "../common";
import { DaError } from "../da";
import type { Hasher } from "../jmt";
import type { KeeperState, ValueSource } from "../window";
import { fetchValuesFromPeers, type FetchSnapshotOptions } from "./client";
import { restoreFromPeers, type RestoreStats } from "./restore";

/**
 * The latest live commit that can no longer be challenged: landed at least `challengeWindowBlocks`
 * before `headBlock` (the registry's `isFinal`). Undefined when only the genesis commit is final.
 */
export function latestFinalCommit(
  chain: IndexedChain,
  headBlock: number,
  challengeWindowBlocks: number,
): IndexedCommit | undefined {
  for (let n = chain.latestCommit().sequenceNo; n > 0n; n--) {
    const c = chain.commit(n);
    if (c !== undefined && c.blockNumber + challengeWindowBlocks <= headBlock) return c;
  }
  return undefined;
}

/** Collaborators and settings of {@link joinFromPeers}. */
export interface JoinOptions extends FetchSnapshotOptions {
  readonly state: KeeperState;
  readonly chain: IndexedChain;
  /** The chain head, in blocks (finality is counted from it). */
  readonly headBlock: () => Promise<number>;
  readonly challengeWindowBlocks: number;
  readonly logger: Logger;
}

/**
 * Brings a keeper with an empty `dataDir` to the chain's latest final commit by state sync from
 * peers, so it never needs the DA blobs of older commits (EigenDA forgets them after its
 * retention). Does nothing when the state already holds leaves or no commit is final yet; the usual
 * replay takes over from the restored version.
 * @returns the restore's numbers, or undefined when nothing was restored.
 * @throws SyncError `SYNC_ERROR_NO_PEERS` when the peers could not provide a verified snapshot.
 */
export async function joinFromPeers(opts: JoinOptions): Promise<RestoreStats | undefined> {
  const { state, chain } = opts;
  const latest = state.latestVersion();
  if (opts.peers.length === 0 || state.tree.versionInfo(latest).leafCount !== 0) return undefined;
  const head = await opts.headBlock();
  await chain.waitForBlock(Math.max(0, head - 1), { signal: opts.signal, timeoutMs: 120_000 });
  const target = latestFinalCommit(chain, head, opts.challengeWindowBlocks);
  if (target === undefined || Number(target.sequenceNo) <= latest) return undefined;
  opts.logger.info({ sequenceNo: target.sequenceNo.toString(), root: target.stateRoot }, "state sync from peers");
  const stats = await restoreFromPeers(
    state,
    {
      version: Number(target.sequenceNo),
      root: target.stateRoot.toLowerCase() as Hex,
      writeIndexEnd: target.writeIndexEnd,
    },
    opts,
  );
  opts.logger.info({ ...stats, dropped: stats.dropped.length }, "state sync complete");
  return stats;
}

/**
 * A {@link ValueSource} that reads DA first and, when DA fails for a value (e.g. its blob expired),
 * asks peers' `GET /v1/artifacts/:hash` for the bytes, accepted only when they hash to the write's
 * value hash. DA's own error is rethrown when no peer has them, so the caller's handling of
 * unavailable values is unchanged.
 */
export class PeerFallbackValues implements ValueSource {
  constructor(
    private readonly da: ValueSource,
    private readonly peers: readonly string[],
    private readonly hasher: Hasher,
    private readonly opts: { timeoutMs?: number; logger?: Logger } = {},
  ) {}

  async getVerified(cert: Uint8Array, expectedHash: Hex, opts?: { signal?: AbortSignal }): Promise<Uint8Array> {
    try {
      return await this.da.getVerified(cert, expectedHash, opts);
    } catch (err) {
      if (!(err instanceof DaError) || this.peers.length === 0) throw err;
      const found = await fetchValuesFromPeers(this.peers, this.hasher, [expectedHash.toLowerCase()], {
        signal: opts?.signal,
        timeoutMs: this.opts.timeoutMs,
      });
      const bytes = found.get(expectedHash.toLowerCase());
      if (bytes === undefined) throw err;
      this.opts.logger?.debug({ valueHash: expectedHash, daError: err.code }, "value read from a peer, not DA");
      return bytes;
    }
  }
}

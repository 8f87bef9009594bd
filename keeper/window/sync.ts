import type { IndexedChain, IndexedCommit } from "../chain";
import type { HttpReply, KeeperMetrics, Logger } from "../common";
import type { KeeperState } from "./state";
import type { ScratchVersion } from "./types";
import { fetchWindowValues, toWindowWrite, type FetchValuesOptions, type ValueSource } from "./values";

/** Where a keeper's tree stands relative to the chain's live commits. */
export type SyncResult =
  /** The tree's latest version is the chain's latest commit. */
  | { readonly status: "synced"; readonly version: number }
  /** The indexer has not indexed every write of the next commit yet. */
  | { readonly status: "behind"; readonly version: number }
  /**
   * The chain's commit `commit.sequenceNo` does not equal the root this keeper computes from the
   * write log (`ours`): a wrong commit (challenge it / wait for its rollback), never persisted.
   */
  | {
      readonly status: "diverged";
      readonly version: number;
      readonly commit: IndexedCommit;
      readonly ours: ScratchVersion;
    }
  /** The chain behind the RPC is not the one the data came from (see `IndexedChain.chainReset`): act on nothing. */
  | { readonly status: "chain_reset"; readonly version: number; readonly cause: string }
  /** The tree holds a version the chain no longer has (cannot happen for honest commits). */
  | { readonly status: "ahead"; readonly version: number; readonly chainSequenceNo: bigint };

/** Collaborators of {@link syncToChain}. */
export interface SyncDeps {
  readonly state: KeeperState;
  readonly chain: IndexedChain;
  readonly da: ValueSource;
  readonly logger: Logger;
  readonly metrics?: KeeperMetrics;
  readonly signal?: AbortSignal;
  readonly fetch?: FetchValuesOptions;
  /** A scratch version computed for a proposal (operator, aggregator): persisted as is when the chain commits it. */
  readonly pending?: () => ScratchVersion | undefined;
}

/**
 * Brings the persisted tree up to the chain's latest live commit, one version at a time (the root
 * semantics of docs/protocol.md §3): version n = version n−1 + the write log `[end(n−1), end(n))`, keyed by value
 * hash, with bytes fetched from DA by each write's certificate (or taken from the pending proposal
 * when it is exactly the committed one). A version is persisted only when its root equals the
 * committed root; otherwise the sync stops at `diverged` and persists nothing.
 * Value bytes DA cannot serve are persisted as unavailable (by hash), never waited for: the root
 * does not depend on them.
 */
export async function syncToChain(deps: SyncDeps): Promise<SyncResult> {
  const { state, chain } = deps;
  for (;;) {
    const cause = chain.chainReset?.();
    if (cause !== undefined) return { status: "chain_reset", version: state.latestVersion(), cause };
    state.discardAfter(lastLiveVersion(state, chain));
    const latest = chain.latestCommit();
    const version = state.latestVersion();
    if (BigInt(version) > latest.sequenceNo) {
      return { status: "ahead", version, chainSequenceNo: latest.sequenceNo };
    }
    if (BigInt(version) === latest.sequenceNo) {
      if (state.rootAt(version) === latest.stateRoot.toLowerCase()) return { status: "synced", version };
      const ours = state.compute(version + 1, 0n, []);
      return { status: "diverged", version, commit: latest, ours };
    }
    const next = chain.commit(BigInt(version + 1));
    if (next === undefined || chain.writeCount() < next.writeIndexEnd) return { status: "behind", version };
    const result = await applyCommit(deps, version, next);
    if (result !== undefined) return result;
  }
}

/**
 * The highest persisted version whose commit the chain still holds with the same root (0, genesis, at worst).
 * Versions above it were built on commits a reorg deeper than `confirmations` or a rollback dropped. Walks down
 * only over such versions, so it costs one lookup when nothing was dropped.
 */
function lastLiveVersion(state: KeeperState, chain: IndexedChain): number {
  for (let v = state.latestVersion(); v > 0; v--) {
    const commit = chain.commit(BigInt(v));
    if (commit !== undefined && commit.stateRoot.toLowerCase() === state.rootAt(v).toLowerCase()) return v;
  }
  return 0;
}

async function applyCommit(deps: SyncDeps, version: number, next: IndexedCommit): Promise<SyncResult | undefined> {
  const { state, chain } = deps;
  const pending = deps.pending?.();
  if (
    pending !== undefined &&
    pending.version === version + 1 &&
    pending.root === next.stateRoot.toLowerCase() &&
    pending.writeIndexEnd === next.writeIndexEnd
  ) {
    state.persist(pending);
    return undefined;
  }
  const start = state.writeIndexEndAt(version);
  const writes = next.writeIndexEnd >= start ? chain.writesInRange(start, next.writeIndexEnd) : [];
  const byHash = state.compute(version + 1, next.writeIndexEnd, writes.map(toWindowWrite));
  if (byHash.root !== next.stateRoot.toLowerCase() || next.writeIndexEnd < start) {
    deps.logger.warn(
      { sequenceNo: next.sequenceNo.toString(), committedRoot: next.stateRoot, ourRoot: byHash.root },
      "chain commit differs from the write log",
    );
    return { status: "diverged", version, commit: next, ours: byHash };
  }
  const withBytes = await fetchWindowValues(deps.da, writes, {
    ...deps.fetch,
    signal: deps.signal,
    logger: deps.logger,
    metrics: deps.metrics,
  });
  state.persist(state.compute(version + 1, next.writeIndexEnd, withBytes));
  return undefined;
}

/**
 * The `GET /healthz` reply of every role: 200 `{ok: true}`, or 503 `{ok: false, reason: "chain_reset", cause}` once
 * the chain behind the RPC is not the one the role's data came from (a service manager then restarts or alerts).
 */
export function healthReply(chain: IndexedChain): HttpReply {
  const cause = chain.chainReset?.();
  return cause === undefined
    ? { status: 200, json: { ok: true } }
    : { status: 503, json: { ok: false, reason: "chain_reset", cause } };
}

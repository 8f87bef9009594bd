import { EMPTY_TREE_ROOT } from "./commit";
import type { IndexedChain, IndexedChainOptions } from "./indexed";
import { ChainIndexer, type ChainIndexerDeps, type IndexedCommit } from "./indexer";

const ZERO_HASH = `0x${"00".repeat(32)}` as const;

/**
 * The keeper roles' view of the chain, backed by a {@link ChainIndexer} that follows one
 * StateCommitRegistry from its deployment block into the keeper's LMDB environment (`opts.root`), so the
 * indexed events, the checkpoint and the tree share one environment.
 *
 * Adds the genesis commit (sequence 0: the empty tree, no writes) that the chain never emits an event for.
 */
export function createIndexedChain(opts: IndexedChainOptions, deps: ChainIndexerDeps = {}): IndexedChain {
  const indexer = new ChainIndexer(
    {
      rpcUrl: opts.rpcUrl,
      contracts: { stateCommitRegistry: opts.registry },
      startBlock: opts.fromBlock,
      root: opts.root,
      confirmations: opts.confirmations,
      pollIntervalMs: opts.pollIntervalMs,
      rpcTimeoutMs: opts.rpcTimeoutMs,
    },
    deps,
  );
  const genesis: IndexedCommit = {
    sequenceNo: 0n,
    stateRoot: EMPTY_TREE_ROOT,
    writeIndexEnd: 0n,
    referenceBlock: 0n,
    daCert: "0x",
    daCommitment: ZERO_HASH,
    signedWeight: 0n,
    blockNumber: opts.fromBlock,
    txHash: ZERO_HASH,
    logIndex: 0,
  };
  return {
    start: async () => {
      indexer.start();
    },
    stop: async () => {
      await indexer.stop();
      await indexer.close();
    },
    indexedBlock: () => indexer.indexedBlock(),
    chainReset: () => indexer.chainReset(),
    writeCount: () => indexer.writeCount(),
    writesInRange: (start, end) => indexer.writesInRange(start, end),
    latestWriteOf: (keyHash) => indexer.latestWriteOf(keyHash),
    writesOfKey: (keyHash) => indexer.writesOfKey(keyHash),
    commit: (sequenceNo) => (sequenceNo === 0n ? genesis : indexer.commit(sequenceNo)),
    latestCommit: () => indexer.latestCommit() ?? genesis,
    waitForBlock: (n, waitOpts) => indexer.waitForBlock(n, waitOpts ?? {}),
    onUpdate: (listener) => {
      indexer.on("indexed", listener);
      return () => {
        indexer.off("indexed", listener);
      };
    },
  };
}

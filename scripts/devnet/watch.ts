/**
 * Prints every commit as it lands: sequence, root, the writes and bytes it covers, how many operators
 * signed and the gas it cost — from the chain's own events, polled once a second.
 */
import { readFileSync } from "node:fs";

import { JsonRpcProvider, Network } from "ethers";

import { OperatorRegistry__factory, StateCommitRegistry__factory } from "../../typechain-types";

/** One landed commit, as printed. */
export interface LandedCommit {
  readonly sequenceNo: bigint;
  readonly stateRoot: string;
  readonly writeIndexEnd: bigint;
  readonly writes: bigint;
  readonly bytes: bigint;
  readonly signers: number;
  readonly operators: number;
  readonly gasUsed: bigint;
  readonly blockNumber: number;
}

/** Follows `StateRootCommitted` (and the writes' sizes) on a deployment and reports each commit. */
export class CommitWatcher {
  readonly commits: LandedCommit[] = [];
  private readonly provider: JsonRpcProvider;
  private readonly registry;
  private readonly operatorRegistry;
  private readonly byteLengths = new Map<bigint, bigint>();
  private nextBlock = 0;
  private timer?: NodeJS.Timeout;
  private polling?: Promise<void>;

  /**
   * @param deploymentFile - `deployments/<network>.json` of the chain at `rpcUrl`.
   * @param onCommit - called once per commit, in order.
   */
  constructor(
    rpcUrl: string,
    deploymentFile: string,
    private readonly onCommit: (c: LandedCommit) => void,
  ) {
    const record = JSON.parse(readFileSync(deploymentFile, "utf8")) as {
      chainId: number;
      contracts: Record<string, { proxy: string; deployBlock: number }>;
    };
    this.provider = new JsonRpcProvider(rpcUrl, Network.from(record.chainId), {
      staticNetwork: true,
      batchMaxCount: 1,
    });
    this.registry = StateCommitRegistry__factory.connect(record.contracts.StateCommitRegistry.proxy, this.provider);
    this.operatorRegistry = OperatorRegistry__factory.connect(record.contracts.OperatorRegistry.proxy, this.provider);
    this.nextBlock = record.contracts.StateCommitRegistry.deployBlock;
  }

  /** Starts polling every `intervalMs` (default 1 000). */
  start(intervalMs = 1000): void {
    const tick = () => {
      this.polling = this.poll().catch(() => undefined);
      void this.polling.then(() => {
        if (this.timer !== undefined) this.timer = setTimeout(tick, intervalMs);
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Stops polling and releases the RPC connection. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.polling;
    this.provider.destroy();
  }

  /** The latest commit seen (undefined before the first). */
  latest(): LandedCommit | undefined {
    return this.commits.at(-1);
  }

  private async poll(): Promise<void> {
    const head = await this.provider.getBlockNumber();
    if (head < this.nextBlock) return;
    for (const log of await this.registry.queryFilter(this.registry.filters.WriteProposed(), this.nextBlock, head)) {
      this.byteLengths.set(log.args.writeIndex, log.args.byteLength);
    }
    for (const log of await this.registry.queryFilter(
      this.registry.filters.StateRootCommitted(),
      this.nextBlock,
      head,
    )) {
      const prevEnd = this.latest()?.writeIndexEnd ?? 0n;
      const end = log.args.writeIndexEnd;
      let bytes = 0n;
      for (let i = prevEnd; i < end; i++) bytes += this.byteLengths.get(i) ?? 0n;
      const record = await this.registry.commitAt(log.args.sequenceNo, { blockTag: log.blockNumber });
      const set = await this.operatorRegistry.operatorSet(record.operatorSetId, { blockTag: log.blockNumber });
      const receipt = await this.provider.getTransactionReceipt(log.transactionHash);
      const commit = {
        sequenceNo: log.args.sequenceNo,
        stateRoot: log.args.stateRoot,
        writeIndexEnd: end,
        writes: end - prevEnd,
        bytes,
        signers: popCount(set.activeBitmap & ~record.nonSignerBitmap),
        operators: popCount(set.activeBitmap),
        gasUsed: receipt?.gasUsed ?? 0n,
        blockNumber: log.blockNumber,
      };
      this.commits.push(commit);
      this.onCommit(commit);
    }
    this.nextBlock = head + 1;
  }
}

/** Formats a commit as one line. */
export function formatCommit(c: LandedCommit): string {
  const mib = Number(c.bytes) / (1024 * 1024);
  const size = mib >= 0.1 ? `${mib.toFixed(2)} MiB` : `${c.bytes} bytes`;
  return `commit #${c.sequenceNo}  root ${c.stateRoot}  writes ${c.writes} (up to #${c.writeIndexEnd})  ${size}  signers ${c.signers}/${c.operators}  gas ${c.gasUsed}  block ${c.blockNumber}`;
}

function popCount(x: bigint): number {
  let n = 0;
  for (; x > 0n; x >>= 1n) n += Number(x & 1n);
  return n;
}

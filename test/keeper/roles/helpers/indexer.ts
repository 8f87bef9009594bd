/**
 * A small, test-only chain indexer over `eth_getLogs`, good enough to drive the keeper roles until
 * keeper/chain/indexer is merged (it implements the same `IndexedChain` interface). In memory: a
 * restart re-indexes from the deployment block. Keeper processes load it through
 * `NEWTON_KEEPER_INDEXER_MODULE=test/keeper/roles/helpers/indexer.ts`.
 */
import { EventEmitter } from "node:events";

import { JsonRpcProvider, Network, getAddress, type Log } from "ethers";

import {
  EMPTY_TREE_ROOT,
  NO_WRITE,
  stateCommitRegistryInterface,
  type IndexedChain,
  type IndexedChainOptions,
  type IndexedCommit,
  type IndexedWrite,
} from "../../../../keeper/chain";
import { sleep, waitUntil, type Hex, type Logger } from "../../../../keeper/common";

/** Most blocks one `eth_getLogs` covers. */
const MAX_RANGE = 2_000;

export class PollingIndexedChain implements IndexedChain {
  private readonly provider: JsonRpcProvider;
  private readonly events = new EventEmitter();
  private readonly writes: IndexedWrite[] = [];
  private readonly byKey = new Map<string, IndexedWrite[]>();
  private commits: IndexedCommit[];
  private indexed: number;
  private controller = new AbortController();
  private loop?: Promise<void>;
  private starts = 0;

  constructor(
    private readonly opts: IndexedChainOptions,
    private readonly deps: { logger?: Logger } = {},
  ) {
    this.provider = new JsonRpcProvider(opts.rpcUrl, Network.from(opts.chainId), {
      staticNetwork: true,
      batchMaxCount: 1,
    });
    this.indexed = opts.fromBlock - 1;
    this.commits = [
      {
        sequenceNo: 0n,
        stateRoot: EMPTY_TREE_ROOT,
        writeIndexEnd: 0n,
        referenceBlock: 0n,
        daCert: "0x",
        signedWeight: 0n,
        blockNumber: opts.fromBlock,
      },
    ];
    this.events.setMaxListeners(100);
  }

  async start(): Promise<void> {
    if (this.starts++ > 0) return;
    this.controller = new AbortController();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    if (--this.starts > 0) return;
    this.controller.abort();
    await this.loop;
    this.provider.destroy();
  }

  indexedBlock(): number {
    return this.indexed;
  }

  writeCount(): bigint {
    return BigInt(this.writes.length);
  }

  writesInRange(start: bigint, end: bigint): IndexedWrite[] {
    const hi = end < this.writeCount() ? end : this.writeCount();
    return start >= hi ? [] : this.writes.slice(Number(start), Number(hi));
  }

  latestWriteOf(keyHash: Hex): IndexedWrite | undefined {
    return this.byKey.get(keyHash.toLowerCase())?.at(-1);
  }

  writesOfKey(keyHash: Hex): IndexedWrite[] {
    return [...(this.byKey.get(keyHash.toLowerCase()) ?? [])];
  }

  commit(sequenceNo: bigint): IndexedCommit | undefined {
    return this.commits[Number(sequenceNo)];
  }

  latestCommit(): IndexedCommit {
    return this.commits[this.commits.length - 1];
  }

  async waitForBlock(n: number, opts: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<void> {
    await waitUntil(() => this.indexed >= n, {
      timeoutMs: opts.timeoutMs ?? 60_000,
      intervalMs: 20,
      signal: opts.signal,
    });
  }

  onUpdate(listener: () => void): () => void {
    this.events.on("update", listener);
    return () => this.events.off("update", listener);
  }

  private async run(): Promise<void> {
    const signal = this.controller.signal;
    while (!signal.aborted) {
      try {
        if (await this.poll()) this.events.emit("update");
      } catch (err) {
        this.deps.logger?.debug({ message: err instanceof Error ? err.message : String(err) }, "index poll failed");
      }
      try {
        await sleep(this.opts.pollIntervalMs, signal);
      } catch {
        return;
      }
    }
  }

  /** Indexes up to the head; true when anything new arrived. */
  async poll(): Promise<boolean> {
    const head = await this.provider.getBlockNumber();
    let changed = false;
    while (this.indexed < head) {
      const from = this.indexed + 1;
      const to = Math.min(head, from + MAX_RANGE - 1);
      const logs = await this.provider.getLogs({ address: this.opts.registry, fromBlock: from, toBlock: to });
      logs.sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
      for (const log of logs) this.apply(log);
      this.indexed = to;
      changed = true;
    }
    return changed;
  }

  private apply(log: Log): void {
    const parsed = stateCommitRegistryInterface.parseLog(log);
    if (parsed === null) return;
    if (parsed.name === "WriteProposed") {
      const keyHash = (parsed.args.keyHash as string).toLowerCase() as Hex;
      const prev = this.byKey.get(keyHash)?.at(-1);
      const write: IndexedWrite = {
        writeIndex: parsed.args.writeIndex as bigint,
        namespace: Number(parsed.args.namespace),
        keyHash,
        valueHash: (parsed.args.valueHash as string).toLowerCase() as Hex,
        byteLength: Number(parsed.args.byteLength),
        prevWriteIndex: prev?.writeIndex ?? NO_WRITE,
        writer: getAddress(parsed.args.writer as string),
        daCert: (parsed.args.daCert as string).toLowerCase() as Hex,
        blockNumber: log.blockNumber,
        txHash: log.transactionHash as Hex,
        logIndex: log.index,
      };
      if (write.writeIndex !== BigInt(this.writes.length)) throw new Error(`write index gap at ${write.writeIndex}`);
      this.writes.push(write);
      this.byKey.set(keyHash, [...(this.byKey.get(keyHash) ?? []), write]);
    } else if (parsed.name === "StateRootCommitted") {
      this.commits.push({
        sequenceNo: parsed.args.sequenceNo as bigint,
        stateRoot: (parsed.args.stateRoot as string).toLowerCase() as Hex,
        writeIndexEnd: parsed.args.writeIndexEnd as bigint,
        referenceBlock: parsed.args.referenceBlock as bigint,
        daCert: (parsed.args.daCert as string).toLowerCase() as Hex,
        signedWeight: parsed.args.signedWeight as bigint,
        blockNumber: log.blockNumber,
      });
    } else if (parsed.name === "StateRolledBack") {
      const from = parsed.args.fromSequenceNo as bigint;
      this.commits = this.commits.filter((c) => c.sequenceNo < from);
    }
  }
}

/** The factory `newton-keeper` loads (see keeper/cli/keeper.ts). */
export function createIndexedChain(opts: IndexedChainOptions, deps: { logger?: Logger } = {}): IndexedChain {
  return new PollingIndexedChain(opts, deps);
}

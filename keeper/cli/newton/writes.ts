import { keyHash, NO_WRITE, stateCommitRegistryInterface } from "../../chain";
import { sleep, type Hex } from "../../common";
import type { ChainContext, RunContext } from "./context";

/** Where one write stands: committed in `sequenceNo`, or waiting behind `bytesAhead` declared bytes. */
export type WriteStatus =
  | { readonly status: "not written" }
  | { readonly status: "committed"; readonly writeIndex: bigint; readonly sequenceNo: bigint }
  | {
      readonly status: "waiting";
      readonly writeIndex: bigint;
      /** Writes before it not yet committed (from the latest commit's end). */
      readonly writesAhead: bigint;
      /** Their declared bytes: what the byte-capped windows must commit first. */
      readonly bytesAhead: bigint;
    };

/**
 * The status of the latest write to `(namespace, id)` on `ctx`'s chain: not written, committed (in
 * the first commit whose `writeIndexEnd` passes it, found by binary search over the live commits),
 * or waiting with the writes and declared bytes ahead of it (from the `WriteProposed` logs).
 */
export async function writeStatus(ctx: ChainContext, namespace: number, id: Hex): Promise<WriteStatus> {
  const index = await ctx.stateCommitRegistry.latestWriteIndex(keyHash(namespace, id));
  if (index === NO_WRITE) return { status: "not written" };
  return indexStatus(ctx, index);
}

/** {@link writeStatus} of write `writeIndex`. */
export async function indexStatus(ctx: ChainContext, writeIndex: bigint): Promise<WriteStatus> {
  const scr = ctx.stateCommitRegistry;
  const [latestSeq, latest] = await scr.latest();
  if (latest.writeIndexEnd > writeIndex) {
    let lo = 1n;
    let hi = latestSeq;
    while (lo < hi) {
      const mid = (lo + hi) / 2n;
      if ((await scr.commitAt(mid)).writeIndexEnd > writeIndex) hi = mid;
      else lo = mid + 1n;
    }
    return { status: "committed", writeIndex, sequenceNo: lo };
  }
  let bytesAhead = 0n;
  const logs = await ctx.provider.getLogs({
    address: await scr.getAddress(),
    fromBlock: ctx.fromBlock,
    toBlock: "latest",
    topics: [stateCommitRegistryInterface.getEvent("WriteProposed")!.topicHash],
  });
  for (const log of logs) {
    const args = stateCommitRegistryInterface.parseLog(log)!.args;
    const i = args.writeIndex as bigint;
    if (i >= latest.writeIndexEnd && i < writeIndex) bytesAhead += BigInt(args.byteLength as bigint);
  }
  return { status: "waiting", writeIndex, writesAhead: writeIndex - latest.writeIndexEnd, bytesAhead };
}

/** One line for a status, e.g. `committed in sequence 12` or `waiting: 3 writes (1.2 MiB) ahead`. */
export function describeStatus(s: WriteStatus): string {
  if (s.status === "not written") return "no write";
  if (s.status === "committed") return `write #${s.writeIndex} committed in sequence ${s.sequenceNo}`;
  const mib = (Number(s.bytesAhead) / 1024 / 1024).toFixed(2);
  return `write #${s.writeIndex} waiting: ${s.writesAhead} write(s), ${mib} MiB ahead`;
}

/**
 * `--wait`: blocks until every write the transaction `txHash` proposed is committed on `ctx`'s
 * chain, printing progress (writes and bytes ahead) whenever it changes.
 * @throws Error after `timeoutMs` (default 1 h) with the last status.
 */
export async function waitForTxWrites(
  run: RunContext,
  ctx: ChainContext,
  txHash: string,
  opts: { pollMs?: number; timeoutMs?: number } = {},
): Promise<void> {
  const receipt = await ctx.provider.getTransactionReceipt(txHash);
  const scrAddress = (await ctx.stateCommitRegistry.getAddress()).toLowerCase();
  const indexes = (receipt?.logs ?? [])
    .filter((l) => l.address.toLowerCase() === scrAddress)
    .map((l) => stateCommitRegistryInterface.parseLog(l))
    .filter((p) => p?.name === "WriteProposed")
    .map((p) => p!.args.writeIndex as bigint);
  if (indexes.length === 0) {
    run.out.progress(`${ctx.target.label}: the transaction proposed no writes; nothing to wait for`);
    return;
  }
  const last = indexes.reduce((a, b) => (a > b ? a : b));
  const deadline = Date.now() + (opts.timeoutMs ?? 3_600_000);
  let said = "";
  for (;;) {
    const s = await indexStatus(ctx, last);
    const line = `${ctx.target.label}: ${describeStatus(s)}`;
    if (line !== said) run.out.progress(line);
    said = line;
    if (s.status === "committed") return;
    if (Date.now() > deadline) throw new Error(`${ctx.target.label}: gave up waiting: ${describeStatus(s)}`);
    await sleep(opts.pollMs ?? 2_000);
  }
}

/** Wei to send with a transaction proposing writes of `lengths` bytes: their fees now, plus 1/8 headroom. */
export async function feeFor(ctx: ChainContext, lengths: readonly number[]): Promise<bigint> {
  let total = 0n;
  for (const n of lengths) total += n === 0 ? 0n : await ctx.stateCommitRegistry.writeFee(n);
  // The fee can rise before inclusion (other writes in between); the registries refund what is not spent.
  return total + total / 8n;
}

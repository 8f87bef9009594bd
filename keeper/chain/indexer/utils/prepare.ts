import { getAddress } from "ethers";

import type { Hex } from "../../../common";
import { NO_WRITE, writeRecordHash } from "../../commit";
import { IndexerError } from "../errors";
import type { RawLog } from "../rpc";
import type { CommitOp, RangeBatch } from "../store";
import type { IndexedWrite, PolicyEvent, PolicyRegistryName } from "../types";
import { decodeLog, logPosition, type DecodedEvent, type ProposedWrite } from "./decode";

/** What {@link prepareRange} reads of the store: counters and the latest write per key. */
export interface StoreView {
  writeCount(): bigint;
  latestWriteIndexOf(keyHash: Hex): bigint | undefined;
  latestSequenceNo(): bigint;
}

/** Which contract (checksummed address) emits which events. */
export type Emitters = ReadonlyMap<string, "StateCommitRegistry" | PolicyRegistryName>;

/**
 * Turns the logs of blocks `[fromBlock, toBlock]` into the batch the store writes: checks their
 * order, links each write to the previous write of its key (as the contract does: a per-key latest
 * index, `NO_WRITE` for a first write) and computes its record hash, and checks that write indexes
 * and commit sequence numbers continue the store without a gap. Pure apart from reading `view`.
 * @throws IndexerError `INDEXER_ERROR_LOG_ORDER` when logs are out of order, outside the range,
 *   `removed`, or from an unknown address; `INDEXER_ERROR_GAP` when a write index or sequence
 *   number does not follow the previous one.
 */
export function prepareRange(
  logs: readonly RawLog[],
  range: { fromBlock: number; toBlock: number; blockHash: Hex },
  emitters: Emitters,
  view: StoreView,
): RangeBatch {
  checkLogOrder(logs, range.fromBlock, range.toBlock);
  const decoded: DecodedEvent[] = [];
  for (const log of logs) {
    const emitter = emitters.get(getAddress(log.address));
    if (emitter === undefined) throw orderError(log, `log of unfollowed address ${log.address}`);
    const event = decodeLog(emitter, log);
    if (event !== undefined) decoded.push(event);
  }
  const writes = linkWrites(
    decoded.flatMap((d) => (d.type === "write" ? [d.event] : [])),
    view,
  );
  const commitOps = decoded.flatMap((d) => (d.type === "commit" || d.type === "rollback" ? [d as CommitOp] : []));
  const latestSequenceNo = checkCommitOps(commitOps, view.latestSequenceNo());
  const policyEvents: PolicyEvent[] = decoded.flatMap((d) => (d.type === "policy" ? [d.event] : []));
  const checkpoint = { indexedBlock: range.toBlock, blockHash: range.blockHash };
  return { writes, commitOps, policyEvents, latestSequenceNo, checkpoint };
}

function linkWrites(proposed: readonly ProposedWrite[], view: StoreView): IndexedWrite[] {
  let next = view.writeCount();
  const latest = new Map<Hex, bigint>();
  return proposed.map((p) => {
    if (p.writeIndex !== next) throw gap("writeIndex", next, p.writeIndex);
    next++;
    const prevWriteIndex = latest.get(p.keyHash) ?? view.latestWriteIndexOf(p.keyHash) ?? NO_WRITE;
    latest.set(p.keyHash, p.writeIndex);
    const recordHash = writeRecordHash({ ...p, prevWriteIndex });
    return { ...p, prevWriteIndex, recordHash };
  });
}

/** Checks that commits and rollbacks continue `latestSequenceNo`; the latest sequence number after them. */
function checkCommitOps(ops: readonly CommitOp[], latestSequenceNo: bigint): bigint {
  let latest = latestSequenceNo;
  for (const op of ops) {
    if (op.type === "commit") {
      if (op.event.sequenceNo !== latest + 1n) throw gap("sequenceNo", latest + 1n, op.event.sequenceNo);
      latest = op.event.sequenceNo;
    } else {
      if (op.event.toSequenceNo !== latest) throw gap("sequenceNo", latest, op.event.toSequenceNo);
      latest = op.event.fromSequenceNo - 1n;
    }
  }
  return latest;
}

function checkLogOrder(logs: readonly RawLog[], fromBlock: number, toBlock: number): void {
  let prev = { blockNumber: fromBlock, logIndex: -1 };
  for (const log of logs) {
    const pos = logPosition(log);
    if (log.removed === true) throw orderError(log, "removed log");
    if (pos.blockNumber > toBlock || pos.blockNumber < prev.blockNumber) throw orderError(log, "block out of order");
    if (pos.blockNumber === prev.blockNumber && pos.logIndex <= prev.logIndex)
      throw orderError(log, "log index out of order");
    prev = pos;
  }
}

function orderError(log: RawLog, reason: string): IndexerError {
  const { blockNumber, logIndex } = logPosition(log);
  return new IndexerError(
    { code: "INDEXER_ERROR_LOG_ORDER", blockNumber, logIndex, reason },
    `eth_getLogs returned an inconsistent log (${reason}) at block ${blockNumber} index ${logIndex}`,
  );
}

/** An `INDEXER_ERROR_GAP`: the store expected `expected` next but the chain gave `actual`. */
export function gap(what: "writeIndex" | "sequenceNo" | "writeCount", expected: bigint, actual: bigint): IndexerError {
  return new IndexerError(
    { code: "INDEXER_ERROR_GAP", what, expected: String(expected), actual: String(actual) },
    `${what} gap: expected ${expected}, got ${actual}; the range is fetched again`,
  );
}

import type { IndexedWrite } from "../chain";

/**
 * The writes one window commits (docs/architecture.md): from `writes` (the uncommitted log from
 * the last commit's end, ascending), the prefix of writes mined at or before `referenceBlock`,
 * cut to the longest prefix whose byte lengths sum to ≤ `maxCommitBytes`; a first write larger
 * than the cap is committed alone. Empty when nothing is eligible.
 *
 * This is the window rule: a pure function of the write log and the reference block (byte
 * availability plays no part), which the aggregator proposes and every operator recomputes,
 * refusing any other `writeIndexEnd` (censorship check).
 */
export function selectWindow(
  writes: readonly IndexedWrite[],
  referenceBlock: number,
  maxCommitBytes: number,
): IndexedWrite[] {
  const selected: IndexedWrite[] = [];
  let bytes = 0;
  for (const w of writes) {
    if (w.blockNumber > referenceBlock) break;
    if (selected.length > 0 && bytes + w.byteLength > maxCommitBytes) break;
    selected.push(w);
    bytes += w.byteLength;
    if (bytes > maxCommitBytes) break;
  }
  return selected;
}

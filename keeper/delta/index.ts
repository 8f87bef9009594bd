/**
 * keeper/delta — the delta blob codec: the binary form in which the aggregator publishes one
 * commit's writes to EigenDA and every operator reads them back (docs/architecture.md).
 * Pure functions, bytes in, objects out; no I/O. Hashes: keccak256 (`@noble/hashes`).
 *
 * ## Layout, format version 1 (all integers unsigned big-endian)
 *
 * Header, 129 bytes:
 *
 * | offset | bytes | field | encoding |
 * |---:|---:|---|---|
 * | 0 | 4 | magic | ASCII `"NWTD"` = `0x4e575444` |
 * | 4 | 1 | version | u8 = 1 |
 * | 5 | 8 | chainId | u64 (see below) |
 * | 13 | 20 | registry | `StateCommitRegistry` address |
 * | 33 | 8 | sequenceNo | u64, the commit this delta produces |
 * | 41 | 32 | prevRoot | JMT root before |
 * | 73 | 32 | newRoot | JMT root after |
 * | 105 | 8 | writeIndexStart | u64, inclusive |
 * | 113 | 8 | writeIndexEnd | u64, exclusive, ≥ start |
 * | 121 | 4 | entryCount | u32, entries of the whole delta, ≤ end − start |
 * | 125 | 2 | partIndex | u16, < partCount |
 * | 127 | 2 | partCount | u16, ≥ 1; 1 = not split |
 *
 * Body: `entryCount` entries, then a 32-byte digest. Entry, 77 + n bytes:
 *
 * | offset | bytes | field | encoding |
 * |---:|---:|---|---|
 * | 0 | 8 | writeIndex | u64, strictly increasing, in [start, end) |
 * | 8 | 1 | namespace | u8 (docs/protocol.md §1) |
 * | 9 | 32 | keyHash | JMT key hash |
 * | 41 | 32 | valueHash | keccak256(bytes); 32 zero bytes = delete |
 * | 73 | 4 | byteLength | u32 = n; 0 for a delete |
 * | 77 | n | bytes | the value |
 *
 * Digest, 32 bytes, after the last entry: keccak256(header with partIndex 0 and partCount 1 ‖
 * the 77 fixed bytes of every entry, in order). Value hashes bind the value bytes; the digest binds
 * every other field, so any single altered bit is rejected: in value bytes or a value hash by
 * `DELTA_ERROR_HASH_MISMATCH`, elsewhere by a structural error or `DELTA_ERROR_DIGEST_MISMATCH`.
 * (The digest is this codec's addition to the layout; it costs 32 bytes and hashes only
 * metadata.) Nothing may follow the digest.
 *
 * Not required: entries need not cover every index of [start, end) — a write whose bytes were
 * unavailable is committed by hash only and has no entry.
 *
 * **Chain id as u64**, not u256: every EIP-155 chain id in use fits 64 bits (EIP-2294 proposes an
 * explicit bound that fits 64 bits, and common tooling already treats chain ids as 64-bit), and
 * it saves 24 bytes; `encodeDelta` rejects a larger id.
 *
 * ## Split deltas
 *
 * A delta larger than a blob (16 252 897 usable bytes on EigenDA) is cut by `splitDelta` into n
 * parts: part k = header (partIndex k, partCount n) ‖ bytes [k·S, (k+1)·S) of the body, with
 * S = maxPayloadBytes − 129. Cuts ignore entry boundaries, so a single value larger than a blob
 * spans parts. `joinDeltaParts` accepts the parts in any order, checks they share every header field
 * but partIndex, that indexes 0…n−1 each appear once and that all but the last part are full, then
 * decodes the concatenated body exactly like an unsplit delta (all hashes and the digest).
 *
 * ```
 * Delta ──encodeDelta──▶ blob ≤ limit?  ── yes ──▶ [blob]
 *                                       └─ no ──▶ [hdr₀‖body[0,S)] [hdr₁‖body[S,2S)] … ──joinDeltaParts──▶ Delta
 * ```
 */
export { decodeDelta, decodeDeltaPartHeader, encodeDelta, encodedDeltaBytes } from "./codec";
export { splitDelta, joinDeltaParts } from "./split";
export { DeltaError, type DeltaErrorType } from "./errors";
export {
  DELTA_DIGEST_BYTES,
  DELTA_ENTRY_FIXED_BYTES,
  DELTA_FORMAT_VERSION,
  DELTA_HEADER_BYTES,
  DELTA_MAGIC,
  DELTA_MAX_ENTRIES,
  DELTA_MAX_PARTS,
  DELTA_MAX_VALUE_BYTES,
  type Delta,
  type DeltaEntry,
  type DeltaHeader,
  type DeltaPartInfo,
} from "./types";

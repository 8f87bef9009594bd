import type { Hex } from "../common";

/** The 4 ASCII bytes every delta blob starts with: `"NWTD"` (Newton tree delta). */
export const DELTA_MAGIC = Uint8Array.of(0x4e, 0x57, 0x54, 0x44);
/** The format version this codec writes and the only one it reads. */
export const DELTA_FORMAT_VERSION = 1;
/** Size of the fixed header in bytes. */
export const DELTA_HEADER_BYTES = 129;
/** Size of an entry without its value bytes: u64 + u8 + 32 + 32 + u32. */
export const DELTA_ENTRY_FIXED_BYTES = 77;
/** Size of the trailing metadata digest in bytes. */
export const DELTA_DIGEST_BYTES = 32;
/** Most parts a delta may be split into (u16 part count). */
export const DELTA_MAX_PARTS = 0xffff;
/** Most entries one delta may carry (u32 entry count). */
export const DELTA_MAX_ENTRIES = 0xffff_ffff;
/** Largest value one entry may carry, in bytes (u32 byte length). */
export const DELTA_MAX_VALUE_BYTES = 0xffff_ffff;

/** The header of a delta: what it changes and where it sits in the commit sequence. */
export interface DeltaHeader {
  /** EIP-155 chain id of the chain whose write log this is; u64. */
  chainId: bigint;
  /** `StateCommitRegistry` address, 0x-hex of 20 bytes (decoded lower-case). */
  registry: Hex;
  /** Commit sequence number this delta produces (tree version); u64. */
  sequenceNo: bigint;
  /** JMT root before the delta (commit `sequenceNo − 1`), 0x-hex of 32 bytes. */
  prevRoot: Hex;
  /** JMT root after applying the entries, 0x-hex of 32 bytes. */
  newRoot: Hex;
  /** First write-log index covered (inclusive); u64. */
  writeIndexStart: bigint;
  /** End of the covered write-log range (exclusive), ≥ `writeIndexStart`; u64. */
  writeIndexEnd: bigint;
}

/** One write of the on-chain write log, with its value bytes. */
export interface DeltaEntry {
  /** Index in the chain's write log, in [writeIndexStart, writeIndexEnd); u64, strictly increasing. */
  writeIndex: bigint;
  /** Namespace byte (docs/protocol.md §1: 0x01 … 0x08); any u8 is encoded. */
  namespace: number;
  /** JMT key hash, 0x-hex of 32 bytes. */
  keyHash: Hex;
  /** keccak256(bytes), 0x-hex of 32 bytes; all zeroes marks a delete, which carries no bytes. */
  valueHash: Hex;
  /** The value; empty for a delete (and for an empty value, whose hash is keccak256("")). */
  bytes: Uint8Array;
}

/** A whole delta: header plus entries in write-index order. */
export interface Delta {
  header: DeltaHeader;
  entries: DeltaEntry[];
}

/** What the header of one blob (a whole delta or one part of a split delta) says. */
export interface DeltaPartInfo {
  header: DeltaHeader;
  /** Entries of the whole delta (not of this part). */
  entryCount: number;
  /** Position of this part, in [0, partCount). */
  partIndex: number;
  /** Parts the delta was split into; 1 for an unsplit delta. */
  partCount: number;
}

import { getBytes, hexlify } from "ethers";

import { readU64, writeU64, type ChunkLeaf, type SubtreeEntry } from "../jmt";
import { SyncError } from "./errors";

/** Format tag of the manifest JSON. */
export const MANIFEST_FORMAT = "newton-sync/1";
/** First 4 bytes of a chunk body: ASCII "NSC1". */
export const CHUNK_MAGIC = Uint8Array.from(Buffer.from("NSC1", "ascii"));
/** `valueLen` of a leaf whose bytes the serving peer does not hold. */
export const NO_VALUE = 0xffff_ffff;
const HEADER_BYTES = 19;
const KINDS = ["empty", "leaf", "internal"] as const;

/** The manifest of one tree version as it travels (JSON). */
export interface ManifestJson {
  readonly format: typeof MANIFEST_FORMAT;
  /** Tree version = commit sequence number. */
  readonly version: number;
  /** 0x-hex 32-byte root the peer holds for `version` (the receiver checks the chain's, not this). */
  readonly root: string;
  /** Leaves at `version`. */
  readonly leafCount: number;
  /** Chunk depth in nibbles (1–3): 16^depth chunks. */
  readonly depth: number;
  /** 0x-hex of 16^depth × (kind u8: 0 empty, 1 leaf, 2 internal ‖ 32-byte subtree hash). */
  readonly entries: string;
}

/** Encodes manifest entries as {@link ManifestJson.entries}. */
export function encodeEntries(entries: readonly SubtreeEntry[]): string {
  const out = new Uint8Array(33 * entries.length);
  entries.forEach((e, i) => {
    out[33 * i] = KINDS.indexOf(e.kind);
    out.set(e.hash, 33 * i + 1);
  });
  return hexlify(out);
}

/**
 * Parses {@link ManifestJson.entries}.
 * @throws SyncError `SYNC_ERROR_MALFORMED` on bad hex, a length that is not 33 × 16^depth, or an
 *   unknown kind.
 */
export function decodeEntries(hex: unknown, depth: number): SubtreeEntry[] {
  let bytes: Uint8Array;
  try {
    bytes = getBytes(String(hex));
  } catch {
    throw malformed("manifest entries are not 0x-hex");
  }
  if (bytes.length !== 33 * 16 ** depth) throw malformed(`manifest entries: ${bytes.length} bytes for depth ${depth}`);
  const out: SubtreeEntry[] = [];
  for (let i = 0; i < bytes.length; i += 33) {
    const kind = KINDS[bytes[i]];
    if (kind === undefined) throw malformed(`manifest entry ${i / 33}: kind ${bytes[i]}`);
    out.push({ kind, hash: bytes.slice(i + 1, i + 33) });
  }
  return out;
}

/**
 * Encodes one chunk (see keeper/sync/README.md): "NSC1" ‖ version u64 BE ‖ depth u8 ‖ index u16 BE
 * ‖ leaf count u32 BE ‖ per leaf: keyHash (32) ‖ valueHash (32) ‖ valueLen u32 BE (0xFFFFFFFF =
 * bytes not held) ‖ value bytes.
 */
export function encodeChunk(version: number, depth: number, index: number, leaves: readonly ChunkLeaf[]): Uint8Array {
  let size = HEADER_BYTES;
  for (const l of leaves) size += 68 + (l.value?.length ?? 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(CHUNK_MAGIC, 0);
  writeU64(out, 4, version);
  out[12] = depth;
  view.setUint16(13, index);
  view.setUint32(15, leaves.length);
  let o = HEADER_BYTES;
  for (const l of leaves) {
    out.set(l.keyHash, o);
    out.set(l.valueHash, o + 32);
    view.setUint32(o + 64, l.value === undefined ? NO_VALUE : l.value.length);
    o += 68;
    if (l.value !== undefined) {
      out.set(l.value, o);
      o += l.value.length;
    }
  }
  return out;
}

/** A decoded chunk. */
export interface DecodedChunk {
  readonly version: number;
  readonly depth: number;
  readonly index: number;
  readonly leaves: ChunkLeaf[];
}

/**
 * Decodes {@link encodeChunk} bytes strictly: every length must add up exactly.
 * @throws SyncError `SYNC_ERROR_MALFORMED` naming the first inconsistency (truncated or trailing bytes).
 */
export function decodeChunk(bytes: Uint8Array): DecodedChunk {
  if (bytes.length < HEADER_BYTES) throw malformed(`chunk of ${bytes.length} bytes is shorter than its header`);
  if (Buffer.compare(bytes.subarray(0, 4), CHUNK_MAGIC) !== 0) throw malformed("chunk magic is not NSC1");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = readU64(bytes, 4);
  const depth = bytes[12];
  const index = view.getUint16(13);
  const count = view.getUint32(15);
  const leaves: ChunkLeaf[] = [];
  let o = HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    if (o + 68 > bytes.length) throw malformed(`chunk truncated in leaf ${i} of ${count}`);
    const keyHash = bytes.slice(o, o + 32);
    const valueHash = bytes.slice(o + 32, o + 64);
    const len = view.getUint32(o + 64);
    o += 68;
    if (len === NO_VALUE) {
      leaves.push({ keyHash, valueHash });
      continue;
    }
    if (o + len > bytes.length) throw malformed(`chunk truncated in the value of leaf ${i}`);
    leaves.push({ keyHash, valueHash, value: bytes.slice(o, o + len) });
    o += len;
  }
  if (o !== bytes.length) throw malformed(`chunk has ${bytes.length - o} trailing bytes`);
  return { version, depth, index, leaves };
}

function malformed(reason: string): SyncError {
  return new SyncError({ code: "SYNC_ERROR_MALFORMED", reason }, `state-sync data is malformed: ${reason}`);
}

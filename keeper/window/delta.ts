import { keccak256 } from "ethers";

import { bytesToHex, concatBytes, hexToBytes, type Hex, type KeeperMetrics } from "../common";
import { decodeDelta, joinDeltaParts, splitDelta, type Delta, type DeltaHeader } from "../delta";
import { WindowError } from "./errors";
import type { DeltaPointer, WindowWrite } from "./types";

/** The DA calls delta publication needs (an `EigenDaProxyClient` fits). */
export interface DeltaStore {
  put(payload: Uint8Array, opts?: { signal?: AbortSignal }): Promise<Uint8Array>;
  getVerified(cert: Uint8Array, expectedHash: Hex, opts?: { signal?: AbortSignal }): Promise<Uint8Array>;
  getUnverified(cert: Uint8Array, opts?: { signal?: AbortSignal }): Promise<Uint8Array>;
}

/** ASCII "NWTM": the first bytes of a split delta's manifest. */
export const MANIFEST_MAGIC = Uint8Array.of(0x4e, 0x57, 0x54, 0x4d);
/** Manifest format version. */
export const MANIFEST_VERSION = 1;

/** One part of a split delta: its certificate and the keccak256 of its blob. */
export interface ManifestPart {
  readonly cert: Hex;
  readonly payloadHash: Hex;
}

/**
 * Encodes the manifest of a split delta: `"NWTM" ‖ version u8 = 1 ‖ count u16 ‖ count × (certLength
 * u32 ‖ cert ‖ payloadHash 32)` (big-endian). A delta larger than one blob is dispersed as parts
 * (keeper/delta `splitDelta`); the commit's `daCert` is then the certificate of this manifest, so
 * one on-chain certificate names every part and every part is fetched with a hash check.
 */
export function encodeManifest(parts: readonly ManifestPart[]): Uint8Array {
  const chunks: Uint8Array[] = [
    MANIFEST_MAGIC,
    Uint8Array.of(MANIFEST_VERSION, parts.length >> 8, parts.length & 0xff),
  ];
  for (const p of parts) {
    const cert = hexToBytes(p.cert);
    const len = new Uint8Array(4);
    new DataView(len.buffer).setUint32(0, cert.length, false);
    chunks.push(len, cert, hexToBytes(p.payloadHash));
  }
  return concatBytes(...chunks);
}

/**
 * Decodes a manifest; undefined when `bytes` does not start with the manifest magic (a delta blob).
 * @throws WindowError `WINDOW_ERROR_BAD_MANIFEST` for a malformed manifest.
 */
export function decodeManifest(bytes: Uint8Array): ManifestPart[] | undefined {
  if (bytes.length < 4 || !MANIFEST_MAGIC.every((b, i) => bytes[i] === b)) return undefined;
  const bad = (reason: string): never => {
    throw new WindowError({ code: "WINDOW_ERROR_BAD_MANIFEST", reason }, `bad delta manifest: ${reason}`);
  };
  if (bytes.length < 7 || bytes[4] !== MANIFEST_VERSION) bad("unknown version or truncated header");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint16(5, false);
  const parts: ManifestPart[] = [];
  let offset = 7;
  for (let i = 0; i < count; i++) {
    if (offset + 4 > bytes.length) bad("truncated part");
    const certLength = view.getUint32(offset, false);
    const end = offset + 4 + certLength + 32;
    if (end > bytes.length) bad("truncated part");
    parts.push({
      cert: bytesToHex(bytes.subarray(offset + 4, offset + 4 + certLength)),
      payloadHash: bytesToHex(bytes.subarray(end - 32, end)),
    });
    offset = end;
  }
  if (offset !== bytes.length || count === 0) bad("trailing bytes or no parts");
  return parts;
}

/** The delta of one window: header + every write that has bytes or deletes (unavailable values are left out). */
export function buildDelta(header: DeltaHeader, writes: readonly WindowWrite[]): Delta {
  const zero = `0x${"00".repeat(32)}`;
  return {
    header,
    entries: writes
      .filter((w) => w.valueHash === zero || w.bytes !== undefined)
      .map((w) => ({
        writeIndex: w.writeIndex,
        namespace: w.namespace,
        keyHash: w.keyHash,
        valueHash: w.valueHash,
        bytes: w.valueHash === zero ? new Uint8Array(0) : (w.bytes as Uint8Array),
      })),
  };
}

/**
 * Disperses `delta`: one blob when it fits `maxBlobBytes`, else its parts and then a manifest
 * listing them ({@link encodeManifest}); returns the certificate to commit to and the hash of the
 * payload behind it.
 */
export async function disperseDelta(
  da: DeltaStore,
  delta: Delta,
  opts: { maxBlobBytes: number; signal?: AbortSignal; metrics?: KeeperMetrics },
): Promise<DeltaPointer & { bytes: number; parts: number }> {
  const started = performance.now();
  const blobs = splitDelta(delta, opts.maxBlobBytes);
  const bytes = blobs.reduce((n, b) => n + b.length, 0);
  let payload: Uint8Array;
  if (blobs.length === 1) {
    payload = blobs[0];
  } else {
    const parts: ManifestPart[] = [];
    for (const blob of blobs) {
      const cert = await da.put(blob, { signal: opts.signal });
      parts.push({ cert: bytesToHex(cert), payloadHash: keccak256(blob) as Hex });
    }
    payload = encodeManifest(parts);
  }
  const cert = await da.put(payload, { signal: opts.signal });
  opts.metrics?.deltaBytesTotal.inc(bytes);
  opts.metrics?.daLatencySeconds.observe({ op: "disperse_delta" }, (performance.now() - started) / 1000);
  return { daCert: bytesToHex(cert), deltaHash: keccak256(payload) as Hex, bytes, parts: blobs.length };
}

/**
 * Fetches and decodes the delta behind `daCert`: checked against `deltaHash` when known (a sign
 * request names it), else unverified (a commit seen on-chain names only the cert; the delta codec
 * still checks every value hash and its metadata digest). Manifest parts are always hash-checked.
 * @throws DaError from the client; DeltaError for a malformed delta; WindowError for a bad manifest.
 */
export async function fetchDelta(
  da: DeltaStore,
  pointer: { daCert: Hex; deltaHash?: Hex },
  opts: { signal?: AbortSignal; metrics?: KeeperMetrics } = {},
): Promise<Delta> {
  const started = performance.now();
  const cert = hexToBytes(pointer.daCert);
  const payload =
    pointer.deltaHash === undefined
      ? await da.getUnverified(cert, { signal: opts.signal })
      : await da.getVerified(cert, pointer.deltaHash, { signal: opts.signal });
  const parts = decodeManifest(payload);
  let delta: Delta;
  if (parts === undefined) {
    delta = decodeDelta(payload);
  } else {
    const blobs: Uint8Array[] = [];
    for (const p of parts) blobs.push(await da.getVerified(hexToBytes(p.cert), p.payloadHash, { signal: opts.signal }));
    delta = joinDeltaParts(blobs);
  }
  opts.metrics?.daLatencySeconds.observe({ op: "fetch_delta" }, (performance.now() - started) / 1000);
  return delta;
}

import { getAddress } from "ethers";

import type { StateCommit } from "../chain";
import type { Hex } from "../common";
import { WindowError } from "./errors";
import type { DeltaPointer } from "./types";

/**
 * Body of `POST /v1/commits/sign`: the `StateCommit` fields (integers as decimal strings, bytes as
 * 0x-hex) plus where the delta is: `daCert` (whose keccak256 must be `daCommitment`) and
 * `deltaHash` (keccak256 of the payload behind it: the delta blob, or the manifest of a split delta).
 */
export interface SignRequestJson {
  readonly sequenceNo: string;
  readonly prevStateRoot: string;
  readonly stateRoot: string;
  readonly writeIndexEnd: string;
  readonly referenceBlock: string;
  readonly daCommitment: string;
  readonly operatorSetId: string;
  readonly daCert: string;
  readonly deltaHash: string;
}

/** A parsed sign request. */
export interface SignRequest {
  readonly commit: StateCommit;
  readonly delta: DeltaPointer;
}

/** Answer of a successful sign request. */
export interface SignResponseJson {
  /** 0x-hex, 96-byte compressed G2 signature over the commit digest. */
  readonly signature: string;
  /** 0x-hex, 48-byte compressed G1 public key. */
  readonly publicKey: string;
  /** The operator's address as registered. */
  readonly operator: string;
}

/** Encodes a sign request. */
export function encodeSignRequest(commit: StateCommit, delta: DeltaPointer): SignRequestJson {
  return {
    sequenceNo: commit.sequenceNo.toString(),
    prevStateRoot: commit.prevStateRoot,
    stateRoot: commit.stateRoot,
    writeIndexEnd: commit.writeIndexEnd.toString(),
    referenceBlock: commit.referenceBlock.toString(),
    daCommitment: commit.daCommitment,
    operatorSetId: commit.operatorSetId.toString(),
    daCert: delta.daCert,
    deltaHash: delta.deltaHash,
  };
}

const U64_MAX = 2n ** 64n - 1n;

/**
 * Parses and validates a sign request body.
 * @throws WindowError `WINDOW_ERROR_BAD_REQUEST` naming the first bad field.
 */
export function parseSignRequest(body: unknown): SignRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw bad("body", "must be a JSON object");
  const b = body as Record<string, unknown>;
  const commit: StateCommit = {
    sequenceNo: u64(b, "sequenceNo"),
    prevStateRoot: bytes32(b, "prevStateRoot"),
    stateRoot: bytes32(b, "stateRoot"),
    writeIndexEnd: u64(b, "writeIndexEnd"),
    referenceBlock: u64(b, "referenceBlock"),
    daCommitment: bytes32(b, "daCommitment"),
    operatorSetId: u64(b, "operatorSetId"),
  };
  const daCert = hex(b, "daCert", 1, 1 << 20);
  return { commit, delta: { daCert, deltaHash: bytes32(b, "deltaHash") } };
}

/** Parses a 0x-hex 20-byte address (checksummed output). */
export function parseAddress(value: unknown, field: string): string {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(value)) throw bad(field, "must be a 0x-hex address");
  return getAddress(value);
}

function u64(b: Record<string, unknown>, field: string): bigint {
  const v = b[field];
  if (typeof v !== "string" || !/^(0|[1-9][0-9]{0,19})$/.test(v)) throw bad(field, "must be a decimal string");
  const n = BigInt(v);
  if (n > U64_MAX) throw bad(field, "must fit 64 bits");
  return n;
}

function bytes32(b: Record<string, unknown>, field: string): Hex {
  return hex(b, field, 32, 32);
}

function hex(b: Record<string, unknown>, field: string, minBytes: number, maxBytes: number): Hex {
  const v = b[field];
  if (typeof v !== "string" || !/^0x([0-9a-fA-F]{2})*$/.test(v)) throw bad(field, "must be 0x-hex");
  const n = (v.length - 2) / 2;
  if (n < minBytes || n > maxBytes) {
    throw bad(field, minBytes === maxBytes ? `must be ${minBytes} bytes` : `must be ${minBytes}–${maxBytes} bytes`);
  }
  return v.toLowerCase() as Hex;
}

function bad(field: string, reason: string): WindowError {
  return new WindowError({ code: "WINDOW_ERROR_BAD_REQUEST", field, reason }, `${field} ${reason}`);
}

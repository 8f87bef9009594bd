import { getAddress, getBytes, solidityPackedKeccak256, verifyMessage } from "ethers";

import type { StateCommit } from "../chain";
import type { Hex } from "../common";
import { WindowError } from "./errors";
import type { DeltaPointer } from "./types";

/**
 * Body of `POST /v1/commits/sign`: the `StateCommit` fields (integers as decimal strings, bytes as
 * 0x-hex) plus where the delta is: `daCert` (whose keccak256 must be `daCommitment`) and
 * `deltaHash` (keccak256 of the payload behind it: the delta blob, or the manifest of a split delta),
 * and the aggregator's authentication: its address and its EIP-191 signature over
 * {@link signRequestAuthHash} (operators answer only the aggregators they are configured to trust).
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
  /** 0x-hex 20-byte address of the aggregator that signed the request. */
  readonly aggregator: string;
  /** 0x-hex 65-byte secp256k1 signature (r ‖ s ‖ v), EIP-191 personal message = the 32-byte auth hash. */
  readonly aggregatorSignature: string;
}

/** A parsed sign request. */
export interface SignRequest {
  readonly commit: StateCommit;
  readonly delta: DeltaPointer;
  /** Checksummed address the request claims to come from. */
  readonly aggregator: string;
  /** 0x-hex 65-byte signature, not yet checked (see {@link recoverSignRequestSigner}). */
  readonly aggregatorSignature: Hex;
}

/** What signs a sign request: an ethers `Wallet` fits (EIP-191 `personal_sign`). */
export interface SignRequestSigner {
  readonly address: string;
  signMessageSync(message: Uint8Array): string;
}

/** Domain tag of the aggregator's sign-request authentication (versioned). */
export const SIGN_REQUEST_AUTH_DOMAIN = "newton.sign-request.v1";

/**
 * The 32 bytes an aggregator signs (EIP-191 personal message) to authenticate a sign request:
 * `keccak256(abi.encodePacked("newton.sign-request.v1", commitDigest, deltaHash))`. The commit
 * digest binds chain id, registry and every commit field; `deltaHash` binds the delta, so a
 * signature authenticates exactly one proposal.
 */
export function signRequestAuthHash(commitDigest: Hex, deltaHash: Hex): Hex {
  return solidityPackedKeccak256(
    ["string", "bytes32", "bytes32"],
    [SIGN_REQUEST_AUTH_DOMAIN, commitDigest, deltaHash],
  ) as Hex;
}

/**
 * The address that signed `request` for `commitDigest`, or undefined when the signature does not
 * recover to the claimed `aggregator`.
 */
export function recoverSignRequestSigner(request: SignRequest, commitDigest: Hex): string | undefined {
  try {
    const hash = signRequestAuthHash(commitDigest, request.delta.deltaHash);
    const signer = verifyMessage(getBytes(hash), request.aggregatorSignature);
    return signer === request.aggregator ? signer : undefined;
  } catch {
    return undefined;
  }
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

/**
 * Encodes a sign request, authenticated by `signer` over {@link signRequestAuthHash}.
 * @param commitDigest The commit's `StateCommitRegistry.commitDigest` (keeper/chain `stateCommitDigest`).
 */
export function encodeSignRequest(
  commit: StateCommit,
  delta: DeltaPointer,
  commitDigest: Hex,
  signer: SignRequestSigner,
): SignRequestJson {
  const auth = signer.signMessageSync(getBytes(signRequestAuthHash(commitDigest, delta.deltaHash)));
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
    aggregator: getAddress(signer.address),
    aggregatorSignature: auth,
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
  return {
    commit,
    delta: { daCert, deltaHash: bytes32(b, "deltaHash") },
    aggregator: parseAddress(b.aggregator, "aggregator"),
    aggregatorSignature: hex(b, "aggregatorSignature", 65, 65),
  };
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

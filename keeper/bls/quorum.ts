import type { Signature } from "@chainsafe/blst";

import { BlsError } from "./errors";
import { g2ToEip2537 } from "./eip2537";
import { aggregateSignatures } from "./sign";

/** One member of the current operator set, as the OperatorRegistry indexes it. */
export interface QuorumMember {
  /** The member's slot in the signer bitmap, 0–255 (`OperatorRegistry.operatorInfo(op).index`). */
  readonly index: number;
  /** Its 128-byte EIP-2537 G1 public key, exactly as registered. */
  readonly pubkeyG1Eip2537: Uint8Array;
}

/** The on-chain `IOperatorRegistry.SignerProof`, ready for ABI encoding. */
export interface SignerProof {
  /** Bit i set ⇔ the member at index i did not sign. */
  readonly nonSignerBitmap: bigint;
  /** The non-signers' 128-byte EIP-2537 G1 keys, ascending by index. */
  readonly nonSignerPubkeys: Uint8Array[];
  /** The 256-byte EIP-2537 G2 aggregate of the signers' signatures. */
  readonly signatureG2: Uint8Array;
}

/**
 * Builds the `SignerProof` that `OperatorRegistry.verifyQuorum` checks: every member of the set
 * without a signature in `signatures` is a non-signer (named in the bitmap, its key listed in
 * ascending index order), and the signers' signatures are aggregated.
 *
 * The signatures must already be verified (e.g. with `verifyBatch`): one bad signature makes the
 * aggregate fail on-chain.
 * @param members - the whole current operator set (any order; indexes unique, 0–255).
 * @param signatures - verified signatures by member index over the same 32-byte digest.
 * @throws BlsError `BLS_ERROR_INVALID_QUORUM` when an index is out of range or repeated, a
 *   signature names an index outside the set, or nobody signed.
 * Source: docs/protocol.md §5 (apk − Σ non-signer keys, one pairing).
 */
export function buildSignerProof(
  members: readonly QuorumMember[],
  signatures: ReadonlyMap<number, Signature>,
): SignerProof {
  const sorted = [...members].sort((a, b) => a.index - b.index);
  checkMembers(sorted, signatures);
  let nonSignerBitmap = 0n;
  const nonSignerPubkeys: Uint8Array[] = [];
  const signed: Signature[] = [];
  for (const member of sorted) {
    const signature = signatures.get(member.index);
    if (signature === undefined) {
      nonSignerBitmap |= 1n << BigInt(member.index);
      nonSignerPubkeys.push(member.pubkeyG1Eip2537);
    } else {
      signed.push(signature);
    }
  }
  return { nonSignerBitmap, nonSignerPubkeys, signatureG2: g2ToEip2537(aggregateSignatures(signed)) };
}

function checkMembers(sorted: readonly QuorumMember[], signatures: ReadonlyMap<number, Signature>): void {
  const fail = (reason: string): never => {
    throw new BlsError({ code: "BLS_ERROR_INVALID_QUORUM", reason }, `cannot build a signer proof: ${reason}`);
  };
  sorted.forEach((m, i) => {
    if (!Number.isInteger(m.index) || m.index < 0 || m.index > 255) fail(`member index ${m.index} is not in 0..255`);
    if (i > 0 && sorted[i - 1].index === m.index) fail(`member index ${m.index} appears twice`);
  });
  const indexes = new Set(sorted.map((m) => m.index));
  for (const index of signatures.keys()) {
    if (!indexes.has(index)) fail(`a signature names index ${index}, which is not in the operator set`);
  }
  if (signatures.size === 0) fail("nobody signed");
}

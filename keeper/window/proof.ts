import { hexlify } from "ethers";

import type { Hex } from "../common";
import type { SparseMerkleProof } from "../jmt";

/** `JmtProof.SparseMerkleProof` in ABI form (what `ChallengeVerifier.verifyInclusion` takes). */
export interface AbiSparseMerkleProof {
  readonly hasLeaf: boolean;
  readonly leafKeyHash: Hex;
  readonly leafValueHash: Hex;
  readonly siblings: Hex[];
}

const ZERO: Hex = `0x${"00".repeat(32)}`;

/** Converts a keeper/jmt proof to the ABI struct `JmtProof.SparseMerkleProof`. */
export function toAbiProof(proof: SparseMerkleProof): AbiSparseMerkleProof {
  return {
    hasLeaf: proof.leaf !== undefined,
    leafKeyHash: proof.leaf ? (hexlify(proof.leaf.keyHash) as Hex) : ZERO,
    leafValueHash: proof.leaf ? (hexlify(proof.leaf.valueHash) as Hex) : ZERO,
    siblings: proof.siblings.map((s) => hexlify(s) as Hex),
  };
}

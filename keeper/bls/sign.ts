/**
 * Signing, verification, aggregation and batch verification over blst, ciphersuite
 * `BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_` (min-pk: public keys in G1, signatures in G2).
 * Verification validates keys (subgroup, not infinity) and group-checks signatures.
 */
import * as blst from "@chainsafe/blst";
import type { PublicKey, SecretKey, Signature } from "@chainsafe/blst";

import { bytesEqual } from "../common";
import { G2_COMPRESSED_BYTES, G2_UNCOMPRESSED_BYTES } from "./constants";
import { BlsError } from "./errors";
import type { SignatureSetItem } from "./types";
import { checkLength, withBlstErrors } from "./utils";

/**
 * Signs `message` (any bytes; hashed to G2 per RFC 9380 with the POP ciphersuite DST).
 * Source: draft-irtf-cfrg-bls-signature-05 §2.6 CoreSign.
 */
export function sign(sk: SecretKey, message: Uint8Array): Signature {
  return sk.sign(message);
}

/**
 * Verifies one signature. Returns false (never throws) for a wrong key, message or signature,
 * an infinity key, or a signature outside G2's subgroup.
 * Source: draft-irtf-cfrg-bls-signature-05 §2.7 CoreVerify.
 */
export function verify(publicKey: PublicKey, message: Uint8Array, signature: Signature): boolean {
  try {
    return blst.verify(message, publicKey, signature, true, true);
  } catch {
    return false;
  }
}

/**
 * Parses and validates a signature from its ZCash serialization (96 B compressed or 192 B
 * uncompressed, Fp2 as c1‖c0): canonical, on the curve, in the subgroup, not infinity.
 * @throws BlsError `BLS_ERROR_INVALID_LENGTH`, `BLS_ERROR_NOT_CANONICAL`, `BLS_ERROR_INVALID_POINT`,
 *   `BLS_ERROR_INFINITY` for the corresponding failure.
 * Source: ZCash BLS12-381 serialization.
 */
export function signatureFromBytes(bytes: Uint8Array): Signature {
  const what = "signature (ZCash G2)";
  checkLength(bytes, [G2_COMPRESSED_BYTES, G2_UNCOMPRESSED_BYTES], what);
  return withBlstErrors(what, () => blst.Signature.fromBytes(bytes, true, true));
}

/**
 * Sums signatures in G2 (each group-checked).
 * @throws BlsError `BLS_ERROR_EMPTY_INPUT` for an empty list; `BLS_ERROR_INVALID_POINT` when a
 *   signature is not in the subgroup.
 * Source: draft-irtf-cfrg-bls-signature-05 §2.8 Aggregate.
 */
export function aggregateSignatures(signatures: readonly Signature[]): Signature {
  nonEmpty(signatures, "signatures to aggregate");
  return withBlstErrors("signature", () => blst.aggregateSignatures([...signatures], true));
}

/**
 * Sums public keys in G1 (each validated: in the subgroup, not infinity). Only sound for keys with
 * a checked proof of possession (rogue-key attacks otherwise).
 * @throws BlsError `BLS_ERROR_EMPTY_INPUT` for an empty list; `BLS_ERROR_INFINITY` or
 *   `BLS_ERROR_INVALID_POINT` for an invalid key.
 */
export function aggregatePublicKeys(publicKeys: readonly PublicKey[]): PublicKey {
  nonEmpty(publicKeys, "public keys to aggregate");
  return withBlstErrors("public key", () => blst.aggregatePublicKeys([...publicKeys], true));
}

/**
 * Verifies many (message, key, signature) triples at once with random 64-bit blinding scalars
 * (one multi-pairing). True iff every triple verifies, except with probability ≈ 2⁻⁶⁴. An empty
 * batch is vacuously valid (true). Never throws for invalid points: they make the batch false.
 * Source: blst `verifyMultipleAggregateSignatures`; https://ethresear.ch/t/5407.
 */
export function verifyBatch(items: readonly SignatureSetItem[]): boolean {
  if (items.length === 0) return true;
  if (items.length > 1 && items.every((i) => bytesEqual(i.message, items[0].message))) {
    return verifyBatchSameMessage(items[0].message, items);
  }
  const sets = items.map((i) => ({ msg: i.message, pk: i.publicKey, sig: i.signature }));
  try {
    return blst.verifyMultipleAggregateSignatures(sets, true, true);
  } catch {
    return false;
  }
}

/**
 * Batch-verifies signatures of one message (an aggregator's case: every operator signs the same
 * commit digest): blst blinds each key and signature with a random 64-bit scalar and sums them
 * (`aggregateWithRandomness`, two multi-scalar multiplications; signatures group-checked), then
 * one pairing check e(Σ rᵢ·pkᵢ, H(m)) = e(g1, Σ rᵢ·σᵢ). True iff every signature verifies, except
 * with probability ≈ 2⁻⁶⁴; one hash-to-curve instead of one per item. Never throws.
 * Source: blst `aggregateWithRandomness` (as Lodestar's same-message batch); https://ethresear.ch/t/5407.
 */
export function verifyBatchSameMessage(
  message: Uint8Array,
  items: readonly Pick<SignatureSetItem, "publicKey" | "signature">[],
): boolean {
  if (items.length === 0) return true;
  try {
    const blinded = blst.aggregateWithRandomness(
      items.map((i) => ({ pk: i.publicKey, sig: i.signature.toBytes(true) })),
    );
    return blst.verify(message, blinded.pk, blinded.sig, true, true);
  } catch {
    return false;
  }
}

/**
 * Returns the indices (ascending) of the items whose signature does not verify. Batch-verifies the
 * whole set first (the common, all-valid case costs one batch check), then bisects failing halves
 * down to single items: about 2·k·log₂(n) batch checks for k bad items out of n.
 */
export function findInvalidSignatures(items: readonly SignatureSetItem[]): number[] {
  const invalid: number[] = [];
  const visit = (start: number, end: number): void => {
    if (end - start === 1) {
      const { publicKey, message, signature } = items[start];
      if (!verify(publicKey, message, signature)) invalid.push(start);
      return;
    }
    if (verifyBatch(items.slice(start, end))) return;
    const mid = start + Math.ceil((end - start) / 2);
    visit(start, mid);
    visit(mid, end);
  };
  if (items.length > 0) visit(0, items.length);
  return invalid;
}

function nonEmpty(list: readonly unknown[], what: string): void {
  if (list.length === 0) {
    throw new BlsError({ code: "BLS_ERROR_EMPTY_INPUT", what }, `no ${what}: pass at least one`);
  }
}

/**
 * keeper/bls — BLS12-381 keys, signatures and the EIP-2537 codec for Newton State, over
 * `@chainsafe/blst` with Ethereum's ciphersuite `BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_`
 * (min-pk: public keys in G1, signatures in G2).
 *
 * Owns: key generation and EIP-2335 keystores (`keys.ts`), sign / verify / aggregate / batch
 * verification and bad-signature search (`sign.ts`), conversion between blst's ZCash
 * serializations and the EIP-2537 precompile encodings (`eip2537.ts`, pure), and the operator
 * proof of possession of docs/protocol.md §5 (`pop.ts`).
 *
 * Data in/out: blst objects (`SecretKey`, `PublicKey`, `Signature`) inside the keeper;
 * `Uint8Array` at the edges — 48/96-byte G1 and 96/192-byte G2 ZCash serializations for peers and
 * keystores, 128-byte G1 / 256-byte G2 EIP-2537 encodings for contracts.
 *
 * ```
 *   ikm ──KeyGen──► SecretKey ──► BlsKeypair {publicKey, pubkeyCompressed 48, pubkeyUncompressed 96, pubkeyG1Eip2537 128}
 *   message ──sign──► Signature ──g2ToEip2537──► 256 B (x.c0‖x.c1‖y.c0‖y.c1)  ──► contract
 *   contract bytes ──g1FromEip2537 / g2FromEip2537 (canonical + curve + subgroup)──► PublicKey / Signature
 * ```
 * Specs: EIP-2537 (encodings), ZCash BLS12-381 serialization (blst bytes), EIP-2335 (keystores),
 * draft-irtf-cfrg-bls-signature-05 (scheme), RFC 9380 (hash to G2). Errors: `BlsError` codes
 * `BLS_ERROR_*`. Imports only keeper/common.
 */
export type { PublicKey, SecretKey, Signature } from "@chainsafe/blst";

export { BlsError, type BlsErrorType } from "./errors";
export type { BlsKeypair, Eip2335Keystore, KeystoreOptions, PointDecodeOptions, SignatureSetItem } from "./types";
export {
  FP_MODULUS,
  G1_COMPRESSED_BYTES,
  G1_EIP2537_BYTES,
  G1_UNCOMPRESSED_BYTES,
  G2_COMPRESSED_BYTES,
  G2_EIP2537_BYTES,
  G2_UNCOMPRESSED_BYTES,
  SECRET_KEY_BYTES,
} from "./constants";
export {
  g1ToEip2537,
  g1FromEip2537,
  g2ToEip2537,
  g2FromEip2537,
  g1NegateEip2537,
  g1UncompressedToEip2537,
  g1Eip2537ToUncompressed,
  g2UncompressedToEip2537,
  g2Eip2537ToUncompressed,
} from "./eip2537";
export {
  generateKeypair,
  keypairFromSecretKey,
  secretKeyFromBytes,
  publicKeyFromBytes,
  encryptKeystore,
  decryptKeystore,
} from "./keys";
export {
  sign,
  verify,
  signatureFromBytes,
  aggregateSignatures,
  aggregatePublicKeys,
  verifyBatch,
  verifyBatchSameMessage,
  findInvalidSignatures,
} from "./sign";
export { POP_TYPE_STRING, POP_TYPEHASH, popDigest, createProofOfPossession, verifyProofOfPossession } from "./pop";
export { buildSignerProof, type QuorumMember, type SignerProof } from "./quorum";

import type { BlsKeypair } from "../bls";
import type { Hex } from "../common";

/** Everything the operator role needs, resolved by the CLI (frozen). */
export interface OperatorOptions {
  readonly chainId: bigint;
  /** StateCommitRegistry proxy address. */
  readonly registry: string;
  /** The operator's registered address. */
  readonly operatorAddress: string;
  /** The operator's BLS key (from its EIP-2335 keystore). */
  readonly keypair: BlsKeypair;
  /** 0x-hex, 32-byte X25519 public key of the operators' shared secrets key (the current epoch's). */
  readonly secretsPublicKey: Hex;
  /**
   * Epoch of `secretsPublicKey`, served as `epoch` at `GET /v1/secrets-key`; absent = a key file without
   * epochs (served without the field, which clients read as epoch 0).
   */
  readonly secretsEpoch?: number;
  /** The previous epoch's public key, held during a key changeover (`GET /v1/secrets-key?epoch=<n>`). */
  readonly secretsPrevious?: { readonly epoch: number; readonly publicKey: Hex };
  readonly httpHost: string;
  /** 0 picks a free port. */
  readonly httpPort: number;
  /** How long a sign request may wait for the indexer to reach the proposal's writes, in ms. */
  readonly signWaitMs: number;
  /** Largest sign request body, in bytes. */
  readonly maxRequestBytes: number;
}

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
  /** Addresses whose EIP-191 signature authenticates a sign request (the aggregators' tx accounts). */
  readonly aggregators: readonly string[];
  /** The window rule's byte cap; must equal the aggregator's `maxCommitBytes`. */
  readonly maxCommitBytes: number;
  /** Sign requests handled at once (waiting for the lock included); more get `SIGN_BUSY` at once. */
  readonly maxConcurrentSigns: number;
  /** How far a proposal's reference block may lag this operator's indexed block, in blocks. */
  readonly maxReferenceLagBlocks: number;
  /** Time limit of one value's fetch, in ms (see keeper/window `fetchWindowValues`). */
  readonly valueTimeoutMs: number;
  /** Largest sign request body, in bytes. */
  readonly maxRequestBytes: number;
  /**
   * State sync and pruning: an empty `dataDir` restores the latest final commit from `peers`
   * (operator or bootnode base URLs), values DA no longer has are read from them, and versions
   * older than the latest final commit − `keepVersions` are pruned (undefined = never).
   */
  readonly sync?: {
    readonly peers: readonly string[];
    /** The registry's `challengeWindowBlocks` (finality). */
    readonly challengeWindowBlocks: number;
    readonly keepVersions?: number;
  };
}

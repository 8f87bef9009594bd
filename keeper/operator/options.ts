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
  /** 0x-hex, 32-byte X25519 public key of the operators' shared secrets key. */
  readonly secretsPublicKey: Hex;
  readonly httpHost: string;
  /** 0 picks a free port. */
  readonly httpPort: number;
  /** How long a sign request may wait for the indexer to reach the proposal's writes, in ms. */
  readonly signWaitMs: number;
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

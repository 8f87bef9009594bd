import type { Hex } from "../common";
import type { TreeUpdateBatch } from "../jmt";

/** One write of a window as applied to the tree: the write-log fields plus the value bytes when held. */
export interface WindowWrite {
  readonly writeIndex: bigint;
  readonly namespace: number;
  /** 32-byte JMT key. */
  readonly keyHash: Hex;
  /** keccak256 of the bytes; 32 zero bytes delete. */
  readonly valueHash: Hex;
  readonly byteLength: number;
  /** The verified value bytes; absent for a delete or a value unavailable on DA (committed by hash). */
  readonly bytes?: Uint8Array;
}

/**
 * A computed but not yet persisted tree version (the "scratch batch" of one proposal): persisted
 * only once the chain holds a commit with this sequence number and root.
 */
export interface ScratchVersion {
  /** Tree version = commit sequence number. */
  readonly version: number;
  /** 32-byte root, 0x-hex. */
  readonly root: Hex;
  /** Exclusive end of the write-log prefix this version covers. */
  readonly writeIndexEnd: bigint;
  /** Writes of the window whose bytes the tree does not hold. */
  readonly unavailable: readonly bigint[];
  /** What the tree store writes when the version is persisted. */
  readonly batch: TreeUpdateBatch;
}

/** Where the delta of a commit lives: its on-chain certificate and the keccak256 of the blob behind it. */
export interface DeltaPointer {
  /** The certificate committed to (`daCommitment = keccak256(daCert)`): the delta blob's, or the manifest's. */
  readonly daCert: Hex;
  /** keccak256 of the payload behind `daCert` (the delta blob, or the manifest). */
  readonly deltaHash: Hex;
}

import { AbiCoder, getAddress, keccak256, solidityPacked, toUtf8Bytes } from "ethers";

import type { Hex } from "../common";

/** Marks "no write" in the write log: a first write's previous link, a never-written key's latest index. */
export const NO_WRITE = 2n ** 64n - 1n;

/** Root of the empty JMT: the 32 ASCII bytes `SPARSE_MERKLE_PLACEHOLDER_HASH__` (penumbra jmt). */
export const EMPTY_TREE_ROOT: Hex = `0x${Buffer.from("SPARSE_MERKLE_PLACEHOLDER_HASH__", "ascii").toString("hex")}`;

/** The EIP-712-style type string of the signed commit; its keccak256 is `STATE_COMMIT_TYPEHASH`. */
export const STATE_COMMIT_TYPE =
  "StateCommit(uint256 chainId,address registry,uint64 sequenceNo,bytes32 prevStateRoot,bytes32 stateRoot," +
  "uint64 writeIndexEnd,uint64 referenceBlock,bytes32 daCommitment,uint64 operatorSetId)";

/** keccak256 of `STATE_COMMIT_TYPE`, as `StateCommitRegistry.STATE_COMMIT_TYPEHASH`. */
export const STATE_COMMIT_TYPEHASH = keccak256(toUtf8Bytes(STATE_COMMIT_TYPE)) as Hex;

/** `IStateCommitRegistry.StateCommit`: what the operators sign for one window. */
export interface StateCommit {
  /** Previous sequence number + 1. */
  readonly sequenceNo: bigint;
  /** 32-byte root of the previous commit. */
  readonly prevStateRoot: Hex;
  /** 32-byte JMT root after the window's writes. */
  readonly stateRoot: Hex;
  /** Exclusive end of the write-log prefix covered. */
  readonly writeIndexEnd: bigint;
  /** Block number the window's writes were selected at. */
  readonly referenceBlock: bigint;
  /** keccak256 of the delta blob's DA certificate bytes. */
  readonly daCommitment: Hex;
  /** The signing operator set. */
  readonly operatorSetId: bigint;
}

/** One write-log entry, as `WriteLog.WriteRecord` in Solidity. */
export interface WriteRecord {
  readonly writeIndex: bigint;
  /** Namespace byte 0x01–0x08. */
  readonly namespace: number;
  /** 32-byte JMT key: `keyHash(namespace, id)`. */
  readonly keyHash: Hex;
  /** keccak256 of the value bytes; 32 zero bytes delete. */
  readonly valueHash: Hex;
  /** Length of the value bytes (bytes). */
  readonly byteLength: number;
  /** Index of the previous write to the same key, or `NO_WRITE`. */
  readonly prevWriteIndex: bigint;
}

const abi = AbiCoder.defaultAbiCoder();

/**
 * The 32-byte digest operators BLS-sign for `commit` on `registry` at `chainId`:
 * `keccak256(abi.encode(STATE_COMMIT_TYPEHASH, chainId, registry, sequenceNo, prevStateRoot, stateRoot,
 * writeIndexEnd, referenceBlock, daCommitment, operatorSetId))` — 10 ABI words, as
 * `StateCommitRegistry.commitDigest`.
 * @param chainId - the EVM chain id (`block.chainid`).
 * @param registry - the StateCommitRegistry proxy address (0x-hex, 20 bytes).
 */
export function stateCommitDigest(chainId: bigint, registry: string, commit: StateCommit): Hex {
  return keccak256(
    abi.encode(
      ["bytes32", "uint256", "address", "uint64", "bytes32", "bytes32", "uint64", "uint64", "bytes32", "uint64"],
      [
        STATE_COMMIT_TYPEHASH,
        chainId,
        getAddress(registry),
        commit.sequenceNo,
        commit.prevStateRoot,
        commit.stateRoot,
        commit.writeIndexEnd,
        commit.referenceBlock,
        commit.daCommitment,
        commit.operatorSetId,
      ],
    ),
  ) as Hex;
}

/** The JMT key of a leaf: `keccak256(abi.encodePacked(uint8 namespace, bytes32 id))` (33 bytes hashed). */
export function keyHash(namespace: number, id: string): Hex {
  return keccak256(solidityPacked(["uint8", "bytes32"], [namespace, id])) as Hex;
}

/** The id of a user-namespace (0x01/0x02) leaf: `keccak256(abi.encode(sender, slot))`, so each account owns its keys. */
export function userLeafId(sender: string, slot: string): Hex {
  return keccak256(abi.encode(["address", "bytes32"], [getAddress(sender), slot])) as Hex;
}

/**
 * The hash `StateCommitRegistry` stores per write index:
 * `keccak256(abi.encode(uint8 namespace, bytes32 keyHash, bytes32 valueHash, uint32 byteLength, uint64 prevWriteIndex))`.
 */
export function writeRecordHash(record: Omit<WriteRecord, "writeIndex">): Hex {
  return keccak256(
    abi.encode(
      ["uint8", "bytes32", "bytes32", "uint32", "uint64"],
      [record.namespace, record.keyHash, record.valueHash, record.byteLength, record.prevWriteIndex],
    ),
  ) as Hex;
}

import type { Hex } from "../../common";

/** Where an event was emitted: block number, transaction hash, index of the log within its block. */
export interface LogPosition {
  /** Block number of the log. */
  readonly blockNumber: number;
  /** 0x-hex, 32 bytes. */
  readonly txHash: Hex;
  /** Index of the log within its block. */
  readonly logIndex: number;
}

/**
 * One `WriteProposed` event with the link the contract keeps: `prevWriteIndex` is the index of the
 * previous write to the same `keyHash` (or `NO_WRITE`), and `recordHash` is `writeRecordHash` of the
 * record — what `StateCommitRegistry.writeRecordHashAt(writeIndex)` returns.
 */
export interface IndexedWrite extends LogPosition {
  /** Position in the global write log (u64). */
  readonly writeIndex: bigint;
  /** Namespace byte 0x01–0x08. */
  readonly namespace: number;
  /** 32-byte JMT key, 0x-hex. */
  readonly keyHash: Hex;
  /** keccak256 of the value bytes; 32 zero bytes delete. */
  readonly valueHash: Hex;
  /** Length of the value bytes, in bytes. */
  readonly byteLength: number;
  /** Index of the previous write to `keyHash`, or `NO_WRITE` (2^64 − 1). */
  readonly prevWriteIndex: bigint;
  /** The account that proposed it (user namespaces) or the owning registry (0x03–0x08), EIP-55. */
  readonly writer: string;
  /** The EigenDA certificate of the value bytes, 0x-hex (opaque). */
  readonly daCert: Hex;
  /** keccak256 of the record, as `writeRecordHashAt(writeIndex)` on-chain. */
  readonly recordHash: Hex;
}

/** One `StateRootCommitted` event still in force (rolled-back commits are deleted). */
export interface IndexedCommit extends LogPosition {
  /** The commit's sequence number (u64, ≥ 1). */
  readonly sequenceNo: bigint;
  /** 32-byte JMT root, 0x-hex. */
  readonly stateRoot: Hex;
  /** Exclusive end of the write-log prefix the root covers. */
  readonly writeIndexEnd: bigint;
  /** The block number the commit's writes were selected at. */
  readonly referenceBlock: bigint;
  /** The delta blob's EigenDA certificate, 0x-hex. */
  readonly daCert: Hex;
  /** keccak256 of `daCert` (the signed `daCommitment`). */
  readonly daCommitment: Hex;
  /** Sum of the signers' weights. */
  readonly signedWeight: bigint;
}

/** One `StateRolledBack` event: commits `fromSequenceNo..toSequenceNo` were dropped. */
export interface IndexedRollback extends LogPosition {
  /** The first dropped commit (the challenged one). */
  readonly fromSequenceNo: bigint;
  /** The last dropped commit (the latest at the time). */
  readonly toSequenceNo: bigint;
  /** The root of `fromSequenceNo − 1`, latest again. */
  readonly restoredStateRoot: Hex;
}

/** Which policy registry emitted a {@link PolicyEvent}. */
export type PolicyRegistryName = "PolicyRegistry" | "PolicyDataRegistry";

interface PolicyEventBase extends LogPosition {
  readonly registry: PolicyRegistryName;
}

/** `TemplateRegistered` of either registry; `artifacts` are the content hashes in the event's order. */
export interface TemplateRegisteredEvent extends PolicyEventBase {
  readonly kind: "TemplateRegistered";
  readonly templateId: Hex;
  readonly author: string;
  /** PolicyRegistry: {regoHash, paramsSchemaHash}; PolicyDataRegistry: {wasmHash, paramsSchemaHash, secretsSchemaHash}. */
  readonly artifacts: Readonly<Record<string, Hex>>;
  /** PolicyRegistry only: the data templates, ascending; empty for PolicyDataRegistry. */
  readonly policyDataTemplateIds: readonly Hex[];
}

/** `InstanceDeployed` of either registry. */
export interface InstanceDeployedEvent extends PolicyEventBase {
  readonly kind: "InstanceDeployed";
  readonly instanceId: Hex;
  readonly templateId: Hex;
  readonly client: string;
  readonly deployer: string;
  readonly paramsHash: Hex;
  /** Attestation lifetime, in blocks. */
  readonly expireAfter: bigint;
  /** The params bytes, 0x-hex. */
  readonly params: Hex;
  /** PolicyRegistry only: the bound data instances; empty for PolicyDataRegistry. */
  readonly policyDataInstanceIds: readonly Hex[];
}

/** `CurrentInstanceSet` of either registry; `previousId` is 32 zero bytes when there was none. */
export interface CurrentInstanceSetEvent extends PolicyEventBase {
  readonly kind: "CurrentInstanceSet";
  readonly client: string;
  readonly templateId: Hex;
  readonly instanceId: Hex;
  readonly previousId: Hex;
}

/** `SecretsSet` (PolicyDataRegistry); `envelopeHash` 0 with `byteLength` 0 deletes the secrets. */
export interface SecretsSetEvent extends PolicyEventBase {
  readonly kind: "SecretsSet";
  readonly instanceId: Hex;
  readonly client: string;
  readonly envelopeHash: Hex;
  /** Envelope length, in bytes. */
  readonly byteLength: number;
}

/** The policy registries' events the indexer records, in chain order. */
export type PolicyEvent = TemplateRegisteredEvent | InstanceDeployedEvent | CurrentInstanceSetEvent | SecretsSetEvent;

/** Selects policy events; every given field must match (addresses compared case-insensitively). */
export interface PolicyEventFilter {
  readonly kind?: PolicyEvent["kind"];
  readonly registry?: PolicyRegistryName;
  readonly templateId?: string;
  readonly instanceId?: string;
  readonly client?: string;
  /** Inclusive block range. */
  readonly fromBlock?: number;
  readonly toBlock?: number;
}

/** The last block whose events are all stored, and its hash (to detect a reorg deeper than `confirmations`). */
export interface IndexerCheckpoint {
  /** Block number; `startBlock − 1` before the first range. */
  readonly indexedBlock: number;
  /** 0x-hex, 32 bytes; undefined before the first range. */
  readonly blockHash?: Hex;
}

/** What one processed range added, as emitted with the `"indexed"` event. */
export interface IndexedRange {
  readonly fromBlock: number;
  readonly toBlock: number;
  readonly writes: number;
  readonly commits: number;
  readonly rollbacks: number;
  readonly policyEvents: number;
}

/** The contracts followed; each address 0x-hex (any case). */
export interface IndexerContracts {
  readonly stateCommitRegistry: string;
  readonly policyRegistry?: string;
  readonly policyDataRegistry?: string;
}

/** A repaired reorg: what the indexer forgot to re-index it (the `rewound` event). */
export interface IndexerRewind {
  /** The indexed block before the repair. */
  readonly fromBlock: number;
  /** The common ancestor: the indexed block after the repair (`startBlock − 1` when nothing was kept). */
  readonly toBlock: number;
  /** The chain head seen when the reorg was found. */
  readonly head: number;
  readonly writes: number;
  readonly commits: number;
  readonly rollbacks: number;
  readonly policyEvents: number;
}

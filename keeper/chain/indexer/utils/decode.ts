import { Interface, getAddress, keccak256, type LogDescription } from "ethers";

import type { Hex } from "../../../common";
import { IndexerError } from "../errors";
import type { RawLog } from "../rpc";
import type { IndexedCommit, IndexedRollback, LogPosition, PolicyEvent, PolicyRegistryName } from "../types";

/** The StateCommitRegistry events and views the indexer uses (IStateCommitRegistry.sol). */
export const STATE_COMMIT_REGISTRY_ABI = new Interface([
  "event WriteProposed(uint64 indexed writeIndex, uint8 indexed namespace, bytes32 indexed keyHash, bytes32 valueHash, uint32 byteLength, address writer, bytes daCert)",
  "event StateRootCommitted(uint64 indexed sequenceNo, bytes32 stateRoot, uint64 writeIndexEnd, uint64 referenceBlock, bytes daCert, uint256 signedWeight)",
  "event StateRolledBack(uint64 indexed fromSequenceNo, uint64 toSequenceNo, bytes32 restoredStateRoot)",
  "function writeCount() view returns (uint64)",
  "function writeRecordHashAt(uint64 writeIndex) view returns (bytes32)",
  "function latest() view returns (uint64 sequenceNo, (bytes32 stateRoot, uint64 writeIndexEnd, uint64 referenceBlock, uint64 operatorSetId, uint64 committedAtBlock, bytes32 daCommitment, uint256 nonSignerBitmap) record)",
]);

/** PolicyDataRegistry events (IPolicyDataRegistry.sol, IPolicyRegistryBase.sol). */
export const POLICY_DATA_REGISTRY_ABI = new Interface([
  "event TemplateRegistered(bytes32 indexed templateId, address indexed author, bytes32 wasmHash, bytes32 paramsSchemaHash, bytes32 secretsSchemaHash)",
  "event InstanceDeployed(bytes32 indexed instanceId, bytes32 indexed templateId, address indexed client, address deployer, bytes32 paramsHash, uint64 expireAfter, bytes params)",
  "event SecretsSet(bytes32 indexed instanceId, address indexed client, bytes32 envelopeHash, uint32 byteLength)",
  "event CurrentInstanceSet(address indexed client, bytes32 indexed templateId, bytes32 indexed instanceId, bytes32 previousId)",
]);

/** PolicyRegistry events (IPolicyRegistry.sol, IPolicyRegistryBase.sol). */
export const POLICY_REGISTRY_ABI = new Interface([
  "event TemplateRegistered(bytes32 indexed templateId, address indexed author, bytes32 regoHash, bytes32 paramsSchemaHash, bytes32[] policyDataTemplateIds)",
  "event InstanceDeployed(bytes32 indexed instanceId, bytes32 indexed templateId, address indexed client, address deployer, bytes32 paramsHash, uint64 expireAfter, bytes params, bytes32[] policyDataInstanceIds)",
  "event CurrentInstanceSet(address indexed client, bytes32 indexed templateId, bytes32 indexed instanceId, bytes32 previousId)",
]);

/** A decoded `WriteProposed`, before the indexer links it to the previous write of its key. */
export interface ProposedWrite extends LogPosition {
  readonly writeIndex: bigint;
  readonly namespace: number;
  readonly keyHash: Hex;
  readonly valueHash: Hex;
  readonly byteLength: number;
  readonly writer: string;
  readonly daCert: Hex;
}

/** One decoded log of a followed contract, in chain order. */
export type DecodedEvent =
  | { readonly type: "write"; readonly event: ProposedWrite }
  | { readonly type: "commit"; readonly event: IndexedCommit }
  | { readonly type: "rollback"; readonly event: IndexedRollback }
  | { readonly type: "policy"; readonly event: PolicyEvent };

/** Positions of a raw log. */
export function logPosition(log: RawLog): LogPosition {
  return {
    blockNumber: Number.parseInt(log.blockNumber.slice(2), 16),
    txHash: log.transactionHash.toLowerCase() as Hex,
    logIndex: Number.parseInt(log.logIndex.slice(2), 16),
  };
}

/**
 * Decodes `log` emitted by `emitter` ("StateCommitRegistry" or a policy registry); undefined for
 * events the indexer does not record (config changes, upgrades, …).
 * @throws IndexerError `INDEXER_ERROR_LOG_ORDER` when a known event's data does not decode.
 */
export function decodeLog(emitter: "StateCommitRegistry" | PolicyRegistryName, log: RawLog): DecodedEvent | undefined {
  const abi =
    emitter === "StateCommitRegistry"
      ? STATE_COMMIT_REGISTRY_ABI
      : emitter === "PolicyRegistry"
        ? POLICY_REGISTRY_ABI
        : POLICY_DATA_REGISTRY_ABI;
  let parsed: LogDescription | null;
  try {
    parsed = abi.parseLog({ topics: [...log.topics], data: log.data });
  } catch (err) {
    const pos = logPosition(log);
    throw new IndexerError(
      { code: "INDEXER_ERROR_LOG_ORDER", ...pos, reason: `undecodable log: ${(err as Error).message.slice(0, 120)}` },
      `log ${pos.logIndex} of block ${pos.blockNumber} does not decode; is the address right?`,
    );
  }
  if (parsed === null) return undefined;
  const pos = logPosition(log);
  return emitter === "StateCommitRegistry" ? decodeRegistryEvent(parsed, pos) : decodePolicyEvent(emitter, parsed, pos);
}

function decodeRegistryEvent(p: LogDescription, pos: LogPosition): DecodedEvent | undefined {
  const a = p.args;
  if (p.name === "WriteProposed") {
    const event: ProposedWrite = {
      ...pos,
      writeIndex: a.writeIndex as bigint,
      namespace: Number(a.namespace),
      keyHash: hex(a.keyHash),
      valueHash: hex(a.valueHash),
      byteLength: Number(a.byteLength),
      writer: getAddress(a.writer as string),
      daCert: hex(a.daCert),
    };
    return { type: "write", event };
  }
  if (p.name === "StateRootCommitted") {
    const event: IndexedCommit = {
      ...pos,
      sequenceNo: a.sequenceNo as bigint,
      stateRoot: hex(a.stateRoot),
      writeIndexEnd: a.writeIndexEnd as bigint,
      referenceBlock: a.referenceBlock as bigint,
      daCert: hex(a.daCert),
      daCommitment: keccak256(a.daCert as string) as Hex,
      signedWeight: a.signedWeight as bigint,
    };
    return { type: "commit", event };
  }
  if (p.name === "StateRolledBack") {
    const event: IndexedRollback = {
      ...pos,
      fromSequenceNo: a.fromSequenceNo as bigint,
      toSequenceNo: a.toSequenceNo as bigint,
      restoredStateRoot: hex(a.restoredStateRoot),
    };
    return { type: "rollback", event };
  }
  return undefined;
}

function decodePolicyEvent(registry: PolicyRegistryName, p: LogDescription, pos: LogPosition): DecodedEvent {
  const base = { ...pos, registry };
  const build = POLICY_BUILDERS[p.name as PolicyEvent["kind"]];
  return { type: "policy", event: build(base, p.args, registry === "PolicyRegistry") };
}

type Args = LogDescription["args"];
type Base = LogPosition & { readonly registry: PolicyRegistryName };

/** Builders of each policy event from its decoded arguments; `policy` is true for PolicyRegistry. */
const POLICY_BUILDERS: Record<PolicyEvent["kind"], (base: Base, a: Args, policy: boolean) => PolicyEvent> = {
  TemplateRegistered: (base, a, policy) => ({
    ...base,
    kind: "TemplateRegistered",
    templateId: hex(a.templateId),
    author: getAddress(a.author as string),
    artifacts: Object.fromEntries(
      (policy ? ["regoHash", "paramsSchemaHash"] : ["wasmHash", "paramsSchemaHash", "secretsSchemaHash"]).map((n) => [
        n,
        hex(a[n]),
      ]),
    ),
    policyDataTemplateIds: policy ? ids(a.policyDataTemplateIds) : [],
  }),
  InstanceDeployed: (base, a, policy) => ({
    ...base,
    kind: "InstanceDeployed",
    instanceId: hex(a.instanceId),
    templateId: hex(a.templateId),
    client: getAddress(a.client as string),
    deployer: getAddress(a.deployer as string),
    paramsHash: hex(a.paramsHash),
    expireAfter: a.expireAfter as bigint,
    params: hex(a.params),
    policyDataInstanceIds: policy ? ids(a.policyDataInstanceIds) : [],
  }),
  SecretsSet: (base, a) => ({
    ...base,
    kind: "SecretsSet",
    instanceId: hex(a.instanceId),
    client: getAddress(a.client as string),
    envelopeHash: hex(a.envelopeHash),
    byteLength: Number(a.byteLength),
  }),
  CurrentInstanceSet: (base, a) => ({
    ...base,
    kind: "CurrentInstanceSet",
    client: getAddress(a.client as string),
    templateId: hex(a.templateId),
    instanceId: hex(a.instanceId),
    previousId: hex(a.previousId),
  }),
};

function ids(v: unknown): Hex[] {
  return (v as string[]).map(hex);
}

function hex(v: unknown): Hex {
  return (v as string).toLowerCase() as Hex;
}

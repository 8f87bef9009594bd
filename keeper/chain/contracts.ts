import { Contract, Interface, type ContractRunner } from "ethers";

/**
 * Human-readable ABIs of the calls and events the keeper uses, copied from
 * `contracts/interfaces/I*.sol` (tests check them against the compiled artifacts via encoding).
 */
export const STATE_COMMIT_REGISTRY_ABI = [
  "event WriteProposed(uint64 indexed writeIndex, uint8 indexed namespace, bytes32 indexed keyHash, bytes32 valueHash, uint32 byteLength, address writer, bytes daCert)",
  "event StateRootCommitted(uint64 indexed sequenceNo, bytes32 stateRoot, uint64 writeIndexEnd, uint64 referenceBlock, bytes daCert, uint256 signedWeight)",
  "event StateRolledBack(uint64 indexed fromSequenceNo, uint64 toSequenceNo, bytes32 restoredStateRoot)",
  "function proposeWrite(uint8 namespace, bytes32 slot, bytes32 valueHash, uint32 byteLength, bytes daCert) returns (uint64)",
  "function commitStateRoot((uint64 sequenceNo, bytes32 prevStateRoot, bytes32 stateRoot, uint64 writeIndexEnd, uint64 referenceBlock, bytes32 daCommitment, uint64 operatorSetId) commit, bytes daCert, (uint256 nonSignerBitmap, bytes[] nonSignerPubkeys, bytes signatureG2) proof) returns (uint256)",
  "function latest() view returns (uint64 sequenceNo, (bytes32 stateRoot, uint64 writeIndexEnd, uint64 referenceBlock, uint64 operatorSetId, uint64 committedAtBlock, bytes32 daCommitment, uint256 nonSignerBitmap) record)",
  "function commitAt(uint64 sequenceNo) view returns ((bytes32 stateRoot, uint64 writeIndexEnd, uint64 referenceBlock, uint64 operatorSetId, uint64 committedAtBlock, bytes32 daCommitment, uint256 nonSignerBitmap))",
  "function writeCount() view returns (uint64)",
  "function challengeWindowBlocks() view returns (uint64)",
  "function operatorRegistry() view returns (address)",
  "error CommitSequenceGap(uint64 expected, uint64 actual)",
  "error CommitPrevRootMismatch(bytes32 expected, bytes32 actual)",
  "error CommitWriteIndexBackwards(uint64 previous, uint64 actual)",
  "error CommitWriteIndexBeyondLog(uint64 writeCount, uint64 actual)",
  "error CommitReferenceBlockNotPast(uint64 referenceBlock, uint256 blockNumber)",
  "error CommitDaCertMismatch(bytes32 expected, bytes32 actual)",
  "error CommitStaleOperatorSet(uint64 expected, uint64 actual)",
  "error QuorumNotReached(uint256 signedWeight, uint256 totalWeight, uint16 quorumBips)",
  "error QuorumInvalidSignature()",
  "error QuorumNoSigners()",
] as const;

export const OPERATOR_REGISTRY_ABI = [
  "function operatorSetId() view returns (uint64)",
  "function activeBitmap() view returns (uint256)",
  "function quorumBips() view returns (uint16)",
  "function totalWeight() view returns (uint256)",
  "function operatorInfo(address operator) view returns ((bytes32 pubkeyHash, uint96 weight, uint8 index, bool active))",
  "function operatorAt(uint8 index, uint64 setId) view returns (address)",
  "event OperatorRegistered(address indexed operator, uint8 indexed index, bytes32 pubkeyHash, uint96 weight, uint64 indexed operatorSetId)",
] as const;

export const CHALLENGE_VERIFIER_ABI = [
  "function verifyInclusion(uint64 sequenceNo, bytes32 keyHash, bytes32 valueHash, (bool hasLeaf, bytes32 leafKeyHash, bytes32 leafValueHash, bytes32[] siblings) proof) view returns (bool)",
  "function challengeCommit(uint64 sequenceNo, (uint64 writeIndex, uint8 namespace, bytes32 keyHash, bytes32 valueHash, uint32 byteLength, uint64 prevWriteIndex) write, (bool keyHasNoLaterWrite, (uint64 writeIndex, uint8 namespace, bytes32 keyHash, bytes32 valueHash, uint32 byteLength, uint64 prevWriteIndex) next) successor, (bool hasLeaf, bytes32 leafKeyHash, bytes32 leafValueHash, bytes32[] siblings) proof)",
  "event CommitChallenged(uint64 indexed sequenceNo, bytes32 indexed keyHash, bytes32 expectedValueHash, bytes32 committedValueHash, address indexed challenger, address[] signers)",
  "error ChallengeCommitFinal(uint64 sequenceNo)",
  "error ChallengeCommitMatches(uint64 sequenceNo, bytes32 keyHash, bytes32 valueHash)",
  "error ChallengeWriteRecordMismatch(uint64 writeIndex)",
  "error ChallengeSuccessorInvalid(bytes32 keyHash)",
  "error ChallengeWriteNotCovered(uint64 writeIndex, uint64 writeIndexEnd)",
  // Key-opening challenge (IKeyOpening).
  "function openKey(uint64 sequenceNo, bytes32 keyHash, uint256 parentId) payable returns (uint256 id)",
  "function resolveOpening(uint256 id, (uint64 writeIndex, uint8 namespace, bytes32 keyHash, bytes32 valueHash, uint32 byteLength, uint64 prevWriteIndex) write, (bool keyHasNoLaterWrite, (uint64 writeIndex, uint8 namespace, bytes32 keyHash, bytes32 valueHash, uint32 byteLength, uint64 prevWriteIndex) next) successor, (bool hasLeaf, bytes32 leafKeyHash, bytes32 leafValueHash, bytes32[] siblings) proof)",
  "function settleOpening(uint256 id)",
  "function withdrawBonds()",
  "function openingAt(uint256 id) view returns ((address challenger, uint64 sequenceNo, uint16 level, uint8 status, bytes32 keyHash, bytes32 commitKey, uint96 bond, uint64 deadline, uint16 revealedDepth))",
  "function openingCount() view returns (uint256)",
  "function openingConfig() view returns (uint256 challengeBondWei, uint64 resolveWindowBlocks)",
  "event OpeningChallenged(uint256 indexed id, uint64 indexed sequenceNo, bytes32 keyHash, uint256 indexed parentId, uint16 level, address challenger, uint256 bond, uint64 deadline)",
  "event OpeningResolved(uint256 indexed id, uint64 indexed sequenceNo, address indexed resolver, (bool hasLeaf, bytes32 leafKeyHash, bytes32 leafValueHash, bytes32[] siblings) proof, uint64 descendDeadline)",
  "event OpeningSettled(uint256 indexed id, uint64 indexed sequenceNo, uint8 status, address[] signers)",
  "error OpeningWrongStatus(uint256 id, uint8 status)",
  "error OpeningResolveWindowClosed(uint256 id, uint64 deadline, uint256 blockNumber)",
  "error OpeningNotExpired(uint256 id, uint64 deadline, uint256 blockNumber)",
  "error OpeningCommitGone(uint256 id, uint64 sequenceNo)",
  "error OpeningDescentInvalid(uint256 parentId, bytes32 keyHash)",
  "error JmtProofRootMismatch(bytes32 keyHash, bytes32 expectedRoot, bytes32 actualRoot)",
] as const;

/** `IKeyOpening.OpeningStatus` as the ABI's uint8. */
export const OPENING_STATUS = { None: 0, Open: 1, Resolved: 2, Closed: 3, Slashed: 4, Cancelled: 5 } as const;

export const stateCommitRegistryInterface = new Interface(STATE_COMMIT_REGISTRY_ABI);
export const operatorRegistryInterface = new Interface(OPERATOR_REGISTRY_ABI);
export const challengeVerifierInterface = new Interface(CHALLENGE_VERIFIER_ABI);

/** The three contracts the keeper talks to, connected to `runner`. */
export interface KeeperContracts {
  readonly stateCommitRegistry: Contract;
  readonly operatorRegistry: Contract;
  readonly challengeVerifier: Contract;
}

/** Addresses of the keeper's contracts (from `deployments/<network>.json`). */
export interface KeeperAddresses {
  readonly stateCommitRegistry: string;
  readonly operatorRegistry: string;
  readonly challengeVerifier: string;
}

/** Connects the keeper's contracts at `addresses`. */
export function connectContracts(addresses: KeeperAddresses, runner: ContractRunner): KeeperContracts {
  return {
    stateCommitRegistry: new Contract(addresses.stateCommitRegistry, STATE_COMMIT_REGISTRY_ABI, runner),
    operatorRegistry: new Contract(addresses.operatorRegistry, OPERATOR_REGISTRY_ABI, runner),
    challengeVerifier: new Contract(addresses.challengeVerifier, CHALLENGE_VERIFIER_ABI, runner),
  };
}

/** Decodes a revert's custom error against the keeper's ABIs: `Name(arg, …)`, or undefined. */
export function decodeRevert(data: string | undefined): string | undefined {
  if (data === undefined || data.length < 10) return undefined;
  for (const iface of [stateCommitRegistryInterface, challengeVerifierInterface, operatorRegistryInterface]) {
    try {
      const parsed = iface.parseError(data);
      if (parsed) return `${parsed.name}(${parsed.args.map((a: unknown) => String(a)).join(", ")})`;
    } catch {
      // not this interface
    }
  }
  return undefined;
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Libraries
import {JmtProof} from "../libraries/JmtProof.sol";
import {WriteLog} from "../libraries/WriteLog.sol";

// Interfaces
import {IOperatorRegistry} from "./IOperatorRegistry.sol";

/// @title IChallengeVerifier
/// @notice Makes the operators' signatures accountable: JMT proof checks against committed roots, the committed-write
///         fraud proof (rolls a wrong commit back and slashes its signers) and the policy-attestation challenge.
interface IChallengeVerifier {
    /// @notice How a challenger shows that `w` is the latest write to its key below a commit's `writeIndexEnd`.
    /// @param keyHasNoLaterWrite True: `w` is the key's latest write overall (`latestWriteIndex(key) == w.writeIndex`).
    ///        False: `next` is a write at or after `writeIndexEnd` whose previous-write link is `w.writeIndex`.
    /// @param next The successor write (ignored when `keyHasNoLaterWrite`).
    struct SuccessorWitness {
        bool keyHasNoLaterWrite;
        WriteLog.WriteRecord next;
    }

    /// @notice One policy-data instance an attestation used, with everything it claims about it.
    struct PolicyDataBinding {
        bytes32 policyDataInstanceId;
        bytes32 policyDataTemplateId;
        bytes32 wasmHash;
        bytes32 paramsSchemaHash;
        bytes32 secretsSchemaHash;
        bytes32 paramsHash;
    }

    /// @notice What operators BLS-sign about one policy evaluation (docs/security-model.md).
    struct PolicyAttestation {
        uint256 chainId;
        bytes32 taskId;
        bytes32 policyInstanceId;
        bytes32 policyTemplateId;
        bytes32 regoHash;
        bytes32 paramsSchemaHash;
        bytes32 paramsHash;
        uint64 referenceBlock;
        uint64 expirationBlock;
        PolicyDataBinding[] policyData;
        bytes32 resultHash;
        uint64 operatorSetId;
    }

    /// @notice Emitted when a commit is proven wrong: it and every later commit are rolled back and `signers` slashed.
    /// @param expectedValueHash What the write log says the key holds (zero: absent).
    /// @param committedValueHash What the commit's root holds (zero: absent).
    event CommitChallenged(
        uint64 indexed sequenceNo,
        bytes32 indexed keyHash,
        bytes32 expectedValueHash,
        bytes32 committedValueHash,
        address indexed challenger,
        address[] signers
    );
    /// @notice Emitted when an attestation is proven wrong; `reason` is one of the `REASON_*` codes.
    event AttestationChallenged(
        bytes32 indexed attestationDigest,
        bytes32 indexed reason,
        address indexed challenger,
        address[] signers
    );
    /// @notice Emitted when the owner changes the share of weight slashed for a wrong commit or attestation.
    event SlashBipsUpdated(uint16 commitFraudSlashBips, uint16 attestationSlashBips);

    /// @notice Commit `sequenceNo` is final (or genesis) and can no longer be challenged.
    error ChallengeCommitFinal(uint64 sequenceNo);
    /// @notice The write at `writeIndex` is not below the commit's `writeIndexEnd`.
    error ChallengeWriteNotCovered(uint64 writeIndex, uint64 writeIndexEnd);
    /// @notice The record given for `writeIndex` does not hash to the stored record hash.
    error ChallengeWriteRecordMismatch(uint64 writeIndex);
    /// @notice The successor witness does not show that no write to the key lies between the write and the commit end.
    error ChallengeSuccessorInvalid(bytes32 keyHash);
    /// @notice The commit holds exactly what the write log says: there is nothing to slash.
    error ChallengeCommitMatches(uint64 sequenceNo, bytes32 keyHash, bytes32 valueHash);
    /// @notice The attestation names another chain (rejected without slashing).
    error AttestationWrongChain(uint256 expected, uint256 actual);
    /// @notice The attestation's challenge window (ends at block `deadline`) has passed (rejected without slashing).
    error AttestationWindowClosed(uint256 deadline, uint256 blockNumber);
    /// @notice The attestation's reference block is not in the past.
    error AttestationReferenceBlockNotPast(uint64 referenceBlock, uint256 blockNumber);
    /// @notice The attestation re-derives exactly from the registries: there is nothing to slash.
    error AttestationMatches(bytes32 attestationDigest);
    /// @notice The attestation with this digest was already slashed.
    error AttestationAlreadySlashed(bytes32 attestationDigest);
    /// @notice A slash share must be in (0, 10 000] basis points.
    error ChallengeSlashBipsInvalid(uint16 bips);

    /// @notice Whether `proof` shows `keyHash` ↦ `valueHash` under the root of commit `sequenceNo`.
    function verifyInclusion(
        uint64 sequenceNo,
        bytes32 keyHash,
        bytes32 valueHash,
        JmtProof.SparseMerkleProof calldata proof
    ) external view returns (bool);

    /// @notice Whether `proof` shows `keyHash` absent under the root of commit `sequenceNo`.
    function verifyExclusion(
        uint64 sequenceNo,
        bytes32 keyHash,
        JmtProof.SparseMerkleProof calldata proof
    ) external view returns (bool);

    /// @notice Proves that non-final commit `sequenceNo` does not hold the value of the latest write to a key at or
    ///         below its `writeIndexEnd`, or that a path of its tree is malformed; rolls it back and slashes its
    ///         signers.
    function challengeCommit(
        uint64 sequenceNo,
        WriteLog.WriteRecord calldata write,
        SuccessorWitness calldata successor,
        JmtProof.SparseMerkleProof calldata proof
    ) external;

    /// @notice Proves that a quorum signed an attestation that does not re-derive from this chain's registries at its
    ///         reference block; slashes the signers.
    function challengeAttestation(
        PolicyAttestation calldata attestation,
        IOperatorRegistry.SignerProof calldata proof
    ) external;

    /// @notice The EIP-712 typed-data digest operators sign for `attestation`, over this verifier's domain (see the
    ///         implementation for the encoding).
    function attestationDigest(PolicyAttestation calldata attestation) external view returns (bytes32);

    /// @notice The EIP-712 domain separator of attestation digests (name, version, chain id, this verifier).
    function domainSeparator() external view returns (bytes32);
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Interfaces
import {IOperatorRegistry} from "./IOperatorRegistry.sol";

/// @title IStateCommitRegistry
/// @notice One chain's write log and its BLS-quorum-signed Jellyfish Merkle Tree roots.
/// @dev The root of commit n is a pure function of the write-log prefix `[0, writeIndexEnd_n)`: apply the writes in
///      index order, last writer wins, `valueHash = 0` deletes. Sequence 0 is the genesis: the empty tree, whose root
///      is the 32 ASCII bytes `SPARSE_MERKLE_PLACEHOLDER_HASH__`, with `writeIndexEnd = 0`.
interface IStateCommitRegistry {
    /// @notice What the operators sign for one window.
    /// @param sequenceNo The commit's number: the previous one plus 1.
    /// @param prevStateRoot The root of commit `sequenceNo − 1`.
    /// @param stateRoot The JMT root (keccak256 scheme) after applying writes `[prev writeIndexEnd, writeIndexEnd)`.
    /// @param writeIndexEnd One past the last write index included (exclusive end of the prefix).
    /// @param referenceBlock The block (number) the window's writes were selected at; strictly in the past.
    /// @param daCommitment keccak256 of the EigenDA certificate bytes of the window's delta blob.
    /// @param operatorSetId The operator set that signs (must be current when committed).
    struct StateCommit {
        uint64 sequenceNo;
        bytes32 prevStateRoot;
        bytes32 stateRoot;
        uint64 writeIndexEnd;
        uint64 referenceBlock;
        bytes32 daCommitment;
        uint64 operatorSetId;
    }

    /// @notice What the registry keeps of each accepted commit.
    /// @param stateRoot The committed root.
    /// @param writeIndexEnd Exclusive end of the write-log prefix it covers.
    /// @param referenceBlock The signed reference block (block number).
    /// @param operatorSetId The set that signed it.
    /// @param committedAtBlock The block number it landed in (finality counts from here).
    /// @param daCommitment keccak256 of the DA certificate bytes.
    /// @param nonSignerBitmap Indexes of the set's members that did not sign.
    struct CommitRecord {
        bytes32 stateRoot;
        uint64 writeIndexEnd;
        uint64 referenceBlock;
        uint64 operatorSetId;
        uint64 committedAtBlock;
        bytes32 daCommitment;
        uint256 nonSignerBitmap;
    }

    /// @notice Emitted for every write; indexers rebuild the log from these. `daCert` locates the value bytes.
    event WriteProposed(
        uint64 indexed writeIndex,
        uint8 indexed namespace,
        bytes32 indexed keyHash,
        bytes32 valueHash,
        uint32 byteLength,
        address writer,
        bytes daCert
    );
    /// @notice Emitted when a quorum-signed root is accepted.
    event StateRootCommitted(
        uint64 indexed sequenceNo,
        bytes32 stateRoot,
        uint64 writeIndexEnd,
        uint64 referenceBlock,
        bytes daCert,
        uint256 signedWeight
    );
    /// @notice Emitted when commits `fromSequenceNo..toSequenceNo` are dropped; `fromSequenceNo − 1` is latest again.
    event StateRolledBack(uint64 indexed fromSequenceNo, uint64 toSequenceNo, bytes32 restoredStateRoot);
    /// @notice Emitted when the owner sets the contract allowed to write `namespace`.
    event NamespaceWriterSet(uint8 indexed namespace, address indexed oldWriter, address indexed newWriter);
    /// @notice Emitted when the owner sets the challenge verifier (the only caller of `rollback`).
    event ChallengeVerifierSet(address indexed oldVerifier, address indexed newVerifier);
    /// @notice Emitted when the per-write size cap (bytes) changes.
    event MaxWriteBytesUpdated(uint32 oldMaxWriteBytes, uint32 newMaxWriteBytes);
    /// @notice Emitted when the challenge window (blocks) changes.
    event ChallengeWindowBlocksUpdated(uint64 oldChallengeWindowBlocks, uint64 newChallengeWindowBlocks);

    /// @notice Emitted when the challenge verifier changes the lowest sequence number held non-final (0: none).
    event FinalityHeldFrom(uint64 sequenceNo);

    /// @notice `namespace` is not writable through the function called (user: 0x01–0x02; registries: 0x03–0x08).
    error WriteNamespaceInvalid(uint8 namespace);
    /// @notice `caller` is not the registered writer of `namespace`.
    error WriteCallerNotNamespaceWriter(uint8 namespace, address caller);
    /// @notice `byteLength` is over the cap `maxWriteBytes`.
    error WriteTooLarge(uint32 byteLength, uint32 maxWriteBytes);
    /// @notice A delete (`valueHash = 0`) must have `byteLength = 0`.
    error WriteDeleteWithBytes(uint32 byteLength);
    /// @notice The commit's `sequenceNo` is not `expected` (latest + 1).
    error CommitSequenceGap(uint64 expected, uint64 actual);
    /// @notice The commit's `prevStateRoot` is not the latest root.
    error CommitPrevRootMismatch(bytes32 expected, bytes32 actual);
    /// @notice `writeIndexEnd` goes below the previous commit's.
    error CommitWriteIndexBackwards(uint64 previous, uint64 actual);
    /// @notice `writeIndexEnd` is past the number of writes so far.
    error CommitWriteIndexBeyondLog(uint64 writeCount, uint64 actual);
    /// @notice `referenceBlock` is not strictly before the current block.
    error CommitReferenceBlockNotPast(uint64 referenceBlock, uint256 blockNumber);
    /// @notice keccak256(daCert) is not the signed `daCommitment`.
    error CommitDaCertMismatch(bytes32 expected, bytes32 actual);
    /// @notice The commit names operator set `actual`, but `expected` is current.
    error CommitStaleOperatorSet(uint64 expected, uint64 actual);
    /// @notice No commit with `sequenceNo` exists (never committed, or rolled back).
    error CommitUnknown(uint64 sequenceNo);
    /// @notice Only the challenge verifier may roll back.
    error RollbackCallerNotVerifier(address caller);
    /// @notice Commit `sequenceNo` is final (its challenge window has passed) and cannot be rolled back.
    error RollbackCommitFinal(uint64 sequenceNo);
    /// @notice A configuration value is out of range.
    error ConfigValueInvalid(bytes32 what, uint256 value);
    /// @notice The write fee (`writeFee(byteLength)` at this block and log state, in wei) exceeds the value sent.
    error WriteFeeTooLow(uint256 required, uint256 paid);
    /// @notice Sending `amount` wei to `to` (an overpayment refund, or a fee withdrawal) failed.
    error WriteFeeTransferFailed(address to, uint256 amount);

    /// @notice The write-fee parameters changed (see `setWriteFeeParams`).
    event WriteFeeParamsUpdated(uint64 minBaseFeePerByte, uint32 targetBytesPerBlock, uint48 updateFraction);
    /// @notice The owner withdrew `amount` wei of collected write fees to `to`.
    event WriteFeesWithdrawn(address indexed to, uint256 amount);

    /// @notice Appends a write to the caller's own key in a user namespace (0x01 identity, 0x02 confidential), paying
    ///         the write fee `writeFee(byteLength)` in wei; any wei sent above it is refunded to the caller.
    function proposeWrite(
        uint8 namespace,
        bytes32 slot,
        bytes32 valueHash,
        uint32 byteLength,
        bytes calldata daCert
    ) external payable returns (uint64 writeIndex);

    /// @notice Appends a write in a registry-owned namespace (0x03–0x08); only that namespace's writer. Paid and
    ///         refunded as `proposeWrite`.
    function proposeNamespaceWrite(
        uint8 namespace,
        bytes32 id,
        bytes32 valueHash,
        uint32 byteLength,
        bytes calldata daCert
    ) external payable returns (uint64 writeIndex);

    /// @notice Wei a write of `byteLength` bytes proposed now (this block, this log state) pays:
    ///         `byteLength × baseFeePerByte()`.
    function writeFee(uint32 byteLength) external view returns (uint256);

    /// @notice The current base fee per declared byte, in wei (EIP-4844 `fake_exponential` of the excess bytes).
    function baseFeePerByte() external view returns (uint256);

    /// @notice The write-fee parameters: minimum base fee (wei per byte), target (bytes per block), update fraction
    ///         (bytes); all zero = writes are free.
    function writeFeeParams()
        external
        view
        returns (uint64 minBaseFeePerByte, uint32 targetBytesPerBlock, uint48 updateFraction);

    /// @notice The fee state: excess bytes (as of `updatedAtBlock`, before the decay since) and that block.
    function writeFeeState() external view returns (uint64 excessBytes, uint40 updatedAtBlock);

    /// @notice Accepts a quorum-signed state root for the next sequence number.
    function commitStateRoot(
        StateCommit calldata commit,
        bytes calldata daCert,
        IOperatorRegistry.SignerProof calldata proof
    ) external returns (uint256 signedWeight);

    /// @notice Drops commit `sequenceNo` and every later one (challenge verifier only).
    function rollback(uint64 sequenceNo) external;

    /// @notice Holds commit `sequenceNo` and every later one non-final while an opening challenge is open on it
    ///         (0 releases); only the challenge verifier.
    function holdFinalityFrom(uint64 sequenceNo) external;

    /// @notice The lowest sequence number held non-final by an open challenge (0: none).
    function finalityHeldFrom() external view returns (uint64);

    /// @notice The typed digest operators sign for `commit` on this registry and chain.
    function commitDigest(StateCommit calldata commit) external view returns (bytes32);

    /// @notice The latest commit's sequence number and record (sequence 0 = genesis).
    function latest() external view returns (uint64 sequenceNo, CommitRecord memory record);

    /// @notice The record of commit `sequenceNo`.
    function commitAt(uint64 sequenceNo) external view returns (CommitRecord memory);

    /// @notice The root of commit `sequenceNo`.
    function stateRootAt(uint64 sequenceNo) external view returns (bytes32);

    /// @notice Whether commit `sequenceNo` is final (at least `challengeWindowBlocks` old).
    function isFinal(uint64 sequenceNo) external view returns (bool);

    /// @notice Number of writes so far (the next write's index).
    function writeCount() external view returns (uint64);

    /// @notice keccak256 of write `writeIndex`'s record (see `writeRecordHash`).
    function writeRecordHashAt(uint64 writeIndex) external view returns (bytes32);

    /// @notice Index of the latest write to `keyHash`, or `NO_WRITE` if it was never written.
    function latestWriteIndex(bytes32 keyHash) external view returns (uint64);

    /// @notice The operator registry whose quorum signs commits.
    function operatorRegistry() external view returns (IOperatorRegistry);

    /// @notice The writer contract of `namespace` (0x03–0x08).
    function namespaceWriter(uint8 namespace) external view returns (address);

    /// @notice The challenge verifier (the only caller of `rollback`).
    function challengeVerifier() external view returns (address);

    /// @notice The per-write size cap, in bytes.
    function maxWriteBytes() external view returns (uint32);

    /// @notice The challenge window, in blocks.
    function challengeWindowBlocks() external view returns (uint64);
}

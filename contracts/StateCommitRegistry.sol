// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Contracts
import {Ownable2StepUpgradeable} from "@openzeppelin/contracts-upgradeable/access/Ownable2StepUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts/proxy/utils/UUPSUpgradeable.sol";

// Libraries
import {WriteLog} from "./libraries/WriteLog.sol";

// Interfaces
import {IOperatorRegistry} from "./interfaces/IOperatorRegistry.sol";
import {IStateCommitRegistry} from "./interfaces/IStateCommitRegistry.sol";

/// @title StateCommitRegistry
/// @notice One chain's Newton State: the on-chain write log (every change to the tree is a write, numbered by a
///         global `writeIndex`) and the sequence of quorum-signed JMT roots that commit its prefixes.
/// @dev Per write it stores the hash of the write's record and, per key, the latest write index — exactly what the
///      ChallengeVerifier's fraud proof needs to name "the latest write to key K at or below writeIndexEnd". Value
///      bytes never touch calldata: they live in EigenDA under `daCert`.
contract StateCommitRegistry is IStateCommitRegistry, Ownable2StepUpgradeable, UUPSUpgradeable {
    /// @notice Semantic version of this implementation.
    // solhint-disable-next-line const-name-snakecase
    string public constant version = "1.0.0";

    /// @notice The root of the empty JMT: the 32 ASCII bytes "SPARSE_MERKLE_PLACEHOLDER_HASH__" (penumbra jmt).
    bytes32 public constant EMPTY_TREE_ROOT = "SPARSE_MERKLE_PLACEHOLDER_HASH__";

    /// @notice Type hash of the signed commit digest (see `commitDigest`).
    bytes32 public constant STATE_COMMIT_TYPEHASH = keccak256(
        "StateCommit(uint256 chainId,address registry,uint64 sequenceNo,bytes32 prevStateRoot,bytes32 stateRoot,"
        "uint64 writeIndexEnd,uint64 referenceBlock,bytes32 daCommitment,uint64 operatorSetId)"
    );

    /// @notice User namespaces (sender-scoped ids): identity data and confidential data.
    uint8 public constant NAMESPACE_IDENTITY = 0x01;
    uint8 public constant NAMESPACE_CONFIDENTIAL = 0x02;
    /// @notice Registry-owned namespaces: 0x03 secrets envelope … 0x08 secrets schema (docs/protocol.md §1).
    uint8 public constant NAMESPACE_FIRST_REGISTRY = 0x03;
    uint8 public constant NAMESPACE_LAST_REGISTRY = 0x08;

    /// @notice Default per-write cap: 16 MiB.
    uint32 public constant DEFAULT_MAX_WRITE_BYTES = 16 * 1024 * 1024;
    /// @notice Default challenge window: 100 blocks.
    uint64 public constant DEFAULT_CHALLENGE_WINDOW_BLOCKS = 100;
    /// @notice Cap of the fee exponent `excess / updateFraction`: beyond it the base fee stops rising (it is then
    ///         e^32 ≈ 7.9e13 × the minimum), which bounds `fake_exponential`'s loop and keeps it from overflowing.
    uint256 public constant MAX_FEE_EXPONENT = 32;

    /// @custom:storage-location erc7201:newton.storage.StateCommitRegistry
    struct StateCommitRegistryStorage {
        // One slot, read by every write: registry (20 B) ‖ writeCount (8 B) ‖ maxWriteBytes (4 B).
        IOperatorRegistry operatorRegistry;
        uint64 writeCount;
        uint32 maxWriteBytes;
        // One slot, read by every commit.
        uint64 latestSequenceNo;
        uint64 latestWriteIndexEnd;
        uint64 challengeWindowBlocks;
        address challengeVerifier;
        mapping(uint8 namespace => address writer) namespaceWriters;
        mapping(uint64 writeIndex => bytes32 recordHash) writeRecordHashes;
        // Latest write index + 1 per key, so that 0 means "never written".
        mapping(bytes32 keyHash => uint64 latestIndexPlusOne) latestWrites;
        mapping(uint64 sequenceNo => CommitRecord) commits;
        // Lowest sequence number an open opening challenge holds non-final (0: none); set by the challenge verifier.
        uint64 finalityHeldFrom;
        // One slot, read by every write that carries bytes: the write-fee state and parameters (see `writeFee`).
        uint64 feeExcessBytes;
        uint40 feeUpdatedAtBlock;
        uint64 minBaseFeePerByte;
        uint32 targetBytesPerBlock;
        uint48 feeUpdateFraction;
    }

    // keccak256(abi.encode(uint256(keccak256("newton.storage.StateCommitRegistry")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_LOCATION = 0xaa47e20024eaaacdd2feef2ebaf2047d9cd166d231af1ad248503b7394f5e200;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Initializes the proxy with the genesis commit (sequence 0: the empty tree, no writes).
    /// @param initialOwner The owner (a Safe on mainnet).
    /// @param registry The OperatorRegistry whose quorum signs commits.
    /// @param initialMaxWriteBytes Per-write cap in bytes, > 0 (default 16 MiB).
    /// @param initialChallengeWindowBlocks Challenge window in blocks, > 0 (default 100).
    /// @dev Reverts `ConfigValueInvalid` for a zero registry, cap or window.
    function initialize(
        address initialOwner,
        IOperatorRegistry registry,
        uint32 initialMaxWriteBytes,
        uint64 initialChallengeWindowBlocks
    ) external initializer {
        __Ownable_init(initialOwner);
        __Ownable2Step_init();
        if (address(registry) == address(0)) revert ConfigValueInvalid("operatorRegistry", 0);
        StateCommitRegistryStorage storage $ = _storage();
        $.operatorRegistry = registry;
        _setMaxWriteBytes($, initialMaxWriteBytes);
        _setChallengeWindowBlocks($, initialChallengeWindowBlocks);
        CommitRecord storage genesis = $.commits[0];
        genesis.stateRoot = EMPTY_TREE_ROOT;
        genesis.committedAtBlock = uint64(block.number);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Write log
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IStateCommitRegistry
    /// @param namespace 0x01 (identity) or 0x02 (confidential).
    /// @param slot The caller's slot; the leaf id is `keccak256(abi.encode(msg.sender, slot))`, so each account owns
    ///        its own key space.
    /// @param valueHash keccak256 of the value bytes; `bytes32(0)` deletes the leaf.
    /// @param byteLength Length of the value bytes in bytes, ≤ `maxWriteBytes`; 0 for a delete.
    /// @param daCert The EigenDA certificate under which the value bytes can be fetched (opaque bytes).
    /// @return writeIndex The write's index in the log.
    /// @dev Pays `writeFee(byteLength)` wei out of `msg.value` and refunds the rest to the caller. Reverts
    ///      `WriteNamespaceInvalid`, `WriteTooLarge`, `WriteDeleteWithBytes`, `WriteFeeTooLow`,
    ///      `WriteFeeTransferFailed` (refund refused). Emits `WriteProposed`.
    function proposeWrite(
        uint8 namespace,
        bytes32 slot,
        bytes32 valueHash,
        uint32 byteLength,
        bytes calldata daCert
    ) external payable returns (uint64 writeIndex) {
        if (namespace != NAMESPACE_IDENTITY && namespace != NAMESPACE_CONFIDENTIAL) {
            revert WriteNamespaceInvalid(namespace);
        }
        bytes32 id = keccak256(abi.encode(msg.sender, slot));
        return _appendWrite(namespace, id, valueHash, byteLength, daCert);
    }

    /// @inheritdoc IStateCommitRegistry
    /// @param namespace 0x03–0x08; the caller must be that namespace's writer (a policy registry).
    /// @param id The leaf id chosen by the writer (an artifact hash or a policy-data instance id).
    /// @dev Other parameters, the fee and the return value as in `proposeWrite` (the registry forwards its caller's
    ///      fee). Reverts `WriteNamespaceInvalid`, `WriteCallerNotNamespaceWriter`, `WriteTooLarge`,
    ///      `WriteDeleteWithBytes`, `WriteFeeTooLow`, `WriteFeeTransferFailed`. Emits `WriteProposed`.
    function proposeNamespaceWrite(
        uint8 namespace,
        bytes32 id,
        bytes32 valueHash,
        uint32 byteLength,
        bytes calldata daCert
    ) external payable returns (uint64 writeIndex) {
        if (namespace < NAMESPACE_FIRST_REGISTRY || namespace > NAMESPACE_LAST_REGISTRY) {
            revert WriteNamespaceInvalid(namespace);
        }
        if (_storage().namespaceWriters[namespace] != msg.sender) {
            revert WriteCallerNotNamespaceWriter(namespace, msg.sender);
        }
        return _appendWrite(namespace, id, valueHash, byteLength, daCert);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Commits
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IStateCommitRegistry
    /// @param commit The signed commit (see `StateCommit`).
    /// @param daCert The EigenDA certificate of the window's delta blob; keccak256(daCert) must be
    ///        `commit.daCommitment`.
    /// @param proof The quorum signature over `commitDigest(commit)` by the current operator set.
    /// @return signedWeight The weight that signed.
    /// @dev Anyone may submit: the signature is the authority. Reverts `CommitSequenceGap`, `CommitPrevRootMismatch`,
    ///      `CommitWriteIndexBackwards`, `CommitWriteIndexBeyondLog`, `CommitReferenceBlockNotPast`,
    ///      `CommitDaCertMismatch`, `CommitStaleOperatorSet`, and any `Quorum*`/BLS error of
    ///      `OperatorRegistry.verifyQuorum`. Emits `StateRootCommitted`.
    function commitStateRoot(
        StateCommit calldata commit,
        bytes calldata daCert,
        IOperatorRegistry.SignerProof calldata proof
    ) external returns (uint256 signedWeight) {
        StateCommitRegistryStorage storage $ = _storage();
        _checkCommit($, commit, daCert);
        (signedWeight, ) = $.operatorRegistry.verifyQuorum(_commitDigest(commit), proof);

        uint64 sequenceNo = commit.sequenceNo;
        CommitRecord storage record = $.commits[sequenceNo];
        // A record a rollback left behind has a block; reading it first costs ~100 gas, since the write below pays
        // the slot's cold access either way.
        bool reused = record.committedAtBlock != 0;
        record.stateRoot = commit.stateRoot;
        record.writeIndexEnd = commit.writeIndexEnd;
        record.referenceBlock = commit.referenceBlock;
        record.operatorSetId = commit.operatorSetId;
        record.committedAtBlock = uint64(block.number);
        record.daCommitment = commit.daCommitment;
        // Full participation is the common case: skip writing a zero, unless a rollback left a stale bitmap here
        // (rollback only moves latestSequenceNo, so every other field is overwritten above).
        if (proof.nonSignerBitmap != 0 || reused) record.nonSignerBitmap = proof.nonSignerBitmap;
        $.latestSequenceNo = sequenceNo;
        $.latestWriteIndexEnd = commit.writeIndexEnd;

        emit StateRootCommitted(
            sequenceNo,
            commit.stateRoot,
            commit.writeIndexEnd,
            commit.referenceBlock,
            daCert,
            signedWeight
        );
    }

    /// @inheritdoc IStateCommitRegistry
    /// @param sequenceNo The first commit to drop (1 ≤ sequenceNo ≤ latest); it must not be final.
    /// @dev Only the challenge verifier, after a successful fraud proof. O(1) in the number of later commits: it only
    ///      moves `latestSequenceNo` back; the dropped records stay in storage but are unreachable (every read checks
    ///      `sequenceNo ≤ latestSequenceNo`) and the next commit of each number overwrites every field. Reverts
    ///      `RollbackCallerNotVerifier`, `CommitUnknown`, `RollbackCommitFinal`. Emits `StateRolledBack`.
    function rollback(uint64 sequenceNo) external {
        StateCommitRegistryStorage storage $ = _storage();
        if (msg.sender != $.challengeVerifier) revert RollbackCallerNotVerifier(msg.sender);
        uint64 latestSequenceNo = $.latestSequenceNo;
        if (sequenceNo == 0 || sequenceNo > latestSequenceNo) revert CommitUnknown(sequenceNo);
        if (_isFinal($, sequenceNo)) revert RollbackCommitFinal(sequenceNo);
        CommitRecord storage restored = $.commits[sequenceNo - 1];
        $.latestSequenceNo = sequenceNo - 1;
        $.latestWriteIndexEnd = restored.writeIndexEnd;
        emit StateRolledBack(sequenceNo, latestSequenceNo, restored.stateRoot);
    }

    /// @inheritdoc IStateCommitRegistry
    /// @param sequenceNo The lowest sequence number with an open opening challenge, ≥ 1; 0 when none is open. Every
    ///        commit at or after it stays non-final, so finality stays monotone: a later rollback of it (which drops
    ///        every later commit) can never undo a commit already reported final.
    /// @dev Only the challenge verifier. Reverts `RollbackCallerNotVerifier`. Emits `FinalityHeldFrom`.
    function holdFinalityFrom(uint64 sequenceNo) external {
        StateCommitRegistryStorage storage $ = _storage();
        if (msg.sender != $.challengeVerifier) revert RollbackCallerNotVerifier(msg.sender);
        $.finalityHeldFrom = sequenceNo;
        emit FinalityHeldFrom(sequenceNo);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Owner configuration
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Sets the contract allowed to write `namespace` (0x03–0x08) (owner only).
    /// @dev Reverts `WriteNamespaceInvalid` outside 0x03–0x08. Emits `NamespaceWriterSet`.
    function setNamespaceWriter(uint8 namespace, address writer) external onlyOwner {
        if (namespace < NAMESPACE_FIRST_REGISTRY || namespace > NAMESPACE_LAST_REGISTRY) {
            revert WriteNamespaceInvalid(namespace);
        }
        StateCommitRegistryStorage storage $ = _storage();
        emit NamespaceWriterSet(namespace, $.namespaceWriters[namespace], writer);
        $.namespaceWriters[namespace] = writer;
    }

    /// @notice Sets the challenge verifier, the only caller of `rollback` (owner only). Emits `ChallengeVerifierSet`.
    function setChallengeVerifier(address verifier) external onlyOwner {
        StateCommitRegistryStorage storage $ = _storage();
        emit ChallengeVerifierSet($.challengeVerifier, verifier);
        $.challengeVerifier = verifier;
    }

    /// @notice Sets the per-write cap in bytes, > 0 (owner only).
    /// @dev Reverts `ConfigValueInvalid` for 0. Emits `MaxWriteBytesUpdated`.
    function setMaxWriteBytes(uint32 newMaxWriteBytes) external onlyOwner {
        _setMaxWriteBytes(_storage(), newMaxWriteBytes);
    }

    /// @notice Sets the challenge window in blocks, > 0 (owner only). Applies to every non-final commit at once.
    /// @dev Reverts `ConfigValueInvalid` for 0. Emits `ChallengeWindowBlocksUpdated`.
    function setChallengeWindowBlocks(uint64 newChallengeWindowBlocks) external onlyOwner {
        _setChallengeWindowBlocks(_storage(), newChallengeWindowBlocks);
    }

    /// @notice Sets the write-fee parameters (owner only); all zero (the initial state) makes writes free.
    /// @param newMinBaseFeePerByte Floor of the base fee, in wei per declared byte.
    /// @param newTargetBytesPerBlock Declared bytes per block the chain's windows absorb without the fee rising: the
    ///        excess decays by this much per block (set it to about half the commit capacity, i.e.
    ///        `maxCommitBytes / 2 / blocksPerWindow`, as EIP-4844 targets half the blob capacity).
    /// @param newUpdateFraction Bytes of excess that multiply the base fee by e (EIP-4844's
    ///        `BLOB_BASE_FEE_UPDATE_FRACTION`).
    /// @dev The excess is first decayed to this block under the old target, so a change applies from now on.
    ///      Reverts `ConfigValueInvalid` for a non-zero fee with a zero target or fraction. Emits
    ///      `WriteFeeParamsUpdated`.
    function setWriteFeeParams(
        uint64 newMinBaseFeePerByte,
        uint32 newTargetBytesPerBlock,
        uint48 newUpdateFraction
    ) external onlyOwner {
        StateCommitRegistryStorage storage $ = _storage();
        if (newMinBaseFeePerByte != 0) {
            if (newTargetBytesPerBlock == 0) revert ConfigValueInvalid("targetBytesPerBlock", 0);
            if (newUpdateFraction == 0) revert ConfigValueInvalid("updateFraction", 0);
        }
        $.feeExcessBytes = _decayedExcess($);
        $.feeUpdatedAtBlock = uint40(block.number);
        $.minBaseFeePerByte = newMinBaseFeePerByte;
        $.targetBytesPerBlock = newTargetBytesPerBlock;
        $.feeUpdateFraction = newUpdateFraction;
        emit WriteFeeParamsUpdated(newMinBaseFeePerByte, newTargetBytesPerBlock, newUpdateFraction);
    }

    /// @notice Sends `amount` wei of collected write fees to `to` (owner only).
    /// @dev Reverts `WriteFeeTransferFailed` when the transfer fails (or exceeds the balance). Emits
    ///      `WriteFeesWithdrawn`.
    function withdrawWriteFees(address payable to, uint256 amount) external onlyOwner {
        emit WriteFeesWithdrawn(to, amount);
        _send(to, amount);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IStateCommitRegistry
    /// @dev `byteLength × baseFeePerByte()`; 0 for a delete or while the minimum base fee is 0.
    function writeFee(uint32 byteLength) external view returns (uint256) {
        return uint256(byteLength) * _baseFeePerByte(_storage());
    }

    /// @inheritdoc IStateCommitRegistry
    /// @dev EIP-4844 shape: `fake_exponential(minBaseFeePerByte, min(excess, MAX_FEE_EXPONENT × updateFraction),
    ///      updateFraction)`, where `excess` is the stored excess minus `targetBytesPerBlock` per block since it was
    ///      stored (floored at 0). Every write with bytes adds its `byteLength` to the excess after paying, so
    ///      demand above the target raises the fee exponentially and idle blocks bring it back to the minimum.
    function baseFeePerByte() external view returns (uint256) {
        return _baseFeePerByte(_storage());
    }

    /// @inheritdoc IStateCommitRegistry
    function writeFeeParams()
        external
        view
        returns (uint64 minBaseFeePerByte, uint32 targetBytesPerBlock, uint48 updateFraction)
    {
        StateCommitRegistryStorage storage $ = _storage();
        return ($.minBaseFeePerByte, $.targetBytesPerBlock, $.feeUpdateFraction);
    }

    /// @inheritdoc IStateCommitRegistry
    function writeFeeState() external view returns (uint64 excessBytes, uint40 updatedAtBlock) {
        StateCommitRegistryStorage storage $ = _storage();
        return ($.feeExcessBytes, $.feeUpdatedAtBlock);
    }

    /// @inheritdoc IStateCommitRegistry
    /// @dev `keccak256(abi.encode(STATE_COMMIT_TYPEHASH, block.chainid, address(this), sequenceNo, prevStateRoot,
    ///      stateRoot, writeIndexEnd, referenceBlock, daCommitment, operatorSetId))`: binding chain and registry, so
    ///      a signature cannot be replayed on another chain or registry.
    function commitDigest(StateCommit calldata commit) external view returns (bytes32) {
        return _commitDigest(commit);
    }

    /// @inheritdoc IStateCommitRegistry
    function latest() external view returns (uint64 sequenceNo, CommitRecord memory record) {
        StateCommitRegistryStorage storage $ = _storage();
        sequenceNo = $.latestSequenceNo;
        record = $.commits[sequenceNo];
    }

    /// @inheritdoc IStateCommitRegistry
    /// @dev Reverts `CommitUnknown` after the latest sequence number.
    function commitAt(uint64 sequenceNo) external view returns (CommitRecord memory) {
        return _commitAt(sequenceNo);
    }

    /// @inheritdoc IStateCommitRegistry
    /// @dev Reverts `CommitUnknown` after the latest sequence number.
    function stateRootAt(uint64 sequenceNo) external view returns (bytes32) {
        return _commitAt(sequenceNo).stateRoot;
    }

    /// @inheritdoc IStateCommitRegistry
    /// @dev Final ⇔ committed, `block.number ≥ committedAtBlock + challengeWindowBlocks`, and no opening challenge
    ///      holds it or an earlier commit (`finalityHeldFrom` is 0 or above `sequenceNo`); genesis is final.
    function isFinal(uint64 sequenceNo) external view returns (bool) {
        StateCommitRegistryStorage storage $ = _storage();
        return sequenceNo <= $.latestSequenceNo && _isFinal($, sequenceNo);
    }

    /// @inheritdoc IStateCommitRegistry
    function finalityHeldFrom() external view returns (uint64) {
        return _storage().finalityHeldFrom;
    }

    /// @inheritdoc IStateCommitRegistry
    function writeCount() external view returns (uint64) {
        return _storage().writeCount;
    }

    /// @inheritdoc IStateCommitRegistry
    /// @dev `WriteLog.recordHash(namespace, keyHash, valueHash, byteLength, prevWriteIndex)`; zero for an index not
    ///      yet written.
    function writeRecordHashAt(uint64 writeIndex) external view returns (bytes32) {
        return _storage().writeRecordHashes[writeIndex];
    }

    /// @inheritdoc IStateCommitRegistry
    function latestWriteIndex(bytes32 keyHash) external view returns (uint64) {
        uint64 plusOne = _storage().latestWrites[keyHash];
        return plusOne == 0 ? WriteLog.NO_WRITE : plusOne - 1;
    }

    /// @inheritdoc IStateCommitRegistry
    function operatorRegistry() external view returns (IOperatorRegistry) {
        return _storage().operatorRegistry;
    }

    /// @inheritdoc IStateCommitRegistry
    function namespaceWriter(uint8 namespace) external view returns (address) {
        return _storage().namespaceWriters[namespace];
    }

    /// @inheritdoc IStateCommitRegistry
    function challengeVerifier() external view returns (address) {
        return _storage().challengeVerifier;
    }

    /// @inheritdoc IStateCommitRegistry
    function maxWriteBytes() external view returns (uint32) {
        return _storage().maxWriteBytes;
    }

    /// @inheritdoc IStateCommitRegistry
    function challengeWindowBlocks() external view returns (uint64) {
        return _storage().challengeWindowBlocks;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------------------------

    /// @dev Only the owner may upgrade (UUPS).
    function _authorizeUpgrade(address) internal override onlyOwner {}

    function _storage() private pure returns (StateCommitRegistryStorage storage $) {
        assembly {
            $.slot := STORAGE_LOCATION
        }
    }

    function _appendWrite(
        uint8 namespace,
        bytes32 id,
        bytes32 valueHash,
        uint32 byteLength,
        bytes calldata daCert
    ) private returns (uint64 writeIndex) {
        StateCommitRegistryStorage storage $ = _storage();
        if (byteLength > $.maxWriteBytes) revert WriteTooLarge(byteLength, $.maxWriteBytes);
        if (valueHash == bytes32(0) && byteLength != 0) revert WriteDeleteWithBytes(byteLength);
        bytes32 keyHash = WriteLog.keyHash(namespace, id);
        writeIndex = $.writeCount;
        uint64 prevPlusOne = $.latestWrites[keyHash];
        uint64 prevWriteIndex = prevPlusOne == 0 ? WriteLog.NO_WRITE : prevPlusOne - 1;
        $.writeRecordHashes[writeIndex] = WriteLog.recordHash(
            namespace,
            keyHash,
            valueHash,
            byteLength,
            prevWriteIndex
        );
        // A uint64 write counter cannot realistically overflow (2^64 writes); checked arithmetic guards it anyway.
        $.latestWrites[keyHash] = writeIndex + 1;
        $.writeCount = writeIndex + 1;
        uint256 fee = _chargeWriteFee($, byteLength);
        emit WriteProposed(writeIndex, namespace, keyHash, valueHash, byteLength, msg.sender, daCert);
        // Refund last: every effect is done, so a re-entering caller only appends another paid write.
        if (msg.value > fee) _send(payable(msg.sender), msg.value - fee);
    }

    /// @dev Prices a write of `byteLength` declared bytes at the current base fee, then adds them to the excess.
    ///      Free (and no fee-state write) while the minimum base fee is 0 or for a delete. Reverts `WriteFeeTooLow`.
    function _chargeWriteFee(StateCommitRegistryStorage storage $, uint32 byteLength) private returns (uint256 fee) {
        uint64 minFee = $.minBaseFeePerByte;
        if (minFee != 0 && byteLength != 0) {
            uint64 excess = _decayedExcess($);
            fee = uint256(byteLength) * _fakeExponential(minFee, excess, $.feeUpdateFraction);
            // Saturate rather than revert: past 2^64 bytes of excess the fee is capped anyway.
            uint64 grown;
            unchecked {
                grown = excess + byteLength;
            }
            $.feeExcessBytes = grown < excess ? type(uint64).max : grown;
            $.feeUpdatedAtBlock = uint40(block.number);
        }
        if (msg.value < fee) revert WriteFeeTooLow(fee, msg.value);
    }

    /// @dev The stored excess minus `targetBytesPerBlock` per block elapsed since it was stored, floored at 0.
    function _decayedExcess(StateCommitRegistryStorage storage $) private view returns (uint64) {
        uint256 excess = $.feeExcessBytes;
        if (excess == 0) return 0;
        uint256 decay = (block.number - $.feeUpdatedAtBlock) * $.targetBytesPerBlock;
        return decay >= excess ? 0 : uint64(excess - decay);
    }

    function _baseFeePerByte(StateCommitRegistryStorage storage $) private view returns (uint256) {
        uint64 minFee = $.minBaseFeePerByte;
        if (minFee == 0) return 0;
        return _fakeExponential(minFee, _decayedExcess($), $.feeUpdateFraction);
    }

    /// @dev EIP-4844 `fake_exponential(factor, numerator, denominator)` ≈ factor × e^(numerator / denominator), by
    ///      its Taylor series in integers, with the exponent capped at `MAX_FEE_EXPONENT` (≤ ~150 iterations; with
    ///      factor < 2^64 and denominator < 2^48 no intermediate exceeds 2^215).
    function _fakeExponential(uint256 factor, uint256 numerator, uint256 denominator) private pure returns (uint256) {
        uint256 cap = MAX_FEE_EXPONENT * denominator;
        if (numerator > cap) numerator = cap;
        uint256 output;
        uint256 accum = factor * denominator;
        // Unchecked: with the bounds above no product or sum reaches 2^256 (checked math tripled the loop's cost).
        unchecked {
            for (uint256 i = 1; accum > 0; ++i) {
                output += accum;
                accum = (accum * numerator) / (denominator * i);
            }
        }
        return output / denominator;
    }

    /// @dev Sends `amount` wei to `to`. Reverts `WriteFeeTransferFailed`.
    function _send(address payable to, uint256 amount) private {
        (bool ok, ) = to.call{value: amount}("");
        if (!ok) revert WriteFeeTransferFailed(to, amount);
    }

    function _checkCommit(
        StateCommitRegistryStorage storage $,
        StateCommit calldata commit,
        bytes calldata daCert
    ) private view {
        uint64 latestSequenceNo = $.latestSequenceNo;
        if (commit.sequenceNo != latestSequenceNo + 1)
            revert CommitSequenceGap(latestSequenceNo + 1, commit.sequenceNo);
        bytes32 latestRoot = $.commits[latestSequenceNo].stateRoot;
        if (commit.prevStateRoot != latestRoot) revert CommitPrevRootMismatch(latestRoot, commit.prevStateRoot);
        if (commit.writeIndexEnd < $.latestWriteIndexEnd) {
            revert CommitWriteIndexBackwards($.latestWriteIndexEnd, commit.writeIndexEnd);
        }
        if (commit.writeIndexEnd > $.writeCount) revert CommitWriteIndexBeyondLog($.writeCount, commit.writeIndexEnd);
        if (commit.referenceBlock >= block.number) {
            revert CommitReferenceBlockNotPast(commit.referenceBlock, block.number);
        }
        bytes32 certHash = keccak256(daCert);
        if (certHash != commit.daCommitment) revert CommitDaCertMismatch(commit.daCommitment, certHash);
        uint64 currentSetId = $.operatorRegistry.operatorSetId();
        if (commit.operatorSetId != currentSetId) revert CommitStaleOperatorSet(currentSetId, commit.operatorSetId);
    }

    function _commitDigest(StateCommit calldata c) private view returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    STATE_COMMIT_TYPEHASH,
                    block.chainid,
                    address(this),
                    c.sequenceNo,
                    c.prevStateRoot,
                    c.stateRoot,
                    c.writeIndexEnd,
                    c.referenceBlock,
                    c.daCommitment,
                    c.operatorSetId
                )
            );
    }

    function _commitAt(uint64 sequenceNo) private view returns (CommitRecord storage) {
        StateCommitRegistryStorage storage $ = _storage();
        if (sequenceNo > $.latestSequenceNo) revert CommitUnknown(sequenceNo);
        return $.commits[sequenceNo];
    }

    function _isFinal(StateCommitRegistryStorage storage $, uint64 sequenceNo) private view returns (bool) {
        if (sequenceNo == 0) return true;
        uint64 heldFrom = $.finalityHeldFrom;
        if (heldFrom != 0 && heldFrom <= sequenceNo) return false;
        return block.number >= uint256($.commits[sequenceNo].committedAtBlock) + $.challengeWindowBlocks;
    }

    function _setMaxWriteBytes(StateCommitRegistryStorage storage $, uint32 value) private {
        if (value == 0) revert ConfigValueInvalid("maxWriteBytes", value);
        emit MaxWriteBytesUpdated($.maxWriteBytes, value);
        $.maxWriteBytes = value;
    }

    function _setChallengeWindowBlocks(StateCommitRegistryStorage storage $, uint64 value) private {
        if (value == 0) revert ConfigValueInvalid("challengeWindowBlocks", value);
        emit ChallengeWindowBlocksUpdated($.challengeWindowBlocks, value);
        $.challengeWindowBlocks = value;
    }
}

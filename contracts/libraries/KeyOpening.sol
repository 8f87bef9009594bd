// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Libraries
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {JmtProof} from "./JmtProof.sol";
import {WriteLog} from "./WriteLog.sol";

// Interfaces
import {IChallengeVerifier} from "../interfaces/IChallengeVerifier.sol";
import {IKeyOpening} from "../interfaces/IKeyOpening.sol";
import {IOperatorRegistry} from "../interfaces/IOperatorRegistry.sol";
import {IStateCommitRegistry} from "../interfaces/IStateCommitRegistry.sol";

/// @title KeyOpening
/// @notice The key-opening challenge game of the ChallengeVerifier (see `IKeyOpening`), as an externally linked
///         library: its functions run by DELEGATECALL in the ChallengeVerifier proxy, so its state lives in that
///         proxy under its own ERC-7201 namespace, its events come from the proxy, and the registry sees the proxy
///         (the rollback verifier) as the caller of `holdFinalityFrom`. It never punishes by itself: it returns a
///         `Punishment` that the ChallengeVerifier carries out through its one punishment seam.
/// @dev Shape follows the OP Stack Alt-DA `DataAvailabilityChallenge` (bonded challenge, resolve window, a status per
///      challenge, bond refund or payout), extended with descents that bisect a wrong tree.
///      Finality: a commit with an Open or Resolved challenge is held non-final, and so is every later commit (the
///      registry's `finalityHeldFrom` is the lowest held sequence number), so finality stays monotone.
///      Rounds: a descent's level (1 + leading bits its key shares with its parent's key) strictly exceeds its
///      parent's and is at most the depth of the path the parent's answer revealed (≤ 256), so a chain has at most
///      257 rounds, and against a tree whose deepest path has d bits at most d + 1 (for n random keys d is about
///      2 · log2 n). A root challenge may only be opened inside the commit's challenge window and each round lasts at
///      most 2 × `resolveWindowBlocks` (answer, then descend), so a commit is final at the latest
///      `challengeWindowBlocks + 257 × 2 × resolveWindowBlocks` blocks (plus the settle transaction) after it landed,
///      or is rolled back.
library KeyOpening {
    /// @notice What the ChallengeVerifier must do after a game step: when `due`, roll back commit `sequenceNo` (and
    ///         every later one) and slash `signers`.
    struct Punishment {
        bool due;
        uint64 sequenceNo;
        IStateCommitRegistry.CommitRecord commit;
        address[] signers;
    }

    /// @dev ERC-7201 namespace `newton.storage.KeyOpening` of the ChallengeVerifier proxy (append fields only).
    struct KeyOpeningStorage {
        // One slot: bond (12 B) ‖ resolve window (8 B) ‖ the registry's finality hold, mirrored (8 B).
        uint96 challengeBondWei;
        uint64 resolveWindowBlocks;
        uint64 finalityHeldFrom;
        uint256 openingCount;
        mapping(uint256 id => IKeyOpening.Opening) openings;
        mapping(address account => uint256 weiCredited) bondCredits;
        // Open or Resolved challenges per commit; a commit is held while its count is non-zero.
        mapping(bytes32 commitKey => uint256 count) holdsPerCommit;
        // Bit (n & 255) of word (n >> 8): commit n is held. Finds the next held commit when the lowest is released.
        mapping(uint256 word => uint256 bits) heldSequenceWords;
    }

    // keccak256(abi.encode(uint256(keccak256("newton.storage.KeyOpening")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_LOCATION = 0x60c7ab43b11a5d160e3565e7d602aa41be408dbf36694dc6925d987d1d5c8300;

    // ---------------------------------------------------------------------------------------------------------------
    // Game
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Challenges commit `sequenceNo` to open `keyHash`; `msg.value` must be exactly `challengeBondWei`.
    /// @param registryAddress The StateCommitRegistry.
    /// @param sequenceNo The commit challenged.
    /// @param keyHash The 32-byte key to open; any 32 bytes (a key never written is answered by an exclusion proof).
    /// @param parentId 0 to challenge the root: the commit must be ≥ 1 and inside its challenge window
    ///        (`block.number < committedAtBlock + challengeWindowBlocks`). Otherwise a descent below Resolved challenge
    ///        `parentId` of the same commit, opened by the parent's `deadline` block; `keyHash` must share at least
    ///        `parent.level` and fewer than `parent.revealedDepth` leading bits with the parent's key (it lies below a
    ///        sibling the parent's answer revealed); its own level is that count + 1.
    /// @return id The new challenge's id (1, 2, …).
    /// @dev The commit, and every later one, stays non-final until the challenge is Closed, Slashed or Cancelled.
    ///      Reverts `OpeningConfigInvalid` (not configured), `OpeningBondMismatch`, `OpeningCommitNotChallengeable`,
    ///      `CommitUnknown`, `OpeningDescentInvalid`. Emits `OpeningChallenged` (and the registry's
    ///      `FinalityHeldFrom` when the lowest held commit changes).
    function openKey(
        address registryAddress,
        uint64 sequenceNo,
        bytes32 keyHash,
        uint256 parentId
    ) external returns (uint256 id) {
        IStateCommitRegistry registry = IStateCommitRegistry(registryAddress);
        KeyOpeningStorage storage $ = _storage();
        uint64 window = $.resolveWindowBlocks;
        if (window == 0) revert IKeyOpening.OpeningConfigInvalid($.challengeBondWei, window);
        if (msg.value != $.challengeBondWei) revert IKeyOpening.OpeningBondMismatch($.challengeBondWei, msg.value);
        uint16 level;
        bytes32 commitKey;
        if (parentId == 0) {
            if (sequenceNo == 0) revert IKeyOpening.OpeningCommitNotChallengeable(sequenceNo);
            IStateCommitRegistry.CommitRecord memory commit = registry.commitAt(sequenceNo);
            if (block.number >= uint256(commit.committedAtBlock) + registry.challengeWindowBlocks()) {
                revert IKeyOpening.OpeningCommitNotChallengeable(sequenceNo);
            }
            commitKey = _commitKey(sequenceNo, commit);
        } else {
            IKeyOpening.Opening storage parent = $.openings[parentId];
            commitKey = parent.commitKey;
            uint256 shared = JmtProof.commonPrefixBits(keyHash, parent.keyHash);
            bool valid =
                parent.status == IKeyOpening.OpeningStatus.Resolved &&
                    block.number <= parent.deadline &&
                    parent.sequenceNo == sequenceNo &&
                    shared < parent.revealedDepth &&
                    shared >= parent.level;
            if (!valid || !_isLive(registry, sequenceNo, commitKey)) {
                revert IKeyOpening.OpeningDescentInvalid(parentId, keyHash);
            }
            level = uint16(shared + 1);
        }
        id = ++$.openingCount;
        uint64 deadline = uint64(block.number) + window;
        $.openings[id] = IKeyOpening.Opening({
            challenger: msg.sender,
            sequenceNo: sequenceNo,
            level: level,
            status: IKeyOpening.OpeningStatus.Open,
            keyHash: keyHash,
            commitKey: commitKey,
            bond: uint96(msg.value),
            deadline: deadline,
            revealedDepth: 0
        });
        _hold($, registry, sequenceNo, commitKey);
        emit IKeyOpening.OpeningChallenged(id, sequenceNo, keyHash, parentId, level, msg.sender, msg.value, deadline);
    }

    /// @notice Answers Open challenge `id`, at or before its `deadline` block.
    /// @param registryAddress The StateCommitRegistry.
    /// @param operatorRegistry The OperatorRegistry (to name the signers of a commit proven wrong).
    /// @param id The challenge.
    /// @param write The key's latest write below the commit's `writeIndexEnd`, or a NO_WRITE record for the key (as in
    ///        `challengeCommit`); `write.keyHash` must be the challenged key.
    /// @param successor As in `challengeCommit`.
    /// @param proof A JMT inclusion or exclusion proof of the key against the commit's root (siblings leaf→root).
    /// @return punishment Due when the answer proves the commit wrong.
    /// @dev A proof that shows the write log's value on a well-formed path resolves the challenge: the bond is
    ///      credited to the caller and, until `block.number + resolveWindowBlocks`, a descent may be opened below it.
    ///      A proof that shows another value, or a malformed path, proves the commit wrong (see `judge`): the bond is
    ///      credited back to the challenger and the commit punished. Reverts `OpeningUnknown`, `OpeningWrongStatus`,
    ///      `OpeningCommitGone`, `OpeningResolveWindowClosed`, `OpeningKeyMismatch`, the write-witness errors of
    ///      `judge`, `JmtProofRootMismatch` (a proof for another key or another root), `JmtProofTooManySiblings`.
    ///      Emits `OpeningResolved` and `BondCredited`, or `CommitChallenged`, `BondCredited` and `OpeningSettled`.
    function resolveOpening(
        address registryAddress,
        address operatorRegistry,
        uint256 id,
        WriteLog.WriteRecord calldata write,
        IChallengeVerifier.SuccessorWitness calldata successor,
        JmtProof.SparseMerkleProof calldata proof
    ) external returns (Punishment memory punishment) {
        IStateCommitRegistry registry = IStateCommitRegistry(registryAddress);
        KeyOpeningStorage storage $ = _storage();
        IKeyOpening.Opening storage opening = _opening($, id, IKeyOpening.OpeningStatus.Open);
        uint64 sequenceNo = opening.sequenceNo;
        if (!_isLive(registry, sequenceNo, opening.commitKey)) revert IKeyOpening.OpeningCommitGone(id, sequenceNo);
        uint64 deadline = opening.deadline;
        if (block.number > deadline) revert IKeyOpening.OpeningResolveWindowClosed(id, deadline, block.number);
        if (write.keyHash != opening.keyHash) {
            revert IKeyOpening.OpeningKeyMismatch(id, opening.keyHash, write.keyHash);
        }
        punishment = _judgeAnswer(
            $,
            registry,
            IOperatorRegistry(operatorRegistry),
            id,
            opening,
            write,
            successor,
            proof
        );
        if (punishment.due) return punishment;
        opening.status = IKeyOpening.OpeningStatus.Resolved;
        uint64 descendDeadline = uint64(block.number) + $.resolveWindowBlocks;
        opening.deadline = descendDeadline;
        opening.revealedDepth = uint16(proof.siblings.length);
        _credit($, msg.sender, id, opening.bond);
        emit IKeyOpening.OpeningResolved(id, sequenceNo, msg.sender, proof, descendDeadline);
    }

    /// @notice Ends Open or Resolved challenge `id`.
    /// @param registryAddress The StateCommitRegistry.
    /// @param operatorRegistry The OperatorRegistry.
    /// @param id The challenge.
    /// @return punishment Due when an unanswered challenge expired on a live commit.
    /// @dev Its commit rolled back by another proof: Open → Cancelled (bond credited back to the challenger),
    ///      Resolved → Closed, at any time. Otherwise only after its `deadline` block: Open (never answered: nobody can
    ///      open the key, so the tree is unavailable) → Slashed: bond credited back, the commit punished; Resolved →
    ///      Closed (its hold on finality ends). Reverts `OpeningUnknown`, `OpeningWrongStatus` (e.g. settled twice),
    ///      `OpeningNotExpired`. Emits `OpeningSettled` (and `BondCredited`).
    function settleOpening(
        address registryAddress,
        address operatorRegistry,
        uint256 id
    ) external returns (Punishment memory punishment) {
        IStateCommitRegistry registry = IStateCommitRegistry(registryAddress);
        KeyOpeningStorage storage $ = _storage();
        IKeyOpening.Opening storage opening = _opening($, id, IKeyOpening.OpeningStatus.None);
        IKeyOpening.OpeningStatus status = opening.status;
        if (status != IKeyOpening.OpeningStatus.Open && status != IKeyOpening.OpeningStatus.Resolved) {
            revert IKeyOpening.OpeningWrongStatus(id, status);
        }
        uint64 sequenceNo = opening.sequenceNo;
        if (!_isLive(registry, sequenceNo, opening.commitKey)) {
            // The rollback that dropped the commit also dropped its hold on finality.
            if (status == IKeyOpening.OpeningStatus.Open) {
                opening.status = IKeyOpening.OpeningStatus.Cancelled;
                _credit($, opening.challenger, id, opening.bond);
            } else {
                opening.status = IKeyOpening.OpeningStatus.Closed;
            }
            emit IKeyOpening.OpeningSettled(id, sequenceNo, opening.status, new address[](0));
            return punishment;
        }
        uint64 deadline = opening.deadline;
        if (block.number <= deadline) revert IKeyOpening.OpeningNotExpired(id, deadline, block.number);
        if (status == IKeyOpening.OpeningStatus.Resolved) {
            opening.status = IKeyOpening.OpeningStatus.Closed;
            _release($, registry, sequenceNo, opening.commitKey);
            emit IKeyOpening.OpeningSettled(id, sequenceNo, IKeyOpening.OpeningStatus.Closed, new address[](0));
            return punishment;
        }
        return _slashThrough($, IOperatorRegistry(operatorRegistry), id, opening, registry.commitAt(sequenceNo));
    }

    /// @notice Sends the caller every bond credited to it (pull payment: the credit is zeroed before the transfer).
    /// @dev Reverts `BondNothingToWithdraw`, `BondWithdrawFailed` (the credit is kept). Emits `BondsWithdrawn`.
    function withdrawBonds() external {
        KeyOpeningStorage storage $ = _storage();
        uint256 amount = $.bondCredits[msg.sender];
        if (amount == 0) revert IKeyOpening.BondNothingToWithdraw(msg.sender);
        $.bondCredits[msg.sender] = 0;
        emit IKeyOpening.BondsWithdrawn(msg.sender, amount);
        (bool ok, ) = msg.sender.call{value: amount}("");
        if (!ok) revert IKeyOpening.BondWithdrawFailed(msg.sender, amount);
    }

    /// @notice Sets the bond (wei, in (0, 2^96)) and the resolve window (blocks, > 0); the caller checks ownership.
    /// @dev Reverts `OpeningConfigInvalid`. Emits `OpeningConfigUpdated`.
    function setOpeningConfig(uint256 challengeBondWei, uint64 resolveWindowBlocks) external {
        if (challengeBondWei == 0 || challengeBondWei > type(uint96).max || resolveWindowBlocks == 0) {
            revert IKeyOpening.OpeningConfigInvalid(challengeBondWei, resolveWindowBlocks);
        }
        KeyOpeningStorage storage $ = _storage();
        $.challengeBondWei = uint96(challengeBondWei);
        $.resolveWindowBlocks = resolveWindowBlocks;
        emit IKeyOpening.OpeningConfigUpdated(challengeBondWei, resolveWindowBlocks);
    }

    /// @notice The latest sequence number when any commit is held (the bound of `dropHoldsFrom`'s scan), else 0.
    function latestIfHeld(address registry) external view returns (uint64) {
        if (_storage().finalityHeldFrom == 0) return 0;
        return _latestSequenceNo(IStateCommitRegistry(registry));
    }

    /// @notice Commits `sequenceNo..latestSequenceNo` were rolled back: their holds go with them (their challenges can
    ///         then only be cancelled, bond refunded). Bounded: one storage word per 256 commits.
    function dropHoldsFrom(address registry, uint64 sequenceNo, uint64 latestSequenceNo) external {
        KeyOpeningStorage storage $ = _storage();
        uint64 heldFrom = $.finalityHeldFrom;
        if (heldFrom == 0) return;
        uint256 first = sequenceNo >> 8;
        $.heldSequenceWords[first] &= ~(type(uint256).max << (sequenceNo & 0xff));
        for (uint256 word = first + 1; word <= latestSequenceNo >> 8; ++word) {
            if ($.heldSequenceWords[word] != 0) delete $.heldSequenceWords[word];
        }
        // heldFrom is the lowest held commit: when it was rolled back, so was every held one.
        if (heldFrom >= sequenceNo) _setHeldFrom($, IStateCommitRegistry(registry), 0);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Judge (shared with challengeCommit)
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Judges an answer about `write.keyHash` against `commit`: fraud when the proof's path is malformed
    ///         (`JmtProof.open`) or shows another value than the write log's latest write below `writeIndexEnd`.
    /// @param write The key's latest write below `commit.writeIndexEnd` exactly as stored, or a record with
    ///        `writeIndex = NO_WRITE` and the key in `keyHash` (the key had no write below it).
    /// @param successor Shows no write to the key lies between `write` and `writeIndexEnd`.
    /// @param proof A JMT proof for the key against `commit.stateRoot`.
    /// @return fraud Whether the commit is proven wrong.
    /// @return expected What the write log says the key holds (zero: absent).
    /// @return committed What the proof says the root holds (zero: absent).
    /// @dev Reverts `ChallengeWriteNotCovered`, `ChallengeWriteRecordMismatch`, `ChallengeSuccessorInvalid`,
    ///      `JmtProofRootMismatch`, `JmtProofTooManySiblings`.
    function judge(
        address registry,
        IStateCommitRegistry.CommitRecord memory commit,
        WriteLog.WriteRecord calldata write,
        IChallengeVerifier.SuccessorWitness calldata successor,
        JmtProof.SparseMerkleProof calldata proof
    ) public view returns (bool fraud, bytes32 expected, bytes32 committed) {
        _checkLatestWrite(IStateCommitRegistry(registry), write, successor, commit.writeIndexEnd);
        expected = write.writeIndex == WriteLog.NO_WRITE ? bytes32(0) : write.valueHash;
        bool malformed;
        bool present;
        (malformed, present, committed) = JmtProof.open(commit.stateRoot, write.keyHash, proof);
        // A present leaf with a zero value hash is never canonical either: a zero value hash deletes the key.
        fraud = malformed || present != (expected != bytes32(0)) || committed != expected;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Views (internal: inlined into the ChallengeVerifier, reading this namespace of its storage)
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Challenge `id` (status None when unknown).
    function openingAt(uint256 id) internal view returns (IKeyOpening.Opening memory) {
        return _storage().openings[id];
    }

    /// @notice The number of challenges ever opened.
    function openingCount() internal view returns (uint256) {
        return _storage().openingCount;
    }

    /// @notice Wei credited to `account` and not yet withdrawn.
    function bondCredit(address account) internal view returns (uint256) {
        return _storage().bondCredits[account];
    }

    /// @notice The bond in wei and the resolve window in blocks.
    function openingConfig() internal view returns (uint256 challengeBondWei, uint64 resolveWindowBlocks) {
        KeyOpeningStorage storage $ = _storage();
        return ($.challengeBondWei, $.resolveWindowBlocks);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------------------------

    function _storage() private pure returns (KeyOpeningStorage storage $) {
        assembly {
            $.slot := STORAGE_LOCATION
        }
    }

    /// @dev Judges an answer to challenge `id`; when it proves the commit wrong, ends the challenge Slashed and emits
    ///      `CommitChallenged` (split out of `resolveOpening` for stack depth).
    function _judgeAnswer(
        KeyOpeningStorage storage $,
        IStateCommitRegistry registry,
        IOperatorRegistry operatorRegistry,
        uint256 id,
        IKeyOpening.Opening storage opening,
        WriteLog.WriteRecord calldata write,
        IChallengeVerifier.SuccessorWitness calldata successor,
        JmtProof.SparseMerkleProof calldata proof
    ) private returns (Punishment memory punishment) {
        IStateCommitRegistry.CommitRecord memory commit = registry.commitAt(opening.sequenceNo);
        (bool fraud, bytes32 expected, bytes32 committed) = judge(address(registry), commit, write, successor, proof);
        if (!fraud) return punishment;
        punishment = _slashThrough($, operatorRegistry, id, opening, commit);
        emit IChallengeVerifier.CommitChallenged(
            opening.sequenceNo,
            write.keyHash,
            expected,
            committed,
            msg.sender,
            punishment.signers
        );
    }

    /// @dev Ends challenge `id` as the proof that its commit is wrong: bond back to the challenger, punishment due.
    function _slashThrough(
        KeyOpeningStorage storage $,
        IOperatorRegistry operatorRegistry,
        uint256 id,
        IKeyOpening.Opening storage opening,
        IStateCommitRegistry.CommitRecord memory commit
    ) private returns (Punishment memory punishment) {
        opening.status = IKeyOpening.OpeningStatus.Slashed;
        _credit($, opening.challenger, id, opening.bond);
        address[] memory signers = operatorRegistry.signersOf(commit.operatorSetId, commit.nonSignerBitmap);
        emit IKeyOpening.OpeningSettled(id, opening.sequenceNo, IKeyOpening.OpeningStatus.Slashed, signers);
        return Punishment(true, opening.sequenceNo, commit, signers);
    }

    function _opening(
        KeyOpeningStorage storage $,
        uint256 id,
        IKeyOpening.OpeningStatus required
    ) private view returns (IKeyOpening.Opening storage opening) {
        opening = $.openings[id];
        IKeyOpening.OpeningStatus status = opening.status;
        if (status == IKeyOpening.OpeningStatus.None) revert IKeyOpening.OpeningUnknown(id);
        if (required != IKeyOpening.OpeningStatus.None && status != required) {
            revert IKeyOpening.OpeningWrongStatus(id, status);
        }
    }

    function _credit(KeyOpeningStorage storage $, address account, uint256 id, uint256 amount) private {
        $.bondCredits[account] += amount;
        emit IKeyOpening.BondCredited(account, id, amount);
    }

    /// @dev Identifies a commit across rollbacks: a sequence number rolled back and committed again is another commit.
    function _commitKey(
        uint64 sequenceNo,
        IStateCommitRegistry.CommitRecord memory commit
    ) private pure returns (bytes32) {
        return keccak256(abi.encode(sequenceNo, commit.stateRoot, commit.committedAtBlock));
    }

    /// @dev Whether the commit identified by `commitKey` is still in the registry (not rolled back).
    function _isLive(IStateCommitRegistry registry, uint64 sequenceNo, bytes32 commitKey) private view returns (bool) {
        if (sequenceNo > _latestSequenceNo(registry)) return false;
        return _commitKey(sequenceNo, registry.commitAt(sequenceNo)) == commitKey;
    }

    function _latestSequenceNo(IStateCommitRegistry registry) private view returns (uint64 sequenceNo) {
        (sequenceNo, ) = registry.latest();
    }

    /// @dev One more open challenge on the commit; the first one holds it (and every later commit) non-final.
    function _hold(
        KeyOpeningStorage storage $,
        IStateCommitRegistry registry,
        uint64 sequenceNo,
        bytes32 commitKey
    ) private {
        if ($.holdsPerCommit[commitKey]++ != 0) return;
        $.heldSequenceWords[sequenceNo >> 8] |= uint256(1) << (sequenceNo & 0xff);
        uint64 heldFrom = $.finalityHeldFrom;
        if (heldFrom == 0 || sequenceNo < heldFrom) _setHeldFrom($, registry, sequenceNo);
    }

    /// @dev One challenge on the commit ended; the last one releases it, and the hold moves to the next held commit.
    function _release(
        KeyOpeningStorage storage $,
        IStateCommitRegistry registry,
        uint64 sequenceNo,
        bytes32 commitKey
    ) private {
        if (--$.holdsPerCommit[commitKey] != 0) return;
        $.heldSequenceWords[sequenceNo >> 8] &= ~(uint256(1) << (sequenceNo & 0xff));
        if ($.finalityHeldFrom != sequenceNo) return;
        // The lowest held commit is released: scan the bitmap upwards, one word per 256 commits, up to the latest.
        uint256 last = _latestSequenceNo(registry) >> 8;
        for (uint256 word = sequenceNo >> 8; word <= last; ++word) {
            uint256 bits = $.heldSequenceWords[word];
            if (bits != 0) {
                // Isolate the lowest set bit; its log2 is its position.
                uint256 lowest;
                unchecked {
                    lowest = bits & (~bits + 1);
                }
                _setHeldFrom($, registry, uint64((word << 8) | Math.log2(lowest)));
                return;
            }
        }
        _setHeldFrom($, registry, 0);
    }

    function _setHeldFrom(KeyOpeningStorage storage $, IStateCommitRegistry registry, uint64 sequenceNo) private {
        $.finalityHeldFrom = sequenceNo;
        registry.holdFinalityFrom(sequenceNo);
    }

    /// @dev Checks that `write` is the key's latest write below `writeIndexEnd` (or that there was none).
    function _checkLatestWrite(
        IStateCommitRegistry registry,
        WriteLog.WriteRecord calldata write,
        IChallengeVerifier.SuccessorWitness calldata successor,
        uint64 writeIndexEnd
    ) private view {
        uint64 index = write.writeIndex;
        if (index != WriteLog.NO_WRITE) {
            if (index >= writeIndexEnd) revert IChallengeVerifier.ChallengeWriteNotCovered(index, writeIndexEnd);
            if (registry.writeRecordHashAt(index) != WriteLog.hash(write))
                revert IChallengeVerifier.ChallengeWriteRecordMismatch(index);
        }
        if (successor.keyHasNoLaterWrite) {
            if (registry.latestWriteIndex(write.keyHash) != index)
                revert IChallengeVerifier.ChallengeSuccessorInvalid(write.keyHash);
            return;
        }
        WriteLog.WriteRecord calldata next = successor.next;
        // next is at or after the commit's end, is a write to the same key, and links straight back to `write`: so
        // no write to the key lies strictly between them, in particular none in (index, writeIndexEnd).
        bool valid =
            next.writeIndex >= writeIndexEnd &&
                next.writeIndex != WriteLog.NO_WRITE &&
                next.keyHash == write.keyHash &&
                next.prevWriteIndex == index;
        if (!valid) revert IChallengeVerifier.ChallengeSuccessorInvalid(write.keyHash);
        if (registry.writeRecordHashAt(next.writeIndex) != WriteLog.hash(next)) {
            revert IChallengeVerifier.ChallengeWriteRecordMismatch(next.writeIndex);
        }
    }
}

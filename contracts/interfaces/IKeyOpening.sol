// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Libraries
import {JmtProof} from "../libraries/JmtProof.sol";
import {WriteLog} from "../libraries/WriteLog.sol";

// Interfaces
import {IChallengeVerifier} from "./IChallengeVerifier.sol";

/// @title IKeyOpening
/// @notice The key-opening challenge: a bonded data-availability game that makes every wrong root provable, even one
///         whose tree the signers withhold. Anyone may, with a bond, ask that key K be opened against a non-final
///         commit's root; anyone holding the tree answers with an inclusion or exclusion proof within
///         `resolveWindowBlocks`. No answer: the commit is rolled back and its signers slashed. An answer that
///         misstates K or reveals a malformed path: the same. A correct answer reveals the siblings on K's path, so a
///         challenger holding the correct tree can open a key below a sibling that differs (a descent); each descent
///         must share strictly more leading bits with its parent's key than the parent's level (and branch off the
///         revealed path at one of its siblings), so a chain has at most 257 rounds — no more than the depth of the
///         tree the answers reveal — and ends at a key nobody can open or a leaf that is provably wrong.
interface IKeyOpening {
    /// @notice Lifecycle of one opening challenge.
    /// @dev None: no such id. Open: awaiting a proof until `deadline`. Resolved: answered; until `deadline` a descent
    ///      may be opened below it and it keeps the commit non-final. Closed: resolved and its descent window over.
    ///      Slashed: the commit was proven wrong through it. Cancelled: its commit was rolled back by another proof.
    enum OpeningStatus {
        None,
        Open,
        Resolved,
        Closed,
        Slashed,
        Cancelled
    }

    /// @notice One opening challenge (4 storage slots).
    /// @param challenger Who posted the bond (gets it back unless a correct answer is given).
    /// @param sequenceNo The commit challenged.
    /// @param level Depth in key bits of the subtree this challenge disputes: 0 for a challenge of the root; for a
    ///        descent, 1 + the leading bits its key shares with its parent's key (so it exceeds its parent's level).
    /// @param status See `OpeningStatus`.
    /// @param keyHash The 32-byte key to open (any 32 bytes: it need not have been written).
    /// @param commitKey keccak256(sequenceNo, stateRoot, committedAtBlock) of the commit when opened: a rolled-back and
    ///        recommitted sequence number is another commit.
    /// @param bond The bond posted, in wei.
    /// @param deadline Last block (inclusive) to resolve while Open, or to descend while Resolved.
    /// @param revealedDepth Once Resolved: the depth (siblings) of the path the answer revealed. A descent must branch
    ///        off that path at a revealed sibling, so a chain is never deeper than the tree the answers reveal.
    struct Opening {
        address challenger;
        uint64 sequenceNo;
        uint16 level;
        OpeningStatus status;
        bytes32 keyHash;
        bytes32 commitKey;
        uint96 bond;
        uint64 deadline;
        uint16 revealedDepth;
    }

    /// @notice Emitted when key `keyHash` must be opened against commit `sequenceNo` by block `deadline`.
    /// @param parentId The resolved challenge this one descends from (0: a challenge of the root).
    event OpeningChallenged(
        uint256 indexed id,
        uint64 indexed sequenceNo,
        bytes32 keyHash,
        uint256 indexed parentId,
        uint16 level,
        address challenger,
        uint256 bond,
        uint64 deadline
    );
    /// @notice Emitted when a challenge is answered correctly; `proof` is the path revealed (siblings leaf→root), and a
    ///         descent may be opened below it until block `descendDeadline`.
    event OpeningResolved(
        uint256 indexed id,
        uint64 indexed sequenceNo,
        address indexed resolver,
        JmtProof.SparseMerkleProof proof,
        uint64 descendDeadline
    );
    /// @notice Emitted when a challenge ends: Closed, Slashed (the commit was rolled back and `signers` slashed through
    ///         it) or Cancelled (its commit was rolled back by another proof; bond refunded).
    event OpeningSettled(uint256 indexed id, uint64 indexed sequenceNo, OpeningStatus status, address[] signers);
    /// @notice Emitted when `amount` wei of bond is credited to `account` (withdraw with `withdrawBonds`).
    event BondCredited(address indexed account, uint256 indexed id, uint256 amount);
    /// @notice Emitted when `account` withdraws `amount` wei of credited bonds.
    event BondsWithdrawn(address indexed account, uint256 amount);
    /// @notice Emitted when the owner sets the bond (wei) and the resolve window (blocks).
    event OpeningConfigUpdated(uint256 challengeBondWei, uint64 resolveWindowBlocks);

    /// @notice The game is not configured (`resolveWindowBlocks` is 0) or a parameter is out of range.
    error OpeningConfigInvalid(uint256 challengeBondWei, uint64 resolveWindowBlocks);
    /// @notice `msg.value` must equal the configured bond exactly.
    error OpeningBondMismatch(uint256 expected, uint256 sent);
    /// @notice A challenge of the root may only be opened on a commit ≥ 1 inside its challenge window (and not final).
    error OpeningCommitNotChallengeable(uint64 sequenceNo);
    /// @notice No opening challenge has this id.
    error OpeningUnknown(uint256 id);
    /// @notice The challenge is not in the status the call needs.
    error OpeningWrongStatus(uint256 id, OpeningStatus status);
    /// @notice The challenge's resolve window ended at block `deadline`.
    error OpeningResolveWindowClosed(uint256 id, uint64 deadline, uint256 blockNumber);
    /// @notice The challenge cannot be settled before block `deadline` has passed.
    error OpeningNotExpired(uint256 id, uint64 deadline, uint256 blockNumber);
    /// @notice The write record given is for another key than the challenged one.
    error OpeningKeyMismatch(uint256 id, bytes32 expected, bytes32 actual);
    /// @notice The challenged commit was rolled back: settle the challenge for a refund instead.
    error OpeningCommitGone(uint256 id, uint64 sequenceNo);
    /// @notice A descent must name a Resolved parent inside its descent window whose key shares at least the parent's
    ///         level, and fewer than the parent's revealed depth, in leading bits with the new key.
    error OpeningDescentInvalid(uint256 parentId, bytes32 keyHash);
    /// @notice No bond is credited to the caller.
    error BondNothingToWithdraw(address account);
    /// @notice Sending the credited bonds failed (the credit is kept).
    error BondWithdrawFailed(address account, uint256 amount);

    /// @notice The proof does not lead to the commit's root for the key (raised by `JmtProof` inside the linked
    ///         `KeyOpening` library; declared here so that callers of the ChallengeVerifier can decode it).
    error JmtProofRootMismatch(bytes32 keyHash, bytes32 expectedRoot, bytes32 actualRoot);

    /// @notice Challenges commit `sequenceNo` to open `keyHash`, posting exactly `challengeBondWei`.
    function openKey(uint64 sequenceNo, bytes32 keyHash, uint256 parentId) external payable returns (uint256 id);

    /// @notice Answers challenge `id` with the key's latest write below the commit's end and a JMT proof against its
    ///         root; a wrong or malformed answer proves the commit wrong instead.
    function resolveOpening(
        uint256 id,
        WriteLog.WriteRecord calldata write,
        IChallengeVerifier.SuccessorWitness calldata successor,
        JmtProof.SparseMerkleProof calldata proof
    ) external;

    /// @notice Ends challenge `id` after its deadline: slashes an unanswered one, closes an answered one; cancels (and
    ///         refunds) one whose commit was rolled back by another proof, at any time.
    function settleOpening(uint256 id) external;

    /// @notice Sends the caller every bond credited to it.
    function withdrawBonds() external;

    /// @notice Challenge `id` (status None when unknown).
    function openingAt(uint256 id) external view returns (Opening memory);

    /// @notice The number of challenges ever opened (ids are 1..count).
    function openingCount() external view returns (uint256);

    /// @notice Wei credited to `account` and not yet withdrawn.
    function bondCredit(address account) external view returns (uint256);

    /// @notice The bond in wei and the resolve window in blocks.
    function openingConfig() external view returns (uint256 challengeBondWei, uint64 resolveWindowBlocks);
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Contracts
import {Ownable2StepUpgradeable} from "@openzeppelin/contracts-upgradeable/access/Ownable2StepUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts/proxy/utils/UUPSUpgradeable.sol";

// Libraries
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {BLS12381} from "./libraries/BLS12381.sol";

// Interfaces
import {IOperatorRegistry} from "./interfaces/IOperatorRegistry.sol";

/// @title OperatorRegistry
/// @notice The permissioned (Phase 1) BLS12-381 operator set of Newton State, with on-chain proof-of-possession
///         checks, stake weights, slashing, and per-`operatorSetId` snapshots.
/// @dev Quorum checks follow the EigenLayer BLSSignatureChecker shape on BLS12-381 (EIP-2537): the stored aggregate
///      key of the active set minus the non-signers' keys (given in calldata, checked against stored hashes), then
///      one pairing check `e(apk_signers, H(m)) · e(−G1, σ) = 1`. The hot path reads one storage slot per
///      non-signer: the low 160 bits of its key hash packed with its weight (see `_packIndexSlot`).
contract OperatorRegistry is IOperatorRegistry, Ownable2StepUpgradeable, UUPSUpgradeable {
    using Checkpoints for Checkpoints.Trace208;

    /// @notice Semantic version of this implementation.
    // solhint-disable-next-line const-name-snakecase
    string public constant version = "1.0.0";

    /// @notice At most this many operators are active at once, so a `uint256` bitmap names the signers.
    uint256 public constant MAX_OPERATORS = 256;

    /// @notice Basis-point denominator.
    uint16 public constant BIPS = 10_000;

    /// @notice Type hash of the proof-of-possession message (see `popDigest`).
    bytes32 public constant POP_TYPEHASH = keccak256(
        "NewtonOperatorPoP(uint256 chainId,address registry,address operator,bytes32 pubkeyHash)"
    );

    /// @dev Per-operator record. `pubkey` is kept whole because leaving the set subtracts it from the apk.
    ///      `slashedOutAt` is the set a slash removed the operator in (0: none pending): `slashSigners` does not push a
    ///      zero weight checkpoint per operator (that would cost a new slot each), so `weightAt` reads this instead
    ///      until the operator registers again, which settles the checkpoint.
    struct Operator {
        bytes32 pubkeyHash;
        uint96 weight;
        uint8 index;
        bool active;
        uint64 slashedOutAt;
        bytes32[4] pubkey;
    }

    /// @custom:storage-location erc7201:newton.storage.OperatorRegistry
    struct OperatorRegistryStorage {
        uint256 activeBitmap;
        uint128 totalWeight;
        uint64 operatorSetId;
        uint16 quorumBips;
        address slasher;
        bytes32[4] apk;
        // index => uint160(pubkeyHash) | weight << 160; the one slot verifyQuorum reads per non-signer.
        mapping(uint256 index => uint256) indexSlots;
        mapping(address operator => Operator) operators;
        mapping(bytes32 pubkeyHash => address operator) pubkeyOwners;
        mapping(address operator => Checkpoints.Trace208) weightHistory;
        mapping(uint256 index => Checkpoints.Trace208) indexHistory;
        mapping(uint64 operatorSetId => OperatorSetSnapshot) sets;
        // The apk of every set, so that a signature by an older set can be checked by its non-signers.
        mapping(uint64 operatorSetId => bytes32[4]) setApks;
        // index => the operator last registered at it | the set it joined in << 160: who signed under bit `index`
        // of any set since then, in one SLOAD (older sets fall back to `indexHistory`).
        mapping(uint256 index => uint256) indexOccupants;
    }

    // keccak256(abi.encode(uint256(keccak256("newton.storage.OperatorRegistry")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_LOCATION = 0x7d1f765946a2031bf926aa131ef6f4ea64ab049a73d291c9ec3f58c5da891800;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Initializes the proxy with an empty operator set (`operatorSetId` 1).
    /// @param initialOwner The owner (a Safe on mainnet, the deployer on testnets).
    /// @param initialQuorumBips Quorum threshold in basis points of total weight, in (0, 10 000] (e.g. 6 667).
    /// @param initialSlasher The address allowed to slash (the ChallengeVerifier; may be zero and set later).
    /// @dev Reverts `OperatorQuorumBipsInvalid` when `initialQuorumBips` is 0 or above 10 000.
    function initialize(address initialOwner, uint16 initialQuorumBips, address initialSlasher) external initializer {
        __Ownable_init(initialOwner);
        __Ownable2Step_init();
        _checkQuorumBips(initialQuorumBips);
        OperatorRegistryStorage storage $ = _storage();
        $.quorumBips = initialQuorumBips;
        $.slasher = initialSlasher;
        _startOperatorSet($);
        emit QuorumBipsUpdated(0, initialQuorumBips, $.operatorSetId);
        emit SlasherUpdated(address(0), initialSlasher);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Owner operations
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IOperatorRegistry
    /// @dev Reverts `OperatorZeroAddress`, `OperatorWeightZero`, `OperatorAlreadyRegistered` (active already),
    ///      `OperatorPubkeyMismatch` (a returning operator must keep its key), `OperatorPubkeyAlreadyUsed` (the key
    ///      belongs to another address), `OperatorSetFull` (256 active), the BLS12381 input errors for a malformed or
    ///      infinity key/signature, and `OperatorInvalidProofOfPossession`. Emits `OperatorRegistered`.
    function registerOperator(
        address operator,
        bytes calldata pubkeyG1,
        bytes calldata popSignatureG2,
        uint96 weight
    ) external onlyOwner {
        if (operator == address(0)) revert OperatorZeroAddress();
        if (weight == 0) revert OperatorWeightZero(operator);
        BLS12381.validateG1(pubkeyG1);
        OperatorRegistryStorage storage $ = _storage();
        Operator storage op = $.operators[operator];
        if (op.active) revert OperatorAlreadyRegistered(operator);
        bytes32 pubkeyHash = keccak256(pubkeyG1);
        _checkPubkeyBinding($, op, operator, pubkeyHash);
        if (!BLS12381.verify(pubkeyG1, abi.encodePacked(_popDigest(operator, pubkeyHash)), popSignatureG2)) {
            revert OperatorInvalidProofOfPossession(operator);
        }
        if ($.activeBitmap == type(uint256).max) revert OperatorSetFull(MAX_OPERATORS);

        uint8 index = _lowestFreeIndex($.activeBitmap);
        uint64 slashedOutAt = op.slashedOutAt;
        if (slashedOutAt != 0) {
            // Settle the membership a slash ended lazily, before the new membership starts (keys stay ascending).
            $.weightHistory[operator].push(SafeCast.toUint48(slashedOutAt), 0);
            op.slashedOutAt = 0;
        }
        if (op.pubkeyHash == bytes32(0)) {
            op.pubkeyHash = pubkeyHash;
            op.pubkey = _toWords(pubkeyG1);
            $.pubkeyOwners[pubkeyHash] = operator;
        }
        op.index = index;
        op.active = true;
        op.weight = weight;
        $.activeBitmap |= 1 << index;
        $.totalWeight += weight;
        $.apk = _toWords(BLS12381.g1Add(_fromWords($.apk), pubkeyG1));
        $.indexSlots[index] = _packIndexSlot(pubkeyHash, weight);
        uint64 setId = _startOperatorSet($);
        _recordMembership($, operator, index, weight, setId);
        $.indexOccupants[index] = uint256(uint160(operator)) | (uint256(setId) << 160);
        emit OperatorRegistered(operator, index, pubkeyHash, weight, setId);
    }

    /// @inheritdoc IOperatorRegistry
    /// @dev Reverts `OperatorNotActive` when `operator` is not in the active set. Emits `OperatorDeregistered`.
    function deregisterOperator(address operator) external onlyOwner {
        OperatorRegistryStorage storage $ = _storage();
        Operator storage op = $.operators[operator];
        if (!op.active) revert OperatorNotActive(operator);
        uint8 index = op.index;
        _removeFromActiveSet($, op);
        uint64 setId = _startOperatorSet($);
        _recordMembership($, operator, index, 0, setId);
        emit OperatorDeregistered(operator, index, setId);
    }

    /// @inheritdoc IOperatorRegistry
    /// @dev `weight` is unit-less (> 0). Reverts `OperatorWeightZero`, `OperatorNotActive`.
    ///      Emits `OperatorWeightUpdated`.
    function setWeight(address operator, uint96 weight) external onlyOwner {
        if (weight == 0) revert OperatorWeightZero(operator);
        OperatorRegistryStorage storage $ = _storage();
        Operator storage op = $.operators[operator];
        if (!op.active) revert OperatorNotActive(operator);
        uint96 oldWeight = op.weight;
        op.weight = weight;
        $.totalWeight = $.totalWeight - oldWeight + weight;
        $.indexSlots[op.index] = _packIndexSlot(op.pubkeyHash, weight);
        uint64 setId = _startOperatorSet($);
        _recordMembership($, operator, op.index, weight, setId);
        emit OperatorWeightUpdated(operator, oldWeight, weight, setId);
    }

    /// @inheritdoc IOperatorRegistry
    /// @dev Starts a new operator set, since the rule for a valid signature changes.
    ///      Reverts `OperatorQuorumBipsInvalid` unless 0 < `newQuorumBips` ≤ 10 000. Emits `QuorumBipsUpdated`.
    function setQuorumBips(uint16 newQuorumBips) external onlyOwner {
        _checkQuorumBips(newQuorumBips);
        OperatorRegistryStorage storage $ = _storage();
        uint16 oldQuorumBips = $.quorumBips;
        $.quorumBips = newQuorumBips;
        uint64 setId = _startOperatorSet($);
        emit QuorumBipsUpdated(oldQuorumBips, newQuorumBips, setId);
    }

    /// @inheritdoc IOperatorRegistry
    /// @dev Emits `SlasherUpdated`.
    function setSlasher(address newSlasher) external onlyOwner {
        OperatorRegistryStorage storage $ = _storage();
        emit SlasherUpdated($.slasher, newSlasher);
        $.slasher = newSlasher;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Slashing
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IOperatorRegistry
    /// @param setId The set the signers signed under (1 ≤ id ≤ current), e.g. a commit's `operatorSetId`.
    /// @param nonSignerBitmap The non-signers of that signature (bits outside the set are ignored).
    /// @param bips Share of each signer's weight to remove, in basis points (0, 10 000].
    /// @param reason A reason code chosen by the slasher.
    /// @return newSetId The operator set started without them.
    /// @dev The signer set is frozen as a bitmap of `setId`'s indexes; each signer is resolved to its address with one
    ///      SLOAD (`indexOccupants`) unless its index changed hands since `setId`, and costs one write of its packed
    ///      record (weight, active, `slashedOutAt`) and its `OperatorSlashed` event: no per-operator history slots
    ///      (`weightAt` reads `slashedOutAt`, `operatorAt` masks by the set's bitmap). The new apk is derived from
    ///      whichever is smaller, the removed keys or the remaining ones (none when every member signed), so 256
    ///      signers fit one transaction well under EIP-7825's 2^24 gas. Reverts `OperatorCallerNotSlasher`,
    ///      `OperatorSlashBipsInvalid`, `QuorumUnknownOperatorSet`. Emits `OperatorSlashed` per signer, then
    ///      `SignersSlashed`.
    function slashSigners(
        uint64 setId,
        uint256 nonSignerBitmap,
        uint16 bips,
        bytes32 reason
    ) external returns (uint64 newSetId) {
        OperatorRegistryStorage storage $ = _checkSlash(bips);
        if (setId == 0 || setId > $.operatorSetId) revert QuorumUnknownOperatorSet(setId);
        uint256 signerBitmap = $.sets[setId].activeBitmap & ~nonSignerBitmap;
        newSetId = ++$.operatorSetId;
        uint256 removed; // current indexes that leave the active set
        uint256 bits = signerBitmap;
        for (uint256 index = 0; bits != 0; ++index) {
            if (bits & 1 == 1) {
                removed |= _slashOne($, _signerAt($, index, setId), bips, reason, newSetId);
            }
            bits >>= 1;
        }
        uint256 remaining = $.activeBitmap;
        if (removed != 0) {
            bytes memory apk_;
            if (_popCount(removed) <= _popCount(remaining)) {
                apk_ = BLS12381.g1Sub(_fromWords($.apk), _sumKeys($, removed));
            } else {
                apk_ = _sumKeys($, remaining);
            }
            $.apk = _toWords(apk_);
        }
        _snapshot($, newSetId);
        emit SignersSlashed(setId, signerBitmap, bips, reason, newSetId);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Signature checks
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IOperatorRegistry
    /// @param digest The 32-byte message that was signed (its bytes are hashed to G2 with RFC 9380).
    /// @param proof Non-signer bitmap, the non-signers' 128-byte G1 keys in ascending index order, and the 256-byte
    ///        G2 aggregate signature of everyone else in the current set.
    /// @return signedWeight Weight of the signers.
    /// @return totalWeightOfSet Weight of the whole current set.
    /// @dev Reverts `QuorumNonSignerNotInSet`, `QuorumNonSignerCountMismatch`, `QuorumNonSignerPubkeyMismatch`,
    ///      `QuorumNoSigners` (everybody is a non-signer), `QuorumNotReached`, `QuorumInvalidSignature`, and the
    ///      BLS12381 errors for a malformed or infinity signature.
    function verifyQuorum(
        bytes32 digest,
        SignerProof calldata proof
    ) external view returns (uint256 signedWeight, uint256 totalWeightOfSet) {
        return _verifyCurrentQuorum(digest, proof);
    }

    /// @inheritdoc IOperatorRegistry
    /// @param setId The set the signature was made under (1 ≤ id ≤ current); the current set takes the
    ///        `verifyQuorum` path.
    /// @param digest The 32-byte signed message.
    /// @param proof Non-signers of that set (bitmap over its indexes, their keys ascending by index) and the 256-byte
    ///        G2 aggregate signature of its other members.
    /// @return signedWeight Weight of the signers in that set.
    /// @return totalWeightOfSet Weight of that set.
    /// @dev Reverts `QuorumUnknownOperatorSet` and every error of `verifyQuorum`, checked against the snapshot of
    ///      `setId` (membership, keys, weights, apk and threshold as they were then).
    function verifyQuorumAt(
        uint64 setId,
        bytes32 digest,
        SignerProof calldata proof
    ) external view returns (uint256 signedWeight, uint256 totalWeightOfSet) {
        OperatorRegistryStorage storage $ = _storage();
        if (setId == $.operatorSetId) return _verifyCurrentQuorum(digest, proof);
        if (setId == 0 || setId > $.operatorSetId) revert QuorumUnknownOperatorSet(setId);
        OperatorSetSnapshot memory set = $.sets[setId];
        uint256 nonSigners = proof.nonSignerBitmap;
        if (nonSigners & ~set.activeBitmap != 0) revert QuorumNonSignerNotInSet(nonSigners, set.activeBitmap);
        if (nonSigners == set.activeBitmap) revert QuorumNoSigners();
        bytes memory apkSigners = _fromWords($.setApks[setId]);
        uint256 nonSignerWeight;
        if (nonSigners != 0) {
            bytes memory nonSignerSum;
            (nonSignerWeight, nonSignerSum) = _historicalNonSigners($, setId, proof);
            apkSigners = BLS12381.g1Sub(apkSigners, nonSignerSum);
        } else if (proof.nonSignerPubkeys.length != 0) {
            revert QuorumNonSignerCountMismatch(0, proof.nonSignerPubkeys.length);
        }
        totalWeightOfSet = set.totalWeight;
        signedWeight = totalWeightOfSet - nonSignerWeight;
        _checkThreshold(signedWeight, totalWeightOfSet, set.quorumBips);
        if (!BLS12381.verify(apkSigners, abi.encodePacked(digest), proof.signatureG2)) revert QuorumInvalidSignature();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IOperatorRegistry
    /// @dev `keccak256(abi.encode(POP_TYPEHASH, block.chainid, address(this), operator, keccak256(pubkeyG1)))`.
    function popDigest(address operator, bytes calldata pubkeyG1) external view returns (bytes32) {
        return _popDigest(operator, keccak256(pubkeyG1));
    }

    /// @inheritdoc IOperatorRegistry
    function operatorSetId() external view returns (uint64) {
        return _storage().operatorSetId;
    }

    /// @inheritdoc IOperatorRegistry
    function operatorSet(uint64 setId) external view returns (OperatorSetSnapshot memory) {
        OperatorRegistryStorage storage $ = _storage();
        if (setId == 0 || setId > $.operatorSetId) revert QuorumUnknownOperatorSet(setId);
        return $.sets[setId];
    }

    /// @inheritdoc IOperatorRegistry
    function quorumBips() external view returns (uint16) {
        return _storage().quorumBips;
    }

    /// @inheritdoc IOperatorRegistry
    function totalWeight() external view returns (uint256) {
        return _storage().totalWeight;
    }

    /// @inheritdoc IOperatorRegistry
    function activeBitmap() external view returns (uint256) {
        return _storage().activeBitmap;
    }

    /// @inheritdoc IOperatorRegistry
    function apk() external view returns (bytes memory) {
        return _fromWords(_storage().apk);
    }

    /// @inheritdoc IOperatorRegistry
    /// @dev Reverts `QuorumUnknownOperatorSet` for a set that never existed.
    function apkAt(uint64 setId) external view returns (bytes memory) {
        OperatorRegistryStorage storage $ = _storage();
        if (setId == 0 || setId > $.operatorSetId) revert QuorumUnknownOperatorSet(setId);
        return _fromWords($.setApks[setId]);
    }

    /// @inheritdoc IOperatorRegistry
    function operatorInfo(address operator) external view returns (OperatorInfo memory) {
        Operator storage op = _storage().operators[operator];
        return OperatorInfo({pubkeyHash: op.pubkeyHash, weight: op.weight, index: op.index, active: op.active});
    }

    /// @inheritdoc IOperatorRegistry
    /// @dev Zero outside the set's bitmap: a slash removes members without a per-index checkpoint.
    function operatorAt(uint8 index, uint64 setId) external view returns (address) {
        OperatorRegistryStorage storage $ = _storage();
        if (($.sets[setId].activeBitmap >> index) & 1 == 0) return address(0);
        return _operatorAt($, index, setId);
    }

    /// @inheritdoc IOperatorRegistry
    /// @dev Zero from the set a slash removed the operator in, until it registers again (see `Operator`).
    function weightAt(address operator, uint64 setId) public view returns (uint256) {
        OperatorRegistryStorage storage $ = _storage();
        uint64 slashedOutAt = $.operators[operator].slashedOutAt;
        if (slashedOutAt != 0 && setId >= slashedOutAt) return 0;
        return $.weightHistory[operator].upperLookupRecent(SafeCast.toUint48(setId));
    }

    /// @inheritdoc IOperatorRegistry
    /// @dev Reverts `QuorumUnknownOperatorSet` for a set that never existed.
    function signersOf(uint64 setId, uint256 nonSignerBitmap) external view returns (address[] memory signers) {
        OperatorRegistryStorage storage $ = _storage();
        if (setId == 0 || setId > $.operatorSetId) revert QuorumUnknownOperatorSet(setId);
        uint256 bits = $.sets[setId].activeBitmap & ~nonSignerBitmap;
        signers = new address[](_popCount(bits));
        uint256 n = 0;
        for (uint256 index = 0; bits != 0; ++index) {
            if (bits & 1 == 1) signers[n++] = _signerAt($, index, setId);
            bits >>= 1;
        }
    }

    /// @inheritdoc IOperatorRegistry
    function slasher() external view returns (address) {
        return _storage().slasher;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------------------------

    /// @dev Only the owner may upgrade (UUPS).
    function _authorizeUpgrade(address) internal override onlyOwner {}

    function _storage() internal pure returns (OperatorRegistryStorage storage $) {
        assembly {
            $.slot := STORAGE_LOCATION
        }
    }

    function _popDigest(address operator, bytes32 pubkeyHash) private view returns (bytes32) {
        return keccak256(abi.encode(POP_TYPEHASH, block.chainid, address(this), operator, pubkeyHash));
    }

    function _checkPubkeyBinding(
        OperatorRegistryStorage storage $,
        Operator storage op,
        address operator,
        bytes32 pubkeyHash
    ) private view {
        if (op.pubkeyHash != bytes32(0) && op.pubkeyHash != pubkeyHash) {
            revert OperatorPubkeyMismatch(operator, op.pubkeyHash, pubkeyHash);
        }
        address owner_ = $.pubkeyOwners[pubkeyHash];
        if (owner_ != address(0) && owner_ != operator) revert OperatorPubkeyAlreadyUsed(pubkeyHash, owner_);
    }

    function _checkQuorumBips(uint16 bips) private pure {
        if (bips == 0 || bips > BIPS) revert OperatorQuorumBipsInvalid(bips);
    }

    function _checkSlash(uint16 bips) private view returns (OperatorRegistryStorage storage $) {
        $ = _storage();
        if (msg.sender != $.slasher) revert OperatorCallerNotSlasher(msg.sender);
        if (bips == 0 || bips > BIPS) revert OperatorSlashBipsInvalid(bips);
    }

    function _checkThreshold(uint256 signedWeight, uint256 totalWeightOfSet, uint16 bips) internal pure {
        // Cross-multiplied so that "exactly at the threshold" is exact; weights < 2^104, so no overflow.
        if (signedWeight * BIPS < totalWeightOfSet * bips)
            revert QuorumNotReached(signedWeight, totalWeightOfSet, bips);
    }

    /// @dev Reduces `operator`'s weight by `bips` and, if it is active, takes it out of the active bitmap and total
    ///      weight (not the apk: the caller updates it once for all). One write of the packed record, no history slot.
    /// @return removedBit The operator's index bit if it left the active set, else 0.
    function _slashOne(
        OperatorRegistryStorage storage $,
        address operator,
        uint16 bips,
        bytes32 reason,
        uint64 setId
    ) private returns (uint256 removedBit) {
        Operator storage op = $.operators[operator];
        uint96 oldWeight = op.weight;
        // bips ≤ 10 000, so the product fits easily in 256 bits and the result is ≤ oldWeight.
        uint96 newWeight = uint96(oldWeight - (uint256(oldWeight) * bips) / BIPS);
        if (op.active) {
            removedBit = uint256(1) << op.index;
            $.activeBitmap &= ~removedBit;
            $.totalWeight -= oldWeight;
            op.active = false;
            op.slashedOutAt = setId;
        }
        op.weight = newWeight;
        emit OperatorSlashed(operator, bips, reason, oldWeight, newWeight, setId);
    }

    /// @dev The operator that held `index` in set `setId` (a member there): the index's last registrant when it
    ///      joined at or before `setId` (one SLOAD), else the index's history.
    function _signerAt(OperatorRegistryStorage storage $, uint256 index, uint64 setId) private view returns (address) {
        uint256 occupant = $.indexOccupants[index];
        if (occupant != 0 && occupant >> 160 <= setId) return address(uint160(occupant));
        return _operatorAt($, index, setId);
    }

    function _operatorAt(
        OperatorRegistryStorage storage $,
        uint256 index,
        uint64 setId
    ) private view returns (address) {
        return address(uint160($.indexHistory[index].upperLookupRecent(SafeCast.toUint48(setId))));
    }

    /// @dev Σ of the keys of the operators now holding the indexes in `bitmap` (each the index's last registrant).
    function _sumKeys(OperatorRegistryStorage storage $, uint256 bitmap) private view returns (bytes memory sum) {
        sum = new bytes(128); // the point at infinity
        for (uint256 index = 0; bitmap != 0; ++index) {
            if (bitmap & 1 == 1) {
                address operator = _signerAt($, index, type(uint48).max);
                sum = BLS12381.g1Add(sum, _fromWords($.operators[operator].pubkey));
            }
            bitmap >>= 1;
        }
    }

    function _removeFromActiveSet(OperatorRegistryStorage storage $, Operator storage op) private {
        uint8 index = op.index;
        op.active = false;
        $.activeBitmap &= ~(uint256(1) << index);
        $.totalWeight -= op.weight;
        $.apk = _toWords(BLS12381.g1Sub(_fromWords($.apk), _fromWords(op.pubkey)));
        delete $.indexSlots[index];
    }

    /// @dev Opens operator set `operatorSetId + 1` and snapshots the current (already changed) state into it.
    function _startOperatorSet(OperatorRegistryStorage storage $) private returns (uint64 setId) {
        setId = ++$.operatorSetId;
        _snapshot($, setId);
    }

    function _snapshot(OperatorRegistryStorage storage $, uint64 setId) private {
        $.sets[setId] = OperatorSetSnapshot({
            activeBitmap: $.activeBitmap,
            totalWeight: $.totalWeight,
            quorumBips: $.quorumBips
        });
        $.setApks[setId] = $.apk;
    }

    function _recordMembership(
        OperatorRegistryStorage storage $,
        address operator,
        uint8 index,
        uint96 weight,
        uint64 setId
    ) private {
        uint48 key = SafeCast.toUint48(setId);
        $.weightHistory[operator].push(key, weight);
        $.indexHistory[index].push(key, weight == 0 ? 0 : uint160(operator));
    }

    /// @dev apk − Σ non-signer keys, checking each key's hash against the packed index slot (one SLOAD each).
    function _subtractNonSigners(
        OperatorRegistryStorage storage $,
        bytes memory apk_,
        SignerProof calldata proof
    ) private view returns (bytes memory apkSigners, uint256 nonSignerWeight) {
        uint256 bits = proof.nonSignerBitmap;
        bytes[] calldata pubkeys = proof.nonSignerPubkeys;
        uint256 count = _popCount(bits);
        if (count != pubkeys.length) revert QuorumNonSignerCountMismatch(count, pubkeys.length);
        if (count == 0) return (apk_, 0);
        (bytes memory sum, bytes32[] memory hashes) = BLS12381.g1SumHashed(pubkeys);
        uint256 k = 0;
        for (uint256 index = 0; bits != 0; ++index) {
            if (bits & 1 == 1) {
                uint256 slot = $.indexSlots[index];
                if (uint160(slot) != uint160(uint256(hashes[k]))) revert QuorumNonSignerPubkeyMismatch(uint8(index));
                nonSignerWeight += slot >> 160;
                ++k;
            }
            bits >>= 1;
        }
        apkSigners = BLS12381.g1Sub(apk_, sum);
    }

    /// @dev The `verifyQuorum` hot path against the current set (packed index slots, stored apk).
    function _verifyCurrentQuorum(
        bytes32 digest,
        SignerProof calldata proof
    ) private view returns (uint256 signedWeight, uint256 totalWeightOfSet) {
        OperatorRegistryStorage storage $ = _storage();
        uint256 nonSigners = proof.nonSignerBitmap;
        totalWeightOfSet = $.totalWeight;
        if (nonSigners == 0) {
            // Full participation, the common case: no bitmap to check, so skip its SLOAD.
            if (totalWeightOfSet == 0) revert QuorumNoSigners();
        } else {
            uint256 active = $.activeBitmap;
            if (nonSigners & ~active != 0) revert QuorumNonSignerNotInSet(nonSigners, active);
            if (nonSigners == active) revert QuorumNoSigners();
        }
        (bytes memory apkSigners, uint256 nonSignerWeight) = _subtractNonSigners($, _fromWords($.apk), proof);
        signedWeight = totalWeightOfSet - nonSignerWeight;
        _checkThreshold(signedWeight, totalWeightOfSet, $.quorumBips);
        if (!BLS12381.verify(apkSigners, abi.encodePacked(digest), proof.signatureG2)) revert QuorumInvalidSignature();
    }

    /// @dev Σ weights of the non-signers of an older set and the sum of their keys, each key checked against its
    ///      operator's full key hash.
    function _historicalNonSigners(
        OperatorRegistryStorage storage $,
        uint64 setId,
        SignerProof calldata proof
    ) private view returns (uint256 weight, bytes memory sum) {
        uint256 bits = proof.nonSignerBitmap;
        bytes[] calldata pubkeys = proof.nonSignerPubkeys;
        uint256 count = _popCount(bits);
        if (count != pubkeys.length) revert QuorumNonSignerCountMismatch(count, pubkeys.length);
        bytes32[] memory hashes;
        (sum, hashes) = BLS12381.g1SumHashed(pubkeys);
        uint256 k = 0;
        for (uint256 index = 0; bits != 0; ++index) {
            if (bits & 1 == 1) {
                address operator = _operatorAt($, index, setId);
                if ($.operators[operator].pubkeyHash != hashes[k]) revert QuorumNonSignerPubkeyMismatch(uint8(index));
                weight += weightAt(operator, setId);
                ++k;
            }
            bits >>= 1;
        }
    }

    /// @dev The low 160 bits of the key hash and the weight in one slot. A 160-bit hash suffices: a second preimage
    ///      costs 2^160, and a birthday collision between two keys of the same operator only lets it swap which of
    ///      its own keys is subtracted, which changes nothing about who must sign.
    function _packIndexSlot(bytes32 pubkeyHash, uint96 weight) private pure returns (uint256) {
        return uint256(uint160(uint256(pubkeyHash))) | (uint256(weight) << 160);
    }

    function _lowestFreeIndex(uint256 bitmap) private pure returns (uint8) {
        // The caller checked bitmap != 2^256 − 1, so bitmap + 1 cannot overflow; isolating the lowest zero bit.
        unchecked {
            return uint8(Math.log2(~bitmap & (bitmap + 1)));
        }
    }

    function _popCount(uint256 x) private pure returns (uint256 count) {
        // Kernighan: one iteration per set bit, at most 256, so the counter cannot overflow.
        unchecked {
            while (x != 0) {
                x &= x - 1;
                ++count;
            }
        }
    }

    /// @dev A 128-byte G1 point as four storage words: words[i] = point[32i : 32i + 32].
    function _toWords(bytes memory point) private pure returns (bytes32[4] memory words) {
        words = abi.decode(point, (bytes32[4]));
    }

    function _fromWords(bytes32[4] memory words) internal pure returns (bytes memory point) {
        point = abi.encodePacked(words[0], words[1], words[2], words[3]);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IOperatorRegistry
/// @notice The BLS12-381 operator set that signs Newton State commits and policy attestations.
/// @dev Min-pk BLS (public keys in G1, signatures in G2) with the Ethereum ciphersuite
///      `BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_`. Points use the EIP-2537 encodings: a G1 point is 128 bytes
///      (x ‖ y, each a 64-byte big-endian Fp with 16 zero bytes of padding), a G2 point is 256 bytes (x ‖ y, each an
///      Fp2 encoded c0 ‖ c1). Every change of membership, weight or threshold starts a new `operatorSetId`, and
///      each set is snapshotted so that signatures made under an older set can still be checked.
interface IOperatorRegistry {
    /// @notice A quorum signature over a digest by the current set, named by who did NOT sign.
    /// @param nonSignerBitmap Bit i set ⇔ the operator at index i did not sign. Must be a subset of the active set.
    /// @param nonSignerPubkeys The 128-byte EIP-2537 G1 public keys of the non-signers, in ascending index order.
    /// @param signatureG2 The aggregate signature of the signers: a 256-byte EIP-2537 G2 point.
    struct SignerProof {
        uint256 nonSignerBitmap;
        bytes[] nonSignerPubkeys;
        bytes signatureG2;
    }

    /// @notice What the registry knows about one operator address.
    /// @param pubkeyHash keccak256 of the operator's 128-byte G1 public key (bound to the address forever).
    /// @param weight The operator's weight: its voting weight while active; kept (reduced by slashes) when inactive.
    /// @param index The operator's slot in the signer bitmap while active (0–255).
    /// @param active Whether the operator is in the current set.
    struct OperatorInfo {
        bytes32 pubkeyHash;
        uint96 weight;
        uint8 index;
        bool active;
    }

    /// @notice The snapshot of one operator set.
    /// @param activeBitmap Bit i set ⇔ index i was occupied in that set.
    /// @param totalWeight Sum of the members' weights.
    /// @param quorumBips Share of `totalWeight` (in basis points) a quorum needs in that set.
    struct OperatorSetSnapshot {
        uint256 activeBitmap;
        uint128 totalWeight;
        uint16 quorumBips;
    }

    /// @notice Emitted when an operator joins the active set.
    event OperatorRegistered(
        address indexed operator,
        uint8 indexed index,
        bytes32 pubkeyHash,
        uint96 weight,
        uint64 indexed operatorSetId
    );
    /// @notice Emitted when the owner removes an operator from the active set.
    event OperatorDeregistered(address indexed operator, uint8 indexed index, uint64 indexed operatorSetId);
    /// @notice Emitted when the owner changes an active operator's weight.
    event OperatorWeightUpdated(
        address indexed operator,
        uint96 oldWeight,
        uint96 newWeight,
        uint64 indexed operatorSetId
    );
    /// @notice Emitted when the slasher slashes an operator; it leaves the active set if it was in it.
    event OperatorSlashed(
        address indexed operator,
        uint16 bips,
        bytes32 indexed reason,
        uint96 oldWeight,
        uint96 newWeight,
        uint64 operatorSetId
    );
    /// @notice Emitted once per `slashSigners`, after each signer's `OperatorSlashed`: the signers of set
    ///         `operatorSetId` (`signerBitmap`, over that set's indexes) were slashed `bips` and removed from the
    ///         active set, which continues as `newOperatorSetId`.
    event SignersSlashed(
        uint64 indexed operatorSetId,
        uint256 signerBitmap,
        uint16 bips,
        bytes32 indexed reason,
        uint64 newOperatorSetId
    );
    /// @notice Emitted when the quorum threshold changes.
    event QuorumBipsUpdated(uint16 oldQuorumBips, uint16 newQuorumBips, uint64 indexed operatorSetId);
    /// @notice Emitted when the slasher (the ChallengeVerifier) changes.
    event SlasherUpdated(address indexed oldSlasher, address indexed newSlasher);

    /// @notice The zero address was given as an operator.
    error OperatorZeroAddress();
    /// @notice A weight of zero was given for `operator`.
    error OperatorWeightZero(address operator);
    /// @notice `operator` is already in the active set.
    error OperatorAlreadyRegistered(address operator);
    /// @notice `operator` is not in the active set.
    error OperatorNotActive(address operator);
    /// @notice The public key with hash `pubkeyHash` is already bound to `owner`.
    error OperatorPubkeyAlreadyUsed(bytes32 pubkeyHash, address owner);
    /// @notice `operator` re-registered with a key (`given`) other than the one bound to it (`bound`).
    error OperatorPubkeyMismatch(address operator, bytes32 bound, bytes32 given);
    /// @notice The proof of possession does not verify for `operator`'s key.
    error OperatorInvalidProofOfPossession(address operator);
    /// @notice The active set already has `maxOperators` members.
    error OperatorSetFull(uint256 maxOperators);
    /// @notice `quorumBips` must be in (0, 10 000].
    error OperatorQuorumBipsInvalid(uint16 quorumBips);
    /// @notice Slash bips must be in (0, 10 000].
    error OperatorSlashBipsInvalid(uint16 bips);
    /// @notice `caller` is not the slasher.
    error OperatorCallerNotSlasher(address caller);

    /// @notice The non-signer bitmap names indexes outside the active set (`bitmap & ~activeBitmap != 0`).
    error QuorumNonSignerNotInSet(uint256 nonSignerBitmap, uint256 activeBitmap);
    /// @notice The number of non-signer public keys does not match the bitmap's population count.
    error QuorumNonSignerCountMismatch(uint256 expected, uint256 actual);
    /// @notice The public key given for the non-signer at `index` is not the registered one.
    error QuorumNonSignerPubkeyMismatch(uint8 index);
    /// @notice Nobody signed: the signers' aggregate key would be the point at infinity.
    error QuorumNoSigners();
    /// @notice The aggregate signature does not verify against the signers' aggregate key.
    error QuorumInvalidSignature();
    /// @notice Signed weight below the threshold: `signedWeight * 10 000 < totalWeight * quorumBips`.
    error QuorumNotReached(uint256 signedWeight, uint256 totalWeight, uint16 quorumBips);
    /// @notice `operatorSetId` has never existed (it is 0 or after the current one).
    error QuorumUnknownOperatorSet(uint64 operatorSetId);
    /// @notice `signer` was not a member of set `operatorSetId`.
    error QuorumSignerNotInSet(address signer, uint64 operatorSetId);
    /// @notice The explicit signer list must be strictly ascending by address (no duplicates); broken at `position`.
    error QuorumSignersNotSorted(uint256 position);
    /// @notice The number of signer public keys does not match the number of signers.
    error QuorumSignerCountMismatch(uint256 signers, uint256 pubkeys);
    /// @notice The public key given for `signer` is not its registered one.
    error QuorumSignerPubkeyMismatch(address signer);

    /// @notice Adds `operator` to the active set with a BLS public key whose possession it proves.
    /// @param operator The operator's address (the identity slashing and the signer bitmap refer to).
    /// @param pubkeyG1 The operator's 128-byte EIP-2537 G1 public key (not infinity, canonical coordinates).
    /// @param popSignatureG2 A 256-byte EIP-2537 G2 BLS signature over the 32-byte `popDigest(operator, pubkeyG1)`
    ///        with the Ethereum ciphersuite; it blocks rogue-key attacks on the aggregate key.
    /// @param weight The operator's voting weight (unit-less; e.g. stake in wei), > 0.
    function registerOperator(
        address operator,
        bytes calldata pubkeyG1,
        bytes calldata popSignatureG2,
        uint96 weight
    ) external;

    /// @notice Removes `operator` from the active set (owner only).
    function deregisterOperator(address operator) external;

    /// @notice Sets the weight of active `operator` (owner only).
    function setWeight(address operator, uint96 weight) external;

    /// @notice Sets the quorum threshold in basis points of total weight (owner only).
    function setQuorumBips(uint16 quorumBips) external;

    /// @notice Sets the address allowed to slash (the ChallengeVerifier) (owner only).
    function setSlasher(address slasher) external;

    /// @notice Slashes every signer of a signature by set `setId` — its members not in `nonSignerBitmap` — by
    ///         `bips`/10 000 of their weight and removes those still active from the active set, all under one new
    ///         operator set, at bounded gas (256 signers fit one transaction) (slasher only).
    function slashSigners(
        uint64 setId,
        uint256 nonSignerBitmap,
        uint16 bips,
        bytes32 reason
    ) external returns (uint64 newSetId);

    /// @notice Checks a quorum signature of the current set over `digest`.
    function verifyQuorum(
        bytes32 digest,
        SignerProof calldata proof
    ) external view returns (uint256 signedWeight, uint256 totalWeight);

    /// @notice Checks a quorum signature over `digest` by set `setId` (current or older), named by its non-signers.
    function verifyQuorumAt(
        uint64 setId,
        bytes32 digest,
        SignerProof calldata proof
    ) external view returns (uint256 signedWeight, uint256 totalWeight);

    /// @notice The 32-byte message an operator signs as its proof of possession.
    function popDigest(address operator, bytes calldata pubkeyG1) external view returns (bytes32);

    /// @notice The current operator set id (starts at 1 after initialization).
    function operatorSetId() external view returns (uint64);

    /// @notice The snapshot of set `operatorSetId`.
    function operatorSet(uint64 setId) external view returns (OperatorSetSnapshot memory);

    /// @notice The quorum threshold of the current set, in basis points.
    function quorumBips() external view returns (uint16);

    /// @notice The total weight of the current set.
    function totalWeight() external view returns (uint256);

    /// @notice The signer-bitmap of occupied indexes in the current set.
    function activeBitmap() external view returns (uint256);

    /// @notice The aggregate public key of the current set: a 128-byte EIP-2537 G1 point (infinity when empty).
    function apk() external view returns (bytes memory);

    /// @notice The aggregate public key of set `setId`: a 128-byte EIP-2537 G1 point (infinity when empty).
    function apkAt(uint64 setId) external view returns (bytes memory);

    /// @notice The record of `operator`.
    function operatorInfo(address operator) external view returns (OperatorInfo memory);

    /// @notice The operator that held `index` in set `operatorSetId` (zero address if none).
    function operatorAt(uint8 index, uint64 setId) external view returns (address);

    /// @notice `operator`'s weight in set `operatorSetId` (0 if it was not a member).
    function weightAt(address operator, uint64 setId) external view returns (uint256);

    /// @notice The members of set `operatorSetId` whose bit is NOT in `nonSignerBitmap`, ascending by index.
    function signersOf(uint64 setId, uint256 nonSignerBitmap) external view returns (address[] memory);

    /// @notice The slasher address.
    function slasher() external view returns (address);
}

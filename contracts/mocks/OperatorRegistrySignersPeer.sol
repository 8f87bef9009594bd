// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {OperatorRegistry} from "../OperatorRegistry.sol";
import {BLS12381} from "../libraries/BLS12381.sol";

/// @notice The naive peer of `verifyQuorumAt`, kept for the gas benchmark and its tests: it checks a signature by an
///         explicit signer list, summing every signer's key from calldata, instead of the stored apk minus the
///         non-signers. It lives outside `OperatorRegistry` to keep that contract under the EIP-170 size limit.
/// @custom:oz-upgrades-unsafe-allow missing-initializer
contract OperatorRegistrySignersPeer is OperatorRegistry {
    /// @notice Checks a quorum signature over `digest` by an explicit signer list of set `setId`.
    /// @param setId The set the signature was made under (1 ≤ id ≤ current).
    /// @param digest The 32-byte signed message.
    /// @param signers The signers' addresses, strictly ascending.
    /// @param signerPubkeys Their 128-byte EIP-2537 G1 keys, in the same order.
    /// @param signatureG2 The 256-byte EIP-2537 G2 aggregate signature.
    /// @return signedWeight Weight of the signers in that set.
    /// @return totalWeightOfSet Weight of that set.
    /// @dev Reverts `QuorumUnknownOperatorSet`, `QuorumSignerCountMismatch`, `QuorumSignersNotSorted`,
    ///      `QuorumSignerNotInSet`, `QuorumSignerPubkeyMismatch`, `QuorumNoSigners` (empty list),
    ///      `QuorumNotReached` (against that set's threshold), `QuorumInvalidSignature`.
    function verifySignersAt(
        uint64 setId,
        bytes32 digest,
        address[] calldata signers,
        bytes[] calldata signerPubkeys,
        bytes calldata signatureG2
    ) external view returns (uint256 signedWeight, uint256 totalWeightOfSet) {
        OperatorRegistryStorage storage $ = _storage();
        if (setId == 0 || setId > $.operatorSetId) revert QuorumUnknownOperatorSet(setId);
        if (signers.length != signerPubkeys.length) {
            revert QuorumSignerCountMismatch(signers.length, signerPubkeys.length);
        }
        if (signers.length == 0) revert QuorumNoSigners();
        bytes memory apkSigners;
        (apkSigners, signedWeight) = _aggregateSigners($, setId, signers, signerPubkeys);
        OperatorSetSnapshot memory set = $.sets[setId];
        totalWeightOfSet = set.totalWeight;
        _checkThreshold(signedWeight, totalWeightOfSet, set.quorumBips);
        if (!BLS12381.verify(apkSigners, abi.encodePacked(digest), signatureG2)) revert QuorumInvalidSignature();
    }

    function _aggregateSigners(
        OperatorRegistryStorage storage $,
        uint64 setId,
        address[] calldata signers,
        bytes[] calldata pubkeys
    ) private view returns (bytes memory apkSigners, uint256 signedWeight) {
        bytes32[] memory hashes;
        (apkSigners, hashes) = BLS12381.g1SumHashed(pubkeys);
        for (uint256 i = 0; i < signers.length; ++i) {
            address signer = signers[i];
            if (i > 0 && signer <= signers[i - 1]) revert QuorumSignersNotSorted(i);
            uint256 weight = weightAt(signer, setId);
            if (weight == 0) revert QuorumSignerNotInSet(signer, setId);
            if ($.operators[signer].pubkeyHash != hashes[i]) revert QuorumSignerPubkeyMismatch(signer);
            signedWeight += weight;
        }
    }
}

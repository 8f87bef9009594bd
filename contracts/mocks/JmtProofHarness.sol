// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {JmtProof} from "../libraries/JmtProof.sol";

/// @notice Test-only contract exposing the `JmtProof` library.
contract JmtProofHarness {
    /// @notice `JmtProof.verifyInclusion`.
    function verifyInclusion(
        bytes32 root,
        bytes32 keyHash,
        bytes32 valueHash,
        JmtProof.SparseMerkleProof calldata proof
    ) external pure returns (bool) {
        return JmtProof.verifyInclusion(root, keyHash, valueHash, proof);
    }

    /// @notice `JmtProof.verifyExclusion`.
    function verifyExclusion(
        bytes32 root,
        bytes32 keyHash,
        JmtProof.SparseMerkleProof calldata proof
    ) external pure returns (bool) {
        return JmtProof.verifyExclusion(root, keyHash, proof);
    }

    /// @notice `JmtProof.resolve`.
    function resolve(
        bytes32 root,
        bytes32 keyHash,
        JmtProof.SparseMerkleProof calldata proof
    ) external pure returns (bool present, bytes32 valueHash) {
        return JmtProof.resolve(root, keyHash, proof);
    }

    /// @notice `JmtProof.open`.
    function open(
        bytes32 root,
        bytes32 keyHash,
        JmtProof.SparseMerkleProof calldata proof
    ) external pure returns (bool malformed, bool present, bytes32 valueHash) {
        return JmtProof.open(root, keyHash, proof);
    }

    /// @notice `JmtProof.computeRoot` and its readable twin `computeRootReference`.
    function computeRoots(
        bytes32 keyHash,
        JmtProof.SparseMerkleProof calldata proof
    ) external pure returns (bytes32 optimized, bytes32 readable) {
        return (JmtProof.computeRoot(keyHash, proof), JmtProof.computeRootReference(keyHash, proof));
    }

    /// @notice `JmtProof.commonPrefixBits`.
    function commonPrefixBits(bytes32 a, bytes32 b) external pure returns (uint256) {
        return JmtProof.commonPrefixBits(a, b);
    }
}

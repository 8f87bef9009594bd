// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

/// @notice Benchmark peer: OpenZeppelin's binary Merkle inclusion check (sorted-pair keccak256), the usual on-chain
///         membership proof, measured beside the JMT verifier on a tree of the same leaf count.
contract MerkleProofPeer {
    /// @notice `MerkleProof.verifyCalldata(proof, root, leaf)`.
    function verify(bytes32[] calldata proof, bytes32 root, bytes32 leaf) external pure returns (bool) {
        return MerkleProof.verifyCalldata(proof, root, leaf);
    }
}

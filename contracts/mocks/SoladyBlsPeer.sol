// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BLS} from "solady/src/utils/ext/ithaca/BLS.sol";

/// @notice Benchmark peer: the same BLS operations through Solady's ithaca BLS library, measured in the same run as
///         ours. Solady hashes with the NUL ciphersuite DST, which costs the same as ours (same precompile calls).
contract SoladyBlsPeer {
    /// @notice Gas of Solady's `hashToG2(message)`.
    function hashToG2Gas(bytes calldata message) external view returns (uint256 gasUsed) {
        uint256 before = gasleft();
        BLS.hashToG2(message);
        gasUsed = before - gasleft();
    }

    /// @notice Gas of a min-pk verification with Solady: e(pk, H(m)) · e(−G1, σ) = 1.
    /// @param pk 128-byte EIP-2537 G1 point. @param sig 256-byte EIP-2537 G2 point.
    function verifyGas(
        bytes calldata pk,
        bytes calldata message,
        bytes calldata sig,
        bytes calldata negG1
    ) external view returns (bool ok, uint256 gasUsed) {
        uint256 before = gasleft();
        BLS.G1Point[] memory g1 = new BLS.G1Point[](2);
        BLS.G2Point[] memory g2 = new BLS.G2Point[](2);
        g1[0] = abi.decode(pk, (BLS.G1Point));
        g1[1] = abi.decode(negG1, (BLS.G1Point));
        g2[0] = BLS.hashToG2(message);
        g2[1] = abi.decode(sig, (BLS.G2Point));
        ok = BLS.pairing(g1, g2);
        gasUsed = before - gasleft();
    }
}

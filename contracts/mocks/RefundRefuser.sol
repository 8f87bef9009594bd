// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IStateCommitRegistry} from "../interfaces/IStateCommitRegistry.sol";

/// @title RefundRefuser
/// @notice Test-only: a writer contract that accepts no plain transfers, so a refund of its overpayment fails.
contract RefundRefuser {
    IStateCommitRegistry private immutable REGISTRY;

    constructor(IStateCommitRegistry registry) {
        REGISTRY = registry;
    }

    /// @notice Proposes a `byteLength`-byte write in namespace 0x01 forwarding all of `msg.value` as the fee.
    function propose(uint32 byteLength) external payable {
        REGISTRY.proposeWrite{value: msg.value}(1, bytes32(0), keccak256("refuser"), byteLength, hex"01");
    }
}

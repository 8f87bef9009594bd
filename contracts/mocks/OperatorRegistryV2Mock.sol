// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {OperatorRegistry} from "../OperatorRegistry.sol";

/// @notice Test-only upgrade target: the same storage plus one function, to show upgrades keep state.
/// @custom:oz-upgrades-unsafe-allow missing-initializer
contract OperatorRegistryV2Mock is OperatorRegistry {
    /// @notice Identifies the upgraded implementation.
    function upgradeMarker() external pure returns (string memory) {
        return "v2";
    }
}

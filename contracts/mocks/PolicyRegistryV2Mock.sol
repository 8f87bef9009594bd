// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {PolicyRegistry} from "../PolicyRegistry.sol";

/// @notice Test-only upgrade target: the same storage plus one function, to show upgrades keep state.
/// @custom:oz-upgrades-unsafe-allow missing-initializer
contract PolicyRegistryV2Mock is PolicyRegistry {
    /// @notice Identifies the upgraded implementation.
    function upgradeMarker() external pure returns (string memory) {
        return "v2";
    }
}

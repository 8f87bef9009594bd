// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Benchmark helper: the execution gas of one call, measured inside the EVM (no 21 000 base, no calldata).
contract GasMeter {
    /// @notice Calls `target` with `data` and returns the gas the call consumed (including the CALL's own cost) and
    ///         whether it succeeded. Use with `eth_call` for views or in a transaction for state changes.
    function measure(address target, bytes calldata data) external returns (uint256 gasUsed, bool ok) {
        uint256 before = gasleft();
        // solhint-disable-next-line avoid-low-level-calls
        (ok, ) = target.call(data);
        gasUsed = before - gasleft();
    }
}

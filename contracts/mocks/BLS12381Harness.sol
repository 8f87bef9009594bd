// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Arguments stay `bytes memory` on purpose: the library takes memory, and `verifyGas` must not count the copy.
// solhint-disable gas-calldata-parameters

// Libraries
import {BLS12381} from "../libraries/BLS12381.sol";

/// @title BLS12381Harness
/// @notice Test-only contract exposing each `BLS12381` library function as an external function of the same name
///         and argument types (`hashToG2Default` for the default-DST overload), plus `verifyGas` for benchmarks.
///         Encodings, reverts and sources are documented on the library.
contract BLS12381Harness {
    /// @notice Emitted by `pairingCheckTx` with the result of the check.
    event PairingChecked(bool indexed ok);

    /// @notice See `BLS12381.g1Add`. 128-byte EIP-2537 G1 points in and out.
    function g1Add(bytes memory a, bytes memory b) external view returns (bytes memory) {
        return BLS12381.g1Add(a, b);
    }

    /// @notice See `BLS12381.g1Negate`. 128-byte EIP-2537 G1 point in and out.
    function g1Negate(bytes memory p) external pure returns (bytes memory) {
        return BLS12381.g1Negate(p);
    }

    /// @notice See `BLS12381.g1Sub`. 128-byte EIP-2537 G1 points in and out.
    function g1Sub(bytes memory a, bytes memory b) external view returns (bytes memory) {
        return BLS12381.g1Sub(a, b);
    }

    /// @notice See `BLS12381.g2Add`. 256-byte EIP-2537 G2 points in and out.
    function g2Add(bytes memory a, bytes memory b) external view returns (bytes memory) {
        return BLS12381.g2Add(a, b);
    }

    /// @notice See `BLS12381.g1SumHashed`. k ≥ 1 calldata 128-byte EIP-2537 G1 points in; their sum and keccak256s out.
    function g1SumHashed(bytes[] calldata points) external view returns (bytes memory sum, bytes32[] memory hashes) {
        return BLS12381.g1SumHashed(points);
    }

    /// @notice See `BLS12381.g1Msm`. k·160 bytes in, 128-byte EIP-2537 G1 point out.
    function g1Msm(bytes memory pairs) external view returns (bytes memory) {
        return BLS12381.g1Msm(pairs);
    }

    /// @notice See `BLS12381.g2Msm`. k·288 bytes in, 256-byte EIP-2537 G2 point out.
    function g2Msm(bytes memory pairs) external view returns (bytes memory) {
        return BLS12381.g2Msm(pairs);
    }

    /// @notice See `BLS12381.pairingCheck`. k·384 bytes (G1‖G2 per pair) in.
    function pairingCheck(bytes memory pairs) external view returns (bool) {
        return BLS12381.pairingCheck(pairs);
    }

    /// @notice See `BLS12381.mapFp2ToG2`. 128-byte EIP-2537 Fp2 (c0‖c1) in, 256-byte G2 point out.
    function mapFp2ToG2(bytes memory fp2) external view returns (bytes memory) {
        return BLS12381.mapFp2ToG2(fp2);
    }

    /// @notice See `BLS12381.expandMessageXmd` (RFC 9380 §5.3.1).
    function expandMessageXmd(
        bytes memory message,
        bytes memory dst,
        uint256 lenInBytes
    ) external view returns (bytes memory) {
        return BLS12381.expandMessageXmd(message, dst, lenInBytes);
    }

    /// @notice See `BLS12381.hashToFieldFp2` (RFC 9380 §5.2). Two 128-byte EIP-2537 Fp2 elements out.
    function hashToFieldFp2(
        bytes memory message,
        bytes memory dst
    ) external view returns (bytes memory u0, bytes memory u1) {
        return BLS12381.hashToFieldFp2(message, dst);
    }

    /// @notice See `BLS12381.hashToG2(bytes,bytes)` (RFC 9380 §3). 256-byte EIP-2537 G2 point out.
    function hashToG2(bytes memory message, bytes memory dst) external view returns (bytes memory) {
        return BLS12381.hashToG2(message, dst);
    }

    /// @notice See `BLS12381.hashToG2(bytes)`: hash with `DST_SIGNATURE`. 256-byte EIP-2537 G2 point out.
    function hashToG2Default(bytes memory message) external view returns (bytes memory) {
        return BLS12381.hashToG2(message);
    }

    /// @notice See `BLS12381.validateG1`. 128-byte EIP-2537 G1 point in.
    function validateG1(bytes memory p) external pure {
        BLS12381.validateG1(p);
    }

    /// @notice See `BLS12381.validateG2`. 256-byte EIP-2537 G2 point in.
    function validateG2(bytes memory p) external pure {
        BLS12381.validateG2(p);
    }

    /// @notice See `BLS12381.verify`. 128-byte G1 public key, message, 256-byte G2 signature.
    function verify(bytes memory pk, bytes memory message, bytes memory signature) external view returns (bool) {
        return BLS12381.verify(pk, message, signature);
    }

    /// @notice See `BLS12381.verifyHashed`. 128-byte G1 public key, 256-byte G2 H(m), 256-byte G2 signature.
    function verifyHashed(
        bytes memory pk,
        bytes memory hashedMessage,
        bytes memory signature
    ) external view returns (bool) {
        return BLS12381.verifyHashed(pk, hashedMessage, signature);
    }

    /// @notice `BLS12381.verify` with the gas it used, measured with gasleft() around the library call (arguments
    ///         are already in memory, so ABI decoding is not counted).
    /// @return ok The result of `verify`.
    /// @return gasUsed Execution gas of the library call, in gas units.
    function verifyGas(
        bytes memory pk,
        bytes memory message,
        bytes memory signature
    ) external view returns (bool ok, uint256 gasUsed) {
        uint256 gasBefore = gasleft();
        ok = BLS12381.verify(pk, message, signature);
        gasUsed = gasBefore - gasleft();
    }

    /// @notice `BLS12381.hashToG2(bytes)` with the gas it used (see `verifyGas`).
    /// @return point 256-byte EIP-2537 G2 point.
    /// @return gasUsed Execution gas of the library call, in gas units.
    function hashToG2Gas(bytes memory message) external view returns (bytes memory point, uint256 gasUsed) {
        uint256 gasBefore = gasleft();
        point = BLS12381.hashToG2(message);
        gasUsed = gasBefore - gasleft();
    }

    /// @notice `BLS12381.pairingCheck` with the gas it used (see `verifyGas`).
    /// @return ok The result of `pairingCheck`.
    /// @return gasUsed Execution gas of the library call, in gas units.
    function pairingCheckGas(bytes memory pairs) external view returns (bool ok, uint256 gasUsed) {
        uint256 gasBefore = gasleft();
        ok = BLS12381.pairingCheck(pairs);
        gasUsed = gasBefore - gasleft();
    }

    /// @notice Non-view entry point to `BLS12381.pairingCheck`, so tests can send it as a transaction and read the
    ///         gas used by a failing call from its receipt.
    /// @return ok The result of `pairingCheck`.
    function pairingCheckTx(bytes memory pairs) external returns (bool ok) {
        ok = BLS12381.pairingCheck(pairs);
        emit PairingChecked(ok);
    }
}

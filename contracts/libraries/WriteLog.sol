// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title WriteLog
/// @notice The encodings of Newton State's write log, shared by the StateCommitRegistry (which stores them) and the
///         ChallengeVerifier (which checks fraud proofs against them). The keeper mirrors them in `keeper/chain`.
library WriteLog {
    /// @notice Marks "no write": the previous-write link of a key's first write, and the latest index of a key that
    ///         was never written.
    uint64 internal constant NO_WRITE = type(uint64).max;

    /// @notice One entry of the write log.
    /// @param writeIndex Its position in the log (0-based, global per registry).
    /// @param namespace The namespace byte (0x01–0x08, see docs/protocol.md §1).
    /// @param keyHash `keccak256(abi.encodePacked(namespace, id))`, the JMT key.
    /// @param valueHash keccak256 of the value bytes; `bytes32(0)` deletes the leaf.
    /// @param byteLength Length of the value bytes, in bytes (0 for a delete).
    /// @param prevWriteIndex Index of the previous write to the same key, or `NO_WRITE`.
    struct WriteRecord {
        uint64 writeIndex;
        uint8 namespace;
        bytes32 keyHash;
        bytes32 valueHash;
        uint32 byteLength;
        uint64 prevWriteIndex;
    }

    /// @notice The JMT key of (`namespace`, `id`): `keccak256(abi.encodePacked(uint8 namespace, bytes32 id))`, 33 bytes
    ///         hashed.
    function keyHash(uint8 namespace, bytes32 id) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(namespace, id));
    }

    /// @notice The hash stored per write index:
    ///         `keccak256(abi.encode(namespace, keyHash, valueHash, byteLength, prevWriteIndex))` (5 ABI words).
    /// @dev The index itself is not hashed: the record is stored under it.
    function recordHash(
        uint8 namespace,
        bytes32 keyHash_,
        bytes32 valueHash,
        uint32 byteLength,
        uint64 prevWriteIndex
    ) internal pure returns (bytes32) {
        return keccak256(abi.encode(namespace, keyHash_, valueHash, byteLength, prevWriteIndex));
    }

    /// @notice `recordHash` of a whole `WriteRecord`.
    function hash(WriteRecord memory record) internal pure returns (bytes32) {
        return recordHash(record.namespace, record.keyHash, record.valueHash, record.byteLength, record.prevWriteIndex);
    }
}

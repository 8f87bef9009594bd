// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Libraries
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title JmtProof
/// @notice Verifies the sparse Merkle proofs of Newton State's Jellyfish Merkle Tree: the penumbra `jmt` format with
///         keccak256 as the hasher, as `keeper/jmt` produces them.
/// @dev Hashing (penumbra jmt `SparseMerkleLeafNode` / `SparseMerkleInternalNode`):
///      leaf = keccak256("JMT::LeafNode" ‖ keyHash ‖ valueHash),
///      internal = keccak256("JMT::IntrnalNode" ‖ left ‖ right)
///      (the misspelling is part of the format); an empty subtree is the 32 ASCII bytes
///      "SPARSE_MERKLE_PLACEHOLDER_HASH__". A proof lists siblings leaf→root: with n siblings, sibling i pairs with key
///      bit n − 1 − i counted from the most significant bit (bit 1 ⇒ the path is the right child). The walk starts at
///      the proof's leaf, or at the placeholder when the path ends in an empty subtree. The two domain prefixes make a
///      leaf and an internal node with the same bytes hash differently, so a proof cannot pass a hashed node off as a
///      leaf or the reverse.
library JmtProof {
    /// @notice A sparse Merkle proof for one key.
    /// @param hasLeaf Whether the path ends at a leaf (else it ends in an empty subtree).
    /// @param leafKeyHash That leaf's 32-byte key hash (the queried key for inclusion, another key for exclusion).
    /// @param leafValueHash That leaf's 32-byte value hash.
    /// @param siblings Sibling hashes, leaf→root, at most 256.
    struct SparseMerkleProof {
        bool hasLeaf;
        bytes32 leafKeyHash;
        bytes32 leafValueHash;
        bytes32[] siblings;
    }

    /// @notice The proof has more than 256 siblings (a 256-bit key has 256 levels at most).
    error JmtProofTooManySiblings(uint256 count);
    /// @notice The proof does not reproduce `expectedRoot` for `keyHash` (it computed `actualRoot`).
    error JmtProofRootMismatch(bytes32 keyHash, bytes32 expectedRoot, bytes32 actualRoot);
    /// @notice An exclusion proof's leaf shares only `sharedBits` leading bits with the key, fewer than its depth.
    error JmtProofLeafNotOnPath(bytes32 keyHash, bytes32 leafKeyHash, uint256 sharedBits, uint256 depth);

    /// @notice Root of the empty tree and hash of an empty subtree.
    bytes32 internal constant PLACEHOLDER = "SPARSE_MERKLE_PLACEHOLDER_HASH__";
    /// @notice Most siblings a proof can have.
    uint256 internal constant MAX_SIBLINGS = 256;

    /// @notice keccak256("JMT::LeafNode" ‖ keyHash ‖ valueHash).
    function leafHash(bytes32 keyHash, bytes32 valueHash) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked("JMT::LeafNode", keyHash, valueHash));
    }

    /// @notice keccak256("JMT::IntrnalNode" ‖ left ‖ right).
    function internalHash(bytes32 left, bytes32 right) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked("JMT::IntrnalNode", left, right));
    }

    /// @notice The root `proof` implies for `keyHash`: the leaf (or placeholder) folded with the siblings.
    /// @dev Reverts `JmtProofTooManySiblings` for more than 256 siblings. Does not check the leaf against the key.
    ///      The fold hashes in scratch memory past the free-memory pointer (no allocation per level); its readable
    ///      twin `computeRootReference` is fuzzed against it.
    function computeRoot(bytes32 keyHash, SparseMerkleProof calldata proof) internal pure returns (bytes32 current) {
        bytes32[] calldata siblings = proof.siblings;
        uint256 n = siblings.length;
        if (n > MAX_SIBLINGS) revert JmtProofTooManySiblings(n);
        current = proof.hasLeaf ? leafHash(proof.leafKeyHash, proof.leafValueHash) : PLACEHOLDER;
        assembly ("memory-safe") {
            // Scratch at the free pointer, 80 bytes: [0, 16) "JMT::IntrnalNode" [16, 48) left [48, 80) right.
            let ptr := mload(0x40)
            mstore(ptr, "JMT::IntrnalNode")
            // Sibling i pairs with key bit n − 1 − i from the top, i.e. bit 256 − n + i from the bottom (n ≤ 256).
            let shift := sub(256, n)
            for {
                let i := 0
            } lt(i, n) {
                i := add(i, 1)
            } {
                let sibling := calldataload(add(siblings.offset, shl(5, i)))
                switch and(shr(add(shift, i), keyHash), 1)
                case 1 {
                    mstore(add(ptr, 16), sibling)
                    mstore(add(ptr, 48), current)
                }
                default {
                    mstore(add(ptr, 16), current)
                    mstore(add(ptr, 48), sibling)
                }
                current := keccak256(ptr, 80)
            }
        }
    }

    /// @notice Readable twin of `computeRoot` (same result, plain Solidity); kept for review and differential tests.
    function computeRootReference(
        bytes32 keyHash,
        SparseMerkleProof calldata proof
    ) internal pure returns (bytes32 current) {
        bytes32[] calldata siblings = proof.siblings;
        uint256 n = siblings.length;
        if (n > MAX_SIBLINGS) revert JmtProofTooManySiblings(n);
        current = proof.hasLeaf ? leafHash(proof.leafKeyHash, proof.leafValueHash) : PLACEHOLDER;
        for (uint256 i = 0; i < n; ++i) {
            // Key bit n − 1 − i counted from the most significant bit.
            bool right = (uint256(keyHash) >> (256 - n + i)) & 1 == 1;
            current = right ? internalHash(siblings[i], current) : internalHash(current, siblings[i]);
        }
    }

    /// @notice What a valid proof says about `keyHash` under `root`: present with `valueHash`, or absent.
    /// @return present Whether the key is in the tree.
    /// @return valueHash Its value hash (zero when absent).
    /// @dev Reverts `JmtProofTooManySiblings`, `JmtProofLeafNotOnPath` (an exclusion leaf off the key's path) and
    ///      `JmtProofRootMismatch` (the proof does not lead to `root`): a proof that does not verify says nothing.
    function resolve(
        bytes32 root,
        bytes32 keyHash,
        SparseMerkleProof calldata proof
    ) internal pure returns (bool present, bytes32 valueHash) {
        if (proof.siblings.length > MAX_SIBLINGS) revert JmtProofTooManySiblings(proof.siblings.length);
        present = proof.hasLeaf && proof.leafKeyHash == keyHash;
        if (proof.hasLeaf && !present) {
            uint256 shared = commonPrefixBits(keyHash, proof.leafKeyHash);
            uint256 depth = proof.siblings.length;
            if (shared < depth) revert JmtProofLeafNotOnPath(keyHash, proof.leafKeyHash, shared, depth);
        }
        bytes32 actual = computeRoot(keyHash, proof);
        if (actual != root) revert JmtProofRootMismatch(keyHash, root, actual);
        valueHash = present ? proof.leafValueHash : bytes32(0);
    }

    /// @notice What a proof whose fold reaches `root` says about `keyHash`, and whether the path it reveals is itself
    ///         impossible in a correctly built JMT.
    /// @return malformed True when the path cannot occur in the canonical tree of any key set: its leaf is off the
    ///         key's path (shares fewer leading bits with `keyHash` than the proof has siblings), or its deepest
    ///         sibling is the empty subtree (a lone leaf or an empty subtree beside an empty one is always collapsed
    ///         into its parent, so an honest proof never ends so). Either is proof that the root is wrong.
    /// @return present Whether the path ends at `keyHash`'s own leaf.
    /// @return valueHash That leaf's value hash (zero when absent).
    /// @dev Canonical tree: a subtree with no key is the placeholder, with one key that key's leaf, with two or more
    ///      `internalHash(left, right)`; `keeper/jmt` (penumbra jmt) produces exactly these roots. Reverts
    ///      `JmtProofTooManySiblings` and `JmtProofRootMismatch` (the proof does not lead to `root`: it says nothing).
    function open(
        bytes32 root,
        bytes32 keyHash,
        SparseMerkleProof calldata proof
    ) internal pure returns (bool malformed, bool present, bytes32 valueHash) {
        bytes32 actual = computeRoot(keyHash, proof);
        if (actual != root) revert JmtProofRootMismatch(keyHash, root, actual);
        uint256 depth = proof.siblings.length;
        present = proof.hasLeaf && proof.leafKeyHash == keyHash;
        valueHash = present ? proof.leafValueHash : bytes32(0);
        if (proof.hasLeaf && !present) malformed = commonPrefixBits(keyHash, proof.leafKeyHash) < depth;
        if (depth != 0 && proof.siblings[0] == PLACEHOLDER) malformed = true;
    }

    /// @notice Whether `proof` shows `keyHash` ↦ `valueHash` under `root` (false for any other statement or a proof
    ///         that does not lead to `root`).
    /// @dev Reverts only `JmtProofTooManySiblings` (malformed proof).
    function verifyInclusion(
        bytes32 root,
        bytes32 keyHash,
        bytes32 valueHash,
        SparseMerkleProof calldata proof
    ) internal pure returns (bool) {
        if (!proof.hasLeaf || proof.leafKeyHash != keyHash || proof.leafValueHash != valueHash) return false;
        return computeRoot(keyHash, proof) == root;
    }

    /// @notice Whether `proof` shows `keyHash` absent under `root`: an empty subtree, or another leaf sharing at least
    ///         as many leading bits with the key as the proof has siblings.
    /// @dev Reverts only `JmtProofTooManySiblings` (malformed proof).
    function verifyExclusion(
        bytes32 root,
        bytes32 keyHash,
        SparseMerkleProof calldata proof
    ) internal pure returns (bool) {
        if (proof.hasLeaf) {
            if (proof.leafKeyHash == keyHash) return false;
            if (commonPrefixBits(keyHash, proof.leafKeyHash) < proof.siblings.length) return false;
        }
        return computeRoot(keyHash, proof) == root;
    }

    /// @notice Number of equal leading bits of `a` and `b` (256 when equal).
    function commonPrefixBits(bytes32 a, bytes32 b) internal pure returns (uint256 bits) {
        uint256 diff = uint256(a ^ b);
        if (diff == 0) return 256;
        // The highest set bit of diff is the first differing bit; everything above it is shared. log2(diff) ≤ 255.
        unchecked {
            bits = 255 - Math.log2(diff);
        }
    }
}

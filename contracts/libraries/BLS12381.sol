// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title BLS12381
/// @notice BLS12-381 group operations and min-pk BLS signature verification (public keys in G1, signatures in
///         G2, Ethereum ciphersuite `BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_`) on top of the EIP-2537
///         precompiles, with hash-to-curve per RFC 9380.
/// @dev Encodings are those of EIP-2537: an Fp element is 64 bytes big-endian whose top 16 bytes are zero and whose
///      value is < p; an Fp2 element c0 + c1·v is c0‖c1 (128 bytes); a G1 point is x‖y (128 bytes), a G2 point is
///      x‖y (256 bytes); the point at infinity is all zero bytes. Off-chain libraries (blst, noble) serialize Fp2 as
///      c1‖c0 and use 48-byte coordinates with flag bits: convert before calling.
///
///      Every input is checked for length and canonical field elements before a precompile sees it, so malformed
///      input reverts with a typed error instead of burning gas. Each EIP-2537 precompile is called with exactly
///      its EIP-2537 price as the gas limit: a failing EIP-2537 precompile consumes all the gas it was given, so
///      bounding it keeps a failure (point not on the curve / not in the subgroup) cheap for the caller. The
///      pre-existing SHA-256 (0x02) and MODEXP (0x05) precompiles get all gas: on the well-formed inputs built here
///      they fail only by running out of gas, and their prices change across forks (EIP-7883), so a fixed bound
///      would be fragile.
library BLS12381 {
    /// @notice An input has the wrong byte length. For variable-length inputs (MSM, pairing) `expected` is the
    ///         multiple of the element size nearest to `actual`.
    error BLSInvalidLength(uint256 expected, uint256 actual);
    /// @notice The 64-byte Fp element at byte `offset` of the input has non-zero padding or a value >= p. For
    ///         two-argument functions (`g1Add`, `g1Sub`, `g2Add`) the offset is into `a‖b`, i.e. the precompile input.
    error BLSFieldElementNotCanonical(uint256 offset);
    /// @notice A public key, signature or validated point is the point at infinity.
    error BLSPointAtInfinity();
    /// @notice `precompile` returned failure (e.g. point not on the curve or not in the subgroup, or out of gas) or
    ///         returned a result of the wrong size.
    error BLSPrecompileFailed(address precompile);
    /// @notice expand_message_xmd was asked for 0 bytes, more than 65 535 bytes, or more than 255 hash blocks.
    error BLSExpandLengthInvalid(uint256 lenInBytes);
    /// @notice A variable-length input (pairing pairs, MSM terms) is empty.
    error BLSEmptyInput();

    /// @notice Byte length of an EIP-2537 Fp element (16 zero bytes ‖ 48-byte big-endian value).
    uint256 internal constant FP_LENGTH = 64;
    /// @notice Byte length of an EIP-2537 G1 point (x‖y).
    uint256 internal constant G1_POINT_LENGTH = 128;
    /// @notice Byte length of an EIP-2537 Fp2 element (c0‖c1).
    uint256 internal constant FP2_LENGTH = 128;
    /// @notice Byte length of an EIP-2537 G2 point (x‖y, each an Fp2).
    uint256 internal constant G2_POINT_LENGTH = 256;
    /// @notice Byte length of an MSM scalar (32-byte big-endian, not reduced).
    uint256 internal constant SCALAR_LENGTH = 32;
    /// @notice Byte length of one G1MSM term: G1 point ‖ scalar.
    uint256 internal constant G1_MSM_PAIR_LENGTH = 160;
    /// @notice Byte length of one G2MSM term: G2 point ‖ scalar.
    uint256 internal constant G2_MSM_PAIR_LENGTH = 288;
    /// @notice Byte length of one pairing-check pair: G1 point ‖ G2 point.
    uint256 internal constant PAIRING_PAIR_LENGTH = 384;

    /// @notice Domain separation tag of the Ethereum BLS ciphersuite (proof-of-possession scheme), as used by
    ///         `hashToG2(message)` and `verify`.
    bytes internal constant DST_SIGNATURE = "BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";

    /// @notice EIP-2537 precompile addresses.
    address internal constant G1ADD = address(0x0b);
    address internal constant G1MSM = address(0x0c);
    address internal constant G2ADD = address(0x0d);
    address internal constant G2MSM = address(0x0e);
    address internal constant PAIRING_CHECK = address(0x0f);
    address internal constant MAP_FP_TO_G1 = address(0x10);
    address internal constant MAP_FP2_TO_G2 = address(0x11);
    /// @notice Pre-existing precompiles used for hashing: SHA-256 (0x02) and MODEXP (EIP-198, 0x05).
    address internal constant SHA256 = address(0x02);
    address internal constant MODEXP = address(0x05);

    /// @notice EIP-2537 gas prices, passed as the gas limit of each precompile call.
    uint256 internal constant G1ADD_GAS = 375;
    uint256 internal constant G2ADD_GAS = 600;
    uint256 internal constant MAP_FP2_TO_G2_GAS = 23_800;
    uint256 internal constant PAIRING_BASE_GAS = 37_700;
    uint256 internal constant PAIRING_PER_PAIR_GAS = 32_600;
    uint256 internal constant G1MSM_PER_TERM_GAS = 12_000;
    uint256 internal constant G2MSM_PER_TERM_GAS = 22_500;
    uint256 internal constant MSM_MULTIPLIER = 1000;

    /// @notice Largest len_in_bytes for expand_message_xmd with SHA-256: ell = ceil(len / 32) must be <= 255
    ///         (RFC 9380 §5.3.1), which also keeps len <= 65 535 as I2OSP(len, 2) requires.
    uint256 internal constant MAX_XMD_LENGTH = 255 * 32;

    /// @dev p = 0x1a0111ea…aaab (381 bits) split as the 64-byte EIP-2537 encoding is read: the first word holds
    ///      16 zero bytes ‖ the top 16 bytes of p, the second word the low 32 bytes.
    uint256 private constant P_HI = 0x1a0111ea397fe69a4b1ba7b6434bacd7;
    uint256 private constant P_LO = 0x64774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab;

    /// @dev −G1 generator (x, p − y) as a 128-byte EIP-2537 G1 point: the second pair of `verify`'s pairing check.
    bytes private constant NEG_G1_GENERATOR =
        hex"0000000000000000000000000000000017f1d3a73197d7942695638c4fa9ac0f"
        hex"c3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb"
        hex"00000000000000000000000000000000114d1d6855d545a8aa7d76c8cf2e21f2"
        hex"67816aef1db507c96655b9d5caac42364e6f38ba0ecb751bad54dcd6b939c2ca";

    /// @dev EIP-2537 G1MSM discount table: 128 big-endian uint16, entry k−1 for k terms, the last for k > 128.
    bytes private constant G1MSM_DISCOUNTS =
        hex"03e803b50350031d02fc02ee02e202d802cf02c802c102ba02b402af02aa02a5"
        hex"02a1029d029902950292028e028b0288028502820280027d027b027802760273"
        hex"0271026f026d026b026902670265026302610260025e025c025b025902570256"
        hex"0254025302510250024f024d024c024a02490248024602450244024302410240"
        hex"023f023e023d023c023a0239023802370236023502340233023202310230022f"
        hex"022e022d022c022b022a02290228022702260225022402230223022202210220"
        hex"021f021e021d021c021c021b021a021902180218021702160215021402140213"
        hex"0212021102100210020f020e020d020d020c020b020a020a0209020802080207";

    /// @dev EIP-2537 G2MSM discount table, same layout as `G1MSM_DISCOUNTS`.
    bytes private constant G2MSM_DISCOUNTS =
        hex"03e803e8039b037403570340032c031c030e030202f702ed02e402dc02d402cd"
        hex"02c702c002bb02b502b002ab02a702a2029e029a02970293028f028c02890286"
        hex"02830280027d027a0278027502730270026e026c026a0267026502630261025f"
        hex"025e025c025a025802560255025302510250024e024d024b024a024802470246"
        hex"0244024302420240023f023e023d023b023a0239023802370236023502330232"
        hex"02310230022f022e022d022c022b022a02290228022802270226022502240223"
        hex"0222022102210220021f021e021d021d021c021b021a02190219021802170217"
        hex"0216021502140214021302120212021102100210020f020e020e020d020c020c";

    // ------------------------------------------------------------------------------------------------------------
    // Group operations (EIP-2537)
    // ------------------------------------------------------------------------------------------------------------

    /// @notice a + b in G1 via the G1ADD precompile (EIP-2537, 375 gas). No subgroup check (EIP-2537 G1ADD).
    /// @param a 128-byte EIP-2537 G1 point; infinity allowed.
    /// @param b 128-byte EIP-2537 G1 point; infinity allowed.
    /// @return 128-byte EIP-2537 G1 point a + b.
    /// @dev Reverts `BLSInvalidLength` when a or b is not 128 bytes, `BLSFieldElementNotCanonical` (offset into
    ///      a‖b) when a coordinate is not canonical, `BLSPrecompileFailed(0x0b)` when a point is not on the curve.
    function g1Add(bytes memory a, bytes memory b) internal view returns (bytes memory) {
        _checkPair(a, b, G1_POINT_LENGTH);
        return _callPrecompile(G1ADD, G1ADD_GAS, bytes.concat(a, b), G1_POINT_LENGTH);
    }

    /// @notice −p in G1: (x, y) ↦ (x, p − y); the point at infinity (and any y = 0) stays as it is.
    /// @param p 128-byte EIP-2537 G1 point; infinity allowed. Not checked to be on the curve.
    /// @return 128-byte EIP-2537 G1 point −p.
    /// @dev Reverts `BLSInvalidLength` when p is not 128 bytes, `BLSFieldElementNotCanonical` when a coordinate is
    ///      not canonical.
    function g1Negate(bytes memory p) internal pure returns (bytes memory) {
        _checkPointEncoding(p, G1_POINT_LENGTH, 0);
        return _negateG1(p);
    }

    /// @notice a − b = a + (−b) in G1 via G1ADD (EIP-2537).
    /// @param a 128-byte EIP-2537 G1 point; infinity allowed.
    /// @param b 128-byte EIP-2537 G1 point; infinity allowed.
    /// @return 128-byte EIP-2537 G1 point a − b.
    /// @dev Reverts as `g1Add` (offsets into a‖b) when an input is malformed or not on the curve.
    function g1Sub(bytes memory a, bytes memory b) internal view returns (bytes memory) {
        _checkPair(a, b, G1_POINT_LENGTH);
        return _callPrecompile(G1ADD, G1ADD_GAS, bytes.concat(a, _negateG1(b)), G1_POINT_LENGTH);
    }

    /// @notice Σ points[i] in G1 via repeated G1ADD (EIP-2537, 375 gas each) into one 256-byte scratch buffer, and the
    ///         keccak256 of each point's 128 bytes (hashed where it was copied anyway), so a sum of k keys costs k − 1
    ///         precompile calls, one pass over calldata and no per-term allocation (the quorum hot path, which checks
    ///         each key against its registered hash).
    /// @param points k ≥ 1 calldata 128-byte EIP-2537 G1 points; infinity allowed.
    /// @return sum 128-byte EIP-2537 G1 point.
    /// @return hashes keccak256(points[i]) for each i.
    /// @dev Reverts `BLSEmptyInput` when k = 0, `BLSInvalidLength(128, len)` for a point of another length,
    ///      `BLSFieldElementNotCanonical(128·i + offset)` for a non-canonical coordinate of points[i],
    ///      `BLSPrecompileFailed(0x0b)` when a point is not on the curve.
    function g1SumHashed(bytes[] calldata points) internal view returns (bytes memory sum, bytes32[] memory hashes) {
        uint256 k = points.length;
        if (k == 0) revert BLSEmptyInput();
        hashes = new bytes32[](k);
        // sum = acc ‖ next: [0, 128) the running sum, [128, 256) the next term; G1ADD writes back into [0, 128).
        sum = new bytes(2 * G1_POINT_LENGTH);
        hashes[0] = _loadG1Term(sum, 0, points[0], 0);
        bool success = true;
        for (uint256 i = 1; i < k; ++i) {
            hashes[i] = _loadG1Term(sum, G1_POINT_LENGTH, points[i], i * G1_POINT_LENGTH);
            assembly ("memory-safe") {
                let buf := add(sum, 0x20)
                success := and(success, staticcall(G1ADD_GAS, 0x0b, buf, 0x100, buf, 0x80))
                success := and(success, eq(returndatasize(), 0x80))
            }
        }
        if (!success) revert BLSPrecompileFailed(G1ADD);
        assembly ("memory-safe") {
            mstore(sum, 0x80) // truncate to the 128-byte sum
        }
    }

    /// @notice a + b in G2 via the G2ADD precompile (EIP-2537, 600 gas). No subgroup check (EIP-2537 G2ADD).
    /// @param a 256-byte EIP-2537 G2 point; infinity allowed.
    /// @param b 256-byte EIP-2537 G2 point; infinity allowed.
    /// @return 256-byte EIP-2537 G2 point a + b.
    /// @dev Reverts `BLSInvalidLength` when a or b is not 256 bytes, `BLSFieldElementNotCanonical` (offset into
    ///      a‖b) when a coordinate is not canonical, `BLSPrecompileFailed(0x0d)` when a point is not on the curve.
    function g2Add(bytes memory a, bytes memory b) internal view returns (bytes memory) {
        _checkPair(a, b, G2_POINT_LENGTH);
        return _callPrecompile(G2ADD, G2ADD_GAS, bytes.concat(a, b), G2_POINT_LENGTH);
    }

    /// @notice Σ s_i·P_i in G1 via the G1MSM precompile (EIP-2537), gas k·12 000·discount(k)/1000.
    /// @param pairs k ≥ 1 terms of 160 bytes each: 128-byte EIP-2537 G1 point ‖ 32-byte big-endian scalar.
    /// @return 128-byte EIP-2537 G1 point.
    /// @dev Reverts `BLSEmptyInput` when pairs is empty, `BLSInvalidLength` when its length is not a multiple of
    ///      160, `BLSFieldElementNotCanonical` when a coordinate is not canonical, `BLSPrecompileFailed(0x0c)` when
    ///      a point is not on the curve or not in the subgroup.
    function g1Msm(bytes memory pairs) internal view returns (bytes memory) {
        uint256 k = _termCount(pairs.length, G1_MSM_PAIR_LENGTH);
        for (uint256 i = 0; i < k; ++i) {
            _checkFps(pairs, i * G1_MSM_PAIR_LENGTH, 2, 0);
        }
        uint256 gasLimit = (k * G1MSM_PER_TERM_GAS * _discount(G1MSM_DISCOUNTS, k)) / MSM_MULTIPLIER;
        return _callPrecompile(G1MSM, gasLimit, pairs, G1_POINT_LENGTH);
    }

    /// @notice Σ s_i·Q_i in G2 via the G2MSM precompile (EIP-2537), gas k·22 500·discount(k)/1000.
    /// @param pairs k ≥ 1 terms of 288 bytes each: 256-byte EIP-2537 G2 point ‖ 32-byte big-endian scalar.
    /// @return 256-byte EIP-2537 G2 point.
    /// @dev Reverts `BLSEmptyInput` when pairs is empty, `BLSInvalidLength` when its length is not a multiple of
    ///      288, `BLSFieldElementNotCanonical` when a coordinate is not canonical, `BLSPrecompileFailed(0x0e)` when
    ///      a point is not on the curve or not in the subgroup.
    function g2Msm(bytes memory pairs) internal view returns (bytes memory) {
        uint256 k = _termCount(pairs.length, G2_MSM_PAIR_LENGTH);
        for (uint256 i = 0; i < k; ++i) {
            _checkFps(pairs, i * G2_MSM_PAIR_LENGTH, 4, 0);
        }
        uint256 gasLimit = (k * G2MSM_PER_TERM_GAS * _discount(G2MSM_DISCOUNTS, k)) / MSM_MULTIPLIER;
        return _callPrecompile(G2MSM, gasLimit, pairs, G2_POINT_LENGTH);
    }

    /// @notice Whether Π e(P_i, Q_i) = 1, via the PAIRING_CHECK precompile (EIP-2537), gas 32 600·k + 37 700.
    /// @param pairs k ≥ 1 pairs of 384 bytes each: 128-byte EIP-2537 G1 point ‖ 256-byte EIP-2537 G2 point.
    ///        Infinity is allowed (its pairing is 1); reject it beforehand where it matters.
    /// @return True iff the product of the pairings is the identity of GT.
    /// @dev Reverts `BLSEmptyInput` when pairs is empty, `BLSInvalidLength` when its length is not a multiple of
    ///      384, `BLSFieldElementNotCanonical` when a coordinate is not canonical, `BLSPrecompileFailed(0x0f)` when
    ///      a point is not on its curve or not in the subgroup.
    function pairingCheck(bytes memory pairs) internal view returns (bool) {
        uint256 k = _termCount(pairs.length, PAIRING_PAIR_LENGTH);
        // Every 64-byte chunk of a pairing input is an Fp coordinate: 6 per pair.
        _checkFps(pairs, 0, k * 6, 0);
        return _pairing(pairs, k);
    }

    /// @notice Maps an Fp2 element to G2 with the MAP_FP2_TO_G2 precompile (EIP-2537, 23 800 gas): the simplified
    ///         SWU map of RFC 9380 §6.6.3 followed by cofactor clearing, so the result is in the subgroup.
    /// @param fp2 128-byte EIP-2537 Fp2 element c0‖c1.
    /// @return 256-byte EIP-2537 G2 point.
    /// @dev Reverts `BLSInvalidLength` when fp2 is not 128 bytes, `BLSFieldElementNotCanonical` when c0 or c1 is
    ///      not canonical.
    function mapFp2ToG2(bytes memory fp2) internal view returns (bytes memory) {
        _checkLength(fp2, FP2_LENGTH);
        _checkFps(fp2, 0, 2, 0);
        return _callPrecompile(MAP_FP2_TO_G2, MAP_FP2_TO_G2_GAS, fp2, G2_POINT_LENGTH);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Hash to curve (RFC 9380)
    // ------------------------------------------------------------------------------------------------------------

    /// @notice expand_message_xmd with SHA-256 (RFC 9380 §5.3.1); a DST longer than 255 bytes is first replaced by
    ///         SHA-256("H2C-OVERSIZE-DST-" ‖ DST) (RFC 9380 §5.3.3).
    /// @param message The message, any length.
    /// @param dst The domain separation tag, any length.
    /// @param lenInBytes Number of uniform bytes wanted, 1…8160.
    /// @return uniform `lenInBytes` pseudo-random bytes.
    /// @dev Reverts `BLSExpandLengthInvalid` when lenInBytes is 0 or ell = ceil(lenInBytes / 32) exceeds 255 (this
    ///      also covers lenInBytes > 65 535).
    function expandMessageXmd(
        bytes memory message,
        bytes memory dst,
        uint256 lenInBytes
    ) internal view returns (bytes memory uniform) {
        if (lenInBytes == 0 || lenInBytes > MAX_XMD_LENGTH) revert BLSExpandLengthInvalid(lenInBytes);
        if (dst.length > 255) dst = abi.encodePacked(_sha256(abi.encodePacked("H2C-OVERSIZE-DST-", dst)));
        // DST_prime = DST ‖ I2OSP(len(DST), 1), with len(DST) <= 255 here.
        // b_0 = H(Z_pad ‖ msg ‖ I2OSP(len_in_bytes, 2) ‖ I2OSP(0, 1) ‖ DST_prime), Z_pad = 64 zero bytes (the
        // SHA-256 block size). lenInBytes <= 8160 fits in uint16.
        bytes32 b0 = _sha256(
            abi.encodePacked(bytes32(0), bytes32(0), message, uint16(lenInBytes), uint8(0), dst, uint8(dst.length))
        );
        // Hash input for b_i, rewritten in place: (b_0 ⊕ b_{i−1}, or b_0 for i = 1) ‖ I2OSP(i, 1) ‖ DST_prime.
        bytes memory chunk = abi.encodePacked(b0, uint8(1), dst, uint8(dst.length));
        uint256 ell;
        unchecked {
            // lenInBytes <= 8160, so neither the addition nor the shift can overflow.
            ell = (lenInBytes + 31) >> 5;
            uniform = new bytes(ell << 5);
        }
        bool success = true;
        assembly ("memory-safe") {
            let chunkPtr := add(chunk, 0x20) // [0x00, 0x20): b_0 ⊕ b_{i−1}; [0x20]: i; then DST_prime
            let chunkLen := mload(chunk)
            let outPtr := add(uniform, 0x20) // b_i is written to uniform[32(i − 1), 32i)
            for {
                let i := 1
            } iszero(gt(i, ell)) {
                i := add(i, 1)
            } {
                let dest := add(outPtr, shl(5, sub(i, 1)))
                if gt(i, 1) {
                    mstore(chunkPtr, xor(b0, mload(sub(dest, 0x20)))) // b_0 ⊕ b_{i−1}
                    mstore8(add(chunkPtr, 0x20), i) // I2OSP(i, 1), i <= 255
                }
                success := and(success, staticcall(gas(), 0x02, chunkPtr, chunkLen, dest, 0x20))
                success := and(success, eq(returndatasize(), 0x20))
            }
            // uniform_bytes = b_1 ‖ … ‖ b_ell truncated to len_in_bytes; zero the cut-off tail (scratch past the
            // allocation may be touched by the word write, which memory-safe code allows).
            mstore(uniform, lenInBytes)
            mstore(add(outPtr, lenInBytes), 0)
        }
        if (!success) revert BLSPrecompileFailed(SHA256);
    }

    /// @notice hash_to_field for BLS12-381 G2 (RFC 9380 §5.2 with m = 2, L = 64, count = 2, expand_message_xmd
    ///         with SHA-256).
    /// @param message The message, any length.
    /// @param dst The domain separation tag.
    /// @return u0 128-byte EIP-2537 Fp2 element c0‖c1, each coordinate reduced mod p.
    /// @return u1 128-byte EIP-2537 Fp2 element c0‖c1, each coordinate reduced mod p.
    function hashToFieldFp2(
        bytes memory message,
        bytes memory dst
    ) internal view returns (bytes memory u0, bytes memory u1) {
        bytes memory u = _hashToField(message, dst);
        u0 = new bytes(FP2_LENGTH);
        u1 = new bytes(FP2_LENGTH);
        assembly ("memory-safe") {
            mcopy(add(u0, 0x20), add(u, 0x20), 0x80) // u[0, 128) = u0
            mcopy(add(u1, 0x20), add(u, 0xa0), 0x80) // u[128, 256) = u1
        }
    }

    /// @notice hash_to_curve for G2 (RFC 9380 §3, suite BLS12381G2_XMD:SHA-256_SSWU_RO_ with the given DST):
    ///         (u0, u1) = hash_to_field(msg, 2); Q0 = map(u0); Q1 = map(u1); P = Q0 + Q1. The map precompile
    ///         (EIP-2537 MAP_FP2_TO_G2) already clears the cofactor, and clear_cofactor(Q0 + Q1) = clear(Q0) +
    ///         clear(Q1) since it is a group endomorphism, so one G2ADD finishes the job.
    /// @param message The message, any length.
    /// @param dst The domain separation tag.
    /// @return 256-byte EIP-2537 G2 point H(message) in the r-torsion subgroup.
    function hashToG2(bytes memory message, bytes memory dst) internal view returns (bytes memory) {
        // u0 ‖ u1, canonical by construction, so the map inputs need no further checks.
        bytes memory u = _hashToField(message, dst);
        bytes memory q = new bytes(2 * G2_POINT_LENGTH);
        bool success;
        assembly ("memory-safe") {
            let uPtr := add(u, 0x20)
            let qPtr := add(q, 0x20)
            // Q0 = map(u[0, 128)) -> q[0, 256)
            success := staticcall(MAP_FP2_TO_G2_GAS, 0x11, uPtr, 0x80, qPtr, 0x100)
            success := and(success, eq(returndatasize(), 0x100))
            // Q1 = map(u[128, 256)) -> q[256, 512)
            success := and(success, staticcall(MAP_FP2_TO_G2_GAS, 0x11, add(uPtr, 0x80), 0x80, add(qPtr, 0x100), 0x100))
            success := and(success, eq(returndatasize(), 0x100))
        }
        if (!success) revert BLSPrecompileFailed(MAP_FP2_TO_G2);
        // q = Q0 ‖ Q1 is exactly the G2ADD input.
        return _callPrecompile(G2ADD, G2ADD_GAS, q, G2_POINT_LENGTH);
    }

    /// @notice `hashToG2(message, DST_SIGNATURE)`: the message hash of the Ethereum BLS ciphersuite.
    /// @param message The message, any length.
    /// @return 256-byte EIP-2537 G2 point.
    function hashToG2(bytes memory message) internal view returns (bytes memory) {
        return hashToG2(message, DST_SIGNATURE);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Validation and signatures
    // ------------------------------------------------------------------------------------------------------------

    /// @notice Checks the encoding of a G1 point that must not be infinity (e.g. a public key). Curve and subgroup
    ///         membership are left to the precompile that later consumes the point (PAIRING_CHECK, G1MSM).
    /// @param p 128-byte EIP-2537 G1 point.
    /// @dev Reverts `BLSInvalidLength` when p is not 128 bytes, `BLSFieldElementNotCanonical` when a coordinate is
    ///      not canonical, `BLSPointAtInfinity` when p is all zeros.
    function validateG1(bytes memory p) internal pure {
        _checkPointEncoding(p, G1_POINT_LENGTH, 0);
        if (_isZero(p)) revert BLSPointAtInfinity();
    }

    /// @notice Checks the encoding of a G2 point that must not be infinity (e.g. a signature). Curve and subgroup
    ///         membership are left to the precompile that later consumes the point (PAIRING_CHECK, G2MSM).
    /// @param p 256-byte EIP-2537 G2 point.
    /// @dev Reverts `BLSInvalidLength` when p is not 256 bytes, `BLSFieldElementNotCanonical` when a coordinate is
    ///      not canonical, `BLSPointAtInfinity` when p is all zeros.
    function validateG2(bytes memory p) internal pure {
        _checkPointEncoding(p, G2_POINT_LENGTH, 0);
        if (_isZero(p)) revert BLSPointAtInfinity();
    }

    /// @notice Verifies a min-pk BLS signature in the Ethereum ciphersuite (`DST_SIGNATURE`): one pairing check
    ///         e(pk, H(m)) · e(−G1, σ) = 1 with H = `hashToG2(message)`.
    /// @param pk 128-byte EIP-2537 G1 public key, not infinity.
    /// @param message The signed message, any length.
    /// @param signature 256-byte EIP-2537 G2 signature, not infinity.
    /// @return True iff the signature is valid for pk and message.
    /// @dev Reverts (rather than returning false) on malformed input: `BLSInvalidLength`,
    ///      `BLSFieldElementNotCanonical` (offset into pk resp. signature), `BLSPointAtInfinity` when pk or signature
    ///      is infinity, `BLSPrecompileFailed(0x0f)` when pk or signature is not on its curve or not in the subgroup.
    function verify(bytes memory pk, bytes memory message, bytes memory signature) internal view returns (bool) {
        validateG1(pk);
        validateG2(signature);
        return _verifyPairing(pk, hashToG2(message), signature);
    }

    /// @notice As `verify`, with the message already hashed to G2 (e.g. `hashToG2` computed once for many keys).
    /// @param pk 128-byte EIP-2537 G1 public key, not infinity.
    /// @param hashedMessage 256-byte EIP-2537 G2 point H(m).
    /// @param signature 256-byte EIP-2537 G2 signature, not infinity.
    /// @return True iff e(pk, H(m)) · e(−G1, σ) = 1.
    /// @dev Reverts as `verify`, and `BLSInvalidLength` / `BLSFieldElementNotCanonical` when hashedMessage is
    ///      malformed, `BLSPrecompileFailed(0x0f)` when it is not on the curve or not in the subgroup.
    function verifyHashed(
        bytes memory pk,
        bytes memory hashedMessage,
        bytes memory signature
    ) internal view returns (bool) {
        validateG1(pk);
        _checkPointEncoding(hashedMessage, G2_POINT_LENGTH, 0);
        validateG2(signature);
        return _verifyPairing(pk, hashedMessage, signature);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Private helpers
    // ------------------------------------------------------------------------------------------------------------

    /// @dev e(pk, h) · e(−G1, sig) == 1 with inputs already checked for length and canonical coordinates.
    function _verifyPairing(bytes memory pk, bytes memory h, bytes memory sig) private view returns (bool) {
        return _pairing(bytes.concat(pk, h, NEG_G1_GENERATOR, sig), 2);
    }

    /// @dev Calls PAIRING_CHECK on `k` checked pairs with the EIP-2537 price as gas limit; true iff it returns 1.
    function _pairing(bytes memory pairs, uint256 k) private view returns (bool) {
        bytes memory out = _callPrecompile(PAIRING_CHECK, PAIRING_PER_PAIR_GAS * k + PAIRING_BASE_GAS, pairs, 32);
        return abi.decode(out, (uint256)) == 1;
    }

    /// @dev hash_to_field(msg, 2) for Fp2 (RFC 9380 §5.2): 256 uniform bytes, each 64-byte chunk reduced mod p
    ///      into a 64-byte EIP-2537 Fp. Returns u0‖u1 (256 bytes). A 512-bit value cannot be reduced mod a 381-bit
    ///      p with `mulmod` (its modulus is at most 256 bits), so the MODEXP precompile computes B^1 mod p: with
    ///      exponent 1 it is exactly the reduction, at the 200-gas minimum price (EIP-2565).
    function _hashToField(bytes memory message, bytes memory dst) private view returns (bytes memory u) {
        bytes memory uniform = expandMessageXmd(message, dst, 4 * FP_LENGTH);
        u = new bytes(4 * FP_LENGTH);
        bool success = true;
        assembly ("memory-safe") {
            // MODEXP input (EIP-198) built in scratch memory past the free memory pointer, 0xd1 = 209 bytes:
            // [0x00] Bsize = 64 [0x20] Esize = 1 [0x40] Msize = 48 [0x60, 0xa0) B [0xa0] E = 1 [0xa1, 0xd1) M = p
            let buf := mload(0x40)
            mstore(buf, 64)
            mstore(add(buf, 0x20), 1)
            mstore(add(buf, 0x40), 48)
            mstore8(add(buf, 0xa0), 1)
            mstore(add(buf, 0xa1), shl(128, P_HI)) // [0xa1, 0xb1) = top 16 bytes of p
            mstore(add(buf, 0xb1), P_LO) // [0xb1, 0xd1) = low 32 bytes of p
            let src := add(uniform, 0x20)
            let dst_ := add(u, 0x20)
            for {
                let off := 0
            } lt(off, 0x100) {
                off := add(off, 0x40)
            } {
                mcopy(add(buf, 0x60), add(src, off), 0x40) // B = uniform[off, off + 64)
                // The 48-byte result lands after the 16 zero padding bytes of the Fp at u[off, off + 64).
                success := and(success, staticcall(gas(), 0x05, buf, 0xd1, add(add(dst_, off), 0x10), 0x30))
                success := and(success, eq(returndatasize(), 0x30))
            }
        }
        if (!success) revert BLSPrecompileFailed(MODEXP);
    }

    /// @dev SHA-256 of `data` via precompile 0x02, reverting `BLSPrecompileFailed(0x02)` on failure.
    function _sha256(bytes memory data) private view returns (bytes32 digest) {
        bool success;
        assembly ("memory-safe") {
            // Output to scratch slot 0x00.
            success := staticcall(gas(), 0x02, add(data, 0x20), mload(data), 0x00, 0x20)
            success := and(success, eq(returndatasize(), 0x20))
            digest := mload(0x00)
        }
        if (!success) revert BLSPrecompileFailed(SHA256);
    }

    /// @dev Staticcalls `precompile` with `gasLimit` on `input` and returns its `outputLength`-byte result;
    ///      reverts `BLSPrecompileFailed(precompile)` on failure or a result of another size.
    function _callPrecompile(
        address precompile,
        uint256 gasLimit,
        bytes memory input,
        uint256 outputLength
    ) private view returns (bytes memory output) {
        output = new bytes(outputLength);
        bool success;
        assembly ("memory-safe") {
            // input data at input + 0x20; the result is written straight into output's data at output + 0x20.
            success := staticcall(gasLimit, precompile, add(input, 0x20), mload(input), add(output, 0x20), outputLength)
            success := and(success, eq(returndatasize(), outputLength))
        }
        if (!success) revert BLSPrecompileFailed(precompile);
    }

    /// @dev (x, y) ↦ (x, (p − y) mod p) for a 128-byte G1 point with canonical coordinates.
    function _negateG1(bytes memory p) private pure returns (bytes memory) {
        (uint256 xHi, uint256 xLo, uint256 yHi, uint256 yLo) = abi.decode(p, (uint256, uint256, uint256, uint256));
        if (yHi | yLo != 0) {
            unchecked {
                // 384-bit p − y over two words. y < p (checked canonical), so only the low word can wrap; its
                // borrow is taken from the high word, and P_HI − yHi − borrow >= 0 because y < p.
                uint256 borrow = yLo > P_LO ? 1 : 0;
                yLo = P_LO - yLo;
                yHi = P_HI - yHi - borrow;
            }
        }
        return abi.encode(xHi, xLo, yHi, yLo);
    }

    /// @dev Copies calldata G1 point `p` into `buf[at, at + 128)` after checking its length and coordinates, and
    ///      returns keccak256 of those 128 bytes; errors report offsets + `base`.
    function _loadG1Term(
        bytes memory buf,
        uint256 at,
        bytes calldata p,
        uint256 base
    ) private pure returns (bytes32 hash) {
        if (p.length != G1_POINT_LENGTH) revert BLSInvalidLength(G1_POINT_LENGTH, p.length);
        assembly ("memory-safe") {
            let dst := add(add(buf, 0x20), at)
            calldatacopy(dst, p.offset, 0x80)
            hash := keccak256(dst, 0x80)
        }
        _checkFps(buf, at, 2, base - at);
    }

    /// @dev Reverts `BLSInvalidLength` unless `data.length == expected`.
    function _checkLength(bytes memory data, uint256 expected) private pure {
        if (data.length != expected) revert BLSInvalidLength(expected, data.length);
    }

    /// @dev Checks both lengths first, then the coordinates of a and b; coordinate errors report offsets into a‖b.
    function _checkPair(bytes memory a, bytes memory b, uint256 length) private pure {
        _checkLength(a, length);
        _checkLength(b, length);
        _checkFps(a, 0, length / FP_LENGTH, 0);
        _checkFps(b, 0, length / FP_LENGTH, length);
    }

    /// @dev Checks that `point` is `length` bytes of canonical Fp coordinates; errors report offsets + `base`.
    function _checkPointEncoding(bytes memory point, uint256 length, uint256 base) private pure {
        _checkLength(point, length);
        _checkFps(point, 0, length / FP_LENGTH, base);
    }

    /// @dev Checks `count` consecutive 64-byte Fp elements of `data` starting at byte `from` (the caller has checked
    ///      that they lie within `data`); reverts `BLSFieldElementNotCanonical(base + offset)` at the first one that
    ///      has non-zero padding or a value >= p.
    function _checkFps(bytes memory data, uint256 from, uint256 count, uint256 base) private pure {
        uint256 badOffset = type(uint256).max;
        assembly ("memory-safe") {
            let start := add(data, 0x20)
            let end := add(add(start, from), shl(6, count)) // 64 bytes per Fp
            for {
                let ptr := add(start, from)
            } lt(ptr, end) {
                ptr := add(ptr, 0x40)
            } {
                // [ptr, ptr + 32) = 16 padding bytes ‖ top 16 value bytes; [ptr + 32, ptr + 64) = low 32 bytes.
                // hi <= P_HI < 2^128 also proves the padding is zero.
                let hi := mload(ptr)
                if iszero(or(lt(hi, P_HI), and(eq(hi, P_HI), lt(mload(add(ptr, 0x20)), P_LO)))) {
                    badOffset := sub(ptr, start)
                    break
                }
            }
        }
        if (badOffset != type(uint256).max) revert BLSFieldElementNotCanonical(base + badOffset);
    }

    /// @dev Number of `termLength`-byte terms in a variable-length input of `length` bytes; reverts `BLSEmptyInput`
    ///      when empty and `BLSInvalidLength(nearest multiple, length)` when not a multiple.
    function _termCount(uint256 length, uint256 termLength) private pure returns (uint256) {
        if (length == 0) revert BLSEmptyInput();
        if (length % termLength != 0) {
            uint256 nearest = (length + termLength / 2) / termLength;
            revert BLSInvalidLength((nearest == 0 ? 1 : nearest) * termLength, length);
        }
        return length / termLength;
    }

    /// @dev EIP-2537 MSM discount for `k` >= 1 terms from a 128-entry uint16 table (entry 128 for k > 128).
    function _discount(bytes memory table, uint256 k) private pure returns (uint256 discount) {
        uint256 index = k > 128 ? 127 : k - 1;
        assembly ("memory-safe") {
            // entry `index` is the big-endian uint16 at table data + 2·index; load the word ending right after it.
            discount := and(mload(add(add(table, 0x02), shl(1, index))), 0xffff)
        }
    }

    /// @dev Whether all bytes of `data` (a 128- or 256-byte point, a multiple of 32) are zero.
    function _isZero(bytes memory data) private pure returns (bool zero) {
        assembly ("memory-safe") {
            let acc := 0
            let ptr := add(data, 0x20)
            let end := add(ptr, mload(data))
            for {} lt(ptr, end) {
                ptr := add(ptr, 0x20)
            } {
                acc := or(acc, mload(ptr))
            }
            zero := iszero(acc)
        }
    }
}

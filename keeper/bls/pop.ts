/**
 * Proof of possession (PoP) for operator registration (docs/protocol.md §5). The operator signs, with its
 * ordinary BLS key and the ordinary signature DST, a 32-byte digest binding the chain, the
 * OperatorRegistry, the operator address and the pubkey:
 *
 * ```
 * POP_TYPEHASH = keccak256("NewtonOperatorPoP(uint256 chainId,address registry,address operator,bytes32 pubkeyHash)")
 * digest       = keccak256(abi.encode(POP_TYPEHASH, chainId, registry, operator, keccak256(pubkeyG1)))
 *              = keccak256(typehash ‖ uint256(chainId) ‖ 12×0x00 ‖ registry ‖ 12×0x00 ‖ operator ‖ keccak256(pubkeyG1))
 *                (5 words of 32 bytes = 160 bytes; pubkeyG1 = the 128-byte EIP-2537 G1 encoding)
 * popSignature = EIP-2537 G2 encoding (256 B, x.c0‖x.c1‖y.c0‖y.c1) of sk · H(digest),
 *                H = hash_to_G2 with DST "BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_"
 * ```
 * The signed message is the 32 raw digest bytes (no EIP-191 prefix, not hex-encoded).
 * This is exactly what `OperatorRegistry.registerOperator` recomputes with `block.chainid` and
 * `address(this)` and checks with the pairing precompile.
 */
import type { SecretKey } from "@chainsafe/blst";
import { keccak_256 } from "@noble/hashes/sha3";

import { bytesToHex, concatBytes, type Hex } from "../common";
import { g1FromEip2537, g1ToEip2537, g2FromEip2537, g2ToEip2537 } from "./eip2537";
import { BlsError } from "./errors";
import { sign, verify } from "./sign";
import { bigIntToBytes } from "./utils";

/** The EIP-712-style type string whose keccak256 is `POP_TYPEHASH`. */
export const POP_TYPE_STRING =
  "NewtonOperatorPoP(uint256 chainId,address registry,address operator,bytes32 pubkeyHash)";

/** keccak256(`POP_TYPE_STRING`) as 0x-hex (32 bytes). */
export const POP_TYPEHASH: Hex = bytesToHex(keccak_256(new TextEncoder().encode(POP_TYPE_STRING)));

const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;
const UINT256_LIMIT = 1n << 256n;

/**
 * Parses a 20-byte address given as 0x-hex. All-lower or all-upper case is accepted as is; mixed
 * case must carry a valid EIP-55 checksum.
 */
function addressBytes(value: string, what: string): Uint8Array {
  const invalid = (why: string): BlsError =>
    new BlsError({ code: "BLS_ERROR_INVALID_ADDRESS", what, value }, `${what} ${why}: ${value}`);
  if (typeof value !== "string" || !ADDRESS_RE.test(value)) throw invalid("is not a 0x-prefixed 20-byte hex address");
  const hex = value.slice(2);
  if (hex !== hex.toLowerCase() && hex !== hex.toUpperCase()) {
    const hash = keccak_256(new TextEncoder().encode(hex.toLowerCase()));
    for (let i = 0; i < 40; i++) {
      const nibble = (hash[i >> 1] >> (i % 2 === 0 ? 4 : 0)) & 0xf;
      const c = hex[i];
      if (c.toLowerCase() !== c.toUpperCase() && nibble >= 8 !== (c === c.toUpperCase())) {
        throw invalid("has a wrong EIP-55 checksum");
      }
    }
  }
  return Uint8Array.from(Buffer.from(hex, "hex"));
}

/** An ABI word holding `bytes` right-aligned (address) — `bytes` at most 32 long. */
function word(bytes: Uint8Array): Uint8Array {
  return concatBytes(new Uint8Array(32 - bytes.length), bytes);
}

/**
 * The 32-byte PoP digest, `keccak256(abi.encode(POP_TYPEHASH, chainId, registry, operator,
 * keccak256(pubkeyG1Eip2537)))` — see the module header for the byte layout.
 * @param chainId - the EVM chain id (`block.chainid`), 0 ≤ chainId < 2²⁵⁶.
 * @param registry - OperatorRegistry proxy address, 0x-hex (EIP-55 checked when mixed case).
 * @param operator - operator address, 0x-hex (EIP-55 checked when mixed case).
 * @param pubkeyG1Eip2537 - the operator's 128-byte EIP-2537 G1 public key.
 * @throws BlsError `BLS_ERROR_INVALID_CHAIN_ID` when chainId is out of range;
 *   `BLS_ERROR_INVALID_ADDRESS` for a malformed address; the `g1FromEip2537` codes (length,
 *   canonical, point, `BLS_ERROR_INFINITY`) when the pubkey is not a valid key.
 * Source: docs/protocol.md §5; Solidity ABI spec (static types, 32-byte words).
 */
export function popDigest(
  chainId: bigint,
  registry: string,
  operator: string,
  pubkeyG1Eip2537: Uint8Array,
): Uint8Array {
  if (typeof chainId !== "bigint" || chainId < 0n || chainId >= UINT256_LIMIT) {
    throw new BlsError(
      { code: "BLS_ERROR_INVALID_CHAIN_ID", value: String(chainId) },
      `chainId must be a bigint in [0, 2^256), got ${String(chainId)}`,
    );
  }
  g1FromEip2537(pubkeyG1Eip2537);
  const encoded = concatBytes(
    Buffer.from(POP_TYPEHASH.slice(2), "hex"),
    bigIntToBytes(chainId, 32),
    word(addressBytes(registry, "registry address")),
    word(addressBytes(operator, "operator address")),
    keccak_256(pubkeyG1Eip2537),
  );
  return keccak_256(encoded);
}

/**
 * Creates the proof of possession an operator submits to `registerOperator`: the 256-byte EIP-2537
 * G2 encoding (x.c0‖x.c1‖y.c0‖y.c1) of `sign(sk, popDigest(chainId, registry, operator, pk))`, where
 * pk is `sk`'s public key in EIP-2537 form and the 32 digest bytes are the signed message.
 * @throws BlsError as `popDigest`.
 */
export function createProofOfPossession(
  sk: SecretKey,
  chainId: bigint,
  registry: string,
  operator: string,
): Uint8Array {
  const digest = popDigest(chainId, registry, operator, g1ToEip2537(sk.toPublicKey()));
  return g2ToEip2537(sign(sk, digest));
}

/**
 * Checks a proof of possession the way the registry does: decodes both EIP-2537 points (subgroup
 * checked, infinity rejected) and verifies the signature over `popDigest(...)`.
 * @returns false when the signature does not verify.
 * @throws BlsError as `popDigest` and `g2FromEip2537` for malformed inputs.
 */
export function verifyProofOfPossession(
  pubkeyG1Eip2537: Uint8Array,
  popSignatureG2Eip2537: Uint8Array,
  chainId: bigint,
  registry: string,
  operator: string,
): boolean {
  const digest = popDigest(chainId, registry, operator, pubkeyG1Eip2537);
  return verify(g1FromEip2537(pubkeyG1Eip2537), digest, g2FromEip2537(popSignatureG2Eip2537));
}

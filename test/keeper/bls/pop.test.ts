import { expect } from "chai";
import { AbiCoder, getAddress, keccak256, toUtf8Bytes } from "ethers";
import fc from "fast-check";

import {
  createProofOfPossession,
  g2ToEip2537,
  generateKeypair,
  POP_TYPE_STRING,
  POP_TYPEHASH,
  popDigest,
  verifyProofOfPossession,
} from "../../../keeper/bls";
import { expectBlsError, hex, ikmArb, toHex } from "./helpers";

/** The digest of docs/protocol.md §5 computed with ethers, independently of keeper/bls. */
function ethersDigest(chainId: bigint, registry: string, operator: string, pubkeyG1: Uint8Array): string {
  const typehash = keccak256(
    toUtf8Bytes("NewtonOperatorPoP(uint256 chainId,address registry,address operator,bytes32 pubkeyHash)"),
  );
  const encoded = AbiCoder.defaultAbiCoder().encode(
    ["bytes32", "uint256", "address", "address", "bytes32"],
    [typehash, chainId, registry, operator, keccak256(pubkeyG1)],
  );
  return keccak256(encoded);
}

const addressArb = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => getAddress(`0x${toHex(b)}`));
const chainIdArb = fc.bigInt({ min: 0n, max: (1n << 256n) - 1n });

describe("keeper/bls pop", function () {
  const keypair = generateKeypair(new Uint8Array(32).fill(5));
  const registry = getAddress("0x5fbdb2315678afecb367f032d93f642f64180aa3");
  const operator = getAddress("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");

  describe("POP_TYPEHASH", function () {
    it("is keccak256 of the type string of docs/protocol.md §5", function () {
      expect(POP_TYPE_STRING).to.equal(
        "NewtonOperatorPoP(uint256 chainId,address registry,address operator,bytes32 pubkeyHash)",
      );
      expect(POP_TYPEHASH).to.equal(keccak256(toUtf8Bytes(POP_TYPE_STRING)));
    });
  });

  describe("popDigest", function () {
    /** Invariant: popDigest = keccak256(abi.encode(typehash, chainId, registry, operator, keccak256(pk))) per ethers. */
    it("equals the ethers AbiCoder computation for random chain ids, addresses and keys", function () {
      fc.assert(
        fc.property(chainIdArb, addressArb, addressArb, ikmArb, (chainId, reg, op, ikm) => {
          const pk = generateKeypair(ikm).pubkeyG1Eip2537;
          expect(`0x${toHex(popDigest(chainId, reg, op, pk))}`).to.equal(ethersDigest(chainId, reg, op, pk));
          expect(toHex(popDigest(chainId, reg.toLowerCase(), op.toLowerCase(), pk))).to.equal(
            toHex(popDigest(chainId, reg, op, pk)),
          );
        }),
        { numRuns: 100 },
      );
    });

    it("binds each field: changing chain id, registry, operator or key changes the digest", function () {
      const base = toHex(popDigest(1n, registry, operator, keypair.pubkeyG1Eip2537));
      const other = generateKeypair(new Uint8Array(32).fill(6)).pubkeyG1Eip2537;
      expect(toHex(popDigest(2n, registry, operator, keypair.pubkeyG1Eip2537))).to.not.equal(base);
      expect(toHex(popDigest(1n, operator, registry, keypair.pubkeyG1Eip2537))).to.not.equal(base);
      expect(toHex(popDigest(1n, registry, operator, other))).to.not.equal(base);
    });

    it("rejects bad addresses, checksums, chain ids and keys with their codes", function () {
      const pk = keypair.pubkeyG1Eip2537;
      expectBlsError(() => popDigest(1n, "0x1234", operator, pk), "BLS_ERROR_INVALID_ADDRESS");
      const badChecksum = registry.slice(0, 2) + registry.slice(2).replace(/[a-f]/, (c) => c.toUpperCase());
      expect(badChecksum).to.not.equal(registry);
      expectBlsError(() => popDigest(1n, badChecksum, operator, pk), "BLS_ERROR_INVALID_ADDRESS");
      expectBlsError(() => popDigest(-1n, registry, operator, pk), "BLS_ERROR_INVALID_CHAIN_ID");
      expectBlsError(() => popDigest(1n << 256n, registry, operator, pk), "BLS_ERROR_INVALID_CHAIN_ID");
      expectBlsError(() => popDigest(1n, registry, operator, new Uint8Array(128)), "BLS_ERROR_INFINITY");
      expectBlsError(() => popDigest(1n, registry, operator, keypair.pubkeyCompressed), "BLS_ERROR_INVALID_LENGTH");
    });
  });

  describe("createProofOfPossession / verifyProofOfPossession", function () {
    it("signs the 32 digest bytes with the key and encodes the signature as 256-byte EIP-2537 G2", function () {
      const pop = createProofOfPossession(keypair.secretKey, 31337n, registry, operator);
      expect(pop).to.have.length(256);
      const digest = hex(ethersDigest(31337n, registry, operator, keypair.pubkeyG1Eip2537));
      expect(toHex(pop)).to.equal(toHex(g2ToEip2537(keypair.secretKey.sign(digest))));
      expect(verifyProofOfPossession(keypair.pubkeyG1Eip2537, pop, 31337n, registry, operator)).to.equal(true);
    });

    it("does not verify for another chain, registry, operator or key", function () {
      const pop = createProofOfPossession(keypair.secretKey, 1n, registry, operator);
      const other = generateKeypair(new Uint8Array(32).fill(8)).pubkeyG1Eip2537;
      expect(verifyProofOfPossession(keypair.pubkeyG1Eip2537, pop, 2n, registry, operator)).to.equal(false);
      expect(verifyProofOfPossession(keypair.pubkeyG1Eip2537, pop, 1n, operator, operator)).to.equal(false);
      expect(verifyProofOfPossession(keypair.pubkeyG1Eip2537, pop, 1n, registry, registry)).to.equal(false);
      expect(verifyProofOfPossession(other, pop, 1n, registry, operator)).to.equal(false);
    });

    it("rejects an infinity signature with BLS_ERROR_INFINITY", function () {
      expectBlsError(
        () => verifyProofOfPossession(keypair.pubkeyG1Eip2537, new Uint8Array(256), 1n, registry, operator),
        "BLS_ERROR_INFINITY",
      );
    });
  });
});

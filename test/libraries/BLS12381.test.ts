import { readFileSync } from "node:fs";
import path from "node:path";

import { SecretKey } from "@chainsafe/blst";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { concat, dataSlice, getAddress, getBytes, hexlify, sha256, toBeHex, toUtf8Bytes, zeroPadValue } from "ethers";
import fc from "fast-check";
import { ethers } from "hardhat";

import type { BLS12381Harness } from "../../typechain-types";

// ---------------------------------------------------------------------------------------------------------------
// Constants and vectors
// ---------------------------------------------------------------------------------------------------------------

/** BLS12-381 base field modulus (EIP-2537, RFC 9380 §8.8). */
const P = 0x1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaabn;
const DST_SIGNATURE = "BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";

/** 64-byte EIP-2537 Fp encoding of `value` (no reduction). */
const fp = (value: bigint): string => zeroPadValue(toBeHex(value), 64);

/** G1 and G2 generators as EIP-2537 points (EIP-2537 "Curve parameters"). */
const G1 = concat([
  fp(0x17f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bbn),
  fp(0x08b3f481e3aaa0f1a09e30ed741d8ae4fcf5e095d5d00af600db18cb2c04b3edd03cc744a2888ae40caa232946c5e7e1n),
]);
const G2 = concat([
  fp(0x024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8n),
  fp(0x13e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7en),
  fp(0x0ce5d527727d6e118cc9cdc6da2e351aadfd9baa8cbdd3a76d429a695160d12c923ac9cc3baca289e193548608b82801n),
  fp(0x0606c4a02ea734cc32acd2b02bc28b99cb3e287e85a763af267492ab572e99ab3f370d275cec1da1aaa9075ff05f79ben),
]);
const G1_INFINITY = hexlify(new Uint8Array(128));
const G2_INFINITY = hexlify(new Uint8Array(256));

/** EIP-2537 precompile address `n` as a checksummed address (the argument of `BLSPrecompileFailed`). */
const precompile = (n: number): string => getAddress(toBeHex(n, 20));

const VECTORS = path.join(__dirname, "../vectors");
const loadVector = <T>(file: string): T => JSON.parse(readFileSync(path.join(VECTORS, file), "utf8")) as T;

interface XmdFile {
  DST: string;
  tests: { msg: string; len_in_bytes: string; uniform_bytes: string }[];
}
interface H2cFile {
  dst: string;
  vectors: { msg: string; u: [string, string]; P: { x: string; y: string } }[];
}
interface Eip2537Case {
  Input: string;
  Expected: string;
  Name: string;
}
interface Eip2537FailCase {
  Input: string;
  ExpectedError: string;
  Name: string;
}

/** "0x<c0>,0x<c1>" (RFC 9380 vector Fp2) → 128-byte EIP-2537 Fp2 c0‖c1. */
const fp2FromVector = (s: string): string => concat(s.split(",").map((c) => fp(BigInt(c))));

// ---------------------------------------------------------------------------------------------------------------
// Reference model (readable twin of the library's hashing, RFC 9380 §5.2/§5.3.1)
// ---------------------------------------------------------------------------------------------------------------

/** expand_message_xmd with SHA-256 (RFC 9380 §5.3.1, §5.3.3 for DSTs over 255 bytes). */
function expandMessageXmdModel(msg: Uint8Array, dstIn: Uint8Array, lenInBytes: number): string {
  const dst = dstIn.length > 255 ? getBytes(sha256(concat([toUtf8Bytes("H2C-OVERSIZE-DST-"), dstIn]))) : dstIn;
  const ell = Math.ceil(lenInBytes / 32);
  const dstPrime = concat([dst, new Uint8Array([dst.length])]);
  const libStr = new Uint8Array([lenInBytes >> 8, lenInBytes & 0xff]);
  const b0 = getBytes(sha256(concat([new Uint8Array(64), msg, libStr, new Uint8Array([0]), dstPrime])));
  const blocks: Uint8Array[] = [getBytes(sha256(concat([b0, new Uint8Array([1]), dstPrime])))];
  for (let i = 2; i <= ell; i++) {
    const mixed = b0.map((byte, j) => byte ^ blocks[i - 2][j]);
    blocks.push(getBytes(sha256(concat([mixed, new Uint8Array([i]), dstPrime]))));
  }
  return dataSlice(concat(blocks), 0, lenInBytes);
}

/** hash_to_field(msg, 2) for Fp2 (RFC 9380 §5.2, L = 64): [u0, u1] as 128-byte EIP-2537 Fp2 c0‖c1. */
function hashToFieldFp2Model(msg: Uint8Array, dst: Uint8Array): [string, string] {
  const uniform = expandMessageXmdModel(msg, dst, 256);
  const e = [0, 1, 2, 3].map((j) => fp(BigInt(dataSlice(uniform, 64 * j, 64 * (j + 1))) % P));
  return [concat([e[0], e[1]]), concat([e[2], e[3]])];
}

/** Byte offset of the first 64-byte chunk of `input` that is not a canonical EIP-2537 Fp, or -1. */
function firstNonCanonicalFp(input: string, fpOffsets: number[]): number {
  for (const offset of fpOffsets) {
    const chunk = dataSlice(input, offset, offset + 64);
    if (BigInt(chunk) >= P) return offset;
  }
  return -1;
}

/** Offsets 0, 64, … of all Fp coordinates in a pairing input / sequence of points of `length` bytes. */
const allFpOffsets = (length: number): number[] => Array.from({ length: Math.floor(length / 64) }, (_, i) => 64 * i);

// ---------------------------------------------------------------------------------------------------------------
// Local blst ↔ EIP-2537 converter (test-only; the keeper's codec lives in keeper/bls/)
// ---------------------------------------------------------------------------------------------------------------

/** 48-byte ZCash field element (flag bits masked when `first`) → 64-byte EIP-2537 Fp. */
const fpFromZcash = (bytes: Uint8Array, first: boolean): string => {
  const copy = Uint8Array.from(bytes);
  if (first) copy[0] &= 0x1f;
  return concat([new Uint8Array(16), copy]);
};

/** 96-byte uncompressed ZCash G1 (x‖y) → 128-byte EIP-2537 G1. */
function g1FromBlst(bytes: Uint8Array): string {
  expect(bytes.length).to.equal(96);
  return concat([fpFromZcash(bytes.subarray(0, 48), true), fpFromZcash(bytes.subarray(48, 96), false)]);
}

/** 192-byte uncompressed ZCash G2 (x_c1‖x_c0‖y_c1‖y_c0) → 256-byte EIP-2537 G2 (x_c0‖x_c1‖y_c0‖y_c1). */
function g2FromBlst(bytes: Uint8Array): string {
  expect(bytes.length).to.equal(192);
  const part = (i: number) => fpFromZcash(bytes.subarray(48 * i, 48 * (i + 1)), i === 0);
  return concat([part(1), part(0), part(3), part(2)]);
}

/** Swaps c0 and c1 of both coordinates of a 256-byte EIP-2537 G2 point. */
const swapG2Coefficients = (g2: string): string =>
  concat([dataSlice(g2, 64, 128), dataSlice(g2, 0, 64), dataSlice(g2, 192, 256), dataSlice(g2, 128, 192)]);

/** A deterministic blst key from a one-byte seed. */
const blstKey = (seed: number): SecretKey => SecretKey.fromKeygen(new Uint8Array(32).fill(seed));

// ---------------------------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------------------------

describe("BLS12381", function () {
  async function deployFixture(): Promise<{ harness: BLS12381Harness }> {
    const harness = await ethers.deployContract("BLS12381Harness");
    return { harness };
  }

  let harness: BLS12381Harness;
  beforeEach(async function () {
    ({ harness } = await loadFixture(deployFixture));
  });

  describe("expandMessageXmd", function () {
    for (const file of ["rfc9380-expand_message_xmd_SHA256_38.json", "rfc9380-expand_message_xmd_SHA256_256.json"]) {
      const vectors = loadVector<XmdFile>(file);
      for (const t of vectors.tests) {
        const len = Number(t.len_in_bytes);
        it(`matches ${file} for len ${len}, msg "${t.msg.slice(0, 20)}"`, async function () {
          const out = await harness.expandMessageXmd(toUtf8Bytes(t.msg), toUtf8Bytes(vectors.DST), len);
          expect(out).to.equal(`0x${t.uniform_bytes}`);
        });
      }
    }

    /** Invariant: for any message, DST (also > 255 bytes) and length, the library equals the readable model. */
    it("equals the reference model on random inputs", async function () {
      await fc.assert(
        fc.asyncProperty(
          fc.uint8Array({ maxLength: 300 }),
          fc.uint8Array({ minLength: 1, maxLength: 300 }),
          fc.integer({ min: 1, max: 700 }),
          async (msg, dst, len) => {
            expect(await harness.expandMessageXmd(msg, dst, len)).to.equal(expandMessageXmdModel(msg, dst, len));
          },
        ),
        { numRuns: 60 },
      );
    });

    it("accepts the largest length, 255 blocks (8160 bytes)", async function () {
      const out = await harness.expandMessageXmd("0x61", toUtf8Bytes("DST"), 8160);
      expect(out).to.equal(expandMessageXmdModel(toUtf8Bytes("a"), toUtf8Bytes("DST"), 8160));
    });

    for (const len of [0, 8161, 65535, 65536]) {
      it(`reverts with BLSExpandLengthInvalid when len_in_bytes is ${len}`, async function () {
        await expect(harness.expandMessageXmd("0x", toUtf8Bytes("DST"), len))
          .to.be.revertedWithCustomError(harness, "BLSExpandLengthInvalid")
          .withArgs(len);
      });
    }
  });

  describe("hashToFieldFp2", function () {
    const h2c = loadVector<H2cFile>("rfc9380-BLS12381G2_XMD-SHA-256_SSWU_RO_.json");
    for (const v of h2c.vectors) {
      it(`matches RFC 9380 u[0], u[1] for msg "${v.msg.slice(0, 20)}"`, async function () {
        const [u0, u1] = await harness.hashToFieldFp2(toUtf8Bytes(v.msg), toUtf8Bytes(h2c.dst));
        expect(u0).to.equal(fp2FromVector(v.u[0]));
        expect(u1).to.equal(fp2FromVector(v.u[1]));
      });
    }

    /** Invariant: the library's reduction mod p equals bigint `%` on the model's uniform bytes. */
    it("equals the reference model on random inputs", async function () {
      await fc.assert(
        fc.asyncProperty(
          fc.uint8Array({ maxLength: 200 }),
          fc.uint8Array({ minLength: 1, maxLength: 64 }),
          async (m, d) => {
            const [u0, u1] = await harness.hashToFieldFp2(m, d);
            expect([u0, u1]).to.deep.equal(hashToFieldFp2Model(m, d));
          },
        ),
        { numRuns: 30 },
      );
    });
  });

  describe("hashToG2", function () {
    const h2c = loadVector<H2cFile>("rfc9380-BLS12381G2_XMD-SHA-256_SSWU_RO_.json");
    for (const v of h2c.vectors) {
      it(`matches RFC 9380 P for msg "${v.msg.slice(0, 20)}"`, async function () {
        const point = await harness.hashToG2(toUtf8Bytes(v.msg), toUtf8Bytes(h2c.dst));
        expect(point).to.equal(concat([fp2FromVector(v.P.x), fp2FromVector(v.P.y)]));
      });
    }

    it("hashToG2Default uses DST_SIGNATURE", async function () {
      const msg = toUtf8Bytes("newton");
      expect(await harness.hashToG2Default(msg)).to.equal(await harness.hashToG2(msg, toUtf8Bytes(DST_SIGNATURE)));
    });

    /** Invariant: sk·H(m) computed with our H equals blst's signature, so our H(m) is blst's hash_to_curve. */
    it("hashToG2Default agrees with blst (sk·H(m) via G2MSM equals blst's signature)", async function () {
      for (let seed = 1; seed <= 3; seed++) {
        const sk = blstKey(seed);
        const msg = toUtf8Bytes(`message ${seed}`);
        const h = await harness.hashToG2Default(msg);
        const product = await harness.g2Msm(concat([h, sk.toBytes()]));
        expect(product).to.equal(g2FromBlst(sk.sign(msg).toBytes(false)));
      }
    });
  });

  describe("g1Add", function () {
    for (const v of loadVector<Eip2537Case[]>("eip2537-add_G1_bls.json")) {
      it(`matches EIP-2537 ${v.Name}`, async function () {
        const input = `0x${v.Input}`;
        expect(await harness.g1Add(dataSlice(input, 0, 128), dataSlice(input, 128))).to.equal(`0x${v.Expected}`);
      });
    }

    for (const v of loadVector<Eip2537FailCase[]>("eip2537-fail-add_G1_bls.json")) {
      it(`reverts with a typed error on EIP-2537 ${v.Name} (${v.ExpectedError})`, async function () {
        const input = `0x${v.Input}`;
        const length = getBytes(input).length;
        const a = dataSlice(input, 0, Math.min(128, length));
        const b = dataSlice(input, Math.min(128, length));
        const call = harness.g1Add(a, b);
        if (v.ExpectedError === "invalid input length") {
          const [expected, actual] = getBytes(a).length !== 128 ? [128, getBytes(a).length] : [128, getBytes(b).length];
          await expect(call).to.be.revertedWithCustomError(harness, "BLSInvalidLength").withArgs(expected, actual);
        } else if (/field element|fp\.Element/.test(v.ExpectedError)) {
          const offset = firstNonCanonicalFp(input, allFpOffsets(256));
          expect(offset).to.be.at.least(0);
          await expect(call).to.be.revertedWithCustomError(harness, "BLSFieldElementNotCanonical").withArgs(offset);
        } else {
          expect(v.ExpectedError).to.match(/not on curve/);
          await expect(call).to.be.revertedWithCustomError(harness, "BLSPrecompileFailed").withArgs(precompile(0x0b));
        }
      });
    }

    it("reports the offset into a‖b of a non-canonical coordinate of b", async function () {
      await expect(harness.g1Add(G1, concat([fp(0n), fp(P)])))
        .to.be.revertedWithCustomError(harness, "BLSFieldElementNotCanonical")
        .withArgs(192);
    });
  });

  describe("g1Negate", function () {
    it("negates the generator to (x, p − y)", async function () {
      const y = BigInt(dataSlice(G1, 64, 128));
      expect(await harness.g1Negate(G1)).to.equal(concat([dataSlice(G1, 0, 64), fp(P - y)]));
    });

    it("keeps the point at infinity", async function () {
      expect(await harness.g1Negate(G1_INFINITY)).to.equal(G1_INFINITY);
    });

    /** Invariant: P + (−P) = O and −(−P) = P for blst public keys. */
    it("is an involution whose sum with the point is infinity", async function () {
      for (let seed = 1; seed <= 4; seed++) {
        const pk = g1FromBlst(blstKey(seed).toPublicKey().toBytes(false));
        const neg = await harness.g1Negate(pk);
        expect(await harness.g1Negate(neg)).to.equal(pk);
        expect(await harness.g1Add(pk, neg)).to.equal(G1_INFINITY);
      }
    });

    it("reverts with BLSInvalidLength when the point is not 128 bytes", async function () {
      await expect(harness.g1Negate(dataSlice(G1, 0, 127)))
        .to.be.revertedWithCustomError(harness, "BLSInvalidLength")
        .withArgs(128, 127);
    });

    it("reverts with BLSFieldElementNotCanonical when y >= p", async function () {
      await expect(harness.g1Negate(concat([dataSlice(G1, 0, 64), fp(P)])))
        .to.be.revertedWithCustomError(harness, "BLSFieldElementNotCanonical")
        .withArgs(64);
    });
  });

  describe("g1Sub", function () {
    it("returns infinity for P − P", async function () {
      expect(await harness.g1Sub(G1, G1)).to.equal(G1_INFINITY);
    });

    it("equals g1Add(a, g1Negate(b))", async function () {
      const a = g1FromBlst(blstKey(7).toPublicKey().toBytes(false));
      const b = g1FromBlst(blstKey(8).toPublicKey().toBytes(false));
      expect(await harness.g1Sub(a, b)).to.equal(await harness.g1Add(a, await harness.g1Negate(b)));
      expect(await harness.g1Add(await harness.g1Sub(a, b), b)).to.equal(a);
    });

    it("reverts with BLSFieldElementNotCanonical at the offset into a‖b", async function () {
      const badTopBytes = concat([dataSlice(G1, 0, 64), "0x01", dataSlice(G1, 65, 128)]);
      await expect(harness.g1Sub(G1, badTopBytes))
        .to.be.revertedWithCustomError(harness, "BLSFieldElementNotCanonical")
        .withArgs(192);
    });
  });

  describe("g2Add", function () {
    it("returns P for P + O and O + P", async function () {
      expect(await harness.g2Add(G2, G2_INFINITY)).to.equal(G2);
      expect(await harness.g2Add(G2_INFINITY, G2)).to.equal(G2);
    });

    it("returns 2·G2 equal to G2MSM(G2, 2)", async function () {
      expect(await harness.g2Add(G2, G2)).to.equal(await harness.g2Msm(concat([G2, toBeHex(2, 32)])));
    });

    it("reverts with BLSInvalidLength when b is not 256 bytes", async function () {
      await expect(harness.g2Add(G2, dataSlice(G2, 0, 255)))
        .to.be.revertedWithCustomError(harness, "BLSInvalidLength")
        .withArgs(256, 255);
    });

    it("reverts with BLSFieldElementNotCanonical at the offset into a‖b", async function () {
      const bad = concat([dataSlice(G2, 0, 192), fp(P + 1n)]);
      await expect(harness.g2Add(G2, bad))
        .to.be.revertedWithCustomError(harness, "BLSFieldElementNotCanonical")
        .withArgs(256 + 192);
    });

    it("reverts with BLSPrecompileFailed(G2ADD) when a point is not on the curve", async function () {
      await expect(harness.g2Add(G2, swapG2Coefficients(G2)))
        .to.be.revertedWithCustomError(harness, "BLSPrecompileFailed")
        .withArgs(precompile(0x0d));
    });
  });

  describe("g1Msm", function () {
    /** Invariant: G1MSM(G1, sk) is blst's public key for sk. */
    it("computes sk·G1 equal to blst's public key", async function () {
      for (let seed = 1; seed <= 3; seed++) {
        const sk = blstKey(seed);
        const pk = g1FromBlst(sk.toPublicKey().toBytes(false));
        expect(await harness.g1Msm(concat([G1, sk.toBytes()]))).to.equal(pk);
      }
    });

    /** Invariant: the gas bound from the EIP-2537 discount table suffices for every k (also k > 128). */
    for (const k of [1, 2, 3, 4, 8, 16, 64, 127, 128, 129]) {
      it(`computes Σ_{i<${k}} 1·G1 = ${k}·G1 within the EIP-2537 gas bound`, async function () {
        const terms = concat(Array.from({ length: k }, () => concat([G1, toBeHex(1, 32)])));
        expect(await harness.g1Msm(terms)).to.equal(await harness.g1Msm(concat([G1, toBeHex(k, 32)])));
      });
    }

    it("sums several terms", async function () {
      const sk1 = blstKey(1);
      const sk2 = blstKey(2);
      const pk1 = g1FromBlst(sk1.toPublicKey().toBytes(false));
      const pk2 = g1FromBlst(sk2.toPublicKey().toBytes(false));
      const msm = await harness.g1Msm(concat([G1, sk1.toBytes(), G1, sk2.toBytes(), pk1, toBeHex(0, 32)]));
      expect(msm).to.equal(await harness.g1Add(pk1, pk2));
    });

    it("reverts with BLSEmptyInput when there are no terms", async function () {
      await expect(harness.g1Msm("0x")).to.be.revertedWithCustomError(harness, "BLSEmptyInput");
    });

    it("reverts with BLSInvalidLength when the length is not a multiple of 160", async function () {
      await expect(harness.g1Msm(concat([G1, toBeHex(1, 32), "0x00"])))
        .to.be.revertedWithCustomError(harness, "BLSInvalidLength")
        .withArgs(160, 161);
    });

    it("reverts with BLSFieldElementNotCanonical at the offset of the bad coordinate", async function () {
      const bad = concat([G1, toBeHex(1, 32), fp(P), dataSlice(G1, 64), toBeHex(1, 32)]);
      await expect(harness.g1Msm(bad))
        .to.be.revertedWithCustomError(harness, "BLSFieldElementNotCanonical")
        .withArgs(160);
    });

    it("reverts with BLSPrecompileFailed(G1MSM) when a point is not in the subgroup", async function () {
      const notInSubgroup = dataSlice(`0x${loadVector<Eip2537Case[]>("eip2537-add_G1_bls.json")[2].Input}`, 0, 128);
      await expect(harness.g1Msm(concat([notInSubgroup, toBeHex(1, 32)])))
        .to.be.revertedWithCustomError(harness, "BLSPrecompileFailed")
        .withArgs(precompile(0x0c));
    });
  });

  describe("g2Msm", function () {
    /** Invariant: the gas bound from the EIP-2537 discount table suffices for every k (also k > 128). */
    for (const k of [1, 2, 3, 4, 8, 16, 64, 127, 128, 129]) {
      it(`computes Σ_{i<${k}} 1·G2 = ${k}·G2 within the EIP-2537 gas bound`, async function () {
        const terms = concat(Array.from({ length: k }, () => concat([G2, toBeHex(1, 32)])));
        expect(await harness.g2Msm(terms)).to.equal(await harness.g2Msm(concat([G2, toBeHex(k, 32)])));
      });
    }

    it("returns the point for scalar 1 and infinity for scalar 0", async function () {
      expect(await harness.g2Msm(concat([G2, toBeHex(1, 32)]))).to.equal(G2);
      expect(await harness.g2Msm(concat([G2, toBeHex(0, 32)]))).to.equal(G2_INFINITY);
    });

    it("reverts with BLSEmptyInput when there are no terms", async function () {
      await expect(harness.g2Msm("0x")).to.be.revertedWithCustomError(harness, "BLSEmptyInput");
    });

    it("reverts with BLSInvalidLength when the length is not a multiple of 288", async function () {
      await expect(harness.g2Msm(dataSlice(concat([G2, toBeHex(1, 32)]), 0, 287)))
        .to.be.revertedWithCustomError(harness, "BLSInvalidLength")
        .withArgs(288, 287);
    });

    it("reverts with BLSFieldElementNotCanonical at the offset of the bad coordinate", async function () {
      const bad = concat([G2, toBeHex(1, 32), dataSlice(G2, 0, 192), fp(P), toBeHex(1, 32)]);
      await expect(harness.g2Msm(bad))
        .to.be.revertedWithCustomError(harness, "BLSFieldElementNotCanonical")
        .withArgs(288 + 192);
    });

    it("reverts with BLSPrecompileFailed(G2MSM) when a point is not on the curve", async function () {
      await expect(harness.g2Msm(concat([swapG2Coefficients(G2), toBeHex(1, 32)])))
        .to.be.revertedWithCustomError(harness, "BLSPrecompileFailed")
        .withArgs(precompile(0x0e));
    });
  });

  describe("pairingCheck", function () {
    for (const v of loadVector<Eip2537Case[]>("eip2537-pairing_check_bls.json")) {
      it(`matches EIP-2537 ${v.Name}`, async function () {
        expect(await harness.pairingCheck(`0x${v.Input}`)).to.equal(BigInt(`0x${v.Expected}`) === 1n);
      });
    }

    for (const v of loadVector<Eip2537FailCase[]>("eip2537-fail-pairing_check_bls.json")) {
      it(`reverts with a typed error on EIP-2537 ${v.Name} (${v.ExpectedError})`, async function () {
        const input = `0x${v.Input}`;
        const length = getBytes(input).length;
        const call = harness.pairingCheck(input);
        if (length === 0) {
          await expect(call).to.be.revertedWithCustomError(harness, "BLSEmptyInput");
        } else if (v.ExpectedError === "invalid input length") {
          const expected = Math.max(1, Math.round(length / 384)) * 384;
          await expect(call).to.be.revertedWithCustomError(harness, "BLSInvalidLength").withArgs(expected, length);
        } else if (/field element|fp\.Element/.test(v.ExpectedError)) {
          const offset = firstNonCanonicalFp(input, allFpOffsets(length));
          expect(offset).to.be.at.least(0);
          await expect(call).to.be.revertedWithCustomError(harness, "BLSFieldElementNotCanonical").withArgs(offset);
        } else {
          expect(v.ExpectedError).to.match(/not on curve|not in the correct subgroup/);
          await expect(call).to.be.revertedWithCustomError(harness, "BLSPrecompileFailed").withArgs(precompile(0x0f));
        }
      });
    }

    /** Invariant: a failing precompile burns only its EIP-2537 price, never the transaction's gas limit. */
    it("does not burn the transaction's gas when the precompile fails", async function () {
      const cases = loadVector<Eip2537FailCase[]>("eip2537-fail-pairing_check_bls.json");
      const notInSubgroup = cases.find((c) => c.Name === "bls_pairing_e(G1_not_in_correct_subgroup,G2)");
      const input = `0x${notInSubgroup?.Input}`;
      const gasLimit = 10_000_000n;
      await expect(harness.pairingCheckTx(input, { gasLimit }))
        .to.be.revertedWithCustomError(harness, "BLSPrecompileFailed")
        .withArgs(precompile(0x0f));
      const block = await ethers.provider.getBlock("latest");
      const receipt = await ethers.provider.getTransactionReceipt(block?.transactions[0] ?? "");
      expect(receipt?.status).to.equal(0);
      console.log(`      failing pairingCheckTx gasUsed: ${receipt?.gasUsed} of gasLimit ${gasLimit}`);
      // 21 000 intrinsic + calldata + 70 300 for the one-pair pairing the precompile is given, plus overhead.
      expect(receipt?.gasUsed).to.be.lessThan(150_000n);
      expect(receipt?.gasUsed).to.be.greaterThan(21_000n + 70_300n);
    });

    /** Invariant: beyond the 102 900 gas precompile price, two pairs cost < 3 000 gas (12 Fp checks, call, copy). */
    it("costs the precompile price plus less than 3 000 gas for two pairs", async function () {
      const input = `0x${loadVector<Eip2537Case[]>("eip2537-pairing_check_bls.json")[9].Input}`;
      const [ok, gasUsed] = await harness.pairingCheckGas(input);
      expect(ok).to.equal(true);
      console.log(`      pairingCheck (2 pairs) gas: ${gasUsed}`);
      expect(gasUsed).to.be.lessThan(102_900n + 3_000n);
    });
  });

  describe("mapFp2ToG2", function () {
    for (const v of loadVector<Eip2537Case[]>("eip2537-map_fp2_to_G2_bls.json")) {
      it(`matches EIP-2537 ${v.Name}`, async function () {
        expect(await harness.mapFp2ToG2(`0x${v.Input}`)).to.equal(`0x${v.Expected}`);
      });
    }

    for (const v of loadVector<Eip2537FailCase[]>("eip2537-fail-map_fp2_to_G2_bls.json")) {
      it(`reverts with a typed error on EIP-2537 ${v.Name} (${v.ExpectedError})`, async function () {
        const input = `0x${v.Input}`;
        const length = getBytes(input).length;
        const call = harness.mapFp2ToG2(input);
        if (v.ExpectedError === "invalid input length") {
          await expect(call).to.be.revertedWithCustomError(harness, "BLSInvalidLength").withArgs(128, length);
        } else {
          expect(v.ExpectedError).to.match(/field element|fp\.Element/);
          const offset = firstNonCanonicalFp(input, [0, 64]);
          expect(offset).to.be.at.least(0);
          await expect(call).to.be.revertedWithCustomError(harness, "BLSFieldElementNotCanonical").withArgs(offset);
        }
      });
    }
  });

  describe("validateG1", function () {
    /**
     * Invariant: validateG1 accepts exactly the 128-byte inputs whose two 64-byte words are < p (padding included)
     * and that are not all zero; it reverts at the first offending offset otherwise.
     */
    it("agrees with a bigint model of canonical encodings", async function () {
      const word = fc.oneof(
        fc.bigInt({ min: 0n, max: P - 1n }),
        fc.bigInt({ min: P - 3n, max: P + 3n }),
        fc.bigInt({ min: 0n, max: (1n << 512n) - 1n }),
        fc.constant(0n),
      );
      await fc.assert(
        fc.asyncProperty(word, word, async (x, y) => {
          const call = harness.validateG1(concat([zeroPadValue(toBeHex(x), 64), zeroPadValue(toBeHex(y), 64)]));
          if (x >= P) {
            await expect(call).to.be.revertedWithCustomError(harness, "BLSFieldElementNotCanonical").withArgs(0);
          } else if (y >= P) {
            await expect(call).to.be.revertedWithCustomError(harness, "BLSFieldElementNotCanonical").withArgs(64);
          } else if (x === 0n && y === 0n) {
            await expect(call).to.be.revertedWithCustomError(harness, "BLSPointAtInfinity");
          } else {
            await expect(call).not.to.be.reverted;
          }
        }),
        { numRuns: 100 },
      );
    });

    it("accepts a public key", async function () {
      await harness.validateG1(g1FromBlst(blstKey(1).toPublicKey().toBytes(false)));
    });

    it("reverts with BLSPointAtInfinity for the point at infinity", async function () {
      await expect(harness.validateG1(G1_INFINITY)).to.be.revertedWithCustomError(harness, "BLSPointAtInfinity");
    });

    it("reverts with BLSInvalidLength for a 96-byte blst encoding", async function () {
      await expect(harness.validateG1(blstKey(1).toPublicKey().toBytes(false)))
        .to.be.revertedWithCustomError(harness, "BLSInvalidLength")
        .withArgs(128, 96);
    });

    it("reverts with BLSFieldElementNotCanonical when a padding byte is set", async function () {
      const bad = concat(["0x01", dataSlice(G1, 1)]);
      await expect(harness.validateG1(bad))
        .to.be.revertedWithCustomError(harness, "BLSFieldElementNotCanonical")
        .withArgs(0);
    });
  });

  describe("validateG2", function () {
    it("accepts a signature", async function () {
      await harness.validateG2(g2FromBlst(blstKey(1).sign(toUtf8Bytes("m")).toBytes(false)));
    });

    it("reverts with BLSPointAtInfinity for the point at infinity", async function () {
      await expect(harness.validateG2(G2_INFINITY)).to.be.revertedWithCustomError(harness, "BLSPointAtInfinity");
    });

    it("reverts with BLSInvalidLength when the point is not 256 bytes", async function () {
      await expect(harness.validateG2(concat([G2, "0x00"])))
        .to.be.revertedWithCustomError(harness, "BLSInvalidLength")
        .withArgs(256, 257);
    });

    it("reverts with BLSFieldElementNotCanonical when a coordinate equals p", async function () {
      await expect(harness.validateG2(concat([dataSlice(G2, 0, 64), fp(P), dataSlice(G2, 128)])))
        .to.be.revertedWithCustomError(harness, "BLSFieldElementNotCanonical")
        .withArgs(64);
    });
  });

  describe("verify", function () {
    const signed = Array.from({ length: 10 }, (_, i) => {
      const sk = blstKey(i + 1);
      const message = toUtf8Bytes(`newton state root ${i}`);
      return {
        pk: g1FromBlst(sk.toPublicKey().toBytes(false)),
        message,
        signature: g2FromBlst(sk.sign(message).toBytes(false)),
      };
    });

    it("accepts 10 signatures made with blst", async function () {
      for (const { pk, message, signature } of signed) {
        expect(await harness.verify(pk, message, signature)).to.equal(true);
      }
    });

    it("returns false for a wrong message", async function () {
      const { pk, signature } = signed[0];
      expect(await harness.verify(pk, toUtf8Bytes("another message"), signature)).to.equal(false);
    });

    it("returns false for another signer's public key", async function () {
      expect(await harness.verify(signed[1].pk, signed[0].message, signed[0].signature)).to.equal(false);
    });

    it("reverts with BLSPrecompileFailed(0x0f) for a signature with c0/c1 swapped", async function () {
      const { pk, message, signature } = signed[0];
      await expect(harness.verify(pk, message, swapG2Coefficients(signature)))
        .to.be.revertedWithCustomError(harness, "BLSPrecompileFailed")
        .withArgs(precompile(0x0f));
    });

    it("reverts with BLSPointAtInfinity for an infinite public key or signature", async function () {
      const { pk, message, signature } = signed[0];
      await expect(harness.verify(G1_INFINITY, message, signature)).to.be.revertedWithCustomError(
        harness,
        "BLSPointAtInfinity",
      );
      await expect(harness.verify(pk, message, G2_INFINITY)).to.be.revertedWithCustomError(
        harness,
        "BLSPointAtInfinity",
      );
    });

    it("reverts with BLSInvalidLength for blst's 96-byte public key encoding", async function () {
      const { message, signature } = signed[0];
      await expect(harness.verify(blstKey(1).toPublicKey().toBytes(false), message, signature))
        .to.be.revertedWithCustomError(harness, "BLSInvalidLength")
        .withArgs(128, 96);
    });

    it("uses at most 170 000 gas", async function () {
      const { pk, message, signature } = signed[0];
      const [ok, gasUsed] = await harness.verifyGas(pk, message, signature);
      expect(ok).to.equal(true);
      const [, hashGas] = await harness.hashToG2Gas(message);
      console.log(`      verify gas: ${gasUsed}, hashToG2 gas: ${hashGas}`);
      expect(gasUsed).to.be.at.most(170_000n);
    });
  });

  describe("verifyHashed", function () {
    it("accepts a blst signature with H(m) from hashToG2Default", async function () {
      const sk = blstKey(3);
      const message = toUtf8Bytes("hashed once");
      const h = await harness.hashToG2Default(message);
      const pk = g1FromBlst(sk.toPublicKey().toBytes(false));
      expect(await harness.verifyHashed(pk, h, g2FromBlst(sk.sign(message).toBytes(false)))).to.equal(true);
      expect(await harness.verifyHashed(pk, G2, g2FromBlst(sk.sign(message).toBytes(false)))).to.equal(false);
    });

    it("reverts with BLSInvalidLength when H(m) is not 256 bytes", async function () {
      const sk = blstKey(3);
      const pk = g1FromBlst(sk.toPublicKey().toBytes(false));
      const sig = g2FromBlst(sk.sign(toUtf8Bytes("m")).toBytes(false));
      await expect(harness.verifyHashed(pk, dataSlice(G2, 0, 128), sig))
        .to.be.revertedWithCustomError(harness, "BLSInvalidLength")
        .withArgs(256, 128);
    });
  });
});

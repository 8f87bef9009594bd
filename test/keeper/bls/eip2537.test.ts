import * as blst from "@chainsafe/blst";
import { expect } from "chai";
import fc from "fast-check";

import {
  FP_MODULUS,
  g1Eip2537ToUncompressed,
  g1FromEip2537,
  g1NegateEip2537,
  g1ToEip2537,
  g1UncompressedToEip2537,
  g2Eip2537ToUncompressed,
  g2FromEip2537,
  g2ToEip2537,
  g2UncompressedToEip2537,
  keypairFromSecretKey,
  type BlsErrorType,
} from "../../../keeper/bls";
import addG1Vectors from "../../vectors/eip2537-add_G1_bls.json";
import failAddG1Vectors from "../../vectors/eip2537-fail-add_G1_bls.json";
import failPairingVectors from "../../vectors/eip2537-fail-pairing_check_bls.json";
import pairingVectors from "../../vectors/eip2537-pairing_check_bls.json";
import { expectBlsError, hex, ikmArb, messageArb, toHex } from "./helpers";

/** Constants typed in from the EIP-2537 text, "Curve parameters" (ethereum/EIPs EIPS/eip-2537.md). */
const EIP = {
  p: "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab",
  h1x: "17f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb",
  h1y: "08b3f481e3aaa0f1a09e30ed741d8ae4fcf5e095d5d00af600db18cb2c04b3edd03cc744a2888ae40caa232946c5e7e1",
  h2xc0: "024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8",
  h2xc1: "13e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e",
  h2yc0: "0ce5d527727d6e118cc9cdc6da2e351aadfd9baa8cbdd3a76d429a695160d12c923ac9cc3baca289e193548608b82801",
  h2yc1: "0606c4a02ea734cc32acd2b02bc28b99cb3e287e85a763af267492ab572e99ab3f370d275cec1da1aaa9075ff05f79be",
};
const PAD = "00".repeat(16);
const G1_GEN_EIP = PAD + EIP.h1x + PAD + EIP.h1y;
const G2_GEN_EIP = PAD + EIP.h2xc0 + PAD + EIP.h2xc1 + PAD + EIP.h2yc0 + PAD + EIP.h2yc1;
/**
 * ZCash compressed serialization of the G2 generator (flags 0x80 on x.c1), as published e.g. in
 * aptos-core `bls12381_algebra` (G2_GENERATOR_SERIALIZED_COMP) and arkworks' serialization tests.
 */
const G2_GEN_COMPRESSED =
  "93e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e" +
  "024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8";

const RUNS = { numRuns: 100 };

type Vector = { Input: string; Name: string; Expected?: string; ExpectedError?: string };

function vector(list: Vector[], name: string): Uint8Array {
  const v = list.find((x) => x.Name === name);
  if (v === undefined) throw new Error(`vector ${name} missing`);
  return hex(v.Input);
}

/** Splits a pairing input into its (G1 128 B, G2 256 B) pairs. */
function pairingPoints(input: Uint8Array): { g1: Uint8Array; g2: Uint8Array }[] {
  const out: { g1: Uint8Array; g2: Uint8Array }[] = [];
  for (let i = 0; i + 384 <= input.length; i += 384) {
    out.push({ g1: input.slice(i, i + 128), g2: input.slice(i + 128, i + 384) });
  }
  return out;
}

/** The first BlsError code raised by `fns`, in order; undefined when all succeed. */
function firstErrorCode(fns: (() => unknown)[]): string | undefined {
  for (const fn of fns) {
    try {
      fn();
    } catch (err) {
      return (err as { code?: string }).code;
    }
  }
  return undefined;
}

/** Our code for each error class named in the EIP-2537 failure vectors. */
function expectedCode(error: string): BlsErrorType["code"] {
  if (error.includes("top bytes") || error.includes("fp.Element")) return "BLS_ERROR_NOT_CANONICAL";
  if (error.includes("not on curve") || error.includes("subgroup")) return "BLS_ERROR_INVALID_POINT";
  if (error.includes("length")) return "BLS_ERROR_INVALID_LENGTH";
  throw new Error(`unmapped vector error ${error}`);
}

function randomPk(ikm: Uint8Array): blst.PublicKey {
  return blst.SecretKey.fromKeygen(ikm).toPublicKey();
}

function randomSig(ikm: Uint8Array, msg: Uint8Array): blst.Signature {
  return blst.SecretKey.fromKeygen(ikm).sign(msg);
}

function bigToFp64(value: bigint): string {
  return value.toString(16).padStart(128, "0");
}

describe("keeper/bls eip2537", function () {
  describe("generators", function () {
    it("encodes the G1 generator (public key of sk = 1) as H1 of EIP-2537 and of the G1ADD vectors", function () {
      const one = new Uint8Array(32);
      one[31] = 1;
      const g1 = keypairFromSecretKey(one).pubkeyG1Eip2537;
      expect(toHex(g1)).to.equal(G1_GEN_EIP);
      expect(toHex(vector(addG1Vectors, "bls_g1add_g1+p1").slice(0, 128))).to.equal(G1_GEN_EIP);
    });

    it("encodes the ZCash G2 generator as H2 of EIP-2537 (c0‖c1) and of the pairing vectors", function () {
      const g2 = g2ToEip2537(hex(G2_GEN_COMPRESSED));
      expect(toHex(g2)).to.equal(G2_GEN_EIP);
      expect(toHex(vector(pairingVectors, "bls_pairing_e(0,G2)").slice(128, 384))).to.equal(G2_GEN_EIP);
      expect(toHex(g2FromEip2537(hex(G2_GEN_EIP)).toBytes(true))).to.equal(G2_GEN_COMPRESSED);
    });

    it("negates G1 and P1 as in the G1ADD vectors g1 − g1 = 0 and p1 − p1 = 0", function () {
      for (const name of ["bls_g1add_(g1-g1=0)", "bls_g1add_(p1-p1=0)"]) {
        // Input = P ‖ −P, Expected = 0.
        const input = vector(addG1Vectors, name);
        expect(toHex(g1NegateEip2537(input.slice(0, 128))), name).to.equal(toHex(input.slice(128, 256)));
      }
      expect(toHex(vector(addG1Vectors, "bls_g1add_(g1-g1=0)").slice(0, 128))).to.equal(G1_GEN_EIP);
    });

    it("uses the field modulus p of EIP-2537", function () {
      expect(FP_MODULUS).to.equal(BigInt(`0x${EIP.p}`));
    });
  });

  describe("EIP-2537 vectors", function () {
    /** Invariant: every point of a passing vector decodes and re-encodes to the same bytes. */
    it("decodes and re-encodes every point of the G1ADD and pairing success vectors", function () {
      const inSubgroup = addG1Vectors.filter((v) => !v.Name.includes("not_in_correct_subgroup"));
      for (const v of inSubgroup) {
        const input = hex(v.Input);
        for (const point of [input.slice(0, 128), input.slice(128, 256), hex(v.Expected)]) {
          expect(toHex(g1ToEip2537(g1FromEip2537(point, { allowInfinity: true }))), v.Name).to.equal(toHex(point));
        }
      }
      for (const v of pairingVectors) {
        for (const { g1, g2 } of pairingPoints(hex(v.Input))) {
          expect(toHex(g1ToEip2537(g1FromEip2537(g1, { allowInfinity: true }))), v.Name).to.equal(toHex(g1));
          expect(toHex(g2ToEip2537(g2FromEip2537(g2, { allowInfinity: true }))), v.Name).to.equal(toHex(g2));
        }
      }
    });

    it("rejects the on-curve G1 point outside the subgroup of the G1ADD vectors", function () {
      const point = vector(addG1Vectors, "bls_g1add_g1_not_in_correct_subgroup+g1").slice(0, 128);
      const err = expectBlsError(() => g1FromEip2537(point), "BLS_ERROR_INVALID_POINT");
      expect(err.type).to.include({ reason: "not in subgroup" });
      // Transcoding alone does not check the subgroup (the G1ADD precompile does not either).
      expect(g1Eip2537ToUncompressed(point)).to.have.length(96);
    });

    /** Invariant: each failing precompile input contains a point our decoder rejects with the matching code. */
    it("rejects every failure vector of G1ADD and pairing with the code of its error class", function () {
      for (const v of failAddG1Vectors) {
        const input = hex(v.Input);
        const checks =
          input.length === 256
            ? [() => g1FromEip2537(input.slice(0, 128), opts), () => g1FromEip2537(input.slice(128), opts)]
            : [() => g1FromEip2537(input, opts)];
        expect(firstErrorCode(checks), v.Name).to.equal(expectedCode(v.ExpectedError));
      }
      for (const v of failPairingVectors) {
        const input = hex(v.Input);
        const checks: (() => unknown)[] =
          input.length % 384 === 0 && input.length > 0
            ? pairingPoints(input).flatMap(({ g1, g2 }) => [
                () => g1FromEip2537(g1, opts),
                () => g2FromEip2537(g2, opts),
              ])
            : [() => g1FromEip2537(input, opts)];
        expect(firstErrorCode(checks), v.Name).to.equal(expectedCode(v.ExpectedError));
      }
    });
  });

  describe("g1ToEip2537 / g1FromEip2537", function () {
    /** Invariant: compressed → EIP-2537 → blst is the identity on public keys. */
    it("round-trips random public keys through EIP-2537", function () {
      fc.assert(
        fc.property(ikmArb, (ikm) => {
          const pk = randomPk(ikm);
          const eip = g1ToEip2537(pk.toBytes(true));
          expect(eip).to.have.length(128);
          expect(toHex(g1FromEip2537(eip).toBytes(true))).to.equal(toHex(pk.toBytes(true)));
        }),
        RUNS,
      );
    });

    /** Invariant: EIP-2537 G1 = 16×00 ‖ x ‖ 16×00 ‖ y with x, y the halves of the ZCash uncompressed form. */
    it("lays out x and y as the uncompressed halves behind 16 zero bytes, whatever the input form", function () {
      fc.assert(
        fc.property(ikmArb, (ikm) => {
          const pk = randomPk(ikm);
          const raw = toHex(pk.toBytes(false));
          const expected = PAD + raw.slice(0, 96) + PAD + raw.slice(96);
          expect(toHex(g1ToEip2537(pk))).to.equal(expected);
          expect(toHex(g1ToEip2537(pk.toBytes(true)))).to.equal(expected);
          expect(toHex(g1ToEip2537(pk.toBytes(false)))).to.equal(expected);
          expect(toHex(g1Eip2537ToUncompressed(hex(expected)))).to.equal(raw);
        }),
        RUNS,
      );
    });

    it("maps infinity to 128 zero bytes and back only with allowInfinity", function () {
      const infinity = new Uint8Array(48);
      infinity[0] = 0xc0;
      expect(toHex(g1ToEip2537(infinity))).to.equal("00".repeat(128));
      expectBlsError(() => g1FromEip2537(new Uint8Array(128)), "BLS_ERROR_INFINITY");
      const pk = g1FromEip2537(new Uint8Array(128), { allowInfinity: true });
      expect(toHex(pk.toBytes(true))).to.equal(toHex(infinity));
      expect(toHex(g1Eip2537ToUncompressed(new Uint8Array(128)))).to.equal("40" + "00".repeat(95));
    });

    it("rejects with BLS_ERROR_INVALID_LENGTH when the encoding is not 128 bytes", function () {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
          fc.pre(bytes.length !== 128);
          const err = expectBlsError(() => g1FromEip2537(bytes), "BLS_ERROR_INVALID_LENGTH");
          expect(err.type).to.deep.include({ expected: [128], actual: bytes.length });
        }),
        RUNS,
      );
      expectBlsError(() => g1ToEip2537(new Uint8Array(47)), "BLS_ERROR_INVALID_LENGTH");
      expectBlsError(() => g1ToEip2537(new Uint8Array(128)), "BLS_ERROR_INVALID_LENGTH");
    });

    it("rejects with BLS_ERROR_NOT_CANONICAL when a padding byte is non-zero", function () {
      const arb = fc.record({
        ikm: ikmArb,
        coord: fc.integer({ min: 0, max: 1 }),
        at: fc.nat(15),
        v: fc.integer({ min: 1, max: 255 }),
      });
      fc.assert(
        fc.property(arb, ({ ikm, coord, at, v }) => {
          const eip = g1ToEip2537(randomPk(ikm));
          eip[coord * 64 + at] = v;
          expectBlsError(() => g1FromEip2537(eip), "BLS_ERROR_NOT_CANONICAL");
          expectBlsError(() => g1NegateEip2537(eip), "BLS_ERROR_NOT_CANONICAL");
        }),
        RUNS,
      );
    });

    it("rejects with BLS_ERROR_NOT_CANONICAL when x or y is p or above", function () {
      const arb = fc.record({
        ikm: ikmArb,
        coord: fc.integer({ min: 0, max: 1 }),
        k: fc.bigInt({ min: 0n, max: (1n << 384n) - 1n - FP_MODULUS }),
      });
      fc.assert(
        fc.property(arb, ({ ikm, coord, k }) => {
          const eip = g1ToEip2537(randomPk(ikm));
          eip.set(hex(bigToFp64(FP_MODULUS + k)), coord * 64);
          const err = expectBlsError(() => g1FromEip2537(eip), "BLS_ERROR_NOT_CANONICAL");
          expect(err.message).to.match(/field modulus/);
        }),
        RUNS,
      );
    });

    it("rejects with BLS_ERROR_INVALID_POINT when (x, y) is not on the curve", function () {
      fc.assert(
        fc.property(ikmArb, (ikm) => {
          const eip = g1ToEip2537(randomPk(ikm));
          const y = BigInt(`0x${toHex(eip.slice(64))}`);
          eip.set(hex(bigToFp64((y + 1n) % FP_MODULUS)), 64);
          const err = expectBlsError(() => g1FromEip2537(eip), "BLS_ERROR_INVALID_POINT");
          expect(err.type).to.include({ reason: "not on curve" });
          expectBlsError(() => g1NegateEip2537(eip), "BLS_ERROR_INVALID_POINT");
        }),
        RUNS,
      );
    });
  });

  describe("g2ToEip2537 / g2FromEip2537", function () {
    /** Invariant: compressed → EIP-2537 → blst is the identity on signatures. */
    it("round-trips random signatures through EIP-2537", function () {
      fc.assert(
        fc.property(ikmArb, messageArb, (ikm, msg) => {
          const sig = randomSig(ikm, msg);
          const eip = g2ToEip2537(sig.toBytes(true));
          expect(eip).to.have.length(256);
          expect(toHex(g2FromEip2537(eip).toBytes(true))).to.equal(toHex(sig.toBytes(true)));
        }),
        RUNS,
      );
    });

    /** Invariant: blst's x.c1‖x.c0‖y.c1‖y.c0 becomes x.c0‖x.c1‖y.c0‖y.c1, each behind 16 zero bytes. */
    it("swaps each Fp2 from c1‖c0 to c0‖c1, whatever the input form", function () {
      fc.assert(
        fc.property(ikmArb, messageArb, (ikm, msg) => {
          const sig = randomSig(ikm, msg);
          const raw = toHex(sig.toBytes(false));
          const w = [0, 1, 2, 3].map((i) => raw.slice(i * 96, (i + 1) * 96));
          const expected = PAD + w[1] + PAD + w[0] + PAD + w[3] + PAD + w[2];
          expect(toHex(g2ToEip2537(sig))).to.equal(expected);
          expect(toHex(g2ToEip2537(sig.toBytes(true)))).to.equal(expected);
          expect(toHex(g2ToEip2537(sig.toBytes(false)))).to.equal(expected);
          expect(toHex(g2Eip2537ToUncompressed(hex(expected)))).to.equal(raw);
        }),
        RUNS,
      );
    });

    it("maps infinity to 256 zero bytes and back only with allowInfinity", function () {
      const infinity = new Uint8Array(96);
      infinity[0] = 0xc0;
      expect(toHex(g2ToEip2537(infinity))).to.equal("00".repeat(256));
      expectBlsError(() => g2FromEip2537(new Uint8Array(256)), "BLS_ERROR_INFINITY");
      const sig = g2FromEip2537(new Uint8Array(256), { allowInfinity: true });
      expect(toHex(sig.toBytes(true))).to.equal(toHex(infinity));
    });

    it("rejects with BLS_ERROR_INVALID_LENGTH when the encoding is not 256 bytes", function () {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
          fc.pre(bytes.length !== 256);
          expectBlsError(() => g2FromEip2537(bytes), "BLS_ERROR_INVALID_LENGTH");
        }),
        RUNS,
      );
      expectBlsError(() => g2ToEip2537(new Uint8Array(95)), "BLS_ERROR_INVALID_LENGTH");
    });

    it("rejects with BLS_ERROR_NOT_CANONICAL when a padding byte is non-zero or a coefficient is ≥ p", function () {
      const arb = fc.record({
        ikm: ikmArb,
        word: fc.integer({ min: 0, max: 3 }),
        at: fc.nat(15),
        v: fc.integer({ min: 1, max: 255 }),
      });
      fc.assert(
        fc.property(arb, ({ ikm, word, at, v }) => {
          const good = g2ToEip2537(randomSig(ikm, new Uint8Array([1])));
          const padded = good.slice();
          padded[word * 64 + at] = v;
          expectBlsError(() => g2FromEip2537(padded), "BLS_ERROR_NOT_CANONICAL");
          const big = good.slice();
          big.set(hex(bigToFp64(FP_MODULUS + BigInt(v))), word * 64);
          expectBlsError(() => g2FromEip2537(big), "BLS_ERROR_NOT_CANONICAL");
        }),
        RUNS,
      );
    });

    it("rejects with BLS_ERROR_INVALID_POINT a point off the curve or outside the subgroup", function () {
      const good = g2ToEip2537(hex(G2_GEN_COMPRESSED));
      const offCurve = good.slice();
      offCurve[255] ^= 1;
      const err = expectBlsError(() => g2FromEip2537(offCurve), "BLS_ERROR_INVALID_POINT");
      expect(err.type).to.include({ reason: "not on curve" });
      const outside = pairingPoints(vector(failPairingVectors, "bls_pairing_e(G1,G2_not_in_correct_subgroup)"))[0].g2;
      const err2 = expectBlsError(() => g2FromEip2537(outside), "BLS_ERROR_INVALID_POINT");
      expect(err2.type).to.include({ reason: "not in subgroup" });
    });
  });

  describe("uncompressed transcoders", function () {
    it("rejects ZCash flag misuse with BLS_ERROR_NOT_CANONICAL", function () {
      const pk = randomPk(new Uint8Array(32).fill(7)).toBytes(false);
      const sig = randomSig(new Uint8Array(32).fill(7), new Uint8Array()).toBytes(false);
      for (const flag of [0x80, 0x20]) {
        const p = pk.slice();
        p[0] |= flag;
        expectBlsError(() => g1UncompressedToEip2537(p), "BLS_ERROR_NOT_CANONICAL");
        const s = sig.slice();
        s[0] |= flag;
        expectBlsError(() => g2UncompressedToEip2537(s), "BLS_ERROR_NOT_CANONICAL");
      }
      const junkInfinity = new Uint8Array(96);
      junkInfinity[0] = 0x40;
      junkInfinity[60] = 1;
      expectBlsError(() => g1UncompressedToEip2537(junkInfinity), "BLS_ERROR_NOT_CANONICAL");
      const bigX = pk.slice();
      bigX.set(hex(EIP.p), 0);
      expectBlsError(() => g1UncompressedToEip2537(bigX), "BLS_ERROR_NOT_CANONICAL");
      expectBlsError(() => g2UncompressedToEip2537(new Uint8Array(191)), "BLS_ERROR_INVALID_LENGTH");
    });

    /** Invariant: Eip2537ToUncompressed ∘ UncompressedToEip2537 is the identity (G1 and G2). */
    it("is a bijection between canonical encodings", function () {
      fc.assert(
        fc.property(ikmArb, messageArb, (ikm, msg) => {
          const pk = randomPk(ikm).toBytes(false);
          const sig = randomSig(ikm, msg).toBytes(false);
          expect(toHex(g1Eip2537ToUncompressed(g1UncompressedToEip2537(pk)))).to.equal(toHex(pk));
          expect(toHex(g2Eip2537ToUncompressed(g2UncompressedToEip2537(sig)))).to.equal(toHex(sig));
        }),
        RUNS,
      );
    });
  });

  describe("g1NegateEip2537", function () {
    /** Invariant: −(x, y) = (x, p − y); P + (−P) is the identity in blst; −(−P) = P. */
    it("negates random keys so that their sum is the point at infinity", function () {
      fc.assert(
        fc.property(ikmArb, (ikm) => {
          const pk = randomPk(ikm);
          const eip = g1ToEip2537(pk);
          const neg = g1NegateEip2537(eip);
          expect(toHex(neg.slice(0, 64))).to.equal(toHex(eip.slice(0, 64)));
          const y = BigInt(`0x${toHex(eip.slice(64))}`);
          const negY = BigInt(`0x${toHex(neg.slice(64))}`);
          expect(y + negY).to.equal(FP_MODULUS);
          const sum = blst.aggregatePublicKeys([pk, g1FromEip2537(neg)], false);
          expect(toHex(g1ToEip2537(sum))).to.equal("00".repeat(128));
          expect(toHex(g1NegateEip2537(neg))).to.equal(toHex(eip));
        }),
        RUNS,
      );
    });

    it("maps infinity to itself and rejects wrong lengths", function () {
      expect(toHex(g1NegateEip2537(new Uint8Array(128)))).to.equal("00".repeat(128));
      expectBlsError(() => g1NegateEip2537(new Uint8Array(96)), "BLS_ERROR_INVALID_LENGTH");
    });
  });
});

const opts = { allowInfinity: true };

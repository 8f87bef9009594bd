import * as blst from "@chainsafe/blst";
import { expect } from "chai";
import fc from "fast-check";

import {
  aggregatePublicKeys,
  aggregateSignatures,
  findInvalidSignatures,
  generateKeypair,
  keypairFromSecretKey,
  secretKeyFromBytes,
  sign,
  signatureFromBytes,
  verify,
  verifyBatch,
  type BlsKeypair,
  type SignatureSetItem,
} from "../../../keeper/bls";
import { expectBlsError, hex, ikmArb, messageArb, toHex } from "./helpers";

/** Eight deterministic keypairs, each signing its own message. */
function fixture(): { keys: BlsKeypair[]; items: SignatureSetItem[] } {
  const keys = Array.from({ length: 8 }, (_, i) => generateKeypair(new Uint8Array(32).fill(i + 1)));
  const items = keys.map((k, i) => {
    const message = new TextEncoder().encode(`commit ${i}`);
    return { message, publicKey: k.publicKey, signature: sign(k.secretKey, message) };
  });
  return { keys, items };
}

/** `items` with the signatures at `bad` replaced by signatures over another message. */
function corrupt(items: SignatureSetItem[], keys: BlsKeypair[], bad: number[]): SignatureSetItem[] {
  return items.map((it, i) =>
    bad.includes(i) ? { ...it, signature: sign(keys[i].secretKey, new TextEncoder().encode("other")) } : it,
  );
}

describe("keeper/bls sign", function () {
  const { keys, items } = fixture();

  describe("sign / verify", function () {
    /** Invariant: verify(pk(sk), m, sign(sk, m)) for every key and message. */
    it("verifies signatures of random keys over random messages", function () {
      fc.assert(
        fc.property(ikmArb, messageArb, (ikm, msg) => {
          const kp = generateKeypair(ikm);
          expect(verify(kp.publicKey, msg, sign(kp.secretKey, msg))).to.equal(true);
        }),
        { numRuns: 100 },
      );
    });

    it("returns false for a wrong message, a wrong key or an infinity key and signature", function () {
      const [a, b] = keys;
      const msg = new TextEncoder().encode("m");
      const sig = sign(a.secretKey, msg);
      expect(verify(a.publicKey, new TextEncoder().encode("n"), sig)).to.equal(false);
      expect(verify(b.publicKey, msg, sig)).to.equal(false);
      const infPk = blst.PublicKey.fromBytes(Uint8Array.from([0xc0, ...new Uint8Array(47)]));
      const infSig = blst.Signature.fromBytes(Uint8Array.from([0xc0, ...new Uint8Array(95)]));
      expect(verify(infPk, msg, infSig)).to.equal(false);
    });

    it("reproduces the consensus-spec-tests vector sign_case_c82df61aa3ee60fb (POP ciphersuite)", function () {
      // ethereum/consensus-spec-tests tests/general/phase0/bls/sign/small/sign_case_c82df61aa3ee60fb
      const sk = secretKeyFromBytes(hex("263dbd792f5b1be47ed85f8938c0f29586af0d3ac7b977f21c278fe1462040e3"));
      const msg = new Uint8Array(32);
      const sig = sign(sk, msg);
      expect(toHex(sig.toBytes(true))).to.equal(
        "b6ed936746e01f8ecf281f020953fbf1f01debd5657c4a383940b020b26507f6076334f91e2366c96e9ab279fb5158090352ea1c5b" +
          "0c9274504f4f0e7053af24802e51e4568d164fe986834f41e55c8e850ce1f98458c0cfc9ab380b55285a55",
      );
      expect(toHex(keypairFromSecretKey(sk).pubkeyCompressed)).to.equal(
        "a491d1b0ecd9bb917989f0e74f0dea0422eac4a873e5e2644f368dffb9a6e20fd6e10c1b77654d067c0618f6e5a7f79a",
      );
      expect(verify(sk.toPublicKey(), msg, sig)).to.equal(true);
    });
  });

  describe("signatureFromBytes", function () {
    it("parses compressed and uncompressed signatures", function () {
      const sig = items[0].signature;
      expect(toHex(signatureFromBytes(sig.toBytes(true)).toBytes())).to.equal(toHex(sig.toBytes()));
      expect(toHex(signatureFromBytes(sig.toBytes(false)).toBytes())).to.equal(toHex(sig.toBytes()));
    });

    it("rejects wrong lengths, infinity and off-curve points with their codes", function () {
      expectBlsError(() => signatureFromBytes(new Uint8Array(95)), "BLS_ERROR_INVALID_LENGTH");
      expectBlsError(() => signatureFromBytes(Uint8Array.from([0xc0, ...new Uint8Array(95)])), "BLS_ERROR_INFINITY");
      const bad = items[0].signature.toBytes(false);
      bad[191] ^= 1;
      expectBlsError(() => signatureFromBytes(bad), "BLS_ERROR_INVALID_POINT");
    });
  });

  describe("aggregateSignatures / aggregatePublicKeys", function () {
    /** Invariant: the sum of n signatures on m verifies against the sum of the n keys. */
    it("aggregates signatures on one message so they verify under the aggregate key", function () {
      const msg = new TextEncoder().encode("root");
      const sig = aggregateSignatures(keys.map((k) => sign(k.secretKey, msg)));
      const apk = aggregatePublicKeys(keys.map((k) => k.publicKey));
      expect(verify(apk, msg, sig)).to.equal(true);
      expect(verify(aggregatePublicKeys(keys.slice(1).map((k) => k.publicKey)), msg, sig)).to.equal(false);
    });

    it("rejects empty lists with BLS_ERROR_EMPTY_INPUT", function () {
      expectBlsError(() => aggregateSignatures([]), "BLS_ERROR_EMPTY_INPUT");
      expectBlsError(() => aggregatePublicKeys([]), "BLS_ERROR_EMPTY_INPUT");
    });

    it("rejects an infinity public key with BLS_ERROR_INFINITY", function () {
      const infPk = blst.PublicKey.fromBytes(Uint8Array.from([0xc0, ...new Uint8Array(47)]));
      expectBlsError(() => aggregatePublicKeys([keys[0].publicKey, infPk]), "BLS_ERROR_INFINITY");
    });
  });

  describe("verifyBatch / findInvalidSignatures", function () {
    it("accepts a valid batch and finds nothing in it", function () {
      expect(verifyBatch(items)).to.equal(true);
      expect(findInvalidSignatures(items)).to.deep.equal([]);
    });

    it("treats an empty batch as valid", function () {
      expect(verifyBatch([])).to.equal(true);
      expect(findInvalidSignatures([])).to.deep.equal([]);
    });

    it("rejects a batch with one bad signature and finds exactly that one", function () {
      const bad = corrupt(items, keys, [5]);
      expect(verifyBatch(bad)).to.equal(false);
      expect(findInvalidSignatures(bad)).to.deep.equal([5]);
    });

    it("rejects a batch where a key is swapped", function () {
      const swapped = items.map((it, i) => (i === 2 ? { ...it, publicKey: keys[3].publicKey } : it));
      expect(verifyBatch(swapped)).to.equal(false);
      expect(findInvalidSignatures(swapped)).to.deep.equal([2]);
    });

    /** Invariant: findInvalidSignatures returns exactly the corrupted indices, ascending. */
    it("finds any set of bad signatures", function () {
      fc.assert(
        fc.property(fc.uniqueArray(fc.nat(7), { maxLength: 8 }), (bad) => {
          const expected = [...bad].sort((x, y) => x - y);
          expect(findInvalidSignatures(corrupt(items, keys, bad))).to.deep.equal(expected);
          expect(verifyBatch(corrupt(items, keys, bad))).to.equal(bad.length === 0);
        }),
        { numRuns: 30 },
      );
    });
  });
});

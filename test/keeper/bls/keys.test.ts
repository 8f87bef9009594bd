import { expect } from "chai";
import fc from "fast-check";

import {
  decryptKeystore,
  encryptKeystore,
  g1FromEip2537,
  generateKeypair,
  keypairFromSecretKey,
  publicKeyFromBytes,
  secretKeyFromBytes,
  type KeystoreOptions,
} from "../../../keeper/bls";
import keystoreVector from "../../vectors/eip2335-pbkdf2-chainsafe.json";
import { expectBlsError, expectBlsErrorAsync, hex, ikmArb, toHex } from "./helpers";

/** A cheap KDF so the round-trip tests stay fast; the real default is pbkdf2 with c = 262 144. */
const FAST_KDF: KeystoreOptions["kdf"] = {
  function: "pbkdf2",
  params: { dklen: 32, c: 16, prf: "hmac-sha256", salt: "11".repeat(32) },
};

describe("keeper/bls keys", function () {
  describe("generateKeypair", function () {
    /** Invariant: every pubkey field is the same point as `publicKey`, in its documented encoding. */
    it("derives consistent pubkey encodings, deterministically from the ikm", function () {
      fc.assert(
        fc.property(ikmArb, (ikm) => {
          const kp = generateKeypair(ikm);
          expect(kp.pubkeyCompressed).to.have.length(48);
          expect(kp.pubkeyUncompressed).to.have.length(96);
          expect(kp.pubkeyG1Eip2537).to.have.length(128);
          expect(toHex(publicKeyFromBytes(kp.pubkeyUncompressed).toBytes(true))).to.equal(toHex(kp.pubkeyCompressed));
          expect(toHex(g1FromEip2537(kp.pubkeyG1Eip2537).toBytes(true))).to.equal(toHex(kp.pubkeyCompressed));
          expect(toHex(generateKeypair(ikm).secretKey.toBytes())).to.equal(toHex(kp.secretKey.toBytes()));
        }),
        { numRuns: 100 },
      );
    });

    it("draws fresh randomness without an ikm", function () {
      expect(toHex(generateKeypair().pubkeyCompressed)).to.not.equal(toHex(generateKeypair().pubkeyCompressed));
    });

    it("rejects an ikm shorter than 32 bytes with BLS_ERROR_INVALID_SECRET_KEY", function () {
      expectBlsError(() => generateKeypair(new Uint8Array(31)), "BLS_ERROR_INVALID_SECRET_KEY");
    });
  });

  describe("secretKeyFromBytes / keypairFromSecretKey", function () {
    it("round-trips the 32-byte secret", function () {
      const kp = generateKeypair(new Uint8Array(32).fill(9));
      const again = keypairFromSecretKey(kp.secretKey.toBytes());
      expect(toHex(again.pubkeyG1Eip2537)).to.equal(toHex(kp.pubkeyG1Eip2537));
      expect(Object.isFrozen(again)).to.equal(true);
    });

    it("rejects zero, r and above, and wrong lengths", function () {
      expectBlsError(() => secretKeyFromBytes(new Uint8Array(32)), "BLS_ERROR_INVALID_SECRET_KEY");
      const r = hex("73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001");
      expectBlsError(() => secretKeyFromBytes(r), "BLS_ERROR_INVALID_SECRET_KEY");
      expectBlsError(() => secretKeyFromBytes(new Uint8Array(32).fill(0xff)), "BLS_ERROR_INVALID_SECRET_KEY");
      expectBlsError(() => secretKeyFromBytes(new Uint8Array(31).fill(1)), "BLS_ERROR_INVALID_LENGTH");
    });
  });

  describe("publicKeyFromBytes", function () {
    it("rejects infinity, wrong lengths and non-canonical encodings with their codes", function () {
      expectBlsError(() => publicKeyFromBytes(Uint8Array.from([0xc0, ...new Uint8Array(47)])), "BLS_ERROR_INFINITY");
      expectBlsError(() => publicKeyFromBytes(new Uint8Array(47)), "BLS_ERROR_INVALID_LENGTH");
      const p = hex("1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab");
      p[0] |= 0x80;
      expectBlsError(() => publicKeyFromBytes(p), "BLS_ERROR_NOT_CANONICAL");
    });
  });

  describe("encryptKeystore / decryptKeystore", function () {
    const keypair = generateKeypair(new Uint8Array(32).fill(3));

    it("round-trips a keypair through an EIP-2335 keystore object and its JSON", async function () {
      const ks = await encryptKeystore(keypair, "correct horse", { kdf: FAST_KDF, path: "m/12381/3600/0/0/0" });
      expect(ks).to.include({ version: 4, path: "m/12381/3600/0/0/0", pubkey: toHex(keypair.pubkeyCompressed) });
      const back = await decryptKeystore(ks, "correct horse");
      expect(toHex(back.secretKey.toBytes())).to.equal(toHex(keypair.secretKey.toBytes()));
      const fromJson = await decryptKeystore(JSON.stringify(ks), "correct horse");
      expect(toHex(fromJson.pubkeyG1Eip2537)).to.equal(toHex(keypair.pubkeyG1Eip2537));
    });

    it("fails with BLS_ERROR_KEYSTORE_PASSWORD for a wrong password", async function () {
      const ks = await encryptKeystore(keypair, "correct horse", { kdf: FAST_KDF });
      await expectBlsErrorAsync(() => decryptKeystore(ks, "battery staple"), "BLS_ERROR_KEYSTORE_PASSWORD");
    });

    it("fails with BLS_ERROR_KEYSTORE_PUBKEY_MISMATCH when the stored pubkey is another key's", async function () {
      const ks = await encryptKeystore(keypair, "pw", { kdf: FAST_KDF });
      const other = toHex(generateKeypair(new Uint8Array(32).fill(4)).pubkeyCompressed);
      await expectBlsErrorAsync(
        () => decryptKeystore({ ...ks, pubkey: other }, "pw"),
        "BLS_ERROR_KEYSTORE_PUBKEY_MISMATCH",
      );
    });

    it("fails with BLS_ERROR_KEYSTORE_INVALID for bad JSON or a schema violation", async function () {
      await expectBlsErrorAsync(() => decryptKeystore("{not json", "pw"), "BLS_ERROR_KEYSTORE_INVALID");
      await expectBlsErrorAsync(
        () => decryptKeystore(JSON.stringify({ version: 4 }), "pw"),
        "BLS_ERROR_KEYSTORE_INVALID",
      );
    });

    it("decrypts the EIP-2335 pbkdf2 vector to its secret and pubkey", async function () {
      const back = await decryptKeystore(JSON.stringify(keystoreVector.keystore), keystoreVector.password);
      expect(toHex(back.secretKey.toBytes())).to.equal(keystoreVector.secret.slice(2));
      expect(toHex(back.pubkeyCompressed)).to.equal(keystoreVector.keystore.pubkey);
    });
  });
});

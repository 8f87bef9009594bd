import { expect } from "chai";
import fc from "fast-check";

import {
  SECRETS_MIN_ENVELOPE_BYTES,
  SecretsError,
  decodeEnvelope,
  encodeEnvelope,
  generateSecretsKeyPair,
  openSecrets,
  parseSecretsKeyDocument,
  sealSecrets,
  secretsKeyDocument,
} from "../../../keeper/secrets";

const instanceId = new Uint8Array(32).fill(7);

async function expectSecretsError(promise: Promise<unknown>, code: string): Promise<void> {
  try {
    await promise;
  } catch (err) {
    expect(err).to.be.instanceOf(SecretsError);
    expect((err as SecretsError).code).to.equal(code);
    return;
  }
  expect.fail(`expected SecretsError ${code}`);
}

describe("keeper/secrets", function () {
  describe("sealSecrets / openSecrets", function () {
    /** Invariant: open(sk, id, seal(pk, id, m)) = m for every plaintext and instance id; |envelope| = 49 + |m|. */
    it("round-trips any plaintext for any instance id", async function () {
      const keys = await generateSecretsKeyPair();
      await fc.assert(
        fc.asyncProperty(
          fc.uint8Array({ maxLength: 512 }),
          fc.uint8Array({ minLength: 32, maxLength: 32 }),
          async (plaintext, id) => {
            const envelope = await sealSecrets(keys.publicKey, id, plaintext);
            expect(envelope.length).to.equal(SECRETS_MIN_ENVELOPE_BYTES + plaintext.length);
            expect(envelope[0]).to.equal(1);
            expect(await openSecrets(keys.privateKey, id, envelope)).to.deep.equal(plaintext);
          },
        ),
        { numRuns: 25 },
      );
    });

    it("fails with SECRETS_ERROR_OPEN_FAILED for a wrong key, a wrong instance id or a tampered envelope", async function () {
      const keys = await generateSecretsKeyPair();
      const other = await generateSecretsKeyPair();
      const envelope = await sealSecrets(keys.publicKey, instanceId, new TextEncoder().encode('{"apiKey":"s3cret"}'));
      await expectSecretsError(openSecrets(other.privateKey, instanceId, envelope), "SECRETS_ERROR_OPEN_FAILED");
      await expectSecretsError(
        openSecrets(keys.privateKey, new Uint8Array(32).fill(8), envelope),
        "SECRETS_ERROR_OPEN_FAILED",
      );
      for (const index of [1, 33, envelope.length - 1]) {
        const tampered = envelope.slice();
        tampered[index] ^= 0x01;
        await expectSecretsError(openSecrets(keys.privateKey, instanceId, tampered), "SECRETS_ERROR_OPEN_FAILED");
      }
    });

    it("rejects wrong key and instance id lengths", async function () {
      const keys = await generateSecretsKeyPair();
      await expectSecretsError(
        sealSecrets(new Uint8Array(31), instanceId, new Uint8Array()),
        "SECRETS_ERROR_INVALID_KEY",
      );
      await expectSecretsError(
        sealSecrets(keys.publicKey, new Uint8Array(31), new Uint8Array()),
        "SECRETS_ERROR_INVALID_INSTANCE_ID",
      );
    });
  });

  describe("encodeEnvelope / decodeEnvelope", function () {
    it("lays out 0x01 ‖ enc ‖ ciphertext and rejects other versions and short envelopes", function () {
      const enc = new Uint8Array(32).fill(2);
      const ciphertext = new Uint8Array(20).fill(3);
      const bytes = encodeEnvelope({ enc, ciphertext });
      expect(bytes.length).to.equal(53);
      expect(bytes[0]).to.equal(1);
      expect(decodeEnvelope(bytes)).to.deep.equal({ enc, ciphertext });
      const v3 = bytes.slice();
      v3[0] = 3;
      expect(() => decodeEnvelope(v3))
        .to.throw(SecretsError)
        .with.property("code", "SECRETS_ERROR_ENVELOPE_VERSION");
      expect(() => decodeEnvelope(bytes.slice(0, 48)))
        .to.throw(SecretsError)
        .with.property("code", "SECRETS_ERROR_ENVELOPE_TOO_SHORT");
    });
  });

  describe("secretsKeyDocument / parseSecretsKeyDocument", function () {
    it("round-trips the GET /v1/secrets-key document and rejects another suite", async function () {
      const { publicKey } = await generateSecretsKeyPair();
      const doc = secretsKeyDocument(publicKey);
      expect(doc).to.deep.include({ kem: "DHKEM(X25519, HKDF-SHA256)", kdf: "HKDF-SHA256", aead: "ChaCha20Poly1305" });
      expect(parseSecretsKeyDocument(JSON.parse(JSON.stringify(doc)))).to.deep.equal(publicKey);
      expect(() => parseSecretsKeyDocument({ ...doc, aead: "AES-128-GCM" }))
        .to.throw(SecretsError)
        .with.property("code", "SECRETS_ERROR_KEY_DOCUMENT");
    });
  });
});

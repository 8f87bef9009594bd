import { expect } from "chai";

import {
  SecretsError,
  SecretsKeyRing,
  decodeEnvelope,
  encodeEnvelope,
  generateSecretsKeyPair,
  openSecrets,
  parseSecretsKey,
  sealSecrets,
  secretsKeyDocument,
  type SecretsEpochKey,
} from "../../../keeper/secrets";

const id = new Uint8Array(32).fill(7);
const plaintext = new TextEncoder().encode('{"apiKey":"s3cret"}');

async function epochKey(epoch: number): Promise<SecretsEpochKey> {
  return { epoch, ...(await generateSecretsKeyPair()) };
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(SecretsError);
    return (err as SecretsError).code;
  }
  return expect.fail("expected a SecretsError");
}

async function asyncCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(SecretsError);
    return (err as SecretsError).code;
  }
  return expect.fail("expected a SecretsError");
}

/** Key epochs: envelopes name the epoch they were sealed to; operators hold the current and the previous key. */
describe("keeper/secrets key rotation", function () {
  it("a version-2 envelope lays out 0x02 ‖ epoch (u32 BE) ‖ enc ‖ ciphertext and round-trips", async function () {
    const k = await epochKey(0x01020304);
    const envelope = await sealSecrets(k.publicKey, id, plaintext, k.epoch);
    expect(envelope[0]).to.equal(2);
    expect([...envelope.subarray(1, 5)]).to.deep.equal([1, 2, 3, 4]);
    expect(envelope.length).to.equal(1 + 4 + 32 + plaintext.length + 16);
    expect(decodeEnvelope(envelope).epoch).to.equal(0x01020304);
    expect(Buffer.from(await openSecrets(k.privateKey, id, envelope)).toString()).to.equal('{"apiKey":"s3cret"}');
    const enc = new Uint8Array(32).fill(1);
    const ciphertext = new Uint8Array(16).fill(2);
    expect(decodeEnvelope(encodeEnvelope({ epoch: 9, enc, ciphertext }))).to.deep.equal({ epoch: 9, enc, ciphertext });
    expect(code(() => encodeEnvelope({ epoch: 2 ** 32, enc, ciphertext }))).to.equal("SECRETS_ERROR_INVALID_EPOCH");
    expect(code(() => decodeEnvelope(Uint8Array.of(2, ...new Uint8Array(51))))).to.equal(
      "SECRETS_ERROR_ENVELOPE_TOO_SHORT",
    );
  });

  it("binds the epoch: an envelope whose epoch field was rewritten does not open, even with the right key", async function () {
    const k = await epochKey(5);
    const envelope = await sealSecrets(k.publicKey, id, plaintext, 5);
    const relabelled = envelope.slice();
    relabelled[4] = 6;
    expect(await asyncCode(openSecrets(k.privateKey, id, relabelled))).to.equal("SECRETS_ERROR_OPEN_FAILED");
  });

  it("the key ring opens envelopes of the current and the previous epoch, and refuses older ones by number", async function () {
    const [k0, k1, k2] = [await epochKey(0), await epochKey(1), await epochKey(2)];
    const legacy = await sealSecrets(k0.publicKey, id, plaintext); // version 1 = epoch 0
    const at0 = await sealSecrets(k0.publicKey, id, plaintext, 0);
    const at1 = await sealSecrets(k1.publicKey, id, plaintext, 1);
    const changeover = new SecretsKeyRing(k1, k0);
    expect(changeover.epochs).to.deep.equal([1, 0]);
    for (const envelope of [legacy, at0, at1]) {
      expect(Buffer.from(await changeover.open(id, envelope)).toString()).to.equal('{"apiKey":"s3cret"}');
    }
    const after = new SecretsKeyRing(k2, k1);
    expect(Buffer.from(await after.open(id, at1)).toString()).to.equal('{"apiKey":"s3cret"}');
    for (const envelope of [legacy, at0]) {
      try {
        await after.open(id, envelope);
        expect.fail("opened an envelope of a dropped epoch");
      } catch (err) {
        expect((err as SecretsError).type).to.deep.include({
          code: "SECRETS_ERROR_UNKNOWN_EPOCH",
          epoch: 0,
          held: [2, 1],
        });
        expect((err as Error).message).to.match(/re-seal/);
      }
    }
    expect(code(() => new SecretsKeyRing(k0, k1))).to.equal("SECRETS_ERROR_INVALID_EPOCH");
  });

  it("the key document names the epoch; a document without one is epoch 0; a bad epoch is rejected", async function () {
    const k = await epochKey(3);
    const doc = JSON.parse(JSON.stringify(secretsKeyDocument(k.publicKey, 3))) as Record<string, unknown>;
    expect(doc.epoch).to.equal(3);
    expect(parseSecretsKey(doc)).to.deep.equal({ publicKey: k.publicKey, epoch: 3 });
    expect(parseSecretsKey(secretsKeyDocument(k.publicKey)).epoch).to.equal(0);
    for (const epoch of [-1, 1.5, "3", 2 ** 32]) {
      expect(code(() => parseSecretsKey({ ...doc, epoch }))).to.equal("SECRETS_ERROR_KEY_DOCUMENT");
    }
  });
});

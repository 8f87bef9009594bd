/**
 * The devnet's operator keys: EIP-2335 keystores for the BLS keys and the operators' shared X25519
 * secrets key, generated once under `<dir>/keys` and reused until `--reset`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

import { Wallet } from "ethers";

import { type KeystoreOptions, encryptKeystore, generateKeypair } from "../../keeper/bls";
import { bytesToHex } from "../../keeper/common";
import { generateSecretsKeyPair } from "../../keeper/secrets";

/** The keystore password of the devnet's operators (a local development secret). */
export const DEVNET_KEYSTORE_PASSWORD = "newton devnet";

/** A light PBKDF2 cost: devnet keystores are regenerated freely; real ones use the library default. */
const DEVNET_KDF: KeystoreOptions["kdf"] = {
  function: "pbkdf2",
  params: { dklen: 32, c: 4096, prf: "hmac-sha256", salt: "" },
};

/** One devnet operator: its (unfunded) address and keystore file. */
export interface DevnetOperatorKey {
  readonly address: string;
  readonly keystore: string;
}

/** The devnet's key material. */
export interface DevnetKeys {
  readonly operators: readonly DevnetOperatorKey[];
  /** `{kem, publicKey, privateKey}` (0x-hex X25519) — the file the operators' config names. */
  readonly secretsKeyFile: string;
}

/** Loads the keys under `<dir>/keys`, generating whatever is missing (`count` operators). */
export async function ensureDevnetKeys(dir: string, count: number): Promise<DevnetKeys> {
  const keysDir = path.join(dir, "keys");
  mkdirSync(keysDir, { recursive: true });
  const index = path.join(keysDir, "operators.json");
  let operators: DevnetOperatorKey[] = existsSync(index)
    ? (JSON.parse(readFileSync(index, "utf8")) as DevnetOperatorKey[])
    : [];
  if (operators.length !== count || !operators.every((o) => existsSync(o.keystore))) {
    operators = [];
    for (let i = 0; i < count; i++) {
      const keystore = path.join(keysDir, `operator-${i}.keystore.json`);
      const ks = await encryptKeystore(generateKeypair(), DEVNET_KEYSTORE_PASSWORD, { kdf: DEVNET_KDF });
      writeFileSync(keystore, JSON.stringify(ks, null, 2));
      operators.push({ address: Wallet.createRandom().address, keystore });
    }
    writeFileSync(index, JSON.stringify(operators, null, 2));
  }
  const secretsKeyFile = path.join(keysDir, "secrets-key.json");
  if (!existsSync(secretsKeyFile)) {
    const pair = await generateSecretsKeyPair();
    const doc = {
      kem: "DHKEM(X25519, HKDF-SHA256)",
      publicKey: bytesToHex(pair.publicKey),
      privateKey: bytesToHex(pair.privateKey),
    };
    writeFileSync(secretsKeyFile, JSON.stringify(doc, null, 2), { mode: 0o600 });
  }
  return { operators, secretsKeyFile };
}

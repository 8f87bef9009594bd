/**
 * Operator registration for the deploy and admin scripts: turns an operator config entry (keystore
 * or pre-signed key) into the `registerOperator` arguments, checking the proof of possession
 * off-chain first so a PoP signed against the wrong registry address fails with a clear message.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

import { getAddress, hexlify, getBytes } from "ethers";

import { createProofOfPossession, decryptKeystore, verifyProofOfPossession } from "../../keeper/bls";
import type { OperatorConfig } from "./config";

/** The environment variable read for a keystore password when the config names none. */
export const DEFAULT_KEYSTORE_PASSWORD_ENV = "OPERATOR_KEYSTORE_PASSWORD";

/** The arguments of `OperatorRegistry.registerOperator`. */
export interface OperatorRegistration {
  readonly address: string;
  readonly weight: bigint;
  /** 0x-hex, 128-byte EIP-2537 G1 public key. */
  readonly pubkeyG1: string;
  /** 0x-hex, 256-byte EIP-2537 G2 proof of possession. */
  readonly popSignature: string;
}

/** Where the registration will land: the PoP binds chain and registry. */
export interface RegistrationTarget {
  readonly chainId: bigint;
  /** The OperatorRegistry proxy address. */
  readonly registry: string;
  /** Folder that relative keystore paths are resolved against (the config file's folder). */
  readonly baseDir: string;
  /** Environment to read keystore passwords from (scripts pass `process.env`). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * Builds the registration of operator `index` of the config.
 * @throws Error naming `/operators/<index>` when the keystore cannot be read or decrypted, its password variable
 *   is unset, or a pre-signed proof of possession does not verify for this chain and registry.
 */
export async function resolveOperator(
  op: OperatorConfig,
  index: number,
  target: RegistrationTarget,
): Promise<OperatorRegistration> {
  const at = `/operators/${index} (${op.address})`;
  const address = getAddress(op.address);
  if ("keystore" in op) {
    const envName = op.keystorePasswordEnv ?? DEFAULT_KEYSTORE_PASSWORD_ENV;
    const password = target.env[envName];
    if (password === undefined) throw new Error(`${at}: environment variable ${envName} (keystore password) is unset`);
    const file = path.resolve(target.baseDir, op.keystore);
    let json: string;
    try {
      json = readFileSync(file, "utf8");
    } catch (err) {
      throw new Error(`${at}: cannot read keystore ${file}: ${(err as Error).message}`, { cause: err });
    }
    const keypair = await decryptKeystore(json, password).catch((err: Error) => {
      throw new Error(`${at}: keystore ${file}: ${err.message}`, { cause: err });
    });
    const pop = createProofOfPossession(keypair.secretKey, target.chainId, target.registry, address);
    return {
      address,
      weight: BigInt(op.weight),
      pubkeyG1: hexlify(keypair.pubkeyG1Eip2537),
      popSignature: hexlify(pop),
    };
  }
  const ok = (() => {
    try {
      return verifyProofOfPossession(
        getBytes(op.pubkeyG1),
        getBytes(op.popSignature),
        target.chainId,
        target.registry,
        address,
      );
    } catch {
      return false;
    }
  })();
  if (!ok) {
    throw new Error(
      `${at}: popSignature does not verify for chain ${target.chainId} and OperatorRegistry ${target.registry}; ` +
        "the operator must sign against this proxy address (or register later with scripts/register-operator.ts)",
    );
  }
  return { address, weight: BigInt(op.weight), pubkeyG1: op.pubkeyG1, popSignature: op.popSignature };
}

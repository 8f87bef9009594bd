import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import Ajv2020 from "ajv/dist/2020";
import { parse, stringify } from "smol-toml";

import { NewtonError } from "./errors";
import type { NewtonIo } from "./io";

/** The settings a profile may hold (keys of `[profiles.<name>]` in `config.toml`). */
export const PROFILE_KEYS = [
  "chain",
  "rpc-url",
  "signer-key",
  "da-url",
  "deployments",
  "policy-registry",
  "operator-url",
] as const;

/** One of {@link PROFILE_KEYS}. */
export type ProfileKey = (typeof PROFILE_KEYS)[number];

/** One profile: settings plus `rpc-urls`, a network name → RPC URL table used by `--chains`. */
export type Profile = Partial<Record<ProfileKey, string>> & { "rpc-urls"?: Record<string, string> };

/** The content of `<NEWTON_HOME>/config.toml`. */
export interface ConfigFile {
  /** The profile used when `--profile` is not given. */
  current?: string;
  profiles: Record<string, Profile>;
}

/** The global flags every command accepts (commander's camel-cased names). */
export interface GlobalFlags {
  profile?: string;
  chain?: string;
  rpcUrl?: string;
  signerKey?: string;
  daUrl?: string;
  /** Confirms sending on a mainnet chain id (1, 8453, 42161) without the interactive prompt. */
  yes?: boolean;
  deployments?: string;
  policyRegistry?: string;
  json?: boolean;
  verbose?: boolean;
}

/** Where each setting comes from: its flag, its environment variable (if any), its profile key. */
export const SETTINGS: Readonly<Record<ProfileKey, { flag: keyof GlobalFlags | undefined; env?: string }>> = {
  chain: { flag: "chain", env: "NEWTON_CHAIN" },
  "rpc-url": { flag: "rpcUrl", env: "NEWTON_RPC_URL" },
  "signer-key": { flag: "signerKey", env: "NEWTON_SIGNER_KEY" },
  "da-url": { flag: "daUrl", env: "NEWTON_DA_URL" },
  deployments: { flag: "deployments" },
  "policy-registry": { flag: "policyRegistry" },
  "operator-url": { flag: undefined },
};

const VALUE_PATTERNS: Partial<Record<ProfileKey, { re: RegExp; what: string }>> = {
  "rpc-url": { re: /^(https?|wss?):\/\/\S+$/, what: "an http(s):// or ws(s):// URL" },
  "da-url": {
    re: /^https?:\/\/[^\s,]+(?:,https?:\/\/[^\s,]+)*$/,
    what: "an http(s):// URL, or a comma-separated fail-over list of them",
  },
  "operator-url": { re: /^https?:\/\/\S+$/, what: "an http(s):// URL" },
  "signer-key": { re: /^0x[0-9a-fA-F]{64}$/, what: "0x-hex of 32 bytes" },
  "policy-registry": { re: /^0x[0-9a-fA-F]{40}$/, what: "a 0x-hex address" },
  chain: { re: /^[A-Za-z0-9_.-]+$/, what: "a network name (letters, digits, _ . -)" },
};

const CONFIG_SCHEMA = {
  type: "object",
  additionalProperties: false,
  required: ["profiles"],
  properties: {
    current: { type: "string" },
    profiles: {
      type: "object",
      additionalProperties: {
        type: "object",
        additionalProperties: false,
        properties: {
          ...Object.fromEntries(PROFILE_KEYS.map((k) => [k, { type: "string" }])),
          "rpc-urls": { type: "object", additionalProperties: { type: "string" } },
        },
      },
    },
  },
};

const validateConfig = new Ajv2020({ allErrors: true }).compile(CONFIG_SCHEMA);

/** `$NEWTON_HOME/config.toml`, default `~/.newton/config.toml`. */
export function configPath(env: NewtonIo["env"]): string {
  return path.join(env.NEWTON_HOME ?? path.join(os.homedir(), ".newton"), "config.toml");
}

/**
 * Reads and validates the config file; a missing file is an empty config.
 * @throws NewtonError `NEWTON_ERROR_CONFIG` when the TOML does not parse or does not match the schema.
 */
export function loadConfig(file: string): ConfigFile {
  if (!existsSync(file)) return { profiles: {} };
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw configError("config.toml", `${file} is not valid TOML: ${(err as Error).message}`);
  }
  if (!validateConfig(doc)) {
    const why = (validateConfig.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`).join("; ");
    throw configError("config.toml", `${file} is invalid: ${why}; fix it or re-create it with \`newton config init\``);
  }
  return doc as unknown as ConfigFile;
}

/** Writes the config atomically, readable only by the user (it may hold a private key). */
export function saveConfig(file: string, config: ConfigFile): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${stringify(config)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/**
 * Checks a profile value's form.
 * @throws NewtonError `NEWTON_ERROR_CONFIG` naming the key and the expected form.
 */
export function checkProfileValue(key: ProfileKey, value: string): void {
  const pattern = VALUE_PATTERNS[key];
  if (pattern !== undefined && !pattern.re.test(value)) {
    throw configError(key, `${key} must be ${pattern.what}, got ${key === "signer-key" ? "(hidden)" : value}`);
  }
}

/** A `NEWTON_ERROR_CONFIG` about `key`. */
export function configError(key: string, message: string, flag?: string, env?: string): NewtonError {
  return new NewtonError({ code: "NEWTON_ERROR_CONFIG", key, flag, env }, message);
}

/**
 * `newton-keeper` configuration: one JSON file per role, validated with ajv (draft 2020-12), with
 * `NEWTON_KEEPER_*` environment overrides applied first (flag > env > file). Relative
 * paths resolve against the config file's folder. Errors name the field: `config.json: /aggregator/windowSeconds must be >= 1`.
 */
import { createPrivateKey, createPublicKey } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";

import Ajv2020, { type ErrorObject } from "ajv/dist/2020";

export type Role = "operator" | "aggregator" | "challenger" | "bootnode";
export const ROLES: readonly Role[] = ["operator", "aggregator", "challenger", "bootnode"];

/** An account key for sending transactions: from an env var or a file (0x-hex private key). */
export interface TxKeyConfig {
  readonly privateKeyEnv?: string;
  readonly privateKeyFile?: string;
}

/** The validated config of one role (defaults applied, paths absolute). */
export interface KeeperConfig {
  readonly role: Role;
  readonly rpcUrl: string;
  /** `deployments/<network>.json`. */
  readonly deployment: string;
  /** eigenda-proxy base URL, or an ordered fail-over list of them (503 / unreachable → next). */
  readonly daUrl: string | readonly string[];
  /** LMDB environment folder. */
  readonly dataDir: string;
  readonly logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  readonly http: { readonly host: string; readonly port?: number };
  readonly pollIntervalMs: number;
  /**
   * Blocks an event must be deep before the indexer stores it (reorgs shallower than this never reach
   * the store). Operators must use at most the aggregator's `aggregator.confirmations`, or they would not
   * have indexed a window's reference block when asked to sign.
   */
  readonly confirmations: number;
  readonly timeouts: {
    readonly rpcMs: number;
    readonly daMs: number;
    readonly signMs: number;
    readonly receiptMs: number;
    readonly indexMs: number;
    readonly valueMs: number;
  };
  readonly da: { readonly maxRetries: number; readonly baseDelayMs: number };
  readonly tx: { readonly maxAttempts: number };
  readonly operator?: {
    readonly address: string;
    readonly keystore: string;
    readonly passwordEnv?: string;
    readonly passwordFile?: string;
    readonly secretsKeyFile: string;
    /** Optional funded key: with it the operator answers key-opening challenges on the commits it holds. */
    readonly txKey?: TxKeyConfig;
    readonly aggregators: readonly string[];
    readonly maxCommitBytes: number;
    readonly maxConcurrentSigns: number;
    readonly maxReferenceLagBlocks: number;
  };
  readonly aggregator?: {
    readonly windowSeconds: number;
    readonly confirmations: number;
    readonly maxCommitBytes: number;
    readonly maxBlobBytes: number;
    readonly operators: readonly { readonly url: string }[];
    readonly txKey: TxKeyConfig;
  };
  readonly challenger?: { readonly txKey: TxKeyConfig };
  /**
   * State sync and pruning (operator): `peers` are base URLs of peer operators or bootnodes an
   * empty `dataDir` restores from and DA-expired values are read from; `keepVersions` tree versions
   * below the latest final commit are kept, older ones pruned (absent = never prune).
   */
  readonly sync?: { readonly peers: readonly string[]; readonly keepVersions?: number };
}

const TX_KEY = {
  type: "object",
  additionalProperties: false,
  minProperties: 1,
  maxProperties: 1,
  properties: { privateKeyEnv: { type: "string", minLength: 1 }, privateKeyFile: { type: "string", minLength: 1 } },
};
const MS = { type: "integer", minimum: 1, maximum: 3_600_000 };

/** JSON schema (draft 2020-12) of a keeper config file. */
export const KEEPER_CONFIG_SCHEMA = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  title: "newton-keeper config",
  type: "object",
  additionalProperties: false,
  required: ["rpcUrl", "deployment", "daUrl", "dataDir"],
  properties: {
    $comment: { type: "string" },
    role: { enum: ROLES },
    rpcUrl: { type: "string", pattern: "^(https?|wss?)://" },
    deployment: { type: "string", minLength: 1 },
    daUrl: {
      oneOf: [
        { type: "string", pattern: "^https?://" },
        { type: "array", minItems: 1, maxItems: 16, items: { type: "string", pattern: "^https?://" } },
      ],
    },
    dataDir: { type: "string", minLength: 1 },
    logLevel: { enum: ["fatal", "error", "warn", "info", "debug", "trace", "silent"], default: "info" },
    http: {
      type: "object",
      additionalProperties: false,
      default: {},
      properties: {
        host: { type: "string", minLength: 1, default: "127.0.0.1" },
        port: { type: "integer", minimum: 0, maximum: 65535 },
      },
    },
    pollIntervalMs: { ...MS, default: 500 },
    confirmations: { type: "integer", minimum: 0, maximum: 1000, default: 1 },
    timeouts: {
      type: "object",
      additionalProperties: false,
      default: {},
      properties: {
        rpcMs: { ...MS, default: 10_000 },
        daMs: { ...MS, default: 60_000 },
        signMs: { ...MS, default: 20_000 },
        receiptMs: { ...MS, default: 60_000 },
        indexMs: { ...MS, default: 30_000 },
        valueMs: { ...MS, default: 10_000 },
      },
    },
    da: {
      type: "object",
      additionalProperties: false,
      default: {},
      properties: {
        maxRetries: { type: "integer", minimum: 0, maximum: 100, default: 5 },
        baseDelayMs: { type: "integer", minimum: 0, maximum: 60_000, default: 500 },
      },
    },
    tx: {
      type: "object",
      additionalProperties: false,
      default: {},
      properties: { maxAttempts: { type: "integer", minimum: 1, maximum: 100, default: 5 } },
    },
    operator: {
      type: "object",
      additionalProperties: false,
      required: ["address", "keystore", "secretsKeyFile", "aggregators"],
      properties: {
        address: { type: "string", pattern: "^0x[0-9a-fA-F]{40}$" },
        keystore: { type: "string", minLength: 1 },
        passwordEnv: { type: "string", minLength: 1 },
        passwordFile: { type: "string", minLength: 1 },
        secretsKeyFile: { type: "string", minLength: 1 },
        txKey: TX_KEY,
        aggregators: { type: "array", minItems: 1, items: { type: "string", pattern: "^0x[0-9a-fA-F]{40}$" } },
        maxCommitBytes: { type: "integer", minimum: 1, default: 52_428_800 },
        maxConcurrentSigns: { type: "integer", minimum: 1, maximum: 1024, default: 4 },
        maxReferenceLagBlocks: { type: "integer", minimum: 0, maximum: 1_000_000, default: 64 },
      },
    },
    aggregator: {
      type: "object",
      additionalProperties: false,
      required: ["operators", "txKey"],
      properties: {
        windowSeconds: { type: "integer", minimum: 1, maximum: 86_400, default: 120 },
        confirmations: { type: "integer", minimum: 0, maximum: 1000, default: 1 },
        maxCommitBytes: { type: "integer", minimum: 1, default: 52_428_800 },
        maxBlobBytes: { type: "integer", minimum: 130, maximum: 16_252_897, default: 16_252_897 },
        // Deprecated and ignored: unavailable values are committed in their first window (never waited for).
        unavailableAfterWindows: { type: "integer", minimum: 1, maximum: 1_000_000 },
        operators: {
          type: "array",
          minItems: 1,
          items: {
            type: "object",
            additionalProperties: false,
            required: ["url"],
            properties: { url: { type: "string", pattern: "^https?://" } },
          },
        },
        txKey: TX_KEY,
      },
    },
    challenger: {
      type: "object",
      additionalProperties: false,
      required: ["txKey"],
      properties: { txKey: TX_KEY },
    },
    sync: {
      type: "object",
      additionalProperties: false,
      required: ["peers"],
      properties: {
        peers: { type: "array", maxItems: 64, items: { type: "string", pattern: "^https?://" } },
        keepVersions: { type: "integer", minimum: 0, maximum: 1_000_000_000 },
      },
    },
  },
} as const;

/** A config file that cannot be used; the message names the file and every bad field. */
export class KeeperConfigError extends Error {}

/** `NEWTON_KEEPER_<NAME>` → where it goes in the config (numbers parsed). */
const ENV_OVERRIDES: readonly (readonly [string, readonly string[], "string" | "number"])[] = [
  ["RPC_URL", ["rpcUrl"], "string"],
  ["DEPLOYMENT", ["deployment"], "string"],
  ["DA_URL", ["daUrl"], "string"],
  ["DATA_DIR", ["dataDir"], "string"],
  ["LOG_LEVEL", ["logLevel"], "string"],
  ["HTTP_HOST", ["http", "host"], "string"],
  ["HTTP_PORT", ["http", "port"], "number"],
  ["POLL_INTERVAL_MS", ["pollIntervalMs"], "number"],
  ["WINDOW_SECONDS", ["aggregator", "windowSeconds"], "number"],
  ["CONFIRMATIONS", ["aggregator", "confirmations"], "number"],
  ["INDEX_CONFIRMATIONS", ["confirmations"], "number"],
];

/**
 * Reads, overrides, validates and resolves the config of `role`.
 * @throws KeeperConfigError naming the file and the field(s).
 */
export function loadKeeperConfig(
  file: string,
  role: Role,
  env: Readonly<Record<string, string | undefined>>,
): KeeperConfig {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch (err) {
    throw new KeeperConfigError(`${file}: cannot read JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const merged = applyEnv(raw, env, file);
  const ajv = new Ajv2020({ allErrors: true, useDefaults: true, strict: true });
  const validate = ajv.compile(KEEPER_CONFIG_SCHEMA);
  if (!validate(merged)) throw new KeeperConfigError(`${file}: ${formatErrors(validate.errors ?? [])}`);
  const config = merged as unknown as KeeperConfig;
  if (config.role !== undefined && config.role !== role) {
    throw new KeeperConfigError(`${file}: /role is "${config.role}" but --role is "${role}"`);
  }
  // A bootnode's settings are the `sync` block (peers, keepVersions).
  const section = role === "bootnode" ? "sync" : role;
  if (config[section] === undefined) throw new KeeperConfigError(`${file}: /${section} is required for --role ${role}`);
  if (role === "operator") {
    const op = config.operator!;
    if ((op.passwordEnv === undefined) === (op.passwordFile === undefined)) {
      throw new KeeperConfigError(`${file}: /operator needs exactly one of passwordEnv and passwordFile`);
    }
  }
  const dir = path.dirname(path.resolve(file));
  const abs = (p: string): string => path.resolve(dir, p);
  return Object.freeze({
    ...config,
    role,
    deployment: abs(config.deployment),
    dataDir: abs(config.dataDir),
    operator: config.operator && {
      ...config.operator,
      keystore: abs(config.operator.keystore),
      passwordFile: config.operator.passwordFile && abs(config.operator.passwordFile),
      secretsKeyFile: abs(config.operator.secretsKeyFile),
      txKey: config.operator.txKey && resolveTxKey(config.operator.txKey, abs),
    },
    aggregator: config.aggregator && { ...config.aggregator, txKey: resolveTxKey(config.aggregator.txKey, abs) },
    challenger: config.challenger && { txKey: resolveTxKey(config.challenger.txKey, abs) },
  });
}

function resolveTxKey(key: TxKeyConfig, abs: (p: string) => string): TxKeyConfig {
  return key.privateKeyFile ? { privateKeyFile: abs(key.privateKeyFile) } : key;
}

function applyEnv(raw: Record<string, unknown>, env: Readonly<Record<string, string | undefined>>, file: string) {
  const out = structuredClone(raw);
  for (const [name, at, type] of ENV_OVERRIDES) {
    const value = env[`NEWTON_KEEPER_${name}`];
    if (value === undefined || value === "") continue;
    let parsed: string | number | string[] = value;
    if (type === "number") {
      if (!/^\d+$/.test(value)) throw new KeeperConfigError(`${file}: NEWTON_KEEPER_${name} must be an integer`);
      parsed = Number(value);
    }
    // NEWTON_KEEPER_DA_URL may hold a comma-separated fail-over list.
    if (name === "DA_URL" && value.includes(",")) parsed = value.split(",").map((u) => u.trim());
    let node = out as Record<string, unknown>;
    for (const key of at.slice(0, -1)) {
      if (typeof node[key] !== "object" || node[key] === null) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[at[at.length - 1]] = parsed;
  }
  return out;
}

function formatErrors(errors: readonly ErrorObject[]): string {
  return errors
    .map((e) => {
      const at = e.instancePath || "/";
      if (e.keyword === "additionalProperties")
        return `${at} has unknown field "${String(e.params.additionalProperty)}"`;
      if (e.keyword === "required") return `${at === "/" ? "" : at}/${String(e.params.missingProperty)} is required`;
      if (e.keyword === "enum") return `${at} must be one of ${(e.params.allowedValues as unknown[]).join(", ")}`;
      return `${at} ${e.message ?? "is invalid"}`;
    })
    .join("; ");
}

/** Reads a secret from an env var or a file (trimmed). @throws KeeperConfigError when missing. */
export function readSecret(
  source: { env?: string; file?: string },
  env: Readonly<Record<string, string | undefined>>,
  what: string,
): string {
  if (source.env !== undefined) {
    const value = env[source.env];
    if (value === undefined || value === "")
      throw new KeeperConfigError(`${what}: environment variable ${source.env} is not set`);
    return value;
  }
  if (source.file !== undefined) {
    try {
      return readFileSync(source.file, "utf8").trim();
    } catch (err) {
      throw new KeeperConfigError(
        `${what}: cannot read ${source.file}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
  throw new KeeperConfigError(`${what}: no source configured`);
}

/**
 * Reads the operators' shared secrets key pair: a JSON file `{"publicKey": "0x<32 bytes>",
 * "privateKey": "0x<32 bytes>", ...}` (X25519, RFC 7748); checks the public key is the private key's.
 * @returns the 0x-hex public key.
 */
export function readSecretsKeyFile(file: string): `0x${string}` {
  let json: { publicKey?: unknown; privateKey?: unknown };
  try {
    json = JSON.parse(readFileSync(file, "utf8")) as typeof json;
  } catch (err) {
    throw new KeeperConfigError(
      `${file}: cannot read the secrets key: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const hex32 = /^0x[0-9a-fA-F]{64}$/;
  if (typeof json.publicKey !== "string" || !hex32.test(json.publicKey)) {
    throw new KeeperConfigError(`${file}: /publicKey must be 0x-hex of 32 bytes`);
  }
  if (typeof json.privateKey !== "string" || !hex32.test(json.privateKey)) {
    throw new KeeperConfigError(`${file}: /privateKey must be 0x-hex of 32 bytes`);
  }
  const derived = x25519PublicKey(Buffer.from(json.privateKey.slice(2), "hex"));
  if (derived !== json.publicKey.toLowerCase()) {
    throw new KeeperConfigError(`${file}: /publicKey is not the X25519 public key of /privateKey`);
  }
  return derived as `0x${string}`;
}

/**
 * Reads the operators' secrets keys with their epochs, for a key changeover: the file of
 * {@link readSecretsKeyFile} plus `"epoch": n` (the current key's epoch) and, while clients re-seal,
 * `"previous": {"publicKey", "privateKey", "epoch"}` (the earlier epoch's pair, epoch below `epoch`).
 * Every pair is checked (public key = X25519 of the private key).
 * @returns the current public key and epoch (undefined when the file names none) and the previous
 *   epoch's public key, as the operator serves them at `GET /v1/secrets-key`.
 * @throws KeeperConfigError naming the file and the field.
 */
export function readSecretsKeys(file: string): {
  secretsPublicKey: `0x${string}`;
  secretsEpoch?: number;
  secretsPrevious?: { epoch: number; publicKey: `0x${string}` };
} {
  const secretsPublicKey = readSecretsKeyFile(file);
  const json = JSON.parse(readFileSync(file, "utf8")) as { epoch?: unknown; previous?: unknown };
  const isEpoch = (e: unknown): e is number =>
    typeof e === "number" && Number.isInteger(e) && e >= 0 && e <= 0xffff_ffff;
  if (json.epoch !== undefined && !isEpoch(json.epoch)) {
    throw new KeeperConfigError(`${file}: /epoch must be an integer in [0, 2^32 - 1]`);
  }
  const secretsEpoch = json.epoch as number | undefined;
  if (json.previous === undefined) return { secretsPublicKey, secretsEpoch };
  const prev = json.previous as { publicKey?: unknown; privateKey?: unknown; epoch?: unknown };
  if (secretsEpoch === undefined) throw new KeeperConfigError(`${file}: /epoch is required with /previous`);
  if (!isEpoch(prev.epoch) || prev.epoch >= secretsEpoch) {
    throw new KeeperConfigError(`${file}: /previous/epoch must be an integer below /epoch (${secretsEpoch})`);
  }
  const hex32 = /^0x[0-9a-fA-F]{64}$/;
  if (typeof prev.privateKey !== "string" || !hex32.test(prev.privateKey)) {
    throw new KeeperConfigError(`${file}: /previous/privateKey must be 0x-hex of 32 bytes`);
  }
  const derived = x25519PublicKey(Buffer.from(prev.privateKey.slice(2), "hex"));
  if (typeof prev.publicKey !== "string" || derived !== prev.publicKey.toLowerCase()) {
    throw new KeeperConfigError(`${file}: /previous/publicKey is not the X25519 public key of /previous/privateKey`);
  }
  return {
    secretsPublicKey,
    secretsEpoch,
    secretsPrevious: { epoch: prev.epoch, publicKey: derived as `0x${string}` },
  };
}

/** X25519 public key of a 32-byte private key (RFC 7748), via a PKCS#8 wrapper. */
export function x25519PublicKey(privateKey: Uint8Array): string {
  const pkcs8 = Buffer.concat([Buffer.from("302e020100300506032b656e04220420", "hex"), Buffer.from(privateKey)]);
  const spki = createPublicKey(createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" })).export({
    format: "der",
    type: "spki",
  });
  return `0x${spki.subarray(spki.length - 32).toString("hex")}`;
}

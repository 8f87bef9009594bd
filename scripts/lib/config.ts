/**
 * Deployment parameters of one network (`config/<network>.json`): the JSON schema (draft 2020-12,
 * checked with ajv), the typed, frozen result with defaults applied, and the checks JSON schema
 * cannot express (the mainnet owner, duplicate operators, keystore xor pre-signed key).
 */
import { readFileSync } from "node:fs";

import Ajv2020, { type ErrorObject } from "ajv/dist/2020";

const ADDRESS_PATTERN = "^0x[0-9a-fA-F]{40}$";

/** An operator whose BLS key the deployer holds (dev/test networks): the deployer signs the proof of possession. */
export interface OperatorKeystoreConfig {
  /** The operator's address (0x-hex, 20 bytes). */
  readonly address: string;
  /** Stake weight, unit-less, > 0 (uint96 on-chain). */
  readonly weight: number;
  /** Path of the operator's EIP-2335 keystore JSON, relative to the config file's folder (or absolute). */
  readonly keystore: string;
  /** Name of the environment variable holding the keystore password (default `OPERATOR_KEYSTORE_PASSWORD`). */
  readonly keystorePasswordEnv?: string;
}

/** An operator that signed its own proof of possession against the OperatorRegistry proxy address. */
export interface OperatorPresignedConfig {
  readonly address: string;
  readonly weight: number;
  /** 0x-hex, the 128-byte EIP-2537 G1 public key. */
  readonly pubkeyG1: string;
  /** 0x-hex, the 256-byte EIP-2537 G2 proof-of-possession signature (see keeper/bls `popDigest`). */
  readonly popSignature: string;
}

/** One initial operator. */
export type OperatorConfig = OperatorKeystoreConfig | OperatorPresignedConfig;

/** The validated deployment parameters of one network; every default applied. */
export interface DeployConfig {
  /** Final owner of every contract (a Safe on mainnet); absent = the deployer. */
  readonly owner?: string;
  /** Whether anyone may register policy and policy-data templates (testnets true, mainnet false). */
  readonly templateRegistrationPermissionless: boolean;
  /** Whether anyone may deploy policy and policy-data instances (testnets true, mainnet false). */
  readonly instanceDeploymentPermissionless: boolean;
  /** Quorum threshold in basis points of total weight, (0, 10 000] (default 6 667). */
  readonly quorumBips: number;
  /** Commit window of the keeper, in seconds (default 120); recorded for the keeper, not on-chain. */
  readonly windowSeconds: number;
  /** Per-write cap of the StateCommitRegistry, in bytes (default 16 MiB). */
  readonly maxWriteBytes: number;
  /** Cap of one commit's delta blob, in bytes (default 50 MiB); recorded for the keeper, not on-chain. */
  readonly maxCommitBytes: number;
  /** Challenge window of the StateCommitRegistry, in blocks (default 100). */
  readonly challengeWindowBlocks: number;
  /** Share of weight slashed per signer of a wrong commit, in basis points (default 1 000 = 10 %). */
  readonly commitFraudSlashBips: number;
  /** Share of weight slashed per signer of a wrong attestation, in basis points (default 1 000 = 10 %). */
  readonly attestationSlashBips: number;
  /** Bond of a key-opening challenge, in wei, as a decimal string (default "10000000000000000" = 0.01 ETH). */
  readonly challengeBondWei: string;
  /** Blocks to answer a key-opening challenge, and to descend below an answer (default 50). */
  readonly resolveWindowBlocks: number;
  /** Blocks to wait for after each transaction, ≥ 1 (1 = mined; default 1). */
  readonly confirmations: number;
  /** The initial operator set (default none). */
  readonly operators: readonly OperatorConfig[];
  /**
   * The StateCommitRegistry's write fee (`setWriteFeeParams`): minimum base fee in wei per declared byte (decimal
   * string), target declared bytes per block, update fraction in bytes. Default all zero: writes are free.
   */
  readonly writeFee: {
    readonly minBaseFeePerByte: string;
    readonly targetBytesPerBlock: number;
    readonly updateFraction: number;
  };
}

/** The JSON schema of `config/<network>.json` (draft 2020-12). */
export const DEPLOY_CONFIG_SCHEMA = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: "https://newton-state.invalid/schemas/deploy-config.json",
  title: "Newton State deployment config",
  type: "object",
  additionalProperties: false,
  required: ["templateRegistrationPermissionless", "instanceDeploymentPermissionless"],
  properties: {
    $comment: { type: "string" },
    owner: { type: "string", pattern: ADDRESS_PATTERN },
    templateRegistrationPermissionless: { type: "boolean" },
    instanceDeploymentPermissionless: { type: "boolean" },
    quorumBips: { type: "integer", minimum: 1, maximum: 10_000, default: 6_667 },
    windowSeconds: { type: "integer", minimum: 1, default: 120 },
    maxWriteBytes: { type: "integer", minimum: 1, maximum: 4_294_967_295, default: 16_777_216 },
    maxCommitBytes: { type: "integer", minimum: 1, default: 52_428_800 },
    challengeWindowBlocks: { type: "integer", minimum: 1, default: 100 },
    commitFraudSlashBips: { type: "integer", minimum: 1, maximum: 10_000, default: 1_000 },
    attestationSlashBips: { type: "integer", minimum: 1, maximum: 10_000, default: 1_000 },
    // (0, 2^96) wei: the contract stores the bond in 96 bits.
    challengeBondWei: { type: "string", pattern: "^[1-9][0-9]{0,27}$", default: "10000000000000000" },
    resolveWindowBlocks: { type: "integer", minimum: 1, default: 50 },
    confirmations: { type: "integer", minimum: 1, maximum: 100, default: 1 },
    writeFee: {
      type: "object",
      additionalProperties: false,
      default: {},
      properties: {
        minBaseFeePerByte: { type: "string", pattern: "^(0|[1-9][0-9]{0,19})$", default: "0" },
        targetBytesPerBlock: { type: "integer", minimum: 0, maximum: 4_294_967_295, default: 0 },
        updateFraction: { type: "integer", minimum: 0, maximum: 281_474_976_710_655, default: 0 },
      },
    },
    operators: {
      type: "array",
      default: [],
      maxItems: 256,
      items: {
        type: "object",
        additionalProperties: false,
        required: ["address", "weight"],
        properties: {
          address: { type: "string", pattern: ADDRESS_PATTERN },
          weight: { type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
          keystore: { type: "string", minLength: 1 },
          keystorePasswordEnv: { type: "string", pattern: "^[A-Za-z_][A-Za-z0-9_]*$" },
          pubkeyG1: { type: "string", pattern: "^0x[0-9a-fA-F]{256}$" },
          popSignature: { type: "string", pattern: "^0x[0-9a-fA-F]{512}$" },
        },
        if: { required: ["keystore"] },
        else: { required: ["pubkeyG1", "popSignature"] },
      },
    },
  },
} as const;

/** A config that does not validate; `problems` name each field (JSON pointer) and what is wrong. */
export class DeployConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid deployment config ${file}:\n  - ${problems.join("\n  - ")}`);
    this.name = "DeployConfigError";
  }
}

/** Mainnet network names (Ethereum, Base, Arbitrum One): their config must name an `owner` (a Safe). */
export const MAINNET_NETWORKS: readonly string[] = Object.freeze(["mainnet", "base", "arbitrum-one"]);

const ajv = new Ajv2020({ allErrors: true, useDefaults: true, strict: true, strictRequired: false });
const validateSchema = ajv.compile(DEPLOY_CONFIG_SCHEMA);

/**
 * Validates `raw` (parsed JSON) for `network` and returns a frozen copy with defaults applied.
 * @param file - where `raw` came from, for messages.
 * @throws DeployConfigError listing every problem: a schema violation (`/quorumBips must be <= 10000`), a
 *   missing or zero `owner` on a mainnet (mainnet, base, arbitrum-one), a duplicate operator, an operator with both a keystore and a pre-signed key.
 */
export function parseDeployConfig(raw: unknown, network: string, file = `config/${network}.json`): DeployConfig {
  const value: unknown = structuredClone(raw);
  if (!validateSchema(value))
    throw new DeployConfigError(
      file,
      (validateSchema.errors ?? []).filter((e) => e.keyword !== "if").map(describeError),
    );
  const config = value as DeployConfig;
  const problems: string[] = [];
  const zero = /^0x0{40}$/;
  if (config.owner !== undefined && zero.test(config.owner)) {
    problems.push("/owner is the zero address: set it to the account (a Safe on mainnet) that will own the contracts");
  }
  if (MAINNET_NETWORKS.includes(network) && config.owner === undefined) {
    problems.push(`/owner is required on ${network}: set it to the Safe that will own the contracts`);
  }
  const seen = new Set<string>();
  config.operators.forEach((op, i) => {
    const address = op.address.toLowerCase();
    if (seen.has(address)) problems.push(`/operators/${i}/address ${op.address} is listed twice`);
    seen.add(address);
    if ("keystore" in op && ("pubkeyG1" in op || "popSignature" in op)) {
      problems.push(`/operators/${i} has both keystore and pubkeyG1/popSignature: give one of the two`);
    }
  });
  if (problems.length > 0) throw new DeployConfigError(file, problems);
  return deepFreeze(config);
}

/** Reads and validates `file` (see `parseDeployConfig`). @throws DeployConfigError for unreadable or invalid JSON. */
export function loadDeployConfig(file: string, network: string): DeployConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new DeployConfigError(file, [`cannot read the file (${(err as Error).message})`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new DeployConfigError(file, [`not valid JSON (${(err as Error).message})`]);
  }
  return parseDeployConfig(raw, network, file);
}

function describeError(e: ErrorObject): string {
  const at = e.instancePath === "" ? "(root)" : e.instancePath;
  if (e.keyword === "additionalProperties") {
    return `${at} has an unknown field "${String(e.params.additionalProperty)}"`;
  }
  if (e.keyword === "required") {
    const field = String(e.params.missingProperty);
    const hint = field === "pubkeyG1" || field === "popSignature" ? " (or give a keystore)" : "";
    return `${at} is missing the required field "${field}"${hint}`;
  }
  if (e.keyword === "pattern") return `${at} must match ${String(e.params.pattern)}`;
  return `${at} ${e.message ?? e.keyword}`;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

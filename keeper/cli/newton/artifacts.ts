import { readFileSync } from "node:fs";
import path from "node:path";

import Ajv2020 from "ajv/dist/2020";
import type { ContractTransactionResponse } from "ethers";

import { EMPTY_ARTIFACT_HASH, artifactHash, keyHash } from "../../chain";
import { bytesToHex, type Hex } from "../../common";
import { DaError, type EigenDaProxyClient } from "../../da";
import { signerFor, type ChainContext, type RunContext } from "./context";
import { NewtonError, checkError, usageError } from "./errors";
import { formatBytes, shortHex } from "./io";

/** The one WebAssembly API used here (Node's global; the project's TypeScript lib has no DOM types). */
declare const WebAssembly: { validate(bytes: Uint8Array): boolean };

/** An artifact read from a file (or the empty artifact when no file was given). */
export interface Artifact {
  /** What it is, for messages: "rego", "params schema", … */
  readonly what: string;
  readonly bytes: Uint8Array;
  /** keccak256 of `bytes`; `EMPTY_ARTIFACT_HASH` for the empty artifact. */
  readonly hash: Hex;
}

/** `ArtifactRef` as the registries take it. */
export interface ArtifactRefArg {
  readonly contentHash: Hex;
  readonly byteLength: number;
  readonly daCert: Hex;
}

/**
 * Reads `file` (relative to the working directory) as an artifact; `undefined` → the empty artifact.
 * JSON schemas (`json: true`) must parse as JSON and compile as draft 2020-12.
 * @throws NewtonError `NEWTON_ERROR_USAGE` when the file cannot be read, or a schema is not a valid schema.
 */
export function readArtifact(run: RunContext, what: string, file: string | undefined, json = false): Artifact {
  if (file === undefined) return { what, bytes: new Uint8Array(0), hash: EMPTY_ARTIFACT_HASH };
  const bytes = readInput(run, what, file);
  if (json) compileSchema(parseJson(bytes, what, file), `${what} ${file}`);
  return { what, bytes, hash: artifactHash(bytes) };
}

/**
 * Refuses what is not Rego source: templates are write-once, so a wrong file registered is there for ever.
 * Rego (OPA policy language) text is UTF-8 and its first statement, after blank lines and `#` comments, is a
 * `package` clause.
 * @throws NewtonError `NEWTON_ERROR_USAGE` (`--rego`) naming the file and what is wrong.
 */
export function checkRego(bytes: Uint8Array, file: string): void {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw usageError("--rego", file, `--rego ${file} is not Rego: it is not UTF-8 text`);
  }
  const first = text
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/)
    .map((line) => line.trim())
    .find((line) => line !== "" && !line.startsWith("#"));
  if (first === undefined || !/^package\s+[A-Za-z_][A-Za-z0-9_]*/.test(first)) {
    const seen = first === undefined ? "nothing but comments" : `"${first.slice(0, 40)}"`;
    throw usageError(
      "--rego",
      file,
      `--rego ${file} is not Rego: its first statement must be a \`package\` clause, found ${seen}`,
    );
  }
}

/**
 * Refuses what is not a WebAssembly module (`WebAssembly.validate`, the WebAssembly core spec's validation):
 * templates are write-once, so a wrong file registered is there for ever.
 * @throws NewtonError `NEWTON_ERROR_USAGE` (`--wasm`) naming the file.
 */
export function checkWasm(bytes: Uint8Array, file: string): void {
  if (!WebAssembly.validate(bytes)) {
    const magic = bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d;
    throw usageError(
      "--wasm",
      file,
      `--wasm ${file} is not a valid WebAssembly module (${magic ? "it fails validation" : "no \\0asm header"})`,
    );
  }
}

/** Reads a file given on the command line. @throws NewtonError `NEWTON_ERROR_USAGE` when unreadable. */
export function readInput(run: RunContext, what: string, file: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path.resolve(run.cwd, file)));
  } catch (err) {
    throw usageError(what, file, `cannot read ${what} file ${file}: ${(err as Error).message}`);
  }
}

/** Parses UTF-8 JSON. @throws NewtonError `NEWTON_ERROR_USAGE` naming the file. */
export function parseJson(bytes: Uint8Array, what: string, file: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  } catch (err) {
    throw usageError(what, file, `${what} ${file} is not JSON: ${(err as Error).message}`);
  }
}

/** Compiles a JSON schema (draft 2020-12). @throws NewtonError `NEWTON_ERROR_USAGE` when it is not a valid schema. */
export function compileSchema(schema: unknown, label: string) {
  try {
    return new Ajv2020({ allErrors: true, strict: false }).compile(schema as object);
  } catch (err) {
    throw usageError("schema", label, `${label} is not a valid JSON schema (draft 2020-12): ${(err as Error).message}`);
  }
}

/**
 * Validates `value` against `schema` (draft 2020-12).
 * @throws NewtonError `NEWTON_ERROR_CHECK` (`check`) listing every violation, e.g. `/limit must be integer`.
 */
export function validateJson(schema: unknown, value: unknown, check: string, label: string): void {
  const validate = compileSchema(schema, `the schema of ${label}`);
  if (validate(value)) return;
  const why = (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? "invalid"}`).join("; ");
  throw checkError(check, `${label} does not match its schema: ${why}; fix the file and retry`);
}

/** Uploads each artifact to DA at most once per run (certificates kept by content hash). */
export class ArtifactUploader {
  private readonly certs = new Map<Hex, Hex>();

  constructor(
    private readonly run: RunContext,
    private readonly da: () => EigenDaProxyClient,
  ) {}

  /**
   * The certificate of `artifact`, uploading it first unless this run already did. The empty artifact
   * gets `0x` and is never uploaded.
   * @throws NewtonError `NEWTON_ERROR_DA` when the upload fails.
   */
  async cert(artifact: Artifact): Promise<Hex> {
    if (artifact.bytes.length === 0) return "0x";
    const known = this.certs.get(artifact.hash);
    if (known !== undefined) return known;
    const label = `uploading ${artifact.what} (${formatBytes(artifact.bytes.length)})…`;
    try {
      const cert = bytesToHex(await this.da().put(artifact.bytes));
      this.run.out.progress(`${label} cert ${shortHex(cert)}`);
      this.certs.set(artifact.hash, cert);
      return cert;
    } catch (err) {
      throw daFailure(`${label} failed`, err);
    }
  }
}

/** A `NEWTON_ERROR_DA` wrapping a DA client error. */
export function daFailure(what: string, err: unknown): NewtonError {
  const detail = err instanceof DaError ? `${err.code}: ${err.message}` : (err as Error).message;
  return new NewtonError({ code: "NEWTON_ERROR_DA", what }, `${what}: ${detail}; check --da-url / NEWTON_DA_URL`);
}

/**
 * The DA certificate of the latest `WriteProposed` to `(namespace, id)` on the chain's StateCommitRegistry
 * (logs filtered by `keyHash = keccak256(abi.encodePacked(namespace, id))`), or `undefined` if never written.
 */
export async function findWriteCert(ctx: ChainContext, namespace: number, id: string): Promise<Hex | undefined> {
  const scr = ctx.stateCommitRegistry;
  const logs = await scr.queryFilter(
    scr.filters.WriteProposed(undefined, namespace, keyHash(namespace, id)),
    ctx.fromBlock,
  );
  const last = logs.at(-1);
  return last === undefined ? undefined : (last.args.daCert as Hex);
}

/**
 * Fetches a JSON artifact (schema) by its content hash: certificate from the write log, bytes from DA checked
 * against the hash. `undefined` for the empty artifact (no schema).
 * @throws NewtonError `NEWTON_ERROR_CHECK` when no write of it is on this chain or it is not JSON;
 *   `NEWTON_ERROR_DA` when DA fails or returns bytes of another hash.
 */
export async function fetchJsonArtifact(
  run: RunContext,
  ctx: ChainContext,
  da: () => EigenDaProxyClient,
  namespace: number,
  hash: string,
  what: string,
): Promise<unknown> {
  if (hash === EMPTY_ARTIFACT_HASH) return undefined;
  const cert = await findWriteCert(ctx, namespace, hash);
  if (cert === undefined) {
    throw checkError(
      "artifact",
      `${ctx.target.label}: ${what} ${hash} has no write on this chain's StateCommitRegistry, so its DA certificate is unknown; re-register the template on this chain`,
      ctx.target.label,
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = await da().getVerified(Uint8Array.from(Buffer.from(cert.slice(2), "hex")), hash as Hex);
  } catch (err) {
    throw daFailure(`fetching ${what} ${shortHex(hash)} (cert ${shortHex(cert)})`, err);
  }
  run.out.progress(`fetched ${what} ${shortHex(hash)} (${formatBytes(bytes.length)}) from DA`);
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  } catch {
    throw checkError("artifact", `${what} ${hash} in DA is not JSON; the template's schema is unusable`);
  }
}

/** Progress of one transaction: "sending m… tx 0x… mined in block N". */
export interface SentTx {
  readonly txHash: Hex;
  readonly blockNumber: number;
}

/**
 * Sends one transaction and waits for its receipt, printing progress.
 * @throws NewtonError `NEWTON_ERROR_TX` with the decoded revert (e.g. `TemplateAuthorUnauthorized(0x…)`).
 */
export async function sendTx(
  run: RunContext,
  ctx: ChainContext,
  method: string,
  send: () => Promise<ContractTransactionResponse>,
): Promise<SentTx> {
  await run.guardMainnet(ctx, signerFor(run, ctx).address, `send ${method}`);
  const label = `${ctx.target.label}: sending ${method}…`;
  let txHash: string | undefined;
  try {
    const tx = await send();
    txHash = tx.hash;
    const receipt = await tx.wait();
    if (receipt === null || receipt.status !== 1) throw new Error("no successful receipt");
    run.out.progress(`${label} tx ${tx.hash} mined in block ${receipt.blockNumber}`);
    return { txHash: tx.hash as Hex, blockNumber: receipt.blockNumber };
  } catch (err) {
    const why = revertReason(err);
    run.out.progress(`${label} failed: ${why}`);
    throw new NewtonError(
      { code: "NEWTON_ERROR_TX", method, chain: ctx.target.label, txHash },
      `${ctx.target.label}: ${method} failed: ${why}`,
    );
  }
}

/** `Name(arg, …)` of a decoded custom error, else the error's short message. */
export function revertReason(err: unknown): string {
  const e = err as { revert?: { name: string; args: readonly unknown[] }; shortMessage?: string; message?: string };
  if (e.revert) return `${e.revert.name}(${e.revert.args.map(String).join(", ")})`;
  return e.shortMessage ?? e.message ?? String(err);
}

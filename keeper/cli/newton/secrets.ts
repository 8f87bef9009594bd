import { readFileSync } from "node:fs";
import path from "node:path";

import { POLICY_NAMESPACES, artifactHash } from "../../chain";
import { bytesToHex, hexToBytes, type Hex } from "../../common";
import { openSecrets, parseSecretsKey, sealSecrets, SecretsError, SecretsKeyRing } from "../../secrets";
import { daFailure, fetchJsonArtifact, findWriteCert, parseJson, readInput, sendTx, validateJson } from "./artifacts";
import { connectChain, defaultTarget, requireFunds, signerFor, type ChainContext, type RunContext } from "./context";
import { checkError, usageError } from "./errors";
import { lazyDa } from "./instance";
import { formatBytes, shortHex } from "./io";
import { feeFor, waitForTxWrites } from "./writes";
import { parseBytes32 } from "./options";
import { printFields } from "./policy-template";
import { missingSetting } from "./settings";

/** Options of `set-secrets` and `reseal`. */
interface SecretsOptions {
  instance: string;
  secrets: string;
  operatorUrl?: string;
  dryRun?: boolean;
  /** Block until the envelope's write is committed. */
  wait?: boolean;
}

/**
 * `policy-data instance set-secrets`: checks the instance and the client, validates the secrets JSON against
 * the template's secrets schema (from DA), seals it to the operators' current key from
 * `GET <operator-url>/v1/secrets-key` (a version-2 envelope naming the key's epoch), uploads the envelope
 * and calls `setSecrets(id, keccak256(envelope), envelope.length, cert)`.
 */
export async function setSecrets(run: RunContext, o: SecretsOptions): Promise<number> {
  return sealAndSet(run, o, false);
}

/**
 * `policy-data instance reseal`: after the operators rotated their secrets key, re-seals a client's
 * secrets to the current epoch. Reads the envelope now on-chain (from DA) and the operators' current
 * epoch; when the envelope already names that epoch it sends nothing ("already sealed"); otherwise it
 * does what `set-secrets` does with `--secrets`. The client supplies its secrets again: only the
 * operators can open the old envelope.
 * @throws NewtonError `NEWTON_ERROR_CHECK` when no secrets are set yet (use set-secrets), and as set-secrets.
 */
export async function resealSecrets(run: RunContext, o: SecretsOptions): Promise<number> {
  return sealAndSet(run, o, true);
}

async function sealAndSet(run: RunContext, o: SecretsOptions, reseal: boolean): Promise<number> {
  const id = parseBytes32("--instance", o.instance);
  const secrets = parseJson(readInput(run, "secrets", o.secrets), "secrets", o.secrets);
  const operatorUrl = o.operatorUrl ?? run.settings.get("operator-url")?.value;
  if (operatorUrl === undefined) throw missingSetting("operator-url", "sealing secrets", run.settings.profileName);
  const ctx = await connectChain(run, defaultTarget(run));
  const row = await checkClientInstance(run, ctx, id);
  const da = lazyDa(run, "fetching the secrets schema and uploading the envelope");
  const template = await ctx.policyDataRegistry.templates(row.templateId);
  const schema = await fetchJsonArtifact(
    run,
    ctx,
    da,
    POLICY_NAMESPACES.secretsSchema,
    template.secretsSchemaHash,
    "secrets schema",
  );
  if (schema !== undefined) validateJson(schema, secrets, "secrets", `secrets ${o.secrets}`);
  const { publicKey, epoch } = await fetchOperatorEpochKey(run, operatorUrl);
  let fromEpoch: number | undefined;
  if (reseal) {
    fromEpoch = await currentEnvelopeEpoch(run, ctx, id);
    if (fromEpoch === epoch) {
      return done(run, {
        chain: ctx.target.label,
        instanceId: id,
        epoch,
        status: "already sealed to the current epoch",
      });
    }
  }
  const plaintext = new TextEncoder().encode(JSON.stringify(secrets));
  const envelope = await sealSecrets(publicKey, hexToBytes(id), plaintext, epoch);
  const envelopeHash = artifactHash(envelope);
  const view = { chain: ctx.target.label, instanceId: id, envelopeHash, byteLength: envelope.length, fromEpoch, epoch };
  const verb = reseal ? "resealed" : "set";
  if (o.dryRun) return done(run, { ...view, status: reseal ? "would reseal" : "would set" });
  await run.guardMainnet(ctx, signerFor(run, ctx).address, `set the secrets of ${id}`);
  let cert: Hex;
  try {
    cert = bytesToHex(await da().put(envelope));
  } catch (err) {
    throw daFailure(`uploading secrets envelope (${formatBytes(envelope.length)})`, err);
  }
  run.out.progress(`uploading secrets envelope (${formatBytes(envelope.length)})… cert ${shortHex(cert)}`);
  const value = await feeFor(ctx, [envelope.length]);
  const sent = await sendTx(run, ctx, "setSecrets", () =>
    ctx.policyDataRegistry.connect(signerFor(run, ctx)).setSecrets(id, envelopeHash, envelope.length, cert, { value }),
  );
  if (o.wait === true) await waitForTxWrites(run, ctx, sent.txHash);
  return done(run, { ...view, status: verb, ...sent });
}

/**
 * The key epoch of the envelope on-chain for `id` (fetched from DA and checked against its hash).
 * @throws NewtonError `NEWTON_ERROR_CHECK` when no secrets are set; `NEWTON_ERROR_DA` when the envelope
 *   cannot be fetched; `NEWTON_ERROR_CHECK` when it does not decode.
 */
async function currentEnvelopeEpoch(run: RunContext, ctx: ChainContext, id: Hex): Promise<number> {
  const s = await ctx.policyDataRegistry.secretsOf(id);
  if (s.updatedAt === 0n || BigInt(s.envelopeHash) === 0n) {
    throw checkError(
      "secretsSet",
      `${ctx.target.label}: no secrets set for ${id} yet; set them with \`newton policy-data instance set-secrets\``,
    );
  }
  const envelope = await fetchEnvelope(run, ctx, id, s.envelopeHash as Hex);
  try {
    const epoch = SecretsKeyRing.epochOf(envelope);
    run.out.progress(`the envelope on-chain is sealed to secrets key epoch ${epoch}`);
    return epoch;
  } catch (err) {
    throw checkError("secretsEnvelope", `the secrets envelope of ${id} does not decode: ${(err as Error).message}`);
  }
}

async function fetchEnvelope(run: RunContext, ctx: ChainContext, id: Hex, envelopeHash: Hex): Promise<Uint8Array> {
  const cert = await findWriteCert(ctx, POLICY_NAMESPACES.secrets, id);
  if (cert === undefined)
    throw checkError("secretsWrite", `${ctx.target.label}: no 0x03 write for ${id} on the StateCommitRegistry`);
  try {
    return await lazyDa(run, "fetching the secrets envelope")().getVerified(hexToBytes(cert), envelopeHash);
  } catch (err) {
    throw daFailure("fetching the secrets envelope", err);
  }
}

async function checkClientInstance(run: RunContext, ctx: ChainContext, id: Hex) {
  const row = await ctx.policyDataRegistry.instances(id);
  if (row.registeredAt === 0n) {
    throw checkError(
      "instanceDeployed",
      `${ctx.target.label}: policy-data instance ${id} is not deployed; deploy it with \`newton policy-data instance deploy …\``,
    );
  }
  const signer = signerFor(run, ctx);
  await requireFunds(ctx, signer);
  if (signer.address !== row.client) {
    throw checkError(
      "client",
      `${ctx.target.label}: only the client ${row.client} may set the secrets of ${id}, but the signer is ${signer.address}; use the client's --signer-key`,
    );
  }
  return row;
}

/**
 * `GET <operatorUrl>/v1/secrets-key` → the 32-byte X25519 public key.
 * @throws NewtonError `NEWTON_ERROR_CHECK` when unreachable, not 200, not JSON, or another suite.
 */
export async function fetchOperatorKey(run: RunContext, operatorUrl: string): Promise<Uint8Array> {
  return (await fetchOperatorEpochKey(run, operatorUrl)).publicKey;
}

/**
 * `GET <operatorUrl>/v1/secrets-key` → the operators' current X25519 public key and its epoch (0 when
 * the operator names none).
 * @throws NewtonError `NEWTON_ERROR_CHECK` when unreachable, not 200, not JSON, another suite, or a bad epoch.
 */
export async function fetchOperatorEpochKey(
  run: RunContext,
  operatorUrl: string,
): Promise<{ publicKey: Uint8Array; epoch: number }> {
  const url = `${operatorUrl.replace(/\/+$/, "")}/v1/secrets-key`;
  let doc: unknown;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    doc = await res.json();
  } catch (err) {
    throw checkError(
      "operatorKey",
      `cannot fetch the operators' secrets key from ${url}: ${(err as Error).message}; check --operator-url`,
    );
  }
  try {
    const key = parseSecretsKey(doc);
    run.out.progress(`operators' secrets key ${shortHex(bytesToHex(key.publicKey))} (epoch ${key.epoch}) from ${url}`);
    return key;
  } catch (err) {
    throw checkError("operatorKey", (err as SecretsError).message);
  }
}

/** `policy-data instance show-secrets`: envelope hash, length, updatedAt; decrypted with `--private-key-file`. */
export async function showSecrets(run: RunContext, o: { instance: string; privateKeyFile?: string }): Promise<number> {
  const id = parseBytes32("--instance", o.instance);
  const ctx = await connectChain(run, defaultTarget(run));
  const s = await ctx.policyDataRegistry.secretsOf(id);
  const view: Record<string, unknown> = {
    chain: ctx.target.label,
    instanceId: id,
    envelopeHash: s.envelopeHash,
    byteLength: s.byteLength,
    updatedAt: s.updatedAt,
  };
  if (o.privateKeyFile !== undefined) {
    if (s.updatedAt === 0n || BigInt(s.envelopeHash) === 0n)
      throw checkError(
        "secretsSet",
        `${ctx.target.label}: no secrets set for ${id}; set them with \`newton policy-data instance set-secrets --instance ${id} --secrets <secrets.json> --operator-url <url>\``,
      );
    view.secrets = await decrypt(run, ctx, id, s.envelopeHash as Hex, readPrivateKey(run, o.privateKeyFile));
  }
  return done(run, view);
}

async function decrypt(
  run: RunContext,
  ctx: ChainContext,
  id: Hex,
  envelopeHash: Hex,
  privateKey: Uint8Array,
): Promise<unknown> {
  const envelope = await fetchEnvelope(run, ctx, id, envelopeHash);
  try {
    return JSON.parse(new TextDecoder().decode(await openSecrets(privateKey, hexToBytes(id), envelope))) as unknown;
  } catch (err) {
    throw checkError("openSecrets", `cannot decrypt: ${(err as Error).message}`);
  }
}

/** Reads an X25519 private key file: 0x-hex of 32 bytes, or JSON `{"privateKey":"0x…"}`. */
function readPrivateKey(run: RunContext, file: string): Uint8Array {
  let text: string;
  try {
    text = readFileSync(path.resolve(run.cwd, file), "utf8").trim();
  } catch (err) {
    throw usageError("--private-key-file", file, `cannot read ${file}: ${(err as Error).message}`);
  }
  const hex = text.startsWith("{") ? (JSON.parse(text) as { privateKey?: string }).privateKey : text;
  if (typeof hex !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(hex)) {
    throw usageError(
      "--private-key-file",
      file,
      `${file} must hold a 32-byte X25519 private key as 0x-hex (or JSON {"privateKey":"0x…"})`,
    );
  }
  return hexToBytes(hex);
}

function done(run: RunContext, view: Record<string, unknown>): number {
  run.out.result(view);
  printFields(run, { ...view, secrets: view.secrets === undefined ? undefined : JSON.stringify(view.secrets) });
  return 0;
}

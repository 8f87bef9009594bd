import path from "node:path";

import { JsonRpcProvider, Network, Wallet, formatEther, getAddress, type Provider } from "ethers";
import type { Logger } from "pino";

import { type IndexerDeployment, loadDeployment } from "../../chain";
import { EigenDaProxyClient } from "../../da";
import {
  PolicyDataRegistry__factory,
  PolicyRegistry__factory,
  StateCommitRegistry__factory,
  type PolicyDataRegistry,
  type PolicyRegistry,
  type StateCommitRegistry,
} from "../../../typechain-types";
import { configError, type Profile } from "./config";
import { checkError } from "./errors";
import type { NewtonIo, Output } from "./io";
import { Settings, missingSetting } from "./settings";

/** One chain a command works on, resolved from a profile or a network name. */
export interface ChainTarget {
  /** What the user called it (profile or network name), shown in tables. */
  readonly label: string;
  /** Network name: `deployments/<chain>.json`. */
  readonly chain?: string;
  readonly rpcUrl: string;
  readonly deploymentsDir: string;
  /** PolicyRegistry proxy address overriding the deployment record. */
  readonly policyRegistry?: string;
  /** Profiles consulted, most specific first (for the signer key). */
  readonly profiles: readonly Profile[];
  /** Where `rpcUrl` came from and how to change it, for errors (e.g. "rpc-url (--rpc-url, NEWTON_RPC_URL …)"). */
  readonly rpcSetting?: string;
}

/** A connected chain: provider, chain id, the three registries, and where its logs start. */
export interface ChainContext {
  readonly target: ChainTarget;
  readonly provider: Provider;
  readonly chainId: bigint;
  readonly policyRegistry: PolicyRegistry;
  readonly policyDataRegistry: PolicyDataRegistry;
  readonly stateCommitRegistry: StateCommitRegistry;
  /** First block to scan for logs (the StateCommitRegistry's deploy block when recorded, else 0). */
  readonly fromBlock: number;
}

/** Everything one `runNewton` invocation shares. */
export interface RunContext {
  readonly io: NewtonIo;
  readonly out: Output;
  readonly settings: Settings;
  readonly logger: Logger;
  readonly cwd: string;
  /**
   * Call before the first DA upload or transaction a command makes on `ctx`: on a mainnet chain id
   * (1, 8453, 42161) it needs `--yes`, `NEWTON_CONFIRM_MAINNET=<chain id>` or the chain id typed at the
   * prompt, and prints a line naming the chain and `signer`; once confirmed, a chain is not asked again
   * in the same run.
   * @throws NewtonError `NEWTON_ERROR_CHECK` (check `mainnetConfirmation`) when not confirmed; nothing is sent.
   */
  readonly guardMainnet: (ctx: ChainContext, signer: string, action: string) => Promise<void>;
}

/**
 * The command's chain: `--chain`/`--rpc-url`/`--deployments`/`--policy-registry` resolved flag → env → profile.
 * @throws NewtonError `NEWTON_ERROR_CONFIG` when the RPC URL, or both the chain name and the registry, are unset.
 */
export function defaultTarget(run: RunContext): ChainTarget {
  const s = run.settings;
  const policyRegistry = s.get("policy-registry")?.value;
  const chain = policyRegistry === undefined ? s.require("chain", "finding the deployment") : s.get("chain")?.value;
  const rpcUrl = s.require("rpc-url", "reaching the chain");
  const source = s.get("rpc-url")!.source;
  const rpcSetting =
    source === "flag"
      ? "--rpc-url"
      : source === "env"
        ? "NEWTON_RPC_URL"
        : `rpc-url of profile ${s.profileName} (\`newton config set rpc-url <url>\`)`;
  return {
    label: chain ?? s.profileName ?? "default",
    chain,
    rpcUrl,
    rpcSetting,
    deploymentsDir: path.resolve(run.cwd, s.get("deployments", undefined, "deployments")!.value),
    policyRegistry,
    profiles: [s.profile],
  };
}

/**
 * Resolves one `--chains` entry: a profile name (its own chain, RPC, deployments, registry) or a network name
 * (RPC from the active profile's `rpc-urls.<name>`, deployments from `--deployments`/profile/default).
 * @throws NewtonError `NEWTON_ERROR_CONFIG` when neither resolves to an RPC URL.
 */
export function chainsTarget(run: RunContext, name: string): ChainTarget {
  const s = run.settings;
  const profile = s.profileNamed(name);
  const deployments = (p: Profile) =>
    path.resolve(run.cwd, p.deployments ?? s.get("deployments", undefined, "deployments")!.value);
  if (profile !== undefined) {
    const rpcUrl = profile["rpc-url"];
    if (rpcUrl === undefined)
      throw configError(
        "rpc-url",
        `profile ${name} has no rpc-url: \`newton config set rpc-url <url> --profile ${name}\``,
      );
    return {
      label: name,
      chain: profile.chain ?? name,
      rpcUrl,
      deploymentsDir: deployments(profile),
      policyRegistry: profile["policy-registry"],
      profiles: [profile, s.profile],
      rpcSetting: `rpc-url of profile ${name} (\`newton config set rpc-url <url> --profile ${name}\`)`,
    };
  }
  const rpcUrl = s.profile["rpc-urls"]?.[name];
  if (rpcUrl === undefined) {
    throw configError(
      "rpc-urls",
      `--chains ${name}: no profile "${name}" and no rpc-urls.${name} in the active profile; ` +
        `create one with \`newton config init --profile ${name} --chain ${name} --rpc-url <url>\` or \`newton config set rpc-urls.${name} <url>\``,
    );
  }
  return {
    label: name,
    chain: name,
    rpcUrl,
    deploymentsDir: deployments(s.profile),
    profiles: [s.profile],
    rpcSetting: `rpc-urls.${name} of the active profile (\`newton config set rpc-urls.${name} <url>\`)`,
  };
}

/** How long the first JSON-RPC call (`eth_chainId`) may take before the RPC counts as unreachable, in ms. */
export const RPC_PROBE_TIMEOUT_MS = 10_000;

/**
 * The chain id behind `target.rpcUrl`, asked once with a plain JSON-RPC `eth_chainId` (no provider retry loop,
 * so nothing is logged while waiting and an unreachable URL fails at once).
 * @throws NewtonError `NEWTON_ERROR_CONFIG` naming the setting that holds the URL when the RPC does not answer.
 */
export async function probeChainId(target: ChainTarget, timeoutMs = RPC_PROBE_TIMEOUT_MS): Promise<bigint> {
  const fix = target.rpcSetting ?? "rpc-url";
  const unreachable = (why: string) =>
    configError("rpc-url", `${target.label}: cannot reach the RPC at ${target.rpcUrl} (${why}); fix ${fix}`);
  const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] });
  let result: unknown;
  // A busy node may drop a reused connection ("socket hang up"): three quick attempts before giving up.
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(target.rpcUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      result = ((await res.json()) as { result?: unknown }).result;
      break;
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (err as Error).message;
      if (attempt >= 3 || cause?.code === "ECONNREFUSED") throw unreachable(why);
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
  if (typeof result !== "string" || !/^0x[0-9a-fA-F]+$/.test(result))
    throw unreachable("eth_chainId returned no chain id: not a JSON-RPC endpoint?");
  return BigInt(result);
}

/**
 * Connects to `target`: provider (injected factory, or JSON-RPC on a static network once {@link probeChainId}
 * answered), chain id, registry addresses from the deployment record (or `policy-registry`), checking the
 * record's chain id and that the registry has code.
 * @throws NewtonError `NEWTON_ERROR_CONFIG` for an unreachable RPC (naming the setting), a missing/mismatched
 *   record or an address without code.
 */
export async function connectChain(run: RunContext, target: ChainTarget): Promise<ChainContext> {
  let provider: Provider;
  if (run.io.connect) provider = await run.io.connect({ chain: target.label, rpcUrl: target.rpcUrl });
  else {
    const probed = await probeChainId(target);
    provider = new JsonRpcProvider(target.rpcUrl, Network.from(probed), { staticNetwork: true });
  }
  const chainId = (await provider.getNetwork()).chainId;
  const { address, fromBlock } = registryAddress(target, chainId);
  if ((await provider.getCode(address)) === "0x") {
    throw configError(
      "policy-registry",
      `${target.label}: no contract at PolicyRegistry ${address} on chain ${chainId}; check the deployment record or policy-registry`,
    );
  }
  const policyRegistry = PolicyRegistry__factory.connect(address, provider);
  const policyDataRegistry = PolicyDataRegistry__factory.connect(await policyRegistry.policyDataRegistry(), provider);
  const stateCommitRegistry = StateCommitRegistry__factory.connect(
    await policyRegistry.stateCommitRegistry(),
    provider,
  );
  return { target, provider, chainId, policyRegistry, policyDataRegistry, stateCommitRegistry, fromBlock };
}

function registryAddress(target: ChainTarget, chainId: bigint): { address: string; fromBlock: number } {
  if (target.policyRegistry !== undefined) return { address: getAddress(target.policyRegistry), fromBlock: 0 };
  const file = path.join(target.deploymentsDir, `${target.chain ?? target.label}.json`);
  const hint = "pass --deployments <dir>, or set policy-registry in the profile";
  let deployment: IndexerDeployment;
  try {
    deployment = loadDeployment(file);
  } catch (err) {
    throw configError("deployments", `${target.label}: ${(err as Error).message}; ${hint}`, "--deployments");
  }
  const proxy = deployment.contracts.policyRegistry;
  if (proxy === undefined) {
    throw configError("deployments", `${target.label}: no PolicyRegistry in ${file}; ${hint}`, "--deployments");
  }
  if (BigInt(deployment.chainId) !== chainId) {
    throw configError(
      "rpc-url",
      `${target.label}: ${file} records chain ${deployment.chainId}, but the RPC serves chain ${chainId}; fix rpc-url or chain`,
    );
  }
  return { address: getAddress(proxy), fromBlock: deployment.startBlock };
}

/**
 * The signer for `target`: `--signer-key` → `NEWTON_SIGNER_KEY` → the chain's profile → the active profile.
 * @throws NewtonError `NEWTON_ERROR_CONFIG` when unset or not a private key.
 */
export function signerFor(run: RunContext, ctx: ChainContext): Wallet {
  const key = run.settings.get("signer-key", ctx.target.profiles);
  if (key === undefined) throw missingSetting("signer-key", "sending a transaction", run.settings.profileName);
  try {
    return new Wallet(key.value, ctx.provider);
  } catch {
    throw configError(
      "signer-key",
      "signer-key is not a valid private key (0x-hex of 32 bytes)",
      "--signer-key",
      "NEWTON_SIGNER_KEY",
    );
  }
}

/**
 * Refuses a signer that cannot pay for a transaction before anything is uploaded or sent.
 * @throws NewtonError `NEWTON_ERROR_CHECK` (`funds`) when the signer's balance on `ctx`'s chain is 0 wei.
 */
export async function requireFunds(ctx: ChainContext, signer: Wallet): Promise<void> {
  const balance = await ctx.provider.getBalance(signer.address);
  if (balance === 0n) {
    throw checkError(
      "funds",
      `account ${signer.address} has ${formatEther(balance)} ETH on ${ctx.target.label} (chain ${ctx.chainId}); fund it, or use another --signer-key`,
      ctx.target.label,
    );
  }
}

/** The EigenDA proxy client for `--da-url` → `NEWTON_DA_URL` → profile. @throws NewtonError `NEWTON_ERROR_CONFIG`. */
export function daClient(run: RunContext, why: string): EigenDaProxyClient {
  const url = run.settings.require("da-url", why);
  // A comma-separated list is an ordered fail-over list of proxies.
  const urls = url.split(",").map((u) => u.trim());
  return new EigenDaProxyClient({ url: urls, maxRetries: 2, baseDelayMs: 200 }, { logger: run.logger });
}

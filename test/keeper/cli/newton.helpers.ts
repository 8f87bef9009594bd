import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";

import { HDNodeWallet } from "ethers";
import hre from "hardhat";
import type { HardhatNetworkHDAccountsConfig } from "hardhat/types";

import { runNewton, type ConnectRequest } from "../../../keeper/cli/newton/index";
import { secretsKeyDocument } from "../../../keeper/secrets";

/** What one in-process `newton` run printed and returned. */
export interface NewtonRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Environment and provider injection shared by a test file's runs. */
export interface CliHarness {
  readonly env: Record<string, string | undefined>;
  readonly cwd: string;
  /** Chains (by label) whose connection fails, to simulate an RPC outage. */
  readonly failingChains: Set<string>;
}

/** Runs `newton argv` in-process against the in-process Hardhat network (every RPC URL maps to it). */
export async function newton(
  h: CliHarness,
  argv: readonly string[],
  env: Record<string, string> = {},
): Promise<NewtonRun> {
  let stdout = "";
  let stderr = "";
  const connect = (req: ConnectRequest) => {
    if (h.failingChains.has(req.chain)) throw new Error(`simulated RPC outage on ${req.chain}`);
    return hre.ethers.provider;
  };
  const code = await runNewton(argv, {
    env: { ...h.env, ...env },
    cwd: h.cwd,
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    connect,
  });
  return { code, stdout, stderr };
}

/** The private key of Hardhat account `index` (from the configured mnemonic). */
export function hardhatKey(index: number): string {
  const accounts = hre.config.networks.hardhat.accounts as HardhatNetworkHDAccountsConfig;
  return HDNodeWallet.fromPhrase(accounts.mnemonic, accounts.passphrase, `${accounts.path}/${index}`).privateKey;
}

/** A temp folder with `files` written in it. */
export function tempFiles(files: Record<string, string | Uint8Array>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "newton-cli-test-"));
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
  return dir;
}

/** A tiny operator stand-in serving `GET /v1/secrets-key` for `publicKey` on 127.0.0.1. */
export async function startKeyServer(publicKey: Uint8Array): Promise<{ url: string; server: Server }> {
  const body = JSON.stringify(secretsKeyDocument(publicKey));
  const server = createServer((req, res) => {
    if (req.url === "/v1/secrets-key") {
      res.writeHead(200, { "content-type": "application/json" }).end(body);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

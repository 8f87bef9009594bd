/**
 * Test-only devnet: a spawned `hardhat node`, a Newton deployment made by `deployNewton` in a
 * `hardhat run` child, a local DA server (in process), an RPC proxy that can fail requests, and
 * keeper processes (`newton-keeper` under ts-node) with generated configs. Loopback only.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

import { JsonRpcProvider, Network, Wallet } from "ethers";

import { encryptKeystore, type KeystoreOptions } from "../../../../keeper/bls";
import { x25519PublicKey } from "../../../../keeper/cli/config";
import { DaServer, type DaServerOptions } from "../../../../keeper/da";
import { makeOperators, type TestOperator } from "../../../helpers/operators";
import { HARDHAT_KEYS } from "../../../../scripts/devnet/accounts";
import { runDeployTask } from "../../../../scripts/devnet/processes";

export {
  KeeperProcess,
  ROOT,
  ensureDir,
  freePort,
  removeDir,
  spawnLogged,
  startHardhatNode,
  tempDir,
  waitFor,
  type Proc,
} from "../../../../scripts/devnet/processes";

const FAST_KDF: KeystoreOptions["kdf"] = {
  function: "pbkdf2",
  params: { dklen: 32, c: 16, prf: "hmac-sha256", salt: "33".repeat(32) },
};
const PASSWORD = "keeper test password";

export { HARDHAT_KEYS };

/** What `deployDevnet` produced. */
export interface DevnetDeployment {
  readonly file: string;
  readonly operators: TestOperator[];
  readonly keystores: string[];
  readonly record: {
    chainId: number;
    contracts: Record<string, { proxy: string; deployBlock: number }>;
  };
}

/** Writes keystores for `weights.length` operators and deploys with `deployNewton` against `rpcUrl`. */
export async function deployDevnet(
  rpcUrl: string,
  dir: string,
  weights: readonly number[],
  seed: number,
): Promise<DevnetDeployment> {
  const operators = makeOperators(weights.length, seed);
  const keystores: string[] = [];
  const entries = [];
  for (const [i, op] of operators.entries()) {
    const file = path.join(dir, `operator-${i}.keystore.json`);
    writeFileSync(file, JSON.stringify(await encryptKeystore(op.keypair, PASSWORD, { kdf: FAST_KDF })));
    keystores.push(file);
    entries.push({
      address: op.address,
      weight: weights[i],
      keystore: file,
      keystorePasswordEnv: "NEWTON_TEST_OPERATOR_PW",
    });
  }
  const configPath = path.join(dir, "deploy-config.json");
  writeFileSync(
    configPath,
    JSON.stringify({
      templateRegistrationPermissionless: true,
      instanceDeploymentPermissionless: true,
      quorumBips: 6667,
      challengeWindowBlocks: 1000,
      confirmations: 1,
      operators: entries,
    }),
  );
  const deploymentsDir = path.join(dir, "deployments");
  await runDeployTask({
    rpcUrl,
    configFile: configPath,
    deploymentsDir,
    env: { NEWTON_TEST_OPERATOR_PW: PASSWORD },
    logFile: path.join(dir, "deploy.log"),
  });
  const file = path.join(deploymentsDir, "localhost.json");
  return { file, operators, keystores, record: JSON.parse(readFileSync(file, "utf8")) };
}

/** A DA server on a fixed port and disk store that can be restarted with other fault options. */
export class RestartableDa {
  server?: DaServer;
  constructor(
    readonly port: number,
    readonly dataDir: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async restart(opts: Omit<DaServerOptions, "dataDir"> = {}): Promise<void> {
    await this.server?.stop();
    this.server = new DaServer({ ...opts, dataDir: this.dataDir });
    await this.server.start(this.port);
  }

  async stop(): Promise<void> {
    await this.server?.stop();
  }
}

/** An HTTP proxy in front of the node's RPC that answers a share of requests with 503. */
export class FlakyRpcProxy {
  failRate = 0;
  requests = 0;
  failed = 0;
  private server?: Server;
  url = "";

  constructor(private readonly target: string) {}

  async start(): Promise<void> {
    const target = new URL(this.target);
    this.server = createServer((req, res) => {
      this.requests++;
      if (Math.random() < this.failRate) {
        this.failed++;
        req.resume();
        res.writeHead(503, { "content-type": "text/plain" }).end("injected failure");
        return;
      }
      const upstream = httpRequest(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on("error", () => res.writeHead(502).end());
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    const closed = new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }
}

/** A generated X25519 key pair file for the operators' shared secrets key. */
export function writeSecretsKey(dir: string): { file: string; publicKey: string } {
  const privateKey = `0x${"42".repeat(32)}`;
  const publicKey = x25519PublicKey(Buffer.from(privateKey.slice(2), "hex"));
  const file = path.join(dir, "secrets-key.json");
  writeFileSync(file, JSON.stringify({ kem: "DHKEM(X25519, HKDF-SHA256)", publicKey, privateKey }));
  return { file, publicKey };
}

export function funded(index: number, url: string): Wallet {
  return new Wallet(
    HARDHAT_KEYS[index],
    new JsonRpcProvider(url, Network.from(31337n), { staticNetwork: true, batchMaxCount: 1 }),
  );
}

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

import { expect } from "chai";
import { JsonRpcProvider } from "ethers";

import { runNewton } from "../../../keeper/cli/newton";
import { DaServer } from "../../../keeper/da";
import { HARDHAT_KEYS } from "../../../scripts/devnet/accounts";
import { type Proc, removeDir, spawnLogged, startHardhatNode, tempDir } from "../../../scripts/devnet/processes";
import { PolicyDataRegistry__factory } from "../../../typechain-types";

interface Chain {
  readonly url: string;
  readonly node: Proc;
  readonly deployments: string;
}

/**
 * Multi-chain registration against two real chains (two `hardhat node` processes, chain ids 31337 and
 * 31338, each with its own deployment): a template already registered on one chain is skipped there and
 * registered on the other; templates are chain-agnostic, so the id is the same on both.
 */
describe("newton CLI on two chains", function () {
  let dir: string;
  const chains: Record<"a" | "b", Chain> = {} as Record<"a" | "b", Chain>;
  const da = new DaServer();
  let env: Record<string, string>;

  async function newton(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = "";
    let stderr = "";
    const code = await runNewton(argv, {
      env,
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
    });
    return { code, stdout, stderr };
  }

  async function deployTo(name: "a" | "b", chainId: number): Promise<void> {
    const node = await startHardhatNode(dir, undefined, { NEWTON_HARDHAT_CHAIN_ID: String(chainId) });
    const deployments = path.join(dir, `deployments-${name}`);
    const config = path.join(dir, `config-${name}.json`);
    writeFileSync(
      config,
      JSON.stringify({ templateRegistrationPermissionless: true, instanceDeploymentPermissionless: true }),
    );
    const deploy = spawnLogged(
      "npx",
      ["hardhat", "newton:deploy", "--network", "localhost", "--config-file", config, "--deployments-dir", deployments],
      { LOCALHOST_RPC_URL: node.url },
      path.join(dir, `deploy-${name}.log`),
    );
    expect(await deploy.exited, deploy.log()).to.equal(0);
    chains[name] = { url: node.url, node: node.proc, deployments };
  }

  before(async function () {
    dir = tempDir("newton-multichain-");
    mkdirSync(path.join(dir, "home"));
    const { url: daUrl } = await da.start();
    await deployTo("a", 31337);
    await deployTo("b", 31338);
    env = { NEWTON_HOME: path.join(dir, "home"), NEWTON_DA_URL: daUrl, NEWTON_SIGNER_KEY: HARDHAT_KEYS[0] };
    for (const name of ["a", "b"] as const) {
      const init = await newton([
        "config",
        "init",
        "--profile",
        name,
        "--chain",
        "localhost",
        "--rpc-url",
        chains[name].url,
        "--deployments",
        chains[name].deployments,
      ]);
      expect(init.code, init.stderr).to.equal(0);
    }
    writeFileSync(path.join(dir, "plugin.wasm"), Buffer.from("0061736d01000000", "hex"));
    writeFileSync(path.join(dir, "params.schema.json"), JSON.stringify({ type: "object" }));
  });

  after(async function () {
    for (const c of Object.values(chains)) await c.node.stop();
    await da.stop();
    if (dir) removeDir(dir);
  });

  async function isRegistered(name: "a" | "b", templateId: string): Promise<boolean> {
    const provider = new JsonRpcProvider(chains[name].url);
    const record = JSON.parse(readFileSync(path.join(chains[name].deployments, "localhost.json"), "utf8")) as {
      contracts: { PolicyDataRegistry: { proxy: string } };
    };
    const registered = await PolicyDataRegistry__factory.connect(
      record.contracts.PolicyDataRegistry.proxy,
      provider,
    ).isTemplateRegistered(templateId);
    provider.destroy();
    return registered;
  }

  it("registers where missing, skips where present, and the template id is the same on both chains", async function () {
    const files = ["--wasm", path.join(dir, "plugin.wasm"), "--params-schema", path.join(dir, "params.schema.json")];
    const onA = await newton(["policy-data", "template", "register", ...files, "--chains", "a", "--json"]);
    expect(onA.code, onA.stderr).to.equal(0);
    const templateId = (JSON.parse(onA.stdout) as { templateId: string }).templateId;
    expect(await isRegistered("a", templateId)).to.equal(true);
    expect(await isRegistered("b", templateId)).to.equal(false);

    const both = await newton(["policy-data", "template", "register", ...files, "--chains", "a,b", "--json"]);
    expect(both.code, both.stderr).to.equal(0);
    const result = JSON.parse(both.stdout) as { templateId: string; chains: { chain: string; status: string }[] };
    expect(result.templateId).to.equal(templateId);
    expect(result.chains.map((c) => [c.chain, c.status])).to.deep.equal([
      ["a", "skipped"],
      ["b", "registered"],
    ]);
    expect(await isRegistered("b", templateId)).to.equal(true);
    const again = await newton(["policy-data", "template", "register", ...files, "--chains", "a,b", "--json"]);
    expect((JSON.parse(again.stdout) as { chains: { status: string }[] }).chains.map((c) => c.status)).to.deep.equal([
      "skipped",
      "skipped",
    ]);
  });
});

/**
 * Registers one operator with a network's deployed OperatorRegistry, signing the proof of
 * possession with the operator's own EIP-2335 keystore:
 *
 *   OPERATOR_ADDRESS=0x… OPERATOR_WEIGHT=100 OPERATOR_KEYSTORE=./keystore.json OPERATOR_KEYSTORE_PASSWORD=… \
 *     npx hardhat run scripts/register-operator.ts --network sepolia
 *
 * With OPERATOR_PRINT_ONLY=true nothing is sent: it prints the `{address, weight, pubkeyG1,
 * popSignature}` entry for `config/<network>.json` (or for the owner's Safe to submit
 * `registerOperator` with). The sender must be the OperatorRegistry owner. Reads
 * `deployments/<network>.json` (DEPLOYMENTS_DIR overrides the folder). On a mainnet (chain id 1, 8453,
 * 42161) it sends nothing before the chain id is typed on the terminal or NEWTON_CONFIRM_MAINNET=<chain id>.
 */
import path from "node:path";

import hre from "hardhat";

import { guardScriptOnMainnet } from "./lib/mainnet-guard";
import { deploymentPath, proxyOf, readDeployment } from "./lib/deployment";
import { resolveOperator } from "./lib/operators";

async function main(): Promise<void> {
  const { OPERATOR_ADDRESS: address, OPERATOR_WEIGHT: weight, OPERATOR_KEYSTORE: keystore } = process.env;
  if (!address || !weight || !keystore) {
    throw new Error("set OPERATOR_ADDRESS, OPERATOR_WEIGHT, OPERATOR_KEYSTORE (and OPERATOR_KEYSTORE_PASSWORD)");
  }
  const dir = process.env.DEPLOYMENTS_DIR ?? path.join(hre.config.paths.root, "deployments");
  const deployment = readDeployment(deploymentPath(dir, hre.network.name));
  if (deployment === undefined) throw new Error(`no deployment record for ${hre.network.name} in ${dir}`);
  const registryAddress = proxyOf(deployment, "OperatorRegistry");
  const reg = await resolveOperator({ address, weight: Number(weight), keystore }, 0, {
    chainId: BigInt(deployment.chainId),
    registry: registryAddress,
    baseDir: process.cwd(),
    env: process.env,
  });
  if (process.env.OPERATOR_PRINT_ONLY === "true") {
    console.log(JSON.stringify({ ...reg, weight: Number(reg.weight) }, null, 2));
    return;
  }
  const [signer] = await hre.ethers.getSigners();
  await guardScriptOnMainnet(
    hre.ethers.provider,
    signer.address,
    `register operator ${reg.address} (weight ${reg.weight})`,
  );
  const registry = await hre.ethers.getContractAt("OperatorRegistry", registryAddress, signer);
  const tx = await registry.registerOperator(reg.address, reg.pubkeyG1, reg.popSignature, reg.weight);
  const receipt = await tx.wait(deployment.config.confirmations);
  console.log(`registered ${reg.address} (weight ${reg.weight}) in block ${receipt?.blockNumber} (tx ${tx.hash})`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});

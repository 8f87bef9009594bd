/**
 * Hands every deployed contract of a network over to a new owner (a Safe) in two steps:
 *
 *   NEW_OWNER=0xSafe npx hardhat run scripts/transfer-ownership.ts --network sepolia
 *     → transferOwnership(NEW_OWNER) on each contract the deployer owns, then prints what the
 *       Safe must call: acceptOwnership() on each proxy.
 *   NEW_OWNER=0x… NEW_OWNER_PRIVATE_KEY=0x… OWNERSHIP_ACCEPT=true npx hardhat run scripts/transfer-ownership.ts --network sepolia
 *     → (testnets) accepts with the new owner's key.
 *
 * Reads `deployments/<network>.json` (DEPLOYMENTS_DIR overrides the folder). On a mainnet (chain id 1,
 * 8453, 42161) it sends nothing before the chain id is typed on the terminal or NEWTON_CONFIRM_MAINNET=<chain id>.
 */
import path from "node:path";

import hre from "hardhat";

import { guardScriptOnMainnet } from "./lib/mainnet-guard";
import { deploymentPath, readDeployment } from "./lib/deployment";
import { acceptOwnership, startOwnershipTransfer } from "./lib/ownership";

async function main(): Promise<void> {
  const newOwner = process.env.NEW_OWNER;
  if (!newOwner) throw new Error("set NEW_OWNER to the address (a Safe) that will own the contracts");
  const dir = process.env.DEPLOYMENTS_DIR ?? path.join(hre.config.paths.root, "deployments");
  const file = deploymentPath(dir, hre.network.name);
  const deployment = readDeployment(file);
  if (deployment === undefined) throw new Error(`no deployment record ${file}: deploy first`);

  if (process.env.OWNERSHIP_ACCEPT === "true") {
    const key = process.env.NEW_OWNER_PRIVATE_KEY;
    if (!key) throw new Error("OWNERSHIP_ACCEPT=true needs NEW_OWNER_PRIVATE_KEY (testnets only)");
    const signer = new hre.ethers.Wallet(key, hre.ethers.provider);
    await guardScriptOnMainnet(hre.ethers.provider, signer.address, "accept ownership of every Newton State contract");
    for (const s of await acceptOwnership(hre, deployment, signer)) console.log(`${s.name} ${s.proxy}: ${s.state}`);
    return;
  }
  const [signer] = await hre.ethers.getSigners();
  await guardScriptOnMainnet(
    hre.ethers.provider,
    signer.address,
    `hand every Newton State contract over to ${newOwner}`,
  );
  const statuses = await startOwnershipTransfer(hre, deployment, signer, newOwner);
  for (const s of statuses) console.log(`${s.name} ${s.proxy}: ${s.state}${s.txHash ? ` (tx ${s.txHash})` : ""}`);
  const todo = statuses.filter((s) => s.state !== "already-owner");
  if (todo.length > 0) {
    console.log(`\n${newOwner} must now call acceptOwnership() (selector 0x79ba5097, no arguments) on:`);
    for (const s of todo) console.log(`  ${s.proxy}  (${s.name})`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});

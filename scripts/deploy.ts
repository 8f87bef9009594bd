/**
 * Deploys Newton State on a network, or upgrades it:
 *
 *   npx hardhat run scripts/deploy.ts --network sepolia                      # deploy, or resume / no-op
 *   DEPLOY_UPGRADE=true npx hardhat run scripts/deploy.ts --network sepolia  # upgrade changed implementations
 *   npx hardhat newton:deploy --network sepolia [--upgrade]                  # the same, as a task
 *
 * Reads `config/<network>.json` (DEPLOY_CONFIG_FILE overrides it), writes `deployments/<network>.json`
 * (DEPLOYMENTS_DIR overrides the folder; see scripts/lib/deploy.ts). Keystore passwords of operators
 * come from the environment variables the config names. On a mainnet (chain id 1, 8453, 42161) it asks
 * for the chain id on the terminal, or takes NEWTON_CONFIRM_MAINNET=<chain id>; otherwise it refuses.
 */
import hre from "hardhat";

import { deployNewton } from "./lib/deploy";

deployNewton(hre, {
  upgrade: process.env.DEPLOY_UPGRADE === "true",
  env: process.env,
  deploymentsDir: process.env.DEPLOYMENTS_DIR || undefined,
  configPath: process.env.DEPLOY_CONFIG_FILE || undefined,
}).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});

/**
 * Deploys Newton State on a network, or upgrades it:
 *
 *   npx hardhat run scripts/deploy.ts --network sepolia                      # deploy, or resume / no-op
 *   DEPLOY_UPGRADE=true npx hardhat run scripts/deploy.ts --network sepolia  # upgrade changed implementations
 *   npx hardhat newton:deploy --network sepolia [--upgrade]                  # the same, as a task
 *
 * Reads `config/<network>.json`, writes `deployments/<network>.json` (see scripts/lib/deploy.ts).
 * Keystore passwords of operators come from the environment variables the config names.
 */
import hre from "hardhat";

import { deployNewton } from "./lib/deploy";

deployNewton(hre, { upgrade: process.env.DEPLOY_UPGRADE === "true", env: process.env }).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});

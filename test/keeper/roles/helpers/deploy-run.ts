/**
 * Test-only: `npx hardhat run test/keeper/roles/helpers/deploy-run.ts --network localhost` with
 * `LOCALHOST_RPC_URL`, `NEWTON_TEST_DEPLOYMENTS_DIR` and `NEWTON_TEST_DEPLOY_CONFIG` set deploys
 * Newton State with `deployNewton` onto a spawned `hardhat node`.
 */
import hre from "hardhat";

import { deployNewton } from "../../../../scripts/lib/deploy";

deployNewton(hre, {
  deploymentsDir: process.env.NEWTON_TEST_DEPLOYMENTS_DIR,
  configPath: process.env.NEWTON_TEST_DEPLOY_CONFIG,
  env: process.env,
  log: () => undefined,
}).catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exitCode = 1;
});

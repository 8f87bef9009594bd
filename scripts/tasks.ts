/**
 * Hardhat tasks of Newton State, registered by hardhat.config.ts. The task bodies import their
 * modules lazily: the config must load before the compiled artifacts and typechain types exist.
 */
import { task } from "hardhat/config";

task("newton:deploy", "Deploys Newton State (config/<network>.json → deployments/<network>.json)")
  .addFlag("upgrade", "Upgrade every proxy whose implementation changed (storage layout checked)")
  .addOptionalParam("deploymentsDir", "Folder of the deployment records (default deployments/)")
  .addOptionalParam("configFile", "The config file (default config/<network>.json)")
  .addFlag("yes", "Confirm sending on a mainnet (chain id 1, 8453, 42161) without the interactive prompt")
  .setAction(async (args: { upgrade: boolean; deploymentsDir?: string; configFile?: string; yes: boolean }, hre) => {
    const { deployNewton } = await import("./lib/deploy");
    await deployNewton(hre, {
      upgrade: args.upgrade,
      yes: args.yes,
      deploymentsDir: args.deploymentsDir,
      configPath: args.configFile,
      env: process.env,
    });
  });

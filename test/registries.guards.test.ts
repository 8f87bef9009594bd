import { rmSync } from "node:fs";

import { expect } from "chai";
import hre, { ethers, upgrades } from "hardhat";

import { deployNewton } from "../scripts/lib/deploy";
import { PolicyRegistry__factory, StateCommitRegistry__factory } from "../typechain-types";
import { tempFiles } from "./keeper/cli/newton.helpers";

/** Guards of the registries' initialization and namespace wiring that the feature suites do not reach. */
describe("registry guards", function () {
  it("PolicyRegistry and StateCommitRegistry cannot be initialized twice", async function () {
    const dir = tempFiles({});
    try {
      const { deployment } = await deployNewton(hre, { deploymentsDir: dir, log: () => undefined });
      const [owner] = await ethers.getSigners();
      const policy = PolicyRegistry__factory.connect(deployment.contracts.PolicyRegistry!.proxy, owner);
      const scr = StateCommitRegistry__factory.connect(deployment.contracts.StateCommitRegistry!.proxy, owner);
      await expect(
        policy.initialize(owner.address, await scr.getAddress(), ethers.ZeroAddress, true, true),
      ).to.be.revertedWithCustomError(policy, "InvalidInitialization");
      await expect(scr.initialize(owner.address, owner.address, 1024, 100)).to.be.revertedWithCustomError(
        scr,
        "InvalidInitialization",
      );
      // Namespaces above 0x08 have no writer to set (0x01–0x02 are the users' own, checked by the feature suites).
      await expect(scr.setNamespaceWriter(9, owner.address))
        .to.be.revertedWithCustomError(scr, "WriteNamespaceInvalid")
        .withArgs(9);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("StateCommitRegistry refuses a zero OperatorRegistry at initialization", async function () {
    const [owner] = await ethers.getSigners();
    const factory = await ethers.getContractFactory("StateCommitRegistry");
    await expect(upgrades.deployProxy(factory, [owner.address, ethers.ZeroAddress, 1024, 100], { kind: "uups" }))
      .to.be.revertedWithCustomError(factory, "ConfigValueInvalid")
      .withArgs(ethers.encodeBytes32String("operatorRegistry"), 0);
  });
});

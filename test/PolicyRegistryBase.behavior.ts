/** Shared suite of what PolicyRegistry and PolicyDataRegistry have in common: permissions and allowlists. */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { expect } from "chai";
import type { BaseContract, ContractTransactionResponse } from "ethers";

import type { PolicyRegistryBase } from "../typechain-types";

/** Enum `IPolicyRegistryBase.Permission`. */
export const Permission = { TemplateRegistration: 0, InstanceDeployment: 1 } as const;

/** What the suite needs from each registry's fixture. */
export interface PolicyRegistryBaseContext {
  /** The registry under test, through its common ABI. */
  readonly registry: PolicyRegistryBase;
  /** The same registry with its full ABI (for its own events). */
  readonly events: BaseContract;
  readonly owner: HardhatEthersSigner;
  /** An account on no allowlist. */
  readonly stranger: HardhatEthersSigner;
  /** Registers a template with content never used before, sent by `signer`. */
  readonly registerFresh: (signer: HardhatEthersSigner) => Promise<ContractTransactionResponse>;
  /** Deploys an instance never deployed before (of a registered template), sent by `signer`. */
  readonly deployFresh: (signer: HardhatEthersSigner) => Promise<ContractTransactionResponse>;
}

/** Runs the permission and allowlist tests against the context `load` returns (fresh per test). */
export function shouldBehaveLikePolicyRegistryBase(load: () => Promise<PolicyRegistryBaseContext>): void {
  describe("setTemplateRegistrationPermissionless / setTemplateAuthor", function () {
    it("reverts with OwnableUnauthorizedAccount when a non-owner flips the toggle or the allowlist", async function () {
      const { registry, stranger } = await load();
      await expect(registry.connect(stranger).setTemplateRegistrationPermissionless(false))
        .to.be.revertedWithCustomError(registry, "OwnableUnauthorizedAccount")
        .withArgs(stranger.address);
      await expect(registry.connect(stranger).setTemplateAuthor(stranger.address, true))
        .to.be.revertedWithCustomError(registry, "OwnableUnauthorizedAccount")
        .withArgs(stranger.address);
      expect(await registry.templateRegistrationPermissionless()).to.equal(true);
      expect(await registry.templateAuthors(stranger.address)).to.equal(false);
    });

    /** Invariant: while allowlist-only, exactly the listed accounts may register. */
    it("reverts with TemplateAuthorUnauthorized when allowlist-only and the caller is not listed", async function () {
      const { registry, events, owner, stranger, registerFresh } = await load();
      await expect(registry.connect(owner).setTemplateRegistrationPermissionless(false))
        .to.emit(registry, "PermissionChanged")
        .withArgs(Permission.TemplateRegistration, false);
      expect(await registry.templateRegistrationPermissionless()).to.equal(false);
      expect(await registry.canRegisterTemplate(stranger.address)).to.equal(false);
      await expect(registerFresh(stranger))
        .to.be.revertedWithCustomError(registry, "TemplateAuthorUnauthorized")
        .withArgs(stranger.address);
      // The owner is not implicitly allowed either.
      await expect(registerFresh(owner))
        .to.be.revertedWithCustomError(registry, "TemplateAuthorUnauthorized")
        .withArgs(owner.address);

      await expect(registry.connect(owner).setTemplateAuthor(stranger.address, true))
        .to.emit(registry, "AllowlistChanged")
        .withArgs(Permission.TemplateRegistration, stranger.address, true);
      expect(await registry.templateAuthors(stranger.address)).to.equal(true);
      expect(await registry.canRegisterTemplate(stranger.address)).to.equal(true);
      await expect(registerFresh(stranger)).to.emit(events, "TemplateRegistered");

      await expect(registry.connect(owner).setTemplateAuthor(stranger.address, false))
        .to.emit(registry, "AllowlistChanged")
        .withArgs(Permission.TemplateRegistration, stranger.address, false);
      await expect(registerFresh(stranger))
        .to.be.revertedWithCustomError(registry, "TemplateAuthorUnauthorized")
        .withArgs(stranger.address);
    });

    it("lets anyone register again once the owner makes registration permissionless", async function () {
      const { registry, events, owner, stranger, registerFresh } = await load();
      await registry.connect(owner).setTemplateRegistrationPermissionless(false);
      await expect(registry.connect(owner).setTemplateRegistrationPermissionless(true))
        .to.emit(registry, "PermissionChanged")
        .withArgs(Permission.TemplateRegistration, true);
      await expect(registerFresh(stranger)).to.emit(events, "TemplateRegistered");
    });
  });

  describe("setInstanceDeploymentPermissionless / setInstanceDeployer", function () {
    it("reverts with OwnableUnauthorizedAccount when a non-owner flips the toggle or the allowlist", async function () {
      const { registry, stranger } = await load();
      await expect(registry.connect(stranger).setInstanceDeploymentPermissionless(false))
        .to.be.revertedWithCustomError(registry, "OwnableUnauthorizedAccount")
        .withArgs(stranger.address);
      await expect(registry.connect(stranger).setInstanceDeployer(stranger.address, true))
        .to.be.revertedWithCustomError(registry, "OwnableUnauthorizedAccount")
        .withArgs(stranger.address);
      expect(await registry.instanceDeploymentPermissionless()).to.equal(true);
      expect(await registry.instanceDeployers(stranger.address)).to.equal(false);
    });

    /** Invariant: while allowlist-only, exactly the listed accounts may deploy. */
    it("reverts with InstanceDeployerUnauthorized when allowlist-only and the caller is not listed", async function () {
      const { registry, events, owner, stranger, deployFresh } = await load();
      await expect(registry.connect(owner).setInstanceDeploymentPermissionless(false))
        .to.emit(registry, "PermissionChanged")
        .withArgs(Permission.InstanceDeployment, false);
      expect(await registry.canDeployInstance(stranger.address)).to.equal(false);
      await expect(deployFresh(stranger))
        .to.be.revertedWithCustomError(registry, "InstanceDeployerUnauthorized")
        .withArgs(stranger.address);

      await expect(registry.connect(owner).setInstanceDeployer(stranger.address, true))
        .to.emit(registry, "AllowlistChanged")
        .withArgs(Permission.InstanceDeployment, stranger.address, true);
      expect(await registry.instanceDeployers(stranger.address)).to.equal(true);
      expect(await registry.canDeployInstance(stranger.address)).to.equal(true);
      await expect(deployFresh(stranger)).to.emit(events, "InstanceDeployed");

      await registry.connect(owner).setInstanceDeployer(stranger.address, false);
      await expect(deployFresh(stranger))
        .to.be.revertedWithCustomError(registry, "InstanceDeployerUnauthorized")
        .withArgs(stranger.address);
      await registry.connect(owner).setInstanceDeploymentPermissionless(true);
      await expect(deployFresh(stranger)).to.emit(events, "InstanceDeployed");
    });
  });

  describe("upgradeToAndCall (access control)", function () {
    it("reverts with OwnableUnauthorizedAccount when a non-owner upgrades", async function () {
      const { registry, stranger } = await load();
      await expect(registry.connect(stranger).upgradeToAndCall(stranger.address, "0x"))
        .to.be.revertedWithCustomError(registry, "OwnableUnauthorizedAccount")
        .withArgs(stranger.address);
    });
  });
}

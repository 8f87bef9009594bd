import { loadFixture, mine } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import type { ContractTransactionReceipt, ContractTransactionResponse } from "ethers";
import fc from "fast-check";
import { ethers, upgrades } from "hardhat";

import {
  EMPTY_ARTIFACT_HASH,
  POLICY_TEMPLATE_TYPEHASH,
  artifactHash,
  keyHash,
  policyDataInstanceId,
  policyDataTemplateId,
  policyInstanceId,
  policyTemplateId,
} from "../keeper/chain";
import type { Hex } from "../keeper/common";
import type { PolicyRegistryV2Mock, StateCommitRegistry } from "../typechain-types";
import { EMPTY_REF, artifactRef, deployPolicyStack } from "./helpers/policy";
import { shouldBehaveLikePolicyRegistryBase } from "./PolicyRegistryBase.behavior";

const PARAMS = ethers.toUtf8Bytes('{"maxAmount":"1000"}');
const EXPIRE_AFTER = 50n;

/**
 * A stack with three policy-data templates (ids ascending: dataTemplateIds[0] < [1] < [2]), one data instance of
 * each for `client` (and one of template 0 for `other`), and a policy template over data templates 0 and 1.
 */
async function fixture() {
  const [owner, author, deployer, client, other, stranger] = await ethers.getSigners();
  const stack = await deployPolicyStack(owner);
  const { policyDataRegistry: dataRegistry, policyRegistry: registry } = stack;
  const { chainId } = await ethers.provider.getNetwork();
  const wasms = ["wasm-a", "wasm-b", "wasm-c"].map(artifactRef);
  for (const wasm of wasms) await dataRegistry.connect(author).registerTemplate(wasm, EMPTY_REF, EMPTY_REF);
  const dataTemplateIds = wasms
    .map((w) => policyDataTemplateId(w.contentHash, EMPTY_ARTIFACT_HASH, EMPTY_ARTIFACT_HASH))
    .sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  const dataParams = "0x01";
  const dataInstanceIds: Hex[] = [];
  for (const id of dataTemplateIds) {
    await dataRegistry.deployInstance(id, client.address, dataParams, 10n);
    dataInstanceIds.push(policyDataInstanceId(chainId, client.address, id, dataParams, 10n));
  }
  await dataRegistry.deployInstance(dataTemplateIds[0], other.address, dataParams, 10n);
  const otherDataInstanceId = policyDataInstanceId(chainId, other.address, dataTemplateIds[0], dataParams, 10n);

  const rego = artifactRef("package newton\nallow := true");
  const paramsSchema = artifactRef('{"type":"object","properties":{"maxAmount":{"type":"string"}}}');
  const templateDataIds = dataTemplateIds.slice(0, 2);
  await registry.connect(author).registerTemplate(rego, paramsSchema, templateDataIds);
  const templateId = policyTemplateId(rego.contentHash, paramsSchema.contentHash, templateDataIds);
  return {
    ...stack,
    registry,
    dataRegistry,
    owner,
    author,
    deployer,
    client,
    other,
    stranger,
    chainId,
    dataTemplateIds,
    dataInstanceIds,
    otherDataInstanceId,
    rego,
    paramsSchema,
    templateId,
    instanceDataIds: dataInstanceIds.slice(0, 2),
  };
}

/** The `WriteProposed` events `receipt` carries from `scr`: [namespace, keyHash, valueHash, byteLength, daCert]. */
function writesOf(receipt: ContractTransactionReceipt, scr: StateCommitRegistry, scrAddress: string) {
  return receipt.logs
    .filter((log) => log.address === scrAddress)
    .map((log) => scr.interface.parseLog(log)!)
    .filter((e) => e.name === "WriteProposed")
    .map((e) => [Number(e.args.namespace), e.args.keyHash, e.args.valueHash, Number(e.args.byteLength), e.args.daCert]);
}

async function receiptOf(tx: Promise<ContractTransactionResponse>): Promise<ContractTransactionReceipt> {
  return (await (await tx).wait())!;
}

describe("PolicyRegistry", function () {
  describe("initialize", function () {
    it("sets the owner, both registries and both permissions; the typehash matches keeper/chain", async function () {
      const { registry, stateCommitRegistry, dataRegistry, owner } = await loadFixture(fixture);
      expect(await registry.owner()).to.equal(owner.address);
      expect(await registry.stateCommitRegistry()).to.equal(await stateCommitRegistry.getAddress());
      expect(await registry.policyDataRegistry()).to.equal(await dataRegistry.getAddress());
      expect(await registry.templateRegistrationPermissionless()).to.equal(true);
      expect(await registry.instanceDeploymentPermissionless()).to.equal(true);
      expect(await registry.version()).to.equal("1.0.0");
      expect(await registry.POLICY_TEMPLATE_TYPEHASH()).to.equal(POLICY_TEMPLATE_TYPEHASH);
    });

    it("reverts with ConfigAddressZero for a zero PolicyDataRegistry or StateCommitRegistry", async function () {
      const { owner, stateCommitRegistry } = await loadFixture(fixture);
      const factory = await ethers.getContractFactory("PolicyRegistry");
      const scr = await stateCommitRegistry.getAddress();
      await expect(
        upgrades.deployProxy(factory, [owner.address, scr, ethers.ZeroAddress, true, true], { kind: "uups" }),
      )
        .to.be.revertedWithCustomError(factory, "ConfigAddressZero")
        .withArgs(ethers.encodeBytes32String("policyDataRegistry"));
      await expect(
        upgrades.deployProxy(factory, [owner.address, ethers.ZeroAddress, scr, true, true], { kind: "uups" }),
      )
        .to.be.revertedWithCustomError(factory, "ConfigAddressZero")
        .withArgs(ethers.encodeBytes32String("stateCommitRegistry"));
    });
  });

  describe("registerTemplate", function () {
    it("registers the row under the TS id, emits TemplateRegistered, then proposes the 0x04 and 0x05 writes", async function () {
      const { registry, stateCommitRegistry, author, dataTemplateIds } = await loadFixture(fixture);
      const rego = artifactRef("package newton\nallow := input.amount < 5");
      const schema = artifactRef('{"type":"object","title":"v2"}');
      const ids = [dataTemplateIds[0], dataTemplateIds[2]];
      const id = policyTemplateId(rego.contentHash, schema.contentHash, ids);
      const tx = registry.connect(author).registerTemplate(rego, schema, ids);
      await expect(tx)
        .to.emit(registry, "TemplateRegistered")
        .withArgs(id, author.address, rego.contentHash, schema.contentHash, ids);
      const receipt = await receiptOf(tx);
      expect(writesOf(receipt, stateCommitRegistry, await stateCommitRegistry.getAddress())).to.deep.equal([
        [4, keyHash(4, rego.contentHash), rego.contentHash, rego.byteLength, rego.daCert],
        [5, keyHash(5, schema.contentHash), schema.contentHash, schema.byteLength, schema.daCert],
      ]);
      const row = await registry.templates(id);
      expect([row.regoHash, row.paramsSchemaHash, row.author, row.registeredAt]).to.deep.equal([
        rego.contentHash,
        schema.contentHash,
        author.address,
        BigInt(receipt.blockNumber),
      ]);
      expect(await registry.policyDataTemplateIdsOf(id)).to.deep.equal(ids);
      expect(await registry.isTemplateRegistered(id)).to.equal(true);
      expect(await registry.computeTemplateId(rego.contentHash, schema.contentHash, ids)).to.equal(id);
      console.log(`      registerTemplate (2 artifact writes, 2 data templates) gasUsed: ${receipt.gasUsed}`);
    });

    /** Invariant: each (namespace, content hash) is proposed at most once per registry. */
    it("proposes one write for Rego shared by two templates, none for an empty schema, and accepts no data templates", async function () {
      const { registry, stateCommitRegistry, author, rego, dataTemplateIds } = await loadFixture(fixture);
      const before = await stateCommitRegistry.writeCount();
      const receipt = await receiptOf(registry.connect(author).registerTemplate(rego, EMPTY_REF, []));
      expect(writesOf(receipt, stateCommitRegistry, await stateCommitRegistry.getAddress())).to.deep.equal([]);
      await registry.connect(author).registerTemplate(rego, EMPTY_REF, [dataTemplateIds[2]]);
      expect(await stateCommitRegistry.writeCount()).to.equal(before);
      const id = policyTemplateId(rego.contentHash, EMPTY_ARTIFACT_HASH, []);
      expect((await registry.templates(id)).paramsSchemaHash).to.equal(EMPTY_ARTIFACT_HASH);
      expect(await registry.policyDataTemplateIdsOf(id)).to.deep.equal([]);
      expect(await registry.artifactWritten(5, EMPTY_ARTIFACT_HASH)).to.equal(false);
    });

    it("reverts with TemplateAlreadyRegistered when the same content is registered again", async function () {
      const { registry, stranger, rego, paramsSchema, dataTemplateIds, templateId, author } =
        await loadFixture(fixture);
      await expect(registry.connect(stranger).registerTemplate(rego, paramsSchema, dataTemplateIds.slice(0, 2)))
        .to.be.revertedWithCustomError(registry, "TemplateAlreadyRegistered")
        .withArgs(templateId);
      expect((await registry.templates(templateId)).author).to.equal(author.address);
    });

    it("reverts with ArtifactRequired(0x04) for empty Rego and ArtifactRefInvalid for inconsistent refs", async function () {
      const { registry, rego } = await loadFixture(fixture);
      await expect(registry.registerTemplate(EMPTY_REF, EMPTY_REF, []))
        .to.be.revertedWithCustomError(registry, "ArtifactRequired")
        .withArgs(4);
      await expect(registry.registerTemplate({ ...rego, byteLength: 0 }, EMPTY_REF, []))
        .to.be.revertedWithCustomError(registry, "ArtifactRefInvalid")
        .withArgs(rego.contentHash, 0);
      await expect(registry.registerTemplate(rego, { ...EMPTY_REF, byteLength: 1 }, []))
        .to.be.revertedWithCustomError(registry, "ArtifactRefInvalid")
        .withArgs(EMPTY_ARTIFACT_HASH, 1);
    });

    it("reverts with DataTemplateIdsNotAscending when the ids are unsorted or repeated", async function () {
      const {
        registry,
        rego,
        dataTemplateIds: [a, b, c],
      } = await loadFixture(fixture);
      await expect(registry.registerTemplate(rego, EMPTY_REF, [a, c, b]))
        .to.be.revertedWithCustomError(registry, "DataTemplateIdsNotAscending")
        .withArgs(2, c, b);
      await expect(registry.registerTemplate(rego, EMPTY_REF, [a, b, b]))
        .to.be.revertedWithCustomError(registry, "DataTemplateIdsNotAscending")
        .withArgs(2, b, b);
    });

    it("reverts with DataTemplateNotRegistered for an id unknown to this chain's PolicyDataRegistry", async function () {
      const { registry, owner, rego, dataTemplateIds } = await loadFixture(fixture);
      // A data template registered in another PolicyDataRegistry (as on another chain) is unknown here.
      const elsewhere = await deployPolicyStack(owner);
      const foreignWasm = artifactRef("wasm-foreign");
      await elsewhere.policyDataRegistry.registerTemplate(foreignWasm, EMPTY_REF, EMPTY_REF);
      const foreign = policyDataTemplateId(foreignWasm.contentHash, EMPTY_ARTIFACT_HASH, EMPTY_ARTIFACT_HASH);
      expect(await elsewhere.policyDataRegistry.isTemplateRegistered(foreign)).to.equal(true);
      const ids = [...dataTemplateIds, foreign].sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : 1));
      await expect(registry.registerTemplate(rego, EMPTY_REF, ids))
        .to.be.revertedWithCustomError(registry, "DataTemplateNotRegistered")
        .withArgs(ids.indexOf(foreign), foreign);
    });

    it("reverts with DataTemplateCountTooLarge above MAX_POLICY_DATA_TEMPLATES", async function () {
      const { registry, rego } = await loadFixture(fixture);
      const ids = Array.from({ length: 33 }, (_, i) => ethers.toBeHex(i + 1, 32));
      await expect(registry.registerTemplate(rego, EMPTY_REF, ids))
        .to.be.revertedWithCustomError(registry, "DataTemplateCountTooLarge")
        .withArgs(33, 32);
    });
  });

  describe("deployInstance", function () {
    it("deploys an instance for another client under the TS id, with its data instances and params", async function () {
      const { registry, deployer, client, chainId, templateId, instanceDataIds } = await loadFixture(fixture);
      const id = policyInstanceId(chainId, client.address, templateId, PARAMS, EXPIRE_AFTER, instanceDataIds);
      const tx = registry
        .connect(deployer)
        .deployInstance(templateId, client.address, PARAMS, EXPIRE_AFTER, instanceDataIds);
      await expect(tx)
        .to.emit(registry, "InstanceDeployed")
        .withArgs(
          id,
          templateId,
          client.address,
          deployer.address,
          artifactHash(PARAMS),
          EXPIRE_AFTER,
          ethers.hexlify(PARAMS),
          instanceDataIds,
        );
      const receipt = await receiptOf(tx);
      const row = await registry.instances(id);
      expect([...row]).to.deep.equal([
        templateId,
        artifactHash(PARAMS),
        client.address,
        EXPIRE_AFTER,
        deployer.address,
        BigInt(receipt.blockNumber),
      ]);
      expect(await registry.policyDataInstanceIdsOf(id)).to.deep.equal(instanceDataIds);
      expect(await registry.instanceParams(id)).to.equal(ethers.hexlify(PARAMS));
      expect(await registry.isInstanceDeployed(id)).to.equal(true);
      expect(
        await registry.computeInstanceId(
          client.address,
          templateId,
          artifactHash(PARAMS),
          EXPIRE_AFTER,
          instanceDataIds,
        ),
      ).to.equal(id);
      expect(await registry.currentPolicyInstance(client.address)).to.equal(ethers.ZeroHash);
      console.log(`      deployInstance (2 data instances) gasUsed: ${receipt.gasUsed}`);
    });

    it("deploys an instance of a template without data templates", async function () {
      const { registry, author, client, chainId, rego } = await loadFixture(fixture);
      await registry.connect(author).registerTemplate(rego, EMPTY_REF, []);
      const templateId = policyTemplateId(rego.contentHash, EMPTY_ARTIFACT_HASH, []);
      const id = policyInstanceId(chainId, client.address, templateId, "0x", 1n, []);
      await expect(registry.deployInstance(templateId, client.address, "0x", 1n, []))
        .to.emit(registry, "InstanceDeployed")
        .withArgs(
          id,
          templateId,
          client.address,
          (await ethers.getSigners())[0].address,
          EMPTY_ARTIFACT_HASH,
          1n,
          "0x",
          [],
        );
      expect(await registry.policyDataInstanceIdsOf(id)).to.deep.equal([]);
    });

    it("reverts with InstanceAlreadyDeployed when the same configuration is deployed again", async function () {
      const { registry, client, chainId, templateId, instanceDataIds } = await loadFixture(fixture);
      await registry.deployInstance(templateId, client.address, PARAMS, EXPIRE_AFTER, instanceDataIds);
      const id = policyInstanceId(chainId, client.address, templateId, PARAMS, EXPIRE_AFTER, instanceDataIds);
      await expect(registry.deployInstance(templateId, client.address, PARAMS, EXPIRE_AFTER, instanceDataIds))
        .to.be.revertedWithCustomError(registry, "InstanceAlreadyDeployed")
        .withArgs(id);
    });

    it("reverts with TemplateNotRegistered, ExpireAfterZero and InstanceClientZero", async function () {
      const { registry, client, templateId, instanceDataIds } = await loadFixture(fixture);
      const unknown = ethers.id("unknown template");
      await expect(registry.deployInstance(unknown, client.address, PARAMS, EXPIRE_AFTER, []))
        .to.be.revertedWithCustomError(registry, "TemplateNotRegistered")
        .withArgs(unknown);
      await expect(
        registry.deployInstance(templateId, client.address, PARAMS, 0n, instanceDataIds),
      ).to.be.revertedWithCustomError(registry, "ExpireAfterZero");
      await expect(
        registry.deployInstance(templateId, ethers.ZeroAddress, PARAMS, 1n, instanceDataIds),
      ).to.be.revertedWithCustomError(registry, "InstanceClientZero");
    });

    it("reverts with DataInstanceCountMismatch when the arity differs from the template's", async function () {
      const { registry, client, templateId, dataInstanceIds } = await loadFixture(fixture);
      await expect(registry.deployInstance(templateId, client.address, PARAMS, 1n, dataInstanceIds.slice(0, 1)))
        .to.be.revertedWithCustomError(registry, "DataInstanceCountMismatch")
        .withArgs(2, 1);
      await expect(registry.deployInstance(templateId, client.address, PARAMS, 1n, dataInstanceIds))
        .to.be.revertedWithCustomError(registry, "DataInstanceCountMismatch")
        .withArgs(2, 3);
    });

    it("reverts with DataInstanceNotDeployed when a data instance does not exist", async function () {
      const { registry, client, templateId, instanceDataIds } = await loadFixture(fixture);
      const missing = ethers.id("missing data instance");
      await expect(registry.deployInstance(templateId, client.address, PARAMS, 1n, [instanceDataIds[0], missing]))
        .to.be.revertedWithCustomError(registry, "DataInstanceNotDeployed")
        .withArgs(1, missing);
    });

    it("reverts with DataInstanceClientMismatch when a data instance belongs to another client", async function () {
      const { registry, client, other, templateId, instanceDataIds, otherDataInstanceId } = await loadFixture(fixture);
      await expect(
        registry.deployInstance(templateId, client.address, PARAMS, 1n, [otherDataInstanceId, instanceDataIds[1]]),
      )
        .to.be.revertedWithCustomError(registry, "DataInstanceClientMismatch")
        .withArgs(0, otherDataInstanceId, client.address, other.address);
    });

    it("reverts with DataInstanceTemplateMismatch when a data instance is of the wrong kind or out of order", async function () {
      const { registry, client, templateId, dataTemplateIds, dataInstanceIds } = await loadFixture(fixture);
      const [d0, d1, d2] = dataInstanceIds;
      await expect(registry.deployInstance(templateId, client.address, PARAMS, 1n, [d1, d0]))
        .to.be.revertedWithCustomError(registry, "DataInstanceTemplateMismatch")
        .withArgs(0, d1, dataTemplateIds[0], dataTemplateIds[1]);
      await expect(registry.deployInstance(templateId, client.address, PARAMS, 1n, [d0, d2]))
        .to.be.revertedWithCustomError(registry, "DataInstanceTemplateMismatch")
        .withArgs(1, d2, dataTemplateIds[1], dataTemplateIds[2]);
    });
  });

  describe("setCurrentInstance", function () {
    it("points the client's current policy instance, reporting the previous one", async function () {
      const { registry, client, chainId, templateId, instanceDataIds } = await loadFixture(fixture);
      await registry.deployInstance(templateId, client.address, PARAMS, 1n, instanceDataIds);
      await registry.deployInstance(templateId, client.address, PARAMS, 2n, instanceDataIds);
      const first = policyInstanceId(chainId, client.address, templateId, PARAMS, 1n, instanceDataIds);
      const second = policyInstanceId(chainId, client.address, templateId, PARAMS, 2n, instanceDataIds);
      await expect(registry.connect(client).setCurrentInstance(first))
        .to.emit(registry, "CurrentInstanceSet")
        .withArgs(client.address, templateId, first, ethers.ZeroHash);
      await expect(registry.connect(client).setCurrentInstance(second))
        .to.emit(registry, "CurrentInstanceSet")
        .withArgs(client.address, templateId, second, first);
      expect(await registry.currentPolicyInstance(client.address)).to.equal(second);
    });

    it("reverts with InstanceCallerNotClient for the deployer and InstanceNotDeployed for an unknown id", async function () {
      const { registry, deployer, client, chainId, templateId, instanceDataIds } = await loadFixture(fixture);
      await registry.connect(deployer).deployInstance(templateId, client.address, PARAMS, 1n, instanceDataIds);
      const id = policyInstanceId(chainId, client.address, templateId, PARAMS, 1n, instanceDataIds);
      await expect(registry.connect(deployer).setCurrentInstance(id))
        .to.be.revertedWithCustomError(registry, "InstanceCallerNotClient")
        .withArgs(id, client.address, deployer.address);
      await expect(registry.connect(client).setCurrentInstance(ethers.id("x")))
        .to.be.revertedWithCustomError(registry, "InstanceNotDeployed")
        .withArgs(ethers.id("x"));
      expect(await registry.currentPolicyInstance(deployer.address)).to.equal(ethers.ZeroHash);
    });
  });

  describe("templates / instances", function () {
    /** Invariant: a row read at any block ≥ registeredAt is the row; before it, the zero struct and empty lists. */
    it("returns the same rows and lists at every later block and nothing before registeredAt", async function () {
      const { registry, author, client, chainId, rego, templateId, instanceDataIds, dataTemplateIds } =
        await loadFixture(fixture);
      const receipt = await receiptOf(
        registry.deployInstance(templateId, client.address, PARAMS, EXPIRE_AFTER, instanceDataIds),
      );
      const block = receipt.blockNumber;
      const id = policyInstanceId(chainId, client.address, templateId, PARAMS, EXPIRE_AFTER, instanceDataIds);
      const at = async (blockTag: number) => ({
        template: [...(await registry.templates(templateId, { blockTag }))],
        dataTemplates: await registry.policyDataTemplateIdsOf(templateId, { blockTag }),
        instance: [...(await registry.instances(id, { blockTag }))],
        dataInstances: await registry.policyDataInstanceIdsOf(id, { blockTag }),
        params: await registry.instanceParams(id, { blockTag }),
      });
      const written = await at(block);
      await registry.connect(client).setCurrentInstance(id);
      await registry.connect(author).registerTemplate(rego, EMPTY_REF, [dataTemplateIds[2]]);
      await registry.deployInstance(templateId, client.address, PARAMS, EXPIRE_AFTER + 1n, instanceDataIds);
      await mine(3);
      for (const b of [block + 1, block + 2, await ethers.provider.getBlockNumber()]) {
        expect(await at(b)).to.deep.equal(written);
      }
      const before = await at(block - 1);
      expect(before.instance[5]).to.equal(0n);
      expect(before.dataInstances).to.deep.equal([]);
      expect(before.params).to.equal("0x");
    });
  });

  describe("computeTemplateId / computeInstanceId", function () {
    /** Invariant: keeper/chain derives the same ids as the contract for any input. */
    it("equals the keeper/chain ids on random inputs", async function () {
      const { registry, chainId } = await loadFixture(fixture);
      const hash = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => ethers.hexlify(b) as Hex);
      const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => ethers.getAddress(ethers.hexlify(b)));
      await fc.assert(
        fc.asyncProperty(
          hash,
          hash,
          fc.array(hash, { maxLength: 5 }),
          address,
          fc.uint8Array({ maxLength: 200 }),
          fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
          async (a, b, ids, client, params, expireAfter) => {
            expect(await registry.computeTemplateId(a, b, ids)).to.equal(policyTemplateId(a, b, ids));
            expect(await registry.computeInstanceId(client, a, artifactHash(params), expireAfter, ids)).to.equal(
              policyInstanceId(chainId, client, a, params, expireAfter, ids),
            );
          },
        ),
        { numRuns: 30 },
      );
    });
  });

  describe("upgradeToAndCall", function () {
    it("keeps every row, list and pointer across an upgrade by the owner", async function () {
      const { registry, client, chainId, templateId, instanceDataIds, rego } = await loadFixture(fixture);
      await registry.deployInstance(templateId, client.address, PARAMS, 1n, instanceDataIds);
      const id = policyInstanceId(chainId, client.address, templateId, PARAMS, 1n, instanceDataIds);
      await registry.connect(client).setCurrentInstance(id);
      const snapshot = async (r: typeof registry | PolicyRegistryV2Mock) => ({
        template: [...(await r.templates(templateId))],
        dataTemplates: await r.policyDataTemplateIdsOf(templateId),
        instance: [...(await r.instances(id))],
        dataInstances: await r.policyDataInstanceIdsOf(id),
        params: await r.instanceParams(id),
        current: await r.currentPolicyInstance(client.address),
        regoWritten: await r.artifactWritten(4, rego.contentHash),
        dataRegistry: await r.policyDataRegistry(),
      });
      const before = await snapshot(registry);
      const upgraded = (await upgrades.upgradeProxy(
        await registry.getAddress(),
        await ethers.getContractFactory("PolicyRegistryV2Mock"),
        { kind: "uups" },
      )) as unknown as PolicyRegistryV2Mock;
      expect(await upgraded.upgradeMarker()).to.equal("v2");
      expect(await snapshot(upgraded)).to.deep.equal(before);
    });
  });

  shouldBehaveLikePolicyRegistryBase(async () => {
    const { registry, owner, stranger, client, author, rego } = await loadFixture(fixture);
    await registry.connect(author).registerTemplate(rego, EMPTY_REF, []);
    const templateId = policyTemplateId(rego.contentHash, EMPTY_ARTIFACT_HASH, []);
    let counter = 0;
    return {
      registry: await ethers.getContractAt("PolicyRegistryBase", await registry.getAddress()),
      events: registry,
      owner,
      stranger,
      registerFresh: (signer) =>
        registry.connect(signer).registerTemplate(artifactRef(`rego-${++counter}`), EMPTY_REF, []),
      deployFresh: (signer) =>
        registry
          .connect(signer)
          .deployInstance(templateId, client.address, ethers.toBeHex(++counter), EXPIRE_AFTER, []),
    };
  });
});

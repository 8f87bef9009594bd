import { loadFixture, mine } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import type { ContractTransactionReceipt, ContractTransactionResponse } from "ethers";
import fc from "fast-check";
import { ethers, upgrades } from "hardhat";

import {
  EMPTY_ARTIFACT_HASH,
  POLICY_DATA_TEMPLATE_TYPEHASH,
  artifactHash,
  keyHash,
  policyDataInstanceId,
  policyDataTemplateId,
} from "../keeper/chain";
import type { Hex } from "../keeper/common";
import type { PolicyDataRegistry, PolicyDataRegistryV2Mock, StateCommitRegistry } from "../typechain-types";
import { EMPTY_REF, artifactRef, deployPolicyStack } from "./helpers/policy";
import { shouldBehaveLikePolicyRegistryBase } from "./PolicyRegistryBase.behavior";

const PARAMS = ethers.toUtf8Bytes('{"threshold":3}');
const EXPIRE_AFTER = 100n;

async function fixture() {
  const [owner, author, deployer, client, stranger] = await ethers.getSigners();
  const stack = await deployPolicyStack(owner);
  const { chainId } = await ethers.provider.getNetwork();
  const wasm = artifactRef("wasm-module-1");
  const paramsSchema = artifactRef('{"type":"object"}');
  const secretsSchema = artifactRef('{"type":"object","required":["apiKey"]}');
  const templateId = policyDataTemplateId(wasm.contentHash, paramsSchema.contentHash, secretsSchema.contentHash);
  return {
    ...stack,
    registry: stack.policyDataRegistry,
    owner,
    author,
    deployer,
    client,
    stranger,
    chainId,
    wasm,
    paramsSchema,
    secretsSchema,
    templateId,
  };
}

/** Fixture plus one registered template and one instance of it for `client`, deployed by `deployer`. */
async function withInstance() {
  const f = await loadFixture(fixture);
  await f.registry.connect(f.author).registerTemplate(f.wasm, f.paramsSchema, f.secretsSchema);
  const tx = await f.registry.connect(f.deployer).deployInstance(f.templateId, f.client.address, PARAMS, EXPIRE_AFTER);
  const receipt = (await tx.wait())!;
  const instanceId = policyDataInstanceId(f.chainId, f.client.address, f.templateId, PARAMS, EXPIRE_AFTER);
  return { ...f, instanceId, deployBlock: receipt.blockNumber };
}

/** The `WriteProposed` events `receipt` carries from `scr`, as plain tuples (writeIndex omitted). */
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

describe("PolicyDataRegistry", function () {
  describe("initialize", function () {
    it("sets the owner, the StateCommitRegistry and both permissions; constants match keeper/chain", async function () {
      const { registry, stateCommitRegistry, owner } = await loadFixture(fixture);
      expect(await registry.owner()).to.equal(owner.address);
      expect(await registry.stateCommitRegistry()).to.equal(await stateCommitRegistry.getAddress());
      expect(await registry.templateRegistrationPermissionless()).to.equal(true);
      expect(await registry.instanceDeploymentPermissionless()).to.equal(true);
      expect(await registry.version()).to.equal("1.0.0");
      expect(await registry.POLICY_DATA_TEMPLATE_TYPEHASH()).to.equal(POLICY_DATA_TEMPLATE_TYPEHASH);
      expect(await registry.EMPTY_ARTIFACT_HASH()).to.equal(EMPTY_ARTIFACT_HASH);
    });

    it("reverts with ConfigAddressZero for a zero StateCommitRegistry and InvalidInitialization twice", async function () {
      const { registry, owner } = await loadFixture(fixture);
      const factory = await ethers.getContractFactory("PolicyDataRegistry");
      await expect(
        upgrades.deployProxy(factory, [owner.address, ethers.ZeroAddress, true, true], { kind: "uups" }),
      ).to.be.revertedWithCustomError(factory, "ConfigAddressZero");
      await expect(registry.initialize(owner.address, owner.address, true, true)).to.be.revertedWithCustomError(
        registry,
        "InvalidInitialization",
      );
    });
  });

  describe("registerTemplate", function () {
    it("registers the row under the TS id, emits TemplateRegistered, then proposes the three artifact writes", async function () {
      const { registry, stateCommitRegistry, author, wasm, paramsSchema, secretsSchema, templateId } =
        await loadFixture(fixture);
      const tx = registry.connect(author).registerTemplate(wasm, paramsSchema, secretsSchema);
      await expect(tx)
        .to.emit(registry, "TemplateRegistered")
        .withArgs(templateId, author.address, wasm.contentHash, paramsSchema.contentHash, secretsSchema.contentHash);
      const receipt = await receiptOf(tx);
      const scrAddress = await stateCommitRegistry.getAddress();
      expect(writesOf(receipt, stateCommitRegistry, scrAddress)).to.deep.equal(
        [
          [6, wasm],
          [7, paramsSchema],
          [8, secretsSchema],
        ].map(([ns, ref]) => {
          const r = ref as typeof wasm;
          return [ns, keyHash(ns as number, r.contentHash), r.contentHash, r.byteLength, r.daCert];
        }),
      );
      await expect(tx)
        .to.emit(stateCommitRegistry, "WriteProposed")
        .withArgs(
          0,
          6,
          keyHash(6, wasm.contentHash),
          wasm.contentHash,
          wasm.byteLength,
          await registry.getAddress(),
          wasm.daCert,
        );

      const row = await registry.templates(templateId);
      expect(row.wasmHash).to.equal(wasm.contentHash);
      expect(row.paramsSchemaHash).to.equal(paramsSchema.contentHash);
      expect(row.secretsSchemaHash).to.equal(secretsSchema.contentHash);
      expect(row.author).to.equal(author.address);
      expect(row.registeredAt).to.equal(BigInt(receipt.blockNumber));
      expect(await registry.isTemplateRegistered(templateId)).to.equal(true);
      expect(await registry.artifactWritten(6, wasm.contentHash)).to.equal(true);
      expect(await registry.artifactWritten(7, paramsSchema.contentHash)).to.equal(true);
      expect(await registry.artifactWritten(8, secretsSchema.contentHash)).to.equal(true);
      expect(
        await registry.computeTemplateId(wasm.contentHash, paramsSchema.contentHash, secretsSchema.contentHash),
      ).to.equal(templateId);
      console.log(`      registerTemplate (3 artifact writes) gasUsed: ${receipt.gasUsed}`);
    });

    /** Invariant: each (namespace, content hash) is proposed at most once per registry. */
    it("proposes one write for a WASM shared by two templates, none for an empty schema", async function () {
      const { registry, stateCommitRegistry, author, wasm, paramsSchema } = await loadFixture(fixture);
      const scrAddress = await stateCommitRegistry.getAddress();
      const first = await receiptOf(registry.connect(author).registerTemplate(wasm, EMPTY_REF, EMPTY_REF));
      expect(writesOf(first, stateCommitRegistry, scrAddress)).to.deep.equal([
        [6, keyHash(6, wasm.contentHash), wasm.contentHash, wasm.byteLength, wasm.daCert],
      ]);
      const second = await receiptOf(registry.connect(author).registerTemplate(wasm, paramsSchema, EMPTY_REF));
      expect(writesOf(second, stateCommitRegistry, scrAddress)).to.deep.equal([
        [
          7,
          keyHash(7, paramsSchema.contentHash),
          paramsSchema.contentHash,
          paramsSchema.byteLength,
          paramsSchema.daCert,
        ],
      ]);
      // The same schema bytes in another namespace are another leaf: written there once too.
      const third = await receiptOf(registry.connect(author).registerTemplate(wasm, EMPTY_REF, paramsSchema));
      expect(writesOf(third, stateCommitRegistry, scrAddress)).to.deep.equal([
        [
          8,
          keyHash(8, paramsSchema.contentHash),
          paramsSchema.contentHash,
          paramsSchema.byteLength,
          paramsSchema.daCert,
        ],
      ]);
      expect(await stateCommitRegistry.writeCount()).to.equal(3n);
      expect(await registry.artifactWritten(7, EMPTY_ARTIFACT_HASH)).to.equal(false);
      const row = await registry.templates(
        policyDataTemplateId(wasm.contentHash, EMPTY_ARTIFACT_HASH, EMPTY_ARTIFACT_HASH),
      );
      expect(row.paramsSchemaHash).to.equal(EMPTY_ARTIFACT_HASH);
      console.log(
        `      registerTemplate (no new artifact write) gasUsed: ${(await receiptOf(registry.connect(author).registerTemplate(wasm, paramsSchema, paramsSchema))).gasUsed}`,
      );
    });

    it("reverts with TemplateAlreadyRegistered when the same three hashes are registered again", async function () {
      const { registry, author, stranger, wasm, paramsSchema, secretsSchema, templateId } = await loadFixture(fixture);
      await registry.connect(author).registerTemplate(wasm, paramsSchema, secretsSchema);
      const otherCert = { ...wasm, daCert: "0x1234" };
      await expect(registry.connect(stranger).registerTemplate(otherCert, paramsSchema, secretsSchema))
        .to.be.revertedWithCustomError(registry, "TemplateAlreadyRegistered")
        .withArgs(templateId);
      expect((await registry.templates(templateId)).author).to.equal(author.address);
    });

    it("reverts with ArtifactRequired(0x06) when the WASM is empty", async function () {
      const { registry, author, paramsSchema } = await loadFixture(fixture);
      await expect(registry.connect(author).registerTemplate(EMPTY_REF, paramsSchema, EMPTY_REF))
        .to.be.revertedWithCustomError(registry, "ArtifactRequired")
        .withArgs(6);
    });

    it("reverts with ArtifactRefInvalid when a hash and its length disagree, or the hash is zero", async function () {
      const { registry, author, wasm } = await loadFixture(fixture);
      const zeroLength = { ...wasm, byteLength: 0 };
      const emptyWithLength = { ...EMPTY_REF, byteLength: 5 };
      const zeroHash = { ...wasm, contentHash: ethers.ZeroHash as Hex };
      const cases: [typeof wasm, typeof wasm, typeof wasm][] = [
        [zeroLength, EMPTY_REF, EMPTY_REF],
        [zeroHash, EMPTY_REF, EMPTY_REF],
        [wasm, emptyWithLength, EMPTY_REF],
        [wasm, EMPTY_REF, emptyWithLength],
        [wasm, EMPTY_REF, zeroLength],
      ];
      for (const [w, p, s] of cases) {
        const bad = [w, p, s].find((r) => r !== wasm && r !== EMPTY_REF)!;
        await expect(registry.connect(author).registerTemplate(w, p, s))
          .to.be.revertedWithCustomError(registry, "ArtifactRefInvalid")
          .withArgs(bad.contentHash, bad.byteLength);
      }
    });

    it("reverts with WriteCallerNotNamespaceWriter when the registry is not the namespace's writer", async function () {
      const { registry, stateCommitRegistry, owner, author, wasm } = await loadFixture(fixture);
      await stateCommitRegistry.connect(owner).setNamespaceWriter(6, owner.address);
      await expect(registry.connect(author).registerTemplate(wasm, EMPTY_REF, EMPTY_REF))
        .to.be.revertedWithCustomError(stateCommitRegistry, "WriteCallerNotNamespaceWriter")
        .withArgs(6, await registry.getAddress());
    });
  });

  describe("deployInstance", function () {
    it("deploys an instance for another client under the TS id and stores the row and params", async function () {
      const { registry, author, deployer, client, chainId, wasm, paramsSchema, secretsSchema, templateId } =
        await loadFixture(fixture);
      await registry.connect(author).registerTemplate(wasm, paramsSchema, secretsSchema);
      const id = policyDataInstanceId(chainId, client.address, templateId, PARAMS, EXPIRE_AFTER);
      const tx = registry.connect(deployer).deployInstance(templateId, client.address, PARAMS, EXPIRE_AFTER);
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
        );
      const receipt = await receiptOf(tx);
      const row = await registry.instances(id);
      expect(row.templateId).to.equal(templateId);
      expect(row.paramsHash).to.equal(artifactHash(PARAMS));
      expect(row.client).to.equal(client.address);
      expect(row.expireAfter).to.equal(EXPIRE_AFTER);
      expect(row.deployer).to.equal(deployer.address);
      expect(row.registeredAt).to.equal(BigInt(receipt.blockNumber));
      expect(await registry.instanceParams(id)).to.equal(ethers.hexlify(PARAMS));
      expect(await registry.isInstanceDeployed(id)).to.equal(true);
      expect(await registry.computeInstanceId(client.address, templateId, artifactHash(PARAMS), EXPIRE_AFTER)).to.equal(
        id,
      );
      // Not the client's pointer until the client sets it.
      expect(await registry.currentPolicyDataInstance(client.address, templateId)).to.equal(ethers.ZeroHash);
      console.log(`      deployInstance (${PARAMS.length}-byte params) gasUsed: ${receipt.gasUsed}`);
    });

    it("deploys distinct ids for different expireAfter and empty params", async function () {
      const { registry, client, templateId, instanceId, chainId } = await withInstance();
      const other = policyDataInstanceId(chainId, client.address, templateId, "0x", 1n);
      await expect(registry.deployInstance(templateId, client.address, "0x", 1n))
        .to.emit(registry, "InstanceDeployed")
        .withArgs(
          other,
          templateId,
          client.address,
          (await ethers.getSigners())[0].address,
          EMPTY_ARTIFACT_HASH,
          1n,
          "0x",
        );
      expect(other).to.not.equal(instanceId);
      expect(await registry.instanceParams(other)).to.equal("0x");
    });

    it("reverts with InstanceAlreadyDeployed when the same configuration is deployed again", async function () {
      const { registry, stranger, client, templateId, instanceId, deployer } = await withInstance();
      await expect(registry.connect(stranger).deployInstance(templateId, client.address, PARAMS, EXPIRE_AFTER))
        .to.be.revertedWithCustomError(registry, "InstanceAlreadyDeployed")
        .withArgs(instanceId);
      expect((await registry.instances(instanceId)).deployer).to.equal(deployer.address);
    });

    it("reverts with TemplateNotRegistered, ExpireAfterZero and InstanceClientZero", async function () {
      const { registry, author, client, wasm, templateId } = await loadFixture(fixture);
      await expect(registry.deployInstance(templateId, client.address, PARAMS, EXPIRE_AFTER))
        .to.be.revertedWithCustomError(registry, "TemplateNotRegistered")
        .withArgs(templateId);
      await registry.connect(author).registerTemplate(wasm, EMPTY_REF, EMPTY_REF);
      const registered = policyDataTemplateId(wasm.contentHash, EMPTY_ARTIFACT_HASH, EMPTY_ARTIFACT_HASH);
      await expect(registry.deployInstance(registered, client.address, PARAMS, 0n)).to.be.revertedWithCustomError(
        registry,
        "ExpireAfterZero",
      );
      await expect(registry.deployInstance(registered, ethers.ZeroAddress, PARAMS, 1n)).to.be.revertedWithCustomError(
        registry,
        "InstanceClientZero",
      );
    });
  });

  describe("setSecrets", function () {
    it("lets the client set, rotate and delete the envelope; each proposes the 0x03 write", async function () {
      const { registry, stateCommitRegistry, client, instanceId } = await withInstance();
      const envelope = artifactRef("hpke-envelope-1");
      const firstIndex = await stateCommitRegistry.writeCount();
      const tx = registry
        .connect(client)
        .setSecrets(instanceId, envelope.contentHash, envelope.byteLength, envelope.daCert);
      await expect(tx)
        .to.emit(registry, "SecretsSet")
        .withArgs(instanceId, client.address, envelope.contentHash, envelope.byteLength);
      await expect(tx)
        .to.emit(stateCommitRegistry, "WriteProposed")
        .withArgs(
          firstIndex,
          3,
          keyHash(3, instanceId),
          envelope.contentHash,
          envelope.byteLength,
          await registry.getAddress(),
          envelope.daCert,
        );
      const receipt = await receiptOf(tx);
      let secrets = await registry.secretsOf(instanceId);
      expect([secrets.envelopeHash, secrets.byteLength, secrets.updatedAt]).to.deep.equal([
        envelope.contentHash,
        BigInt(envelope.byteLength),
        BigInt(receipt.blockNumber),
      ]);
      console.log(`      setSecrets gasUsed: ${receipt.gasUsed}`);

      const rotated = artifactRef("hpke-envelope-2");
      await registry.connect(client).setSecrets(instanceId, rotated.contentHash, rotated.byteLength, rotated.daCert);
      expect((await registry.secretsOf(instanceId)).envelopeHash).to.equal(rotated.contentHash);
      await expect(registry.connect(client).setSecrets(instanceId, ethers.ZeroHash, 0, "0x"))
        .to.emit(stateCommitRegistry, "WriteProposed")
        .withArgs(firstIndex + 2n, 3, keyHash(3, instanceId), ethers.ZeroHash, 0, await registry.getAddress(), "0x");
      secrets = await registry.secretsOf(instanceId);
      expect(secrets.envelopeHash).to.equal(ethers.ZeroHash);
      expect(await stateCommitRegistry.latestWriteIndex(keyHash(3, instanceId))).to.equal(firstIndex + 2n);
    });

    it("reverts with InstanceCallerNotClient when the deployer or anyone else but the client sets secrets", async function () {
      const { registry, deployer, stranger, client, instanceId } = await withInstance();
      for (const caller of [deployer, stranger]) {
        await expect(registry.connect(caller).setSecrets(instanceId, ethers.id("e"), 1, "0x"))
          .to.be.revertedWithCustomError(registry, "InstanceCallerNotClient")
          .withArgs(instanceId, client.address, caller.address);
      }
      expect((await registry.secretsOf(instanceId)).updatedAt).to.equal(0n);
    });

    it("reverts with InstanceNotDeployed for an unknown id and SecretsEnvelopeInvalid for a half-empty envelope", async function () {
      const { registry, client, instanceId } = await withInstance();
      const unknown = ethers.id("unknown");
      await expect(registry.connect(client).setSecrets(unknown, ethers.id("e"), 1, "0x"))
        .to.be.revertedWithCustomError(registry, "InstanceNotDeployed")
        .withArgs(unknown);
      await expect(registry.connect(client).setSecrets(instanceId, ethers.id("e"), 0, "0x"))
        .to.be.revertedWithCustomError(registry, "SecretsEnvelopeInvalid")
        .withArgs(ethers.id("e"), 0);
      await expect(registry.connect(client).setSecrets(instanceId, ethers.ZeroHash, 7, "0x"))
        .to.be.revertedWithCustomError(registry, "SecretsEnvelopeInvalid")
        .withArgs(ethers.ZeroHash, 7);
    });
  });

  describe("setCurrentInstance", function () {
    it("points the client's current instance of the template, reporting the previous one", async function () {
      const { registry, client, templateId, instanceId, chainId } = await withInstance();
      await expect(registry.connect(client).setCurrentInstance(instanceId))
        .to.emit(registry, "CurrentInstanceSet")
        .withArgs(client.address, templateId, instanceId, ethers.ZeroHash);
      expect(await registry.currentPolicyDataInstance(client.address, templateId)).to.equal(instanceId);

      await registry.deployInstance(templateId, client.address, PARAMS, 7n);
      const second = policyDataInstanceId(chainId, client.address, templateId, PARAMS, 7n);
      await expect(registry.connect(client).setCurrentInstance(second))
        .to.emit(registry, "CurrentInstanceSet")
        .withArgs(client.address, templateId, second, instanceId);
      expect(await registry.currentPolicyDataInstance(client.address, templateId)).to.equal(second);
    });

    it("reverts with InstanceCallerNotClient for a non-client and InstanceNotDeployed for an unknown id", async function () {
      const { registry, deployer, client, instanceId, templateId } = await withInstance();
      await expect(registry.connect(deployer).setCurrentInstance(instanceId))
        .to.be.revertedWithCustomError(registry, "InstanceCallerNotClient")
        .withArgs(instanceId, client.address, deployer.address);
      await expect(registry.connect(client).setCurrentInstance(ethers.id("nope")))
        .to.be.revertedWithCustomError(registry, "InstanceNotDeployed")
        .withArgs(ethers.id("nope"));
      expect(await registry.currentPolicyDataInstance(deployer.address, templateId)).to.equal(ethers.ZeroHash);
    });
  });

  describe("templates / instances", function () {
    /**
     * Invariant: a row read at any block ≥ registeredAt is the row; before it, the zero struct. This is what lets
     * the ChallengeVerifier check "deployed at referenceBlock" by comparing registeredAt ≤ referenceBlock.
     */
    it("returns the same rows at every later block and zero structs before registeredAt", async function () {
      const { registry, author, client, wasm, templateId, instanceId, deployBlock } = await withInstance();
      const at = async (blockTag: number) => ({
        template: [...(await registry.templates(templateId, { blockTag }))],
        instance: [...(await registry.instances(instanceId, { blockTag }))],
        params: await registry.instanceParams(instanceId, { blockTag }),
      });
      const written = await at(deployBlock);
      await registry.connect(author).registerTemplate(wasm, EMPTY_REF, EMPTY_REF);
      await registry.connect(client).setCurrentInstance(instanceId);
      await registry.connect(client).setSecrets(instanceId, ethers.id("e"), 1, "0x");
      await registry.deployInstance(templateId, client.address, "0x", 1n);
      await mine(5);
      const latest = await ethers.provider.getBlockNumber();
      for (const block of [deployBlock + 1, deployBlock + 3, latest]) expect(await at(block)).to.deep.equal(written);
      const before = await registry.instances(instanceId, { blockTag: deployBlock - 1 });
      expect(before.registeredAt).to.equal(0n);
      expect(before.client).to.equal(ethers.ZeroAddress);
      expect((await registry.templates(ethers.id("unknown"))).registeredAt).to.equal(0n);
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
          hash,
          address,
          fc.uint8Array({ maxLength: 200 }),
          fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
          async (a, b, c, client, params, expireAfter) => {
            expect(await registry.computeTemplateId(a, b, c)).to.equal(policyDataTemplateId(a, b, c));
            expect(await registry.computeInstanceId(client, a, artifactHash(params), expireAfter)).to.equal(
              policyDataInstanceId(chainId, client, a, params, expireAfter),
            );
          },
        ),
        { numRuns: 30 },
      );
    });
  });

  describe("upgradeToAndCall", function () {
    it("keeps every row, pointer and secret across an upgrade by the owner", async function () {
      const { registry, client, templateId, instanceId, wasm } = await withInstance();
      await registry.connect(client).setCurrentInstance(instanceId);
      await registry.connect(client).setSecrets(instanceId, ethers.id("e"), 1, "0x");
      const before = {
        template: [...(await registry.templates(templateId))],
        instance: [...(await registry.instances(instanceId))],
        secrets: [...(await registry.secretsOf(instanceId))],
      };
      const upgraded = (await upgrades.upgradeProxy(
        await registry.getAddress(),
        await ethers.getContractFactory("PolicyDataRegistryV2Mock"),
        { kind: "uups" },
      )) as unknown as PolicyDataRegistryV2Mock;
      expect(await upgraded.upgradeMarker()).to.equal("v2");
      expect({
        template: [...(await upgraded.templates(templateId))],
        instance: [...(await upgraded.instances(instanceId))],
        secrets: [...(await upgraded.secretsOf(instanceId))],
      }).to.deep.equal(before);
      expect(await upgraded.currentPolicyDataInstance(client.address, templateId)).to.equal(instanceId);
      expect(await upgraded.artifactWritten(6, wasm.contentHash)).to.equal(true);
      expect(await upgraded.templateRegistrationPermissionless()).to.equal(true);
    });
  });

  shouldBehaveLikePolicyRegistryBase(async () => {
    const { registry, owner, stranger, client, author, wasm } = await loadFixture(fixture);
    await registry.connect(author).registerTemplate(wasm, EMPTY_REF, EMPTY_REF);
    const templateId = policyDataTemplateId(wasm.contentHash, EMPTY_ARTIFACT_HASH, EMPTY_ARTIFACT_HASH);
    let counter = 0;
    return {
      registry: await ethers.getContractAt("PolicyRegistryBase", await registry.getAddress()),
      events: registry,
      owner,
      stranger,
      registerFresh: (signer) =>
        (registry as PolicyDataRegistry)
          .connect(signer)
          .registerTemplate(artifactRef(`wasm-${++counter}`), EMPTY_REF, EMPTY_REF),
      deployFresh: (signer) =>
        registry.connect(signer).deployInstance(templateId, client.address, ethers.toBeHex(++counter), EXPIRE_AFTER),
    };
  });
});

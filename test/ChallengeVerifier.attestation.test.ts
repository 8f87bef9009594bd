import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { loadFixture, mine } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import fc from "fast-check";
import { TypedDataEncoder } from "ethers";
import { ethers } from "hardhat";

import {
  ATTESTATION_DOMAIN_NAME,
  ATTESTATION_DOMAIN_VERSION,
  type AttestationDomain,
  type PolicyAttestation,
  attestationDomainSeparator,
  policyAttestationDigest,
  policyDataInstanceId,
  policyInstanceId as policyInstanceIdOf,
} from "../keeper/chain";
import type { Hex } from "../keeper/common";
import { SLASH_BIPS, deployNewtonStack } from "./helpers/challenge";
import { makeOperators, registerOperator, signQuorum } from "./helpers/operators";
import { EMPTY_REF, artifactRef, policyDataBindings } from "./helpers/policy";

const WEIGHTS = [30n, 30n, 30n, 10n];
const reason = (code: string) => ethers.encodeBytes32String(code);

async function fixture() {
  const [owner, alice, challenger] = await ethers.getSigners();
  const stack = await deployNewtonStack(owner, WEIGHTS, 60);
  const { policyRegistry: pr, policyDataRegistry: pdr } = stack;
  const { chainId } = await ethers.provider.getNetwork();

  // Three data templates (one with an empty params schema) and their ids, sorted as the policy template needs.
  const dataArtifacts = [
    [artifactRef("wasm-1"), artifactRef('{"type":"object"}'), EMPTY_REF],
    [artifactRef("wasm-2"), artifactRef('{"type":"object","title":"p2"}'), artifactRef('{"title":"s2"}')],
    [artifactRef("wasm-3"), EMPTY_REF, EMPTY_REF],
  ] as const;
  const dataTemplateIds: Hex[] = [];
  for (const [wasm, params, secrets] of dataArtifacts) {
    await pdr.registerTemplate(wasm, params, secrets);
    dataTemplateIds.push(
      (await pdr.computeTemplateId(wasm.contentHash, params.contentHash, secrets.contentHash)) as Hex,
    );
  }
  const sortedDataTemplates = [...dataTemplateIds].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  const rego = artifactRef("package spend\nallow if input.amount < data.params.limit");
  const regoSchema = artifactRef('{"type":"object","required":["limit"]}');
  await pr.registerTemplate(rego, regoSchema, sortedDataTemplates);
  const templateId = (await pr.computeTemplateId(rego.contentHash, regoSchema.contentHash, sortedDataTemplates)) as Hex;
  const bareRego = artifactRef("package bare\nallow := true");
  await pr.registerTemplate(bareRego, EMPTY_REF, []);
  const bareTemplateId = (await pr.computeTemplateId(bareRego.contentHash, EMPTY_REF.contentHash, [])) as Hex;

  // Data instances for alice, in the policy template's data-template order, with different expiries.
  const expiries = [100n, 50n, 200n];
  const dataInstanceIds: Hex[] = [];
  for (const [i, dt] of sortedDataTemplates.entries()) {
    const params = ethers.toUtf8Bytes(`{"i":${i}}`);
    await pdr.deployInstance(dt, alice.address, params, expiries[i]);
    dataInstanceIds.push(policyDataInstanceId(chainId, alice.address, dt, params, expiries[i]));
  }
  const spareParams = ethers.toUtf8Bytes('{"spare":true}');
  await pdr.deployInstance(sortedDataTemplates[0], alice.address, spareParams, 100n);
  const spareDataInstanceId = policyDataInstanceId(chainId, alice.address, sortedDataTemplates[0], spareParams, 100n);
  const params = ethers.toUtf8Bytes('{"limit":1000}');
  await pr.deployInstance(templateId, alice.address, params, 80n, dataInstanceIds);
  const policyInstanceId = policyInstanceIdOf(chainId, alice.address, templateId, params, 80n, dataInstanceIds);
  await mine(2);
  const referenceBlock = BigInt(await ethers.provider.getBlockNumber()) - 1n;
  const domain: AttestationDomain = { chainId, verifyingContract: await stack.challengeVerifier.getAddress() };
  return {
    ...stack,
    domain,
    alice,
    challenger,
    templateId,
    bareTemplateId,
    policyInstanceId,
    dataInstanceIds,
    spareDataInstanceId,
    referenceBlock,
    rego,
    regoSchema,
  };
}

type Ctx = Awaited<ReturnType<typeof fixture>>;

/** The attestation an honest quorum would sign for the fixture's policy instance at the fixture's reference block. */
async function honestAttestation(ctx: Ctx): Promise<PolicyAttestation> {
  const { chainId } = await ethers.provider.getNetwork();
  const instance = await ctx.policyRegistry.instances(ctx.policyInstanceId);
  const policyData = await policyDataBindings(ctx.policyDataRegistry, ctx.dataInstanceIds);
  return {
    chainId,
    taskId: ethers.id("task-1") as Hex,
    policyInstanceId: ctx.policyInstanceId,
    policyTemplateId: ctx.templateId,
    regoHash: ctx.rego.contentHash,
    paramsSchemaHash: ctx.regoSchema.contentHash,
    paramsHash: instance.paramsHash as Hex,
    referenceBlock: ctx.referenceBlock,
    expirationBlock: ctx.referenceBlock + 50n, // min(80, 100, 50, 200)
    policyData,
    resultHash: ethers.id("allow") as Hex,
    operatorSetId: await ctx.operatorRegistry.operatorSetId(),
  };
}

/** The ABI argument form of an attestation (a mutable copy of the bindings). */
function abi(a: PolicyAttestation) {
  return { ...a, policyData: [...a.policyData] };
}

async function signed(ctx: Ctx, a: PolicyAttestation, nonSigners: string[] = []) {
  return signQuorum(ctx.operatorRegistry, ctx.operators, policyAttestationDigest(a, ctx.domain), nonSigners);
}

describe("ChallengeVerifier", function () {
  describe("attestationDigest", function () {
    it("equals the TypeScript digest builder for random attestations with 0–3 bindings", async function () {
      const ctx = await loadFixture(fixture);
      const { challengeVerifier } = ctx;
      const h = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => ethers.hexlify(b) as Hex);
      const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
      const binding = fc.record({
        policyDataInstanceId: h,
        policyDataTemplateId: h,
        wasmHash: h,
        paramsSchemaHash: h,
        secretsSchemaHash: h,
        paramsHash: h,
      });
      const attestation = fc.record({
        chainId: fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }),
        taskId: h,
        policyInstanceId: h,
        policyTemplateId: h,
        regoHash: h,
        paramsSchemaHash: h,
        paramsHash: h,
        referenceBlock: u64,
        expirationBlock: u64,
        policyData: fc.array(binding, { maxLength: 3 }),
        resultHash: h,
        operatorSetId: u64,
      });
      await fc.assert(
        fc.asyncProperty(attestation, async (a) => {
          expect(await challengeVerifier.attestationDigest(abi(a))).to.equal(policyAttestationDigest(a, ctx.domain));
        }),
        { numRuns: 30 },
      );
    });

    it("is the EIP-712 typed-data hash over the verifier's domain (ethers' independent encoder agrees)", async function () {
      const ctx = await loadFixture(fixture);
      expect(await ctx.challengeVerifier.domainSeparator()).to.equal(attestationDomainSeparator(ctx.domain));
      expect(await ctx.challengeVerifier.EIP712_NAME()).to.equal(ATTESTATION_DOMAIN_NAME);
      expect(await ctx.challengeVerifier.EIP712_VERSION()).to.equal(ATTESTATION_DOMAIN_VERSION);
      const types = {
        PolicyAttestation: [
          { name: "chainId", type: "uint256" },
          { name: "taskId", type: "bytes32" },
          { name: "policyInstanceId", type: "bytes32" },
          { name: "policyTemplateId", type: "bytes32" },
          { name: "regoHash", type: "bytes32" },
          { name: "paramsSchemaHash", type: "bytes32" },
          { name: "paramsHash", type: "bytes32" },
          { name: "referenceBlock", type: "uint64" },
          { name: "expirationBlock", type: "uint64" },
          { name: "policyData", type: "PolicyDataBinding[]" },
          { name: "resultHash", type: "bytes32" },
          { name: "operatorSetId", type: "uint64" },
        ],
        PolicyDataBinding: [
          { name: "policyDataInstanceId", type: "bytes32" },
          { name: "policyDataTemplateId", type: "bytes32" },
          { name: "wasmHash", type: "bytes32" },
          { name: "paramsSchemaHash", type: "bytes32" },
          { name: "secretsSchemaHash", type: "bytes32" },
          { name: "paramsHash", type: "bytes32" },
        ],
      };
      const a = await honestAttestation(ctx);
      const ethersDomain = { name: ATTESTATION_DOMAIN_NAME, version: ATTESTATION_DOMAIN_VERSION, ...ctx.domain };
      const expected = TypedDataEncoder.hash(ethersDomain, types, abi(a));
      expect(policyAttestationDigest(a, ctx.domain)).to.equal(expected);
      expect(await ctx.challengeVerifier.attestationDigest(abi(a))).to.equal(expected);
      // Another verifier address or chain id is another digest.
      const elsewhere = { ...ctx.domain, verifyingContract: ctx.alice.address };
      expect(policyAttestationDigest(a, elsewhere)).to.not.equal(expected);
      expect(policyAttestationDigest(a, { ...ctx.domain, chainId: ctx.domain.chainId + 1n })).to.not.equal(expected);
    });
  });

  describe("challengeAttestation", function () {
    it("reverts with AttestationMatches for an honest attestation", async function () {
      const ctx = await loadFixture(fixture);
      const a = await honestAttestation(ctx);
      await expect(ctx.challengeVerifier.challengeAttestation(abi(a), await signed(ctx, a)))
        .to.be.revertedWithCustomError(ctx.challengeVerifier, "AttestationMatches")
        .withArgs(policyAttestationDigest(a, ctx.domain));
    });

    const mismatches: [string, string, (a: PolicyAttestation, ctx: Ctx) => PolicyAttestation][] = [
      ["policy template", "WRONG_TEMPLATE", (a, ctx) => ({ ...a, policyTemplateId: ctx.bareTemplateId })],
      ["params hash", "WRONG_PARAMS", (a) => ({ ...a, paramsHash: ethers.id("{}") as Hex })],
      ["Rego hash", "WRONG_ARTIFACT_HASH", (a) => ({ ...a, regoHash: ethers.id("evil rego") as Hex })],
      [
        "data instance",
        "WRONG_DATA_INSTANCE",
        (a, ctx) => ({
          ...a,
          policyData: [{ ...a.policyData[0], policyDataInstanceId: ctx.spareDataInstanceId }, ...a.policyData.slice(1)],
        }),
      ],
      ["number of data instances", "WRONG_DATA_INSTANCE", (a) => ({ ...a, policyData: a.policyData.slice(1) })],
      [
        "data template (kind)",
        "KIND_MISMATCH",
        (a) => ({
          ...a,
          policyData: [
            { ...a.policyData[0], policyDataTemplateId: a.policyData[1].policyDataTemplateId },
            ...a.policyData.slice(1),
          ],
        }),
      ],
      [
        "WASM hash",
        "WRONG_ARTIFACT_HASH",
        (a) => ({
          ...a,
          policyData: [
            a.policyData[0],
            { ...a.policyData[1], wasmHash: ethers.id("evil wasm") as Hex },
            a.policyData[2],
          ],
        }),
      ],
      [
        "secrets schema hash",
        "WRONG_ARTIFACT_HASH",
        (a) => ({
          ...a,
          policyData: [
            a.policyData[0],
            { ...a.policyData[1], secretsSchemaHash: ethers.ZeroHash as Hex },
            a.policyData[2],
          ],
        }),
      ],
      [
        "data instance params",
        "WRONG_PARAMS",
        (a) => ({
          ...a,
          policyData: [a.policyData[0], a.policyData[1], { ...a.policyData[2], paramsHash: ethers.id("x") as Hex }],
        }),
      ],
      [
        "expiration (ignoring a data instance's shorter expiry)",
        "WRONG_EXPIRATION",
        (a) => ({ ...a, expirationBlock: a.referenceBlock + 80n }),
      ],
    ];
    for (const [what, code, mutate] of mismatches) {
      it(`slashes the signers 10 % with ${code} for a wrong ${what}`, async function () {
        const ctx = await loadFixture(fixture);
        const a = mutate(await honestAttestation(ctx), ctx);
        const proof = await signed(ctx, a, [ctx.operators[3].address]);
        const setId = await ctx.operatorRegistry.operatorSetId();
        const tx = ctx.challengeVerifier.connect(ctx.challenger).challengeAttestation(abi(a), proof);
        await expect(tx)
          .to.emit(ctx.challengeVerifier, "AttestationChallenged")
          .withArgs(
            policyAttestationDigest(a, ctx.domain),
            reason(code),
            ctx.challenger.address,
            ctx.operators.slice(0, 3).map((o) => o.address),
          );
        for (const op of ctx.operators.slice(0, 3)) {
          await expect(tx)
            .to.emit(ctx.operatorRegistry, "OperatorSlashed")
            .withArgs(op.address, SLASH_BIPS, reason(code), 30n, 27n, setId + 1n);
        }
        expect(await ctx.challengeVerifier.isAttestationSlashed(policyAttestationDigest(a, ctx.domain))).to.equal(true);
        expect((await ctx.operatorRegistry.operatorInfo(ctx.operators[3].address)).active).to.equal(true);
      });
    }

    it("slashes with INSTANCE_NOT_DEPLOYED when the reference block precedes the instance", async function () {
      const ctx = await loadFixture(fixture);
      const deployedAt = (await ctx.policyRegistry.instances(ctx.policyInstanceId)).registeredAt;
      const honest = await honestAttestation(ctx);
      const a = { ...honest, referenceBlock: deployedAt - 1n, expirationBlock: deployedAt - 1n + 50n };
      await expect(ctx.challengeVerifier.challengeAttestation(abi(a), await signed(ctx, a)))
        .to.emit(ctx.challengeVerifier, "AttestationChallenged")
        .withArgs(policyAttestationDigest(a, ctx.domain), reason("INSTANCE_NOT_DEPLOYED"), anyValue, anyValue);
    });

    it("rejects without slashing: wrong chain id, closed window (expiration + window), reference block not past; slashes a digest once", async function () {
      const ctx = await loadFixture(fixture);
      const honest = await honestAttestation(ctx);
      const wrongChain = { ...honest, chainId: honest.chainId + 1n, paramsHash: ethers.id("{}") as Hex };
      await expect(ctx.challengeVerifier.challengeAttestation(abi(wrongChain), await signed(ctx, wrongChain)))
        .to.be.revertedWithCustomError(ctx.challengeVerifier, "AttestationWrongChain")
        .withArgs(honest.chainId, honest.chainId + 1n);
      const future = { ...honest, referenceBlock: BigInt(await ethers.provider.getBlockNumber()) + 5n };
      await expect(
        ctx.challengeVerifier.challengeAttestation(abi(future), await signed(ctx, future)),
      ).to.be.revertedWithCustomError(ctx.challengeVerifier, "AttestationReferenceBlockNotPast");
      const wrong = { ...honest, paramsHash: ethers.id("{}") as Hex };
      const proof = await signed(ctx, wrong, [ctx.operators[3].address]);
      const snapshot = await ethers.provider.send("evm_snapshot", []);
      // The window closes challengeWindowBlocks (100) after the expiration block (reference + 50).
      await mine(wrong.expirationBlock + 100n - BigInt(await ethers.provider.getBlockNumber()));
      await expect(ctx.challengeVerifier.challengeAttestation(abi(wrong), proof)).to.be.revertedWithCustomError(
        ctx.challengeVerifier,
        "AttestationWindowClosed",
      );
      await ethers.provider.send("evm_revert", [snapshot]);
      await ctx.challengeVerifier.challengeAttestation(abi(wrong), proof);
      await expect(ctx.challengeVerifier.challengeAttestation(abi(wrong), proof))
        .to.be.revertedWithCustomError(ctx.challengeVerifier, "AttestationAlreadySlashed")
        .withArgs(policyAttestationDigest(wrong, ctx.domain));
    });

    it("requires a valid quorum signature: below the threshold or over another digest fails", async function () {
      const ctx = await loadFixture(fixture);
      const wrong = { ...(await honestAttestation(ctx)), paramsHash: ethers.id("{}") as Hex };
      const weak = await signed(
        ctx,
        wrong,
        ctx.operators.slice(0, 2).map((o) => o.address),
      );
      await expect(ctx.challengeVerifier.challengeAttestation(abi(wrong), weak)).to.be.revertedWithCustomError(
        ctx.operatorRegistry,
        "QuorumNotReached",
      );
      const otherDigest = await signed(ctx, { ...wrong, taskId: ethers.id("task-2") as Hex });
      await expect(ctx.challengeVerifier.challengeAttestation(abi(wrong), otherDigest)).to.be.revertedWithCustomError(
        ctx.operatorRegistry,
        "QuorumInvalidSignature",
      );
    });

    it("checks a signature made by an older operator set against that set", async function () {
      const ctx = await loadFixture(fixture);
      const wrong = { ...(await honestAttestation(ctx)), paramsHash: ethers.id("{}") as Hex };
      const proof = await signed(ctx, wrong, [ctx.operators[3].address]);
      await registerOperator(ctx.operatorRegistry, makeOperators(1, 999)[0], 500n);
      await expect(ctx.challengeVerifier.challengeAttestation(abi(wrong), proof)).to.emit(
        ctx.challengeVerifier,
        "AttestationChallenged",
      );
      for (const op of ctx.operators.slice(0, 3))
        expect((await ctx.operatorRegistry.operatorInfo(op.address)).weight).to.equal(27n);
    });
  });
});

/**
 * The five ways an honest quorum could be slashed, or a wrong commit escape its challenge, each as an attack that
 * must now be rejected: cross-deployment replay of an attestation, a maximal `expireAfter`, a back-dated reference
 * block, slashing 256 signers in one transaction under the EIP-7825 cap, and a rollback buried under later commits.
 */
import { mine } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";

import {
  MAX_EXPIRE_AFTER,
  type PolicyAttestation,
  keyHash,
  policyInstanceId as policyInstanceIdOf,
} from "../keeper/chain";
import { buildCommitChallenge } from "../keeper/challenger";
import type { Hex } from "../keeper/common";
import { JellyfishMerkleTree, MemoryTreeStore, createKeccakHasher } from "../keeper/jmt";
import type { ChallengeVerifier } from "../typechain-types";
import { deployNewtonStack } from "./helpers/challenge";
import { deployStateCommitRegistry, nextCommit } from "./helpers/commits";
import { deployOperatorRegistry, makeOperators, registerOperator, signQuorum } from "./helpers/operators";
import { EMPTY_REF, artifactRef } from "./helpers/policy";

/** EIP-7825: the most gas one transaction may use. */
const TX_GAS_CAP = 16_777_216n;
const WEIGHTS = [30n, 30n, 30n, 10n];

type Stack = Awaited<ReturnType<typeof deployNewtonStack>>;

/** A bare policy template and one instance of it for `client` with `expireAfter`; returns the instance id. */
async function deployPolicy(stack: Stack, client: string, expireAfter: bigint, tag = "bare"): Promise<Hex> {
  const { chainId } = await ethers.provider.getNetwork();
  const rego = artifactRef(`package ${tag}\nallow := true`);
  const templateId = (await stack.policyRegistry.computeTemplateId(rego.contentHash, EMPTY_REF.contentHash, [])) as Hex;
  if ((await stack.policyRegistry.templates(templateId)).registeredAt === 0n) {
    await stack.policyRegistry.registerTemplate(rego, EMPTY_REF, []);
  }
  const params = ethers.toUtf8Bytes("{}");
  await stack.policyRegistry.deployInstance(templateId, client, params, expireAfter, []);
  return policyInstanceIdOf(chainId, client, templateId, params, expireAfter, []);
}

/** The attestation an honest quorum signs for `instanceId` at `referenceBlock`. */
async function honestAttestation(stack: Stack, instanceId: Hex, referenceBlock: bigint): Promise<PolicyAttestation> {
  const { chainId } = await ethers.provider.getNetwork();
  const instance = await stack.policyRegistry.instances(instanceId);
  const template = await stack.policyRegistry.templates(instance.templateId);
  return {
    chainId,
    taskId: ethers.id("task") as Hex,
    policyInstanceId: instanceId,
    policyTemplateId: instance.templateId as Hex,
    regoHash: template.regoHash as Hex,
    paramsSchemaHash: template.paramsSchemaHash as Hex,
    paramsHash: instance.paramsHash as Hex,
    referenceBlock,
    expirationBlock: referenceBlock + instance.expireAfter,
    policyData: [],
    resultHash: ethers.id("allow") as Hex,
    operatorSetId: await stack.operatorRegistry.operatorSetId(),
  };
}

const abi = (a: PolicyAttestation) => ({ ...a, policyData: [...a.policyData] });

/** Signs the digest `verifier` itself computes, so the test holds whatever the digest's encoding. */
async function signedBy(stack: Stack, verifier: ChallengeVerifier, a: PolicyAttestation, nonSigners: string[] = []) {
  const digest = await verifier.attestationDigest(abi(a));
  return signQuorum(stack.operatorRegistry, stack.operators, digest, nonSigners);
}

describe("Slashing attacks", function () {
  it("1. an honest attestation replayed to a second deployment with the same keys is rejected without a slash", async function () {
    const [owner, alice] = await ethers.getSigners();
    const here = await deployNewtonStack(owner, WEIGHTS, 77);
    const there = await deployNewtonStack(owner, WEIGHTS, 77); // same operator keys, same operatorSetId
    expect(await there.operatorRegistry.operatorSetId()).to.equal(await here.operatorRegistry.operatorSetId());
    const instanceId = await deployPolicy(here, alice.address, 50n);
    await mine(2);
    const a = await honestAttestation(here, instanceId, BigInt(await ethers.provider.getBlockNumber()) - 1n);
    const proof = await signedBy(here, here.challengeVerifier, a);
    await expect(here.challengeVerifier.challengeAttestation(abi(a), proof)).to.be.revertedWithCustomError(
      here.challengeVerifier,
      "AttestationMatches",
    );
    // The instance does not exist there, so a digest without the verifier's address would slash everybody.
    await expect(there.challengeVerifier.challengeAttestation(abi(a), proof)).to.be.revertedWithCustomError(
      there.operatorRegistry,
      "QuorumInvalidSignature",
    );
    expect(await there.operatorRegistry.totalWeight()).to.equal(100n);
    for (const op of there.operators)
      expect((await there.operatorRegistry.operatorInfo(op.address)).active).to.equal(true);
  });

  it("2. expireAfter is capped at deployment; an attestation at the maximal expireAfter re-derives and is not slashable", async function () {
    const [owner, alice] = await ethers.getSigners();
    const stack = await deployNewtonStack(owner, WEIGHTS);
    const max = await stack.policyRegistry.MAX_EXPIRE_AFTER();
    expect(max).to.equal(MAX_EXPIRE_AFTER); // the CLI's pre-flight bound
    expect(await stack.policyDataRegistry.MAX_EXPIRE_AFTER()).to.equal(max);
    const rego = artifactRef("package capped\nallow := true");
    await stack.policyRegistry.registerTemplate(rego, EMPTY_REF, []);
    const templateId = await stack.policyRegistry.computeTemplateId(rego.contentHash, EMPTY_REF.contentHash, []);
    for (const tooLong of [max + 1n, 2n ** 64n - 1n]) {
      await expect(stack.policyRegistry.deployInstance(templateId, alice.address, "0x7b7d", tooLong, []))
        .to.be.revertedWithCustomError(stack.policyRegistry, "ExpireAfterTooLarge")
        .withArgs(tooLong, max);
    }
    const wasm = artifactRef("wasm-capped");
    await stack.policyDataRegistry.registerTemplate(wasm, EMPTY_REF, EMPTY_REF);
    const dataTemplateId = await stack.policyDataRegistry.computeTemplateId(
      wasm.contentHash,
      EMPTY_REF.contentHash,
      EMPTY_REF.contentHash,
    );
    await expect(stack.policyDataRegistry.deployInstance(dataTemplateId, alice.address, "0x7b7d", 2n ** 64n - 1n))
      .to.be.revertedWithCustomError(stack.policyDataRegistry, "ExpireAfterTooLarge")
      .withArgs(2n ** 64n - 1n, max);

    const instanceId = await deployPolicy(stack, alice.address, max, "capped");
    await mine(2);
    const a = await honestAttestation(stack, instanceId, BigInt(await ethers.provider.getBlockNumber()) - 1n);
    expect(a.expirationBlock < 2n ** 64n).to.equal(true);
    await expect(
      stack.challengeVerifier.challengeAttestation(abi(a), await signedBy(stack, stack.challengeVerifier, a)),
    ).to.be.revertedWithCustomError(stack.challengeVerifier, "AttestationMatches");
  });

  it("3. a wrong attestation with a back-dated reference block stays challengeable until it expires", async function () {
    const [owner, alice] = await ethers.getSigners();
    const stack = await deployNewtonStack(owner, WEIGHTS);
    const window = await stack.stateCommitRegistry.challengeWindowBlocks();
    const instanceId = await deployPolicy(stack, alice.address, 3n * window);
    const deployedAt = (await stack.policyRegistry.instances(instanceId)).registeredAt;
    await mine(window + 10n);
    // Signed now, but claiming to have read the registries right after deployment: valid for 3 windows from then.
    const wrong = { ...(await honestAttestation(stack, instanceId, deployedAt)), paramsHash: ethers.id("x") as Hex };
    const proof = await signedBy(stack, stack.challengeVerifier, wrong, [stack.operators[3].address]);
    const deadline = wrong.expirationBlock + window;
    expect(BigInt(await ethers.provider.getBlockNumber()) > wrong.referenceBlock + window).to.equal(true);
    const snapshot = await ethers.provider.send("evm_snapshot", []);
    await mine(deadline - BigInt(await ethers.provider.getBlockNumber()) - 1n); // the next block is the deadline
    await expect(stack.challengeVerifier.challengeAttestation(abi(wrong), proof)).to.emit(
      stack.challengeVerifier,
      "AttestationChallenged",
    );
    await ethers.provider.send("evm_revert", [snapshot]);
    await mine(deadline - BigInt(await ethers.provider.getBlockNumber()));
    await expect(stack.challengeVerifier.challengeAttestation(abi(wrong), proof))
      .to.be.revertedWithCustomError(stack.challengeVerifier, "AttestationWindowClosed")
      .withArgs(deadline, deadline + 1n);
  });

  it("4. a wrong commit signed by 256 operators is challenged and all 256 slashed in one transaction under the cap", async function () {
    const [owner, alice] = await ethers.getSigners();
    const stack = await deployNewtonStack(owner, []);
    const operators = makeOperators(256, 4242);
    for (const op of operators) await registerOperator(stack.operatorRegistry, op, 1n);
    const tree = new JellyfishMerkleTree({ store: new MemoryTreeStore(), hasher: await createKeccakHasher() });
    const forged = keyHash(1, ethers.id("never written") as Hex);
    tree.putValueSet(0, [[ethers.getBytes(forged), ethers.toUtf8Bytes("forged")]]);
    await stack.stateCommitRegistry.connect(alice).proposeWrite(1, ethers.id("k"), ethers.id("v"), 1, "0x01aa");
    await mine(1);
    const { commit, proof, daCert } = await nextCommit(stack.stateCommitRegistry, stack.operatorRegistry, operators, {
      stateRoot: ethers.hexlify(tree.rootAt(0)) as Hex,
    });
    await stack.stateCommitRegistry.commitStateRoot(commit, daCert, proof);
    const args = buildCommitChallenge({
      sequenceNo: 1n,
      writeIndexEnd: commit.writeIndexEnd,
      keyHash: forged,
      writeLog: [],
      claimedTree: tree,
      claimedVersion: 0,
    })!;
    const call = [args.sequenceNo, args.write, args.successor, args.proof] as const;
    const estimate = await stack.challengeVerifier.challengeCommit.estimateGas(...call);
    expect(estimate < TX_GAS_CAP).to.equal(true, `estimated ${estimate} gas`);
    const receipt = await (await stack.challengeVerifier.challengeCommit(...call, { gasLimit: TX_GAS_CAP })).wait();
    expect(receipt!.gasUsed < TX_GAS_CAP).to.equal(true);
    expect(await stack.operatorRegistry.activeBitmap()).to.equal(0n);
    expect(await stack.operatorRegistry.totalWeight()).to.equal(0n);
    expect((await stack.stateCommitRegistry.latest())[0]).to.equal(0n);
    for (const op of [operators[0], operators[255]]) {
      expect((await stack.operatorRegistry.operatorInfo(op.address)).active).to.equal(false);
    }
  });

  it("5. rolling back a wrong commit costs the same whether 0 or 100 correct commits follow it", async function () {
    const [owner, verifier] = await ethers.getSigners();
    const registry = await deployOperatorRegistry(owner);
    const operators = makeOperators(4, 9);
    for (const op of operators) await registerOperator(registry, op, 1n);
    const scr = await deployStateCommitRegistry(owner, await registry.getAddress());
    await scr.setChallengeVerifier(verifier.address);
    await scr.setChallengeWindowBlocks(1000); // commit 1 stays challengeable under 100 later ones
    const gasWith = async (later: number) => {
      const snapshot = await ethers.provider.send("evm_snapshot", []);
      await mine(1);
      for (let i = 0; i <= later; i++) {
        const { commit, proof, daCert } = await nextCommit(
          scr,
          registry,
          operators,
          {},
          { nonSigners: i % 2 ? [operators[0].address] : [] },
        );
        await scr.commitStateRoot(commit, daCert, proof);
      }
      const receipt = await (await scr.connect(verifier).rollback(1)).wait();
      expect((await scr.latest())[0]).to.equal(0n);
      await ethers.provider.send("evm_revert", [snapshot]);
      return receipt!.gasUsed;
    };
    const none = await gasWith(0);
    const hundred = await gasWith(100);
    expect(hundred * 10n <= none * 11n).to.equal(
      true,
      `rollback: ${none} gas with 0 later commits, ${hundred} with 100`,
    );
  });
});

/**
 * ChallengeVerifier gas: verifyInclusion at 1 000 and 1 000 000 leaves (peer: OpenZeppelin MerkleProof on a binary
 * tree of the same size), challengeCommit against a 1 000 000-leaf tree, and challengeAttestation with 0, 1 and 3
 * policy-data bindings (a wrong expiration, so every field is re-derived before the mismatch is found).
 * `BENCH_JMT_LEAVES` scales the large tree (default 1 000 000; building it takes ~1 minute).
 */
import { randomBytes } from "node:crypto";

import { ethers } from "hardhat";

import {
  type PolicyAttestation,
  keyHash,
  policyAttestationDigest,
  policyDataInstanceId,
  policyInstanceId,
  userLeafId,
} from "../../keeper/chain";
import { buildCommitChallenge, toAbiProof } from "../../keeper/challenger";
import type { Hex } from "../../keeper/common";
import { JellyfishMerkleTree, MemoryTreeStore, createKeccakHasher } from "../../keeper/jmt";
import { deployNewtonStack } from "../../test/helpers/challenge";
import { nextCommit } from "../../test/helpers/commits";
import { signQuorum } from "../../test/helpers/operators";
import { EMPTY_REF, artifactRef, policyDataBindings } from "../../test/helpers/policy";
import { type Row, executionGas, ratio, table } from "./report";

type Stack = Awaited<ReturnType<typeof deployNewtonStack>>;

const LARGE = Number(process.env.BENCH_JMT_LEAVES ?? 1_000_000);

async function randomTree(leaves: number) {
  const tree = new JellyfishMerkleTree({ store: new MemoryTreeStore(), hasher: await createKeccakHasher() });
  const keys: Uint8Array[] = [];
  let version = 0;
  for (let done = 0; done < leaves;) {
    const n = Math.min(100_000, leaves - done);
    const batch = Array.from({ length: n }, () => [randomBytes(32), randomBytes(32)] as const);
    for (let i = 0; i < n; i += Math.max(1, Math.floor(n / 10))) keys.push(batch[i][0]);
    tree.putValueSet(version++, batch);
    done += n;
  }
  return { tree, keys, version: version - 1 };
}

/** Levels of a sorted-pair keccak256 binary Merkle tree (OpenZeppelin convention); an odd node is promoted. */
function binaryTree(leaves: string[]): string[][] {
  const levels = [leaves];
  while (levels.at(-1)!.length > 1) {
    const prev = levels.at(-1)!;
    const next: string[] = [];
    for (let i = 0; i < prev.length; i += 2) {
      if (i + 1 === prev.length) next.push(prev[i]);
      else
        next.push(
          ethers.keccak256(
            ethers.concat(BigInt(prev[i]) < BigInt(prev[i + 1]) ? [prev[i], prev[i + 1]] : [prev[i + 1], prev[i]]),
          ),
        );
    }
    levels.push(next);
  }
  return levels;
}

function binaryProof(levels: string[][], index: number): string[] {
  const proof: string[] = [];
  for (const level of levels.slice(0, -1)) {
    const sibling = index ^ 1;
    if (sibling < level.length) proof.push(level[sibling]);
    index >>= 1;
  }
  return proof;
}

async function commitRoot(stack: Stack, root: Uint8Array): Promise<bigint> {
  const { commit, proof, daCert } = await nextCommit(
    stack.stateCommitRegistry,
    stack.operatorRegistry,
    stack.operators,
    { stateRoot: ethers.hexlify(root) as Hex },
  );
  await (await stack.stateCommitRegistry.commitStateRoot(commit, daCert, proof)).wait();
  return commit.sequenceNo;
}

async function inclusionRow(stack: Stack, leaves: number, built: Awaited<ReturnType<typeof randomTree>>): Promise<Row> {
  const sequenceNo = await commitRoot(stack, built.tree.rootAt(built.version));
  const verifier = await stack.challengeVerifier.getAddress();
  let ours = 0n;
  let siblings = 0;
  const samples = built.keys.slice(0, 10);
  for (const key of samples) {
    const { value, proof } = built.tree.getWithProof(key, built.version);
    const data = stack.challengeVerifier.interface.encodeFunctionData("verifyInclusion", [
      sequenceNo,
      ethers.hexlify(key),
      ethers.keccak256(value!),
      toAbiProof(proof),
    ]);
    ours += await executionGas(verifier, data);
    siblings += proof.siblings.length;
  }
  const peer = await ethers.deployContract("MerkleProofPeer");
  const hashed = Array.from({ length: leaves }, (_, i) => ethers.keccak256(ethers.toBeHex(i, 32)));
  const levels = binaryTree(hashed);
  const index = Math.floor(leaves / 3);
  const peerData = peer.interface.encodeFunctionData("verify", [
    binaryProof(levels, index),
    levels.at(-1)![0],
    hashed[index],
  ]);
  const peerGas = await executionGas(await peer.getAddress(), peerData);
  const avg = ours / BigInt(samples.length);
  return [leaves.toLocaleString("en-US"), (siblings / samples.length).toFixed(1), avg, peerGas, ratio(avg, peerGas)];
}

async function challengeCommitRow(stack: Stack, built: Awaited<ReturnType<typeof randomTree>>): Promise<Row> {
  const [, alice] = await ethers.getSigners();
  const writeIndex = await stack.stateCommitRegistry.writeCount();
  await (
    await stack.stateCommitRegistry
      .connect(alice)
      .proposeWrite(1, ethers.id("k"), ethers.keccak256("0x01"), 1, "0x01aa")
  ).wait();
  const key = keyHash(1, userLeafId(alice.address, ethers.id("k")));
  built.tree.putValueSet(built.version + 1, [[ethers.getBytes(key), ethers.toUtf8Bytes("forged")]]);
  const sequenceNo = await commitRoot(stack, built.tree.rootAt(built.version + 1));
  const log = [
    {
      writeIndex,
      namespace: 1,
      keyHash: key,
      valueHash: ethers.keccak256("0x01") as Hex,
      byteLength: 1,
      prevWriteIndex: 2n ** 64n - 1n,
    },
  ];
  const args = buildCommitChallenge({
    sequenceNo,
    writeIndexEnd: writeIndex + 1n,
    keyHash: key,
    writeLog: log,
    claimedTree: built.tree,
    claimedVersion: built.version + 1,
  })!;
  const receipt = await (
    await stack.challengeVerifier.challengeCommit(args.sequenceNo, args.write, args.successor, args.proof)
  ).wait();
  return [
    `challengeCommit (${LARGE.toLocaleString("en-US")}-leaf tree, ${args.proof.siblings.length} siblings, 4 signers slashed)`,
    receipt!.gasUsed,
  ];
}

/** Registers 3 data templates and policy templates with 0, 1 and 3 of them, and deploys an instance of each. */
async function policySetup(stack: Stack) {
  const [, client] = await ethers.getSigners();
  const { chainId } = await ethers.provider.getNetwork();
  const dataTemplates: Hex[] = [];
  for (let i = 0; i < 3; i++) {
    const refs = [
      artifactRef(`wasm-${i}`),
      artifactRef(`{"title":"p${i}"}`),
      i === 0 ? EMPTY_REF : artifactRef(`{"title":"s${i}"}`),
    ] as const;
    await (await stack.policyDataRegistry.registerTemplate(...refs)).wait();
    dataTemplates.push(
      (await stack.policyDataRegistry.computeTemplateId(
        refs[0].contentHash,
        refs[1].contentHash,
        refs[2].contentHash,
      )) as Hex,
    );
  }
  dataTemplates.sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  const dataInstances: Hex[] = [];
  for (const t of dataTemplates) {
    await (await stack.policyDataRegistry.deployInstance(t, client.address, "0x7b7d", 100n)).wait();
    dataInstances.push(policyDataInstanceId(chainId, client.address, t, "0x7b7d", 100n));
  }
  const policies = [];
  for (const count of [0, 1, 3]) {
    const rego = artifactRef(`package p${count}`);
    await (await stack.policyRegistry.registerTemplate(rego, EMPTY_REF, dataTemplates.slice(0, count))).wait();
    const templateId = (await stack.policyRegistry.computeTemplateId(
      rego.contentHash,
      EMPTY_REF.contentHash,
      dataTemplates.slice(0, count),
    )) as Hex;
    await (
      await stack.policyRegistry.deployInstance(
        templateId,
        client.address,
        "0x7b7d",
        80n,
        dataInstances.slice(0, count),
      )
    ).wait();
    policies.push({
      count,
      templateId,
      regoHash: rego.contentHash,
      instanceId: policyInstanceId(chainId, client.address, templateId, "0x7b7d", 80n, dataInstances.slice(0, count)),
    });
  }
  return { chainId, policies, dataInstances };
}

async function attestationRows(stack: Stack): Promise<Row[]> {
  const { chainId, policies, dataInstances } = await policySetup(stack);
  await ethers.provider.send("evm_mine", []);
  const referenceBlock = BigInt(await ethers.provider.getBlockNumber()) - 1n;
  const rows: Row[] = [];
  for (const p of policies) {
    const policyData = await policyDataBindings(stack.policyDataRegistry, dataInstances.slice(0, p.count));
    const a: PolicyAttestation = {
      chainId,
      taskId: ethers.id("task") as Hex,
      policyInstanceId: p.instanceId,
      policyTemplateId: p.templateId,
      regoHash: p.regoHash,
      paramsSchemaHash: EMPTY_REF.contentHash,
      paramsHash: ethers.keccak256("0x7b7d") as Hex,
      referenceBlock,
      expirationBlock: referenceBlock + 1n, // wrong on purpose: found only after every other field matched
      policyData,
      resultHash: ethers.id("allow") as Hex,
      operatorSetId: await stack.operatorRegistry.operatorSetId(),
    };
    const domain = { chainId, verifyingContract: await stack.challengeVerifier.getAddress() };
    const proof = await signQuorum(stack.operatorRegistry, stack.operators, policyAttestationDigest(a, domain), [
      stack.operators[3].address,
    ]);
    const snapshot = await ethers.provider.send("evm_snapshot", []);
    const receipt = await (
      await stack.challengeVerifier.challengeAttestation({ ...a, policyData: [...a.policyData] }, proof)
    ).wait();
    await ethers.provider.send("evm_revert", [snapshot]);
    rows.push([`challengeAttestation, ${p.count} data binding(s), 3 signers slashed`, receipt!.gasUsed]);
  }
  return rows;
}

/** Runs the ChallengeVerifier benchmarks and prints their tables. */
export async function challenges(): Promise<void> {
  const [owner] = await ethers.getSigners();
  const stack = await deployNewtonStack(owner, [1n, 1n, 1n, 1n], 7000);
  const small = await randomTree(1000);
  const inclusion = [await inclusionRow(stack, 1000, small)];
  const large = await randomTree(LARGE);
  inclusion.push(await inclusionRow(stack, LARGE, large));
  table(
    "verifyInclusion (execution gas, mean of 10 keys, incl. reading the committed root)",
    ["leaves", "siblings (mean)", "JMT verifyInclusion", "OpenZeppelin MerkleProof (peer, same leaf count)", "ratio"],
    inclusion,
  );
  const rows = await attestationRows(stack);
  rows.unshift(await challengeCommitRow(stack, large));
  table("Challenges (total transaction gas)", ["transaction", "gasUsed"], rows);
}

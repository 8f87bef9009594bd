/**
 * Slashing and rollback gas: `challengeCommit` of a wrong commit signed by 4, 64 and 256 operators (every signer
 * slashed and removed in the one transaction, next to the EIP-7825 per-transaction cap), and
 * `StateCommitRegistry.rollback` of commit 1 with 0, 10 and 100 later commits (peer: the rollback with none).
 */
import { ethers } from "hardhat";

import { keyHash } from "../../keeper/chain";
import { buildCommitChallenge } from "../../keeper/challenger";
import type { Hex } from "../../keeper/common";
import { JellyfishMerkleTree, MemoryTreeStore, createKeccakHasher } from "../../keeper/jmt";
import { deployNewtonStack } from "../../test/helpers/challenge";
import { deployStateCommitRegistry, nextCommit } from "../../test/helpers/commits";
import { deployOperatorRegistry, makeOperators, registerOperator } from "../../test/helpers/operators";
import { type Row, ratio, table } from "./report";

/** EIP-7825: the most gas one transaction may use. */
const TX_GAS_CAP = 16_777_216n;

/** Total gas (and default estimate) of challenging a forged leaf in a commit signed by `signers` operators. */
async function challengeWithSigners(signers: number): Promise<{ gasUsed: bigint; estimate: bigint }> {
  const [owner, alice] = await ethers.getSigners();
  const stack = await deployNewtonStack(
    owner,
    Array.from({ length: signers }, () => 1n),
    9000 + signers,
  );
  const tree = new JellyfishMerkleTree({ store: new MemoryTreeStore(), hasher: await createKeccakHasher() });
  const forged = keyHash(1, ethers.id("never written") as Hex);
  tree.putValueSet(0, [[ethers.getBytes(forged), ethers.toUtf8Bytes("forged")]]);
  await (
    await stack.stateCommitRegistry.connect(alice).proposeWrite(1, ethers.id("k"), ethers.id("v"), 1, "0x01aa")
  ).wait();
  await ethers.provider.send("evm_mine", []);
  const { commit, proof, daCert } = await nextCommit(
    stack.stateCommitRegistry,
    stack.operatorRegistry,
    stack.operators,
    { stateRoot: ethers.hexlify(tree.rootAt(0)) as Hex },
  );
  await (await stack.stateCommitRegistry.commitStateRoot(commit, daCert, proof)).wait();
  const args = buildCommitChallenge({
    sequenceNo: commit.sequenceNo,
    writeIndexEnd: commit.writeIndexEnd,
    keyHash: forged,
    writeLog: [],
    claimedTree: tree,
    claimedVersion: 0,
  })!;
  const call = [args.sequenceNo, args.write, args.successor, args.proof] as const;
  const estimate = await stack.challengeVerifier.challengeCommit.estimateGas(...call);
  const receipt = await (await stack.challengeVerifier.challengeCommit(...call)).wait();
  if ((await stack.operatorRegistry.activeBitmap()) !== 0n) throw new Error("not every signer was slashed");
  return { gasUsed: receipt!.gasUsed, estimate };
}

/** Gas of rolling back commit 1 under `later` later commits. */
async function rollbackWithLater(later: number): Promise<bigint> {
  const [owner, verifier] = await ethers.getSigners();
  const registry = await deployOperatorRegistry(owner);
  const operators = makeOperators(4, 77);
  for (const op of operators) await registerOperator(registry, op, 1n);
  const scr = await deployStateCommitRegistry(owner, await registry.getAddress());
  await (await scr.setChallengeVerifier(verifier.address)).wait();
  await (await scr.setChallengeWindowBlocks(1000)).wait();
  await ethers.provider.send("evm_mine", []);
  for (let i = 0; i <= later; i++) {
    const nonSigners = i % 2 === 1 ? [operators[0].address] : [];
    const { commit, proof, daCert } = await nextCommit(scr, registry, operators, {}, { nonSigners });
    await (await scr.commitStateRoot(commit, daCert, proof)).wait();
  }
  const receipt = await (await scr.connect(verifier).rollback(1)).wait();
  return receipt!.gasUsed;
}

/** Runs the slashing and rollback benchmarks and prints their tables. */
export async function slashing(): Promise<void> {
  const rows: Row[] = [];
  let base: bigint | undefined;
  for (const n of [4, 64, 256]) {
    const { gasUsed, estimate } = await challengeWithSigners(n);
    base ??= gasUsed;
    const perSigner = n === 4 ? "—" : ((gasUsed - base) / BigInt(n - 4)).toLocaleString("en-US");
    const share = `${((Number(gasUsed) / Number(TX_GAS_CAP)) * 100).toFixed(1)} %`;
    rows.push([n, gasUsed, perSigner, estimate, share]);
  }
  table(
    "challengeCommit, every signer slashed (total transaction gas; target ≤ 5,000,000 at 256)",
    ["signers", "gasUsed", "per signer above 4", "eth_estimateGas", "share of the EIP-7825 cap (16,777,216)"],
    rows,
  );
  const rollbacks: Row[] = [];
  const none = await rollbackWithLater(0);
  for (const later of [0, 10, 100]) {
    const gas = later === 0 ? none : await rollbackWithLater(later);
    rollbacks.push([later, gas, none, ratio(gas, none)]);
  }
  table(
    "rollback of commit 1 (total transaction gas; target within 10 % of none)",
    ["later commits", "gasUsed", "peer: rollback with no later commit", "ratio"],
    rollbacks,
  );
}

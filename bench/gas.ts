/**
 * `npm run bench:gas` — gas of the on-chain hot paths on the in-process Hardhat network (prague), each
 * printed beside a peer measured in the same run:
 *
 * - BLS primitives: our BLS12381 library vs Solady's ithaca BLS library (gasleft() around the call).
 * - verifyQuorum (stored apk − non-signers) vs verifySignersAt (aggregate every signer's key from
 *   calldata, the naive way; in the OperatorRegistrySignersPeer mock), both as execution gas = receipt gasUsed −
 *   21 000 − calldata gas.
 * - Transactions (registerOperator, proposeWrite, commitStateRoot): total receipt gasUsed.
 * - Slashing: challengeCommit with 4, 64 and 256 signers slashed; rollback under 0, 10 and 100 later commits.
 *
 * Not a test: it asserts nothing and prints Markdown tables (the README quotes them).
 */
import { ethers } from "hardhat";

import { sign, g2ToEip2537, generateKeypair } from "../keeper/bls";
import { deployStateCommitRegistry, nextCommit } from "../test/helpers/commits";
import {
  deployOperatorRegistry,
  makeOperators,
  registerOperator,
  signQuorum,
  type TestOperator,
} from "../test/helpers/operators";
import type { OperatorRegistry } from "../typechain-types";
import { type Row, executionGas, ratio, table } from "./gas/report";
import { challenges } from "./gas/challenge";
import { slashing } from "./gas/slashing";
import { openings } from "./gas/opening";

const DIGEST = ethers.keccak256(ethers.toUtf8Bytes("newton-state gas benchmark"));
/** −G1 generator, 128-byte EIP-2537 encoding (y = p − y_G1). */
const NEG_G1 =
  "0x0000000000000000000000000000000017f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb" +
  "00000000000000000000000000000000114d1d6855d545a8aa7d76c8cf2e21f267816aef1db507c96655b9d5caac42364e6f38ba0ecb751bad54dcd6b939c2ca";

async function primitives(): Promise<void> {
  const harness = await ethers.deployContract("BLS12381Harness");
  const peer = await ethers.deployContract("SoladyBlsPeer");
  const kp = generateKeypair(new Uint8Array(32).fill(9));
  const message = ethers.getBytes(DIGEST);
  const sig = g2ToEip2537(sign(kp.secretKey, message));
  const [, oursHash] = await harness.hashToG2Gas(message);
  const peerHash = await peer.hashToG2Gas(message);
  const [okOurs, oursVerify] = await harness.verifyGas(kp.pubkeyG1Eip2537, message, sig);
  // Solady hashes with the NUL DST, so our POP-ciphersuite signature is (correctly) false there; the work —
  // hash, two maps, one pairing check of two pairs — and so the gas are the same.
  const [, peerVerify] = await peer.verifyGas(kp.pubkeyG1Eip2537, message, sig, NEG_G1);
  if (!okOurs) throw new Error("benchmark signature did not verify");
  table(
    "BLS12-381 primitives (execution gas)",
    ["operation", "Newton BLS12381", "Solady BLS (peer)", "ratio"],
    [
      ["hash_to_G2 (32-byte message)", oursHash, peerHash, ratio(oursHash, peerHash)],
      ["verify (single signature, 1 pairing check of 2 pairs)", oursVerify, peerVerify, ratio(oursVerify, peerVerify)],
    ],
  );
}

function sortedByAddress(ops: readonly TestOperator[]): TestOperator[] {
  return [...ops].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
}

async function quorumRows(registry: OperatorRegistry, ops: TestOperator[], n: number): Promise<Row[]> {
  const rows: Row[] = [];
  const address = await registry.getAddress();
  const setId = await registry.operatorSetId();
  for (const pct of [0, 10, 33]) {
    const nonSigners = ops.slice(0, Math.floor((n * pct) / 100));
    const proof = await signQuorum(
      registry,
      ops,
      DIGEST,
      nonSigners.map((o) => o.address),
    );
    const ours = await executionGas(address, registry.interface.encodeFunctionData("verifyQuorum", [DIGEST, proof]));
    const signers = sortedByAddress(ops.filter((o) => !nonSigners.includes(o)));
    const peer = (await ethers.getContractFactory("OperatorRegistrySignersPeer")).interface;
    const naive = await executionGas(
      address,
      peer.encodeFunctionData("verifySignersAt", [
        setId,
        DIGEST,
        signers.map((s) => s.address),
        signers.map((s) => s.keypair.pubkeyG1Eip2537),
        proof.signatureG2,
      ]),
    );
    rows.push([n, `${pct} % (${nonSigners.length})`, ours, naive, ratio(ours, naive)]);
  }
  return rows;
}

async function operatorsAndCommits(): Promise<void> {
  const [owner, writer] = await ethers.getSigners();
  const quorum: Row[] = [];
  const commits: Row[] = [];
  const registrations: Row[] = [];
  for (const n of [1, 16, 64, 256]) {
    const registry = await deployOperatorRegistry(owner, 6667, undefined, "OperatorRegistrySignersPeer");
    const ops = makeOperators(n, 1000 + n);
    for (const op of ops) await registerOperator(registry, op, 1n);
    if (n === 256) {
      const extra = makeOperators(1, 5000)[0];
      await registry.deregisterOperator(ops[255].address);
      const { chainId } = await ethers.provider.getNetwork();
      const { createProofOfPossession } = await import("../keeper/bls");
      const pop = createProofOfPossession(extra.keypair.secretKey, chainId, await registry.getAddress(), extra.address);
      const receipt = await (
        await registry.registerOperator(extra.address, extra.keypair.pubkeyG1Eip2537, pop, 1n)
      ).wait();
      registrations.push(["registerOperator (256th member, PoP verified on-chain)", receipt!.gasUsed]);
      ops[255] = extra;
    }
    quorum.push(...(await quorumRows(registry, ops, n)));
    if (n < 16) continue;
    const scr = await deployStateCommitRegistry(owner, await registry.getAddress());
    for (const pct of [0, 10, 33]) {
      await (await scr.connect(writer).proposeWrite(1, ethers.ZeroHash, ethers.id(`v${pct}`), 100, "0x01aa")).wait();
      const nonSigners = ops.slice(0, Math.floor((n * pct) / 100)).map((o) => o.address);
      const { commit, proof, daCert } = await nextCommit(scr, registry, ops, {}, { nonSigners });
      const receipt = await (await scr.commitStateRoot(commit, daCert, proof)).wait();
      commits.push([n, `${pct} % (${nonSigners.length})`, receipt!.gasUsed]);
    }
  }
  table(
    "verifyQuorum (execution gas, excluding 21 000 + calldata)",
    ["operators", "non-signers", "verifyQuorum (stored apk)", "verifySignersAt (naive: sum signer keys)", "ratio"],
    quorum,
  );
  table("commitStateRoot (total transaction gas)", ["operators", "non-signers", "gasUsed"], commits);
  table("Operator registration", ["transaction", "gasUsed"], registrations);
}

async function writes(): Promise<void> {
  const [owner, alice] = await ethers.getSigners();
  const registry = await deployOperatorRegistry(owner);
  const scr = await deployStateCommitRegistry(owner, await registry.getAddress());
  const cert = "0x01" + "ab".repeat(100); // a 101-byte certificate, the order of a real EigenDA cert's size
  // Warm the global write counter so "first write" measures a new key, not the first write ever.
  await (await scr.connect(owner).proposeWrite(1, ethers.ZeroHash, ethers.id("warm"), 10, cert)).wait();
  const first = await (await scr.connect(alice).proposeWrite(1, ethers.id("slot"), ethers.id("a"), 1000, cert)).wait();
  const overwrite = await (
    await scr.connect(alice).proposeWrite(1, ethers.id("slot"), ethers.id("b"), 1000, cert)
  ).wait();
  const del = await (await scr.connect(alice).proposeWrite(1, ethers.id("slot"), ethers.ZeroHash, 0, "0x")).wait();
  table(
    "proposeWrite (total transaction gas, 101-byte DA certificate)",
    ["case", "gasUsed"],
    [
      ["first write of a key", first!.gasUsed],
      ["overwrite of the key", overwrite!.gasUsed],
      ["delete of the key (no certificate)", del!.gasUsed],
    ],
  );
}

async function main(): Promise<void> {
  console.log("# Newton State gas benchmark (Hardhat network, hardfork prague, solc 0.8.28, optimizer 10 000 runs)");
  await primitives();
  await writes();
  await operatorsAndCommits();
  await challenges();
  await slashing();
  await openings();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

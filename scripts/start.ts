/**
 * `npm start` — one commit window of Newton State end to end, on the embedded defaults:
 *
 *   in-process Hardhat chain (prague) ─ deployNewton (5 UUPS proxies, 4 BLS operators from EIP-2335 keystores)
 *   local EigenDA proxy server (real HTTP on 127.0.0.1) ─ value bytes and the delta blob
 *   writes → WriteProposed log → values fetched from DA and hash-checked → JMT version 1 → delta blob to DA →
 *   StateCommit signed by the operators' BLS keys → commitStateRoot → a leaf proof checked on-chain
 *
 * Everything runs in this one process; the long-running keeper roles (`newton-keeper`) and the multi-process devnet
 * replace it as the main job once they land (README, "Status").
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import type { Signature } from "@chainsafe/blst";
import hre from "hardhat";

import { type KeystoreOptions, buildSignerProof, encryptKeystore, generateKeypair, sign } from "../keeper/bls";
import { EMPTY_TREE_ROOT, type StateCommit, keyHash, stateCommitDigest, userLeafId } from "../keeper/chain";
import { toAbiProof } from "../keeper/challenger";
import type { Hex } from "../keeper/common";
import { DaServer, EigenDaProxyClient } from "../keeper/da";
import { encodeDelta } from "../keeper/delta";
import { JellyfishMerkleTree, MemoryTreeStore, createKeccakHasher } from "../keeper/jmt";
import { deployNewton } from "./lib/deploy";

const { ethers } = hre;
const OPERATORS = 4;
const WRITES = 24;
const FAST_KDF: KeystoreOptions["kdf"] = {
  function: "pbkdf2",
  params: { dklen: 32, c: 16, prf: "hmac-sha256", salt: "" },
};

async function deploy(dir: string) {
  const keypairs = Array.from({ length: OPERATORS }, () => generateKeypair());
  const operators = [];
  for (const [i, kp] of keypairs.entries()) {
    writeFileSync(
      path.join(dir, `operator-${i}.json`),
      JSON.stringify(await encryptKeystore(kp, "devnet", { kdf: FAST_KDF })),
    );
    operators.push({
      address: ethers.Wallet.createRandom().address,
      weight: 100,
      keystore: `operator-${i}.json`,
      keystorePasswordEnv: "DEVNET_PW",
    });
  }
  const configPath = path.join(dir, "config.json");
  writeFileSync(
    configPath,
    JSON.stringify({
      templateRegistrationPermissionless: true,
      instanceDeploymentPermissionless: true,
      challengeWindowBlocks: 100,
      operators,
    }),
  );
  const { deployment } = await deployNewton(hre, {
    deploymentsDir: path.join(dir, "deployments"),
    configPath,
    env: { DEVNET_PW: "devnet" },
    log: (m) => console.log(`  deploy: ${m}`),
  });
  return { deployment, keypairs, operators };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "newton-start-"));
  const da = new DaServer();
  const { url } = await da.start();
  console.log(`local EigenDA proxy listening on ${url}`);
  try {
    await runWindow(dir, new EigenDaProxyClient({ url }));
  } finally {
    await da.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runWindow(dir: string, daClient: EigenDaProxyClient): Promise<void> {
  const { deployment, keypairs, operators } = await deploy(dir);
  const scr = await ethers.getContractAt("StateCommitRegistry", deployment.contracts.StateCommitRegistry!.proxy);
  const opReg = await ethers.getContractAt("OperatorRegistry", deployment.contracts.OperatorRegistry!.proxy);
  const verifier = await ethers.getContractAt("ChallengeVerifier", deployment.contracts.ChallengeVerifier!.proxy);
  const [, alice] = await ethers.getSigners();

  // 1. Writes: bytes to DA, then the on-chain write with the certificate.
  for (let i = 0; i < WRITES; i++) {
    const bytes = ethers.toUtf8Bytes(
      JSON.stringify({ account: alice.address, kyc: i % 3 === 0 ? "verified" : "pending", n: i }),
    );
    const cert = await daClient.put(bytes);
    await (
      await scr.connect(alice).proposeWrite(1, ethers.toBeHex(i % 16, 32), ethers.keccak256(bytes), bytes.length, cert)
    ).wait();
  }
  await ethers.provider.send("evm_mine", []);
  const referenceBlock = BigInt(await ethers.provider.getBlockNumber()) - 1n;
  console.log(`${WRITES} writes proposed by ${alice.address}; reference block ${referenceBlock}`);

  // 2. The window: the write log from events, every value fetched from DA and checked against its hash.
  const logs = await scr.queryFilter(scr.filters.WriteProposed(), 0, Number(referenceBlock));
  const entries = [];
  for (const log of logs) {
    const { writeIndex, namespace, keyHash: key, valueHash, daCert } = log.args;
    const bytes = await daClient.getVerified(ethers.getBytes(daCert), valueHash as Hex);
    entries.push({ writeIndex, namespace: Number(namespace), keyHash: key as Hex, valueHash: valueHash as Hex, bytes });
  }
  const tree = new JellyfishMerkleTree({ store: new MemoryTreeStore(), hasher: await createKeccakHasher() });
  tree.putValueSet(0, []);
  const latest = new Map(entries.map((e) => [e.keyHash, e.bytes] as const)); // last writer wins
  tree.putValueSet(
    1,
    [...latest].map(([k, v]) => [ethers.getBytes(k), v] as const),
  );
  const stateRoot = ethers.hexlify(tree.rootAt(1)) as Hex;

  // 3. The delta blob to DA, then the commit signed by every operator.
  const { chainId } = await ethers.provider.getNetwork();
  const registry = (await scr.getAddress()).toLowerCase() as Hex;
  const header = {
    chainId,
    registry,
    sequenceNo: 1n,
    prevRoot: EMPTY_TREE_ROOT,
    newRoot: stateRoot,
    writeIndexStart: 0n,
    writeIndexEnd: BigInt(entries.length),
  };
  const delta = encodeDelta({ header, entries });
  const deltaCert = await daClient.put(delta);
  const commit: StateCommit = {
    sequenceNo: 1n,
    prevStateRoot: EMPTY_TREE_ROOT,
    stateRoot,
    writeIndexEnd: BigInt(entries.length),
    referenceBlock,
    daCommitment: ethers.keccak256(deltaCert) as Hex,
    operatorSetId: await opReg.operatorSetId(),
  };
  const digest = ethers.getBytes(stateCommitDigest(chainId, registry, commit));
  const members = [];
  const signatures = new Map<number, Signature>();
  for (const [i, kp] of keypairs.entries()) {
    const index = Number((await opReg.operatorInfo(operators[i].address)).index);
    members.push({ index, pubkeyG1Eip2537: kp.pubkeyG1Eip2537 });
    signatures.set(index, sign(kp.secretKey, digest));
  }
  const receipt = await (await scr.commitStateRoot(commit, deltaCert, buildSignerProof(members, signatures))).wait();
  console.log(
    `commit 1 landed: root ${stateRoot}, ${entries.length} writes, ${latest.size} leaves, delta ${delta.length} bytes, ${OPERATORS}/${OPERATORS} signers, gas ${receipt!.gasUsed}`,
  );

  // 4. Anyone can check a leaf against the committed root on-chain.
  const key = keyHash(1, userLeafId(alice.address, ethers.toBeHex(0, 32)));
  const { value, proof } = tree.getWithProof(ethers.getBytes(key), 1);
  const ok = await verifier.verifyInclusion(1, key, ethers.keccak256(value!), toAbiProof(proof));
  console.log(
    `leaf ${key}: ${ethers.toUtf8String(value!)} — inclusion proof (${proof.siblings.length} siblings) verified on-chain: ${ok}`,
  );
  if (!ok) throw new Error("the on-chain inclusion check failed");
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

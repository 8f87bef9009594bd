import type { Signature } from "@chainsafe/blst";
import type { Signer } from "ethers";
import { ethers, upgrades } from "hardhat";

import {
  type BlsKeypair,
  buildSignerProof,
  createProofOfPossession,
  generateKeypair,
  type SignerProof,
  sign,
} from "../../keeper/bls";
import type { OperatorRegistry } from "../../typechain-types";

/** A test operator: an address (not a funded account) and a BLS keypair. */
export interface TestOperator {
  readonly address: string;
  readonly keypair: BlsKeypair;
}

/** Deterministic test operators: keys from fixed IKM, addresses from the same seed. */
export function makeOperators(count: number, seed = 1): TestOperator[] {
  return Array.from({ length: count }, (_, i) => {
    const ikm = ethers.getBytes(ethers.solidityPackedKeccak256(["string", "uint256", "uint256"], ["ikm", seed, i]));
    const address = ethers.getAddress(
      ethers.dataSlice(ethers.solidityPackedKeccak256(["uint256", "uint256"], [seed, i]), 12),
    );
    return { address, keypair: generateKeypair(ikm) };
  });
}

/**
 * Deploys an OperatorRegistry UUPS proxy owned by `owner`; `contract` "OperatorRegistrySignersPeer" deploys the
 * registry with the naive `verifySignersAt` peer added (benchmarks and its tests).
 */
export async function deployOperatorRegistry(
  owner: Signer,
  quorumBips = 6667,
  slasher?: string,
  contract: "OperatorRegistry" | "OperatorRegistrySignersPeer" = "OperatorRegistry",
): Promise<OperatorRegistry> {
  const factory = await ethers.getContractFactory(contract, owner);
  const proxy = await upgrades.deployProxy(
    factory,
    [await owner.getAddress(), quorumBips, slasher ?? ethers.ZeroAddress],
    { kind: "uups" },
  );
  await proxy.waitForDeployment();
  return proxy as unknown as OperatorRegistry;
}

/** Registers `operator` with a valid proof of possession. */
export async function registerOperator(
  registry: OperatorRegistry,
  operator: TestOperator,
  weight: bigint,
): Promise<void> {
  const { chainId } = await ethers.provider.getNetwork();
  const pop = createProofOfPossession(
    operator.keypair.secretKey,
    chainId,
    await registry.getAddress(),
    operator.address,
  );
  await (await registry.registerOperator(operator.address, operator.keypair.pubkeyG1Eip2537, pop, weight)).wait();
}

/**
 * Signs `digest` by every operator of the current set except `nonSigners` (addresses) and builds the
 * SignerProof from the registry's own view of indexes.
 */
export async function signQuorum(
  registry: OperatorRegistry,
  operators: readonly TestOperator[],
  digest: string,
  nonSigners: readonly string[] = [],
): Promise<SignerProof> {
  const message = ethers.getBytes(digest);
  const members = [];
  const signatures = new Map<number, Signature>();
  for (const op of operators) {
    const info = await registry.operatorInfo(op.address);
    if (!info.active) continue;
    const index = Number(info.index);
    members.push({ index, pubkeyG1Eip2537: op.keypair.pubkeyG1Eip2537 });
    if (!nonSigners.includes(op.address)) signatures.set(index, sign(op.keypair.secretKey, message));
  }
  return buildSignerProof(members, signatures);
}

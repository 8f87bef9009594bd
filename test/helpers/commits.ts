import { ethers, upgrades } from "hardhat";

import { type StateCommit, stateCommitDigest } from "../../keeper/chain";
import type { Hex } from "../../keeper/common";
import type { OperatorRegistry, StateCommitRegistry } from "../../typechain-types";
import { signQuorum, type TestOperator } from "./operators";

/** The default test DA certificate (opaque bytes: a version byte and a body). */
export const DA_CERT = "0x01deadbeef";

/** Deploys a StateCommitRegistry UUPS proxy (16 MiB cap, 100-block window) over `operatorRegistry`. */
export async function deployStateCommitRegistry(
  owner: { getAddress(): Promise<string> },
  operatorRegistry: string,
): Promise<StateCommitRegistry> {
  const factory = await ethers.getContractFactory("StateCommitRegistry");
  const proxy = await upgrades.deployProxy(
    factory,
    [await owner.getAddress(), operatorRegistry, 16 * 1024 * 1024, 100],
    {
      kind: "uups",
    },
  );
  await proxy.waitForDeployment();
  return proxy as unknown as StateCommitRegistry;
}

/** Options of `nextCommit`: who does not sign, and what the digest binds (to test replays). */
export interface NextCommitOptions {
  nonSigners?: string[];
  chainId?: bigint;
  registryAddress?: string;
  daCert?: string;
}

/**
 * A valid next commit over the registry's whole current log (any root), signed by every active
 * operator in `operators` except `nonSigners`; `overrides` replace fields before signing.
 */
export async function nextCommit(
  registry: StateCommitRegistry,
  operatorRegistry: OperatorRegistry,
  operators: readonly TestOperator[],
  overrides: Partial<StateCommit> = {},
  opts: NextCommitOptions = {},
) {
  const [sequenceNo, record] = await registry.latest();
  const daCert = opts.daCert ?? DA_CERT;
  const commit: StateCommit = {
    sequenceNo: sequenceNo + 1n,
    prevStateRoot: record.stateRoot as Hex,
    stateRoot: ethers.keccak256(ethers.toBeHex(sequenceNo + 1n, 32)) as Hex,
    writeIndexEnd: await registry.writeCount(),
    referenceBlock: BigInt(await ethers.provider.getBlockNumber()) - 1n,
    daCommitment: ethers.keccak256(daCert) as Hex,
    operatorSetId: await operatorRegistry.operatorSetId(),
    ...overrides,
  };
  const { chainId } = await ethers.provider.getNetwork();
  const digest = stateCommitDigest(
    opts.chainId ?? chainId,
    opts.registryAddress ?? (await registry.getAddress()),
    commit,
  );
  const proof = await signQuorum(operatorRegistry, operators, digest, opts.nonSigners ?? []);
  return { commit, proof, daCert };
}

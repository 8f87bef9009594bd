/**
 * The two-step ownership hand-over (Ownable2Step) of every deployed contract, e.g. to a Safe:
 * `transferOwnership(newOwner)` by the current owner, then `acceptOwnership()` by the new one.
 */
import type { Signer } from "ethers";
import { getAddress } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";

import { CONTRACT_NAMES, type ContractName, type Deployment, proxyOf } from "./deployment";

/** Where one contract stands in the hand-over after a call. */
export interface HandOverStatus {
  readonly name: ContractName;
  readonly proxy: string;
  readonly state: "transfer-started" | "already-pending" | "accepted" | "already-owner";
  readonly txHash?: string;
}

/**
 * Starts the hand-over to `newOwner` on every contract `signer` owns; skips those already owned by or pending for
 * `newOwner`.
 * @throws Error when a contract is owned by neither `signer` nor `newOwner`.
 */
export async function startOwnershipTransfer(
  hre: HardhatRuntimeEnvironment,
  deployment: Deployment,
  signer: Signer,
  newOwner: string,
  confirmations = 1,
): Promise<HandOverStatus[]> {
  const target = getAddress(newOwner);
  const me = getAddress(await signer.getAddress());
  const out: HandOverStatus[] = [];
  for (const name of CONTRACT_NAMES) {
    const proxy = proxyOf(deployment, name);
    const c = await hre.ethers.getContractAt("Ownable2StepUpgradeable", proxy, signer);
    const owner = getAddress(await c.owner());
    if (owner === target) {
      out.push({ name, proxy, state: "already-owner" });
    } else if (getAddress(await c.pendingOwner()) === target) {
      out.push({ name, proxy, state: "already-pending" });
    } else if (owner !== me) {
      throw new Error(`${name} (${proxy}) is owned by ${owner}, not by the signer ${me}`);
    } else {
      const tx = await c.transferOwnership(target);
      await tx.wait(confirmations);
      out.push({ name, proxy, state: "transfer-started", txHash: tx.hash });
    }
  }
  return out;
}

/**
 * Accepts the pending hand-over on every contract where `newOwnerSigner` is the pending owner (testnets, where
 * that key is at hand; on mainnet the Safe calls `acceptOwnership()` itself).
 */
export async function acceptOwnership(
  hre: HardhatRuntimeEnvironment,
  deployment: Deployment,
  newOwnerSigner: Signer,
  confirmations = 1,
): Promise<HandOverStatus[]> {
  const me = getAddress(await newOwnerSigner.getAddress());
  const out: HandOverStatus[] = [];
  for (const name of CONTRACT_NAMES) {
    const proxy = proxyOf(deployment, name);
    const c = await hre.ethers.getContractAt("Ownable2StepUpgradeable", proxy, newOwnerSigner);
    if (getAddress(await c.owner()) === me) {
      out.push({ name, proxy, state: "already-owner" });
      continue;
    }
    if (getAddress(await c.pendingOwner()) !== me) {
      throw new Error(`${name} (${proxy}): ${me} is not the pending owner; run the transfer first`);
    }
    const tx = await c.acceptOwnership();
    await tx.wait(confirmations);
    out.push({ name, proxy, state: "accepted", txHash: tx.hash });
  }
  return out;
}

import type { PublicKey } from "@chainsafe/blst";
import { Interface, getAddress, getBytes, keccak256, type Contract, type Provider } from "ethers";

import { g1FromEip2537 } from "../bls";
import type { Logger } from "../common";

/** One active operator of the current set. */
export interface SetMember {
  readonly address: string;
  /** Slot in the signer bitmap. */
  readonly index: number;
  readonly weight: bigint;
  /** 128-byte EIP-2537 G1 key as registered. */
  readonly pubkeyG1Eip2537: Uint8Array;
  readonly publicKey: PublicKey;
}

/** The current operator set as the OperatorRegistry holds it. */
export interface OperatorSetView {
  readonly operatorSetId: bigint;
  readonly totalWeight: bigint;
  readonly quorumBips: number;
  readonly members: readonly SetMember[];
}

const REGISTER = new Interface([
  "function registerOperator(address operator, bytes pubkeyG1, bytes popSignatureG2, uint96 weight)",
]);

/**
 * Reads the current operator set: id, total weight, quorum, and every active member (bitmap →
 * `operatorAt` → `operatorInfo`). Public keys are not stored on-chain (only their hash), so each is
 * taken from its `registerOperator` transaction's calldata (found through `OperatorRegistered`) and
 * checked against the stored hash; `cache` keeps them across calls.
 */
export async function loadOperatorSet(
  registry: Contract,
  provider: Provider,
  fromBlock: number,
  cache: Map<string, Uint8Array>,
  logger: Logger,
): Promise<OperatorSetView> {
  const operatorSetId = (await registry.operatorSetId()) as bigint;
  const bitmap = (await registry.activeBitmap()) as bigint;
  const totalWeight = (await registry.totalWeight()) as bigint;
  const quorumBips = Number(await registry.quorumBips());
  const members: SetMember[] = [];
  for (let index = 0; index < 256; index++) {
    if (((bitmap >> BigInt(index)) & 1n) === 0n) continue;
    const address = getAddress((await registry.operatorAt(index, operatorSetId)) as string);
    const info = (await registry.operatorInfo(address)) as { pubkeyHash: string; weight: bigint };
    let pubkey = cache.get(address);
    if (pubkey === undefined || keccak256(pubkey) !== info.pubkeyHash) {
      pubkey = await registrationPubkey(registry, provider, fromBlock, address, info.pubkeyHash);
      cache.set(address, pubkey);
    }
    members.push({ address, index, weight: info.weight, pubkeyG1Eip2537: pubkey, publicKey: g1FromEip2537(pubkey) });
  }
  logger.debug({ operatorSetId: operatorSetId.toString(), members: members.length }, "operator set loaded");
  return { operatorSetId, totalWeight, quorumBips, members };
}

async function registrationPubkey(
  registry: Contract,
  provider: Provider,
  fromBlock: number,
  address: string,
  pubkeyHash: string,
): Promise<Uint8Array> {
  const events = await registry.queryFilter(registry.filters.OperatorRegistered(address), fromBlock);
  for (const event of events.reverse()) {
    const tx = await provider.getTransaction(event.transactionHash);
    if (tx === null) continue;
    try {
      const parsed = REGISTER.parseTransaction({ data: tx.data });
      const pubkey = getBytes(parsed?.args.pubkeyG1 as string);
      if (keccak256(pubkey) === pubkeyHash) return pubkey;
    } catch {
      // registered through another contract (e.g. a Safe): not decodable here
    }
  }
  throw new Error(`cannot find the registered public key of operator ${address}`);
}

/** Whether `signedWeight` meets the set's quorum (cross-multiplied exactly as the contract). */
export function quorumMet(set: OperatorSetView, signedWeight: bigint): boolean {
  return signedWeight * 10_000n >= set.totalWeight * BigInt(set.quorumBips);
}

import type { Signer } from "ethers";
import { ethers, upgrades } from "hardhat";

import type { ChallengeVerifier } from "../../typechain-types";
import { makeOperators, registerOperator } from "./operators";
import { deployPolicyStack } from "./policy";

/** Slash share used by the test deployments: 10 % for both fraud classes. */
export const SLASH_BIPS = 1000;

/**
 * The whole Newton stack (OperatorRegistry, StateCommitRegistry, PolicyDataRegistry, PolicyRegistry and a
 * ChallengeVerifier that is the slasher and the rollback verifier), with operators of the given weights.
 */
export async function deployNewtonStack(owner: Signer, weights: readonly bigint[], seed = 40) {
  const stack = await deployPolicyStack(owner);
  const operators = makeOperators(weights.length, seed);
  for (const [i, op] of operators.entries()) await registerOperator(stack.operatorRegistry, op, weights[i]);
  const challengeVerifier = (await upgrades.deployProxy(
    await ethers.getContractFactory("ChallengeVerifier", owner),
    [
      await owner.getAddress(),
      await stack.stateCommitRegistry.getAddress(),
      await stack.policyRegistry.getAddress(),
      SLASH_BIPS,
      SLASH_BIPS,
    ],
    { kind: "uups" },
  )) as unknown as ChallengeVerifier;
  const verifier = await challengeVerifier.getAddress();
  await stack.operatorRegistry.setSlasher(verifier);
  await stack.stateCommitRegistry.setChallengeVerifier(verifier);
  return { ...stack, challengeVerifier, operators };
}

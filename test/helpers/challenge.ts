import type { Signer } from "ethers";
import { ethers, upgrades } from "hardhat";

import type { ChallengeVerifier } from "../../typechain-types";
import { makeOperators, registerOperator } from "./operators";
import { deployPolicyStack } from "./policy";

/** Slash share used by the test deployments: 10 % for both fraud classes. */
export const SLASH_BIPS = 1000;
/** Key-opening challenge bond (wei) and resolve window (blocks) of the test deployments. */
export const OPENING_BOND = 10n ** 15n;
export const RESOLVE_WINDOW = 10n;

/**
 * A ChallengeVerifier factory linked to a freshly deployed `KeyOpening` library. The upgrades plugin's warning about
 * linked libraries (reviewed: `KeyOpening` has no constructor, no immutables, no selfdestruct) is silenced.
 */
export async function challengeVerifierFactory(owner: Signer) {
  upgrades.silenceWarnings();
  const library = await (await ethers.getContractFactory("KeyOpening", owner)).deploy();
  return ethers.getContractFactory("ChallengeVerifier", {
    signer: owner,
    libraries: { KeyOpening: await library.getAddress() },
  });
}

/**
 * The whole Newton stack (OperatorRegistry, StateCommitRegistry, PolicyDataRegistry, PolicyRegistry and a
 * ChallengeVerifier that is the slasher and the rollback verifier), with operators of the given weights.
 */
export async function deployNewtonStack(owner: Signer, weights: readonly bigint[], seed = 40) {
  const stack = await deployPolicyStack(owner);
  const operators = makeOperators(weights.length, seed);
  for (const [i, op] of operators.entries()) await registerOperator(stack.operatorRegistry, op, weights[i]);
  const challengeVerifier = (await upgrades.deployProxy(
    await challengeVerifierFactory(owner),
    [
      await owner.getAddress(),
      await stack.stateCommitRegistry.getAddress(),
      await stack.policyRegistry.getAddress(),
      SLASH_BIPS,
      SLASH_BIPS,
    ],
    { kind: "uups", unsafeAllowLinkedLibraries: true },
  )) as unknown as ChallengeVerifier;
  const verifier = await challengeVerifier.getAddress();
  await stack.operatorRegistry.setSlasher(verifier);
  await stack.stateCommitRegistry.setChallengeVerifier(verifier);
  await challengeVerifier.setOpeningConfig(OPENING_BOND, RESOLVE_WINDOW);
  return { ...stack, challengeVerifier, operators };
}

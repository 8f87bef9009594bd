import type { Signer } from "ethers";
import { ethers, upgrades } from "hardhat";

import { EMPTY_ARTIFACT_HASH, type PolicyDataBinding, artifactHash } from "../../keeper/chain";
import type { Hex } from "../../keeper/common";
import type { PolicyDataRegistry, PolicyRegistry } from "../../typechain-types";
import { deployStateCommitRegistry } from "./commits";
import { deployOperatorRegistry } from "./operators";

/** An `ArtifactRef` as the contracts take it. */
export interface ArtifactRefArg {
  readonly contentHash: Hex;
  readonly byteLength: number;
  readonly daCert: string;
}

/** The empty (absent) artifact: `keccak256("")`, length 0, no certificate. */
export const EMPTY_REF: ArtifactRefArg = { contentHash: EMPTY_ARTIFACT_HASH, byteLength: 0, daCert: "0x" };

/** The reference of `text`'s UTF-8 bytes, with a fake DA certificate derived from the content. */
export function artifactRef(text: string): ArtifactRefArg {
  const bytes = ethers.toUtf8Bytes(text);
  const contentHash = artifactHash(bytes);
  return { contentHash, byteLength: bytes.length, daCert: ethers.concat(["0xda", contentHash]) };
}

/** Permission flags of a freshly deployed policy stack. */
export interface PolicyStackOptions {
  readonly templateRegistrationPermissionless?: boolean;
  readonly instanceDeploymentPermissionless?: boolean;
}

/**
 * Deploys OperatorRegistry, StateCommitRegistry, PolicyDataRegistry and PolicyRegistry (UUPS proxies owned by
 * `owner`) and wires the namespace writers: 0x03, 0x06–0x08 → PolicyDataRegistry; 0x04–0x05 → PolicyRegistry.
 */
export async function deployPolicyStack(owner: Signer, opts: PolicyStackOptions = {}) {
  const ownerAddress = await owner.getAddress();
  const templatesOpen = opts.templateRegistrationPermissionless ?? true;
  const instancesOpen = opts.instanceDeploymentPermissionless ?? true;
  const operatorRegistry = await deployOperatorRegistry(owner);
  const stateCommitRegistry = await deployStateCommitRegistry(owner, await operatorRegistry.getAddress());
  const policyDataRegistry = (await upgrades.deployProxy(
    await ethers.getContractFactory("PolicyDataRegistry", owner),
    [ownerAddress, await stateCommitRegistry.getAddress(), templatesOpen, instancesOpen],
    { kind: "uups" },
  )) as unknown as PolicyDataRegistry;
  const policyRegistry = (await upgrades.deployProxy(
    await ethers.getContractFactory("PolicyRegistry", owner),
    [
      ownerAddress,
      await stateCommitRegistry.getAddress(),
      await policyDataRegistry.getAddress(),
      templatesOpen,
      instancesOpen,
    ],
    { kind: "uups" },
  )) as unknown as PolicyRegistry;
  for (const ns of [3, 6, 7, 8]) {
    await stateCommitRegistry.setNamespaceWriter(ns, await policyDataRegistry.getAddress());
  }
  for (const ns of [4, 5]) await stateCommitRegistry.setNamespaceWriter(ns, await policyRegistry.getAddress());
  return { operatorRegistry, stateCommitRegistry, policyDataRegistry, policyRegistry };
}

/**
 * The attestation bindings of `dataInstanceIds` as the registry holds them (instance → template → artifact
 * hashes): what an honest operator would sign for them.
 */
export async function policyDataBindings(
  registry: PolicyDataRegistry,
  dataInstanceIds: readonly Hex[],
): Promise<PolicyDataBinding[]> {
  const bindings: PolicyDataBinding[] = [];
  for (const id of dataInstanceIds) {
    const instance = await registry.instances(id);
    const template = await registry.templates(instance.templateId);
    bindings.push({
      policyDataInstanceId: id,
      policyDataTemplateId: instance.templateId as Hex,
      wasmHash: template.wasmHash as Hex,
      paramsSchemaHash: template.paramsSchemaHash as Hex,
      secretsSchemaHash: template.secretsSchemaHash as Hex,
      paramsHash: instance.paramsHash as Hex,
    });
  }
  return bindings;
}

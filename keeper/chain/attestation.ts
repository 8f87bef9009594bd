import { AbiCoder, concat, keccak256, toUtf8Bytes } from "ethers";

import type { Hex } from "../common";

/** The EIP-712 type string of one policy-data binding. */
export const POLICY_DATA_BINDING_TYPE =
  "PolicyDataBinding(bytes32 policyDataInstanceId,bytes32 policyDataTemplateId,bytes32 wasmHash," +
  "bytes32 paramsSchemaHash,bytes32 secretsSchemaHash,bytes32 paramsHash)";

/** The EIP-712 type string of an attestation, with the referenced binding type appended (EIP-712 `encodeType`). */
export const POLICY_ATTESTATION_TYPE =
  "PolicyAttestation(uint256 chainId,bytes32 taskId,bytes32 policyInstanceId,bytes32 policyTemplateId," +
  "bytes32 regoHash,bytes32 paramsSchemaHash,bytes32 paramsHash,uint64 referenceBlock,uint64 expirationBlock," +
  "PolicyDataBinding[] policyData,bytes32 resultHash,uint64 operatorSetId)" +
  POLICY_DATA_BINDING_TYPE;

/** `ChallengeVerifier.POLICY_DATA_BINDING_TYPEHASH`. */
export const POLICY_DATA_BINDING_TYPEHASH = keccak256(toUtf8Bytes(POLICY_DATA_BINDING_TYPE)) as Hex;
/** `ChallengeVerifier.POLICY_ATTESTATION_TYPEHASH`. */
export const POLICY_ATTESTATION_TYPEHASH = keccak256(toUtf8Bytes(POLICY_ATTESTATION_TYPE)) as Hex;

/** One policy-data instance an attestation used (`IChallengeVerifier.PolicyDataBinding`); all fields 32-byte hex. */
export interface PolicyDataBinding {
  readonly policyDataInstanceId: Hex;
  readonly policyDataTemplateId: Hex;
  readonly wasmHash: Hex;
  readonly paramsSchemaHash: Hex;
  readonly secretsSchemaHash: Hex;
  readonly paramsHash: Hex;
}

/** What operators BLS-sign about one policy evaluation (`IChallengeVerifier.PolicyAttestation`, DESIGN §3.5). */
export interface PolicyAttestation {
  readonly chainId: bigint;
  readonly taskId: Hex;
  readonly policyInstanceId: Hex;
  readonly policyTemplateId: Hex;
  readonly regoHash: Hex;
  readonly paramsSchemaHash: Hex;
  readonly paramsHash: Hex;
  /** Block number the registries were read at. */
  readonly referenceBlock: bigint;
  /** `referenceBlock + min(expireAfter)` over the policy instance and its data instances (blocks). */
  readonly expirationBlock: bigint;
  readonly policyData: readonly PolicyDataBinding[];
  readonly resultHash: Hex;
  readonly operatorSetId: bigint;
}

const abi = AbiCoder.defaultAbiCoder();

/** EIP-712 `hashStruct` of one binding: `keccak256(abi.encode(POLICY_DATA_BINDING_TYPEHASH, <six fields>))`. */
export function policyDataBindingHash(b: PolicyDataBinding): Hex {
  return keccak256(
    abi.encode(
      ["bytes32", "bytes32", "bytes32", "bytes32", "bytes32", "bytes32", "bytes32"],
      [
        POLICY_DATA_BINDING_TYPEHASH,
        b.policyDataInstanceId,
        b.policyDataTemplateId,
        b.wasmHash,
        b.paramsSchemaHash,
        b.secretsSchemaHash,
        b.paramsHash,
      ],
    ),
  ) as Hex;
}

/**
 * The 32-byte digest operators BLS-sign for an attestation, as `ChallengeVerifier.attestationDigest`: EIP-712
 * `hashStruct` (no domain wrapper; the chain id is a field), the binding array hashed as
 * `keccak256(concat(bindingHash_i))`.
 */
export function policyAttestationDigest(a: PolicyAttestation): Hex {
  const bindings = keccak256(concat(a.policyData.map(policyDataBindingHash)));
  return keccak256(
    abi.encode(
      [
        "bytes32",
        "uint256",
        "bytes32",
        "bytes32",
        "bytes32",
        "bytes32",
        "bytes32",
        "bytes32",
        "uint64",
        "uint64",
        "bytes32",
        "bytes32",
        "uint64",
      ],
      [
        POLICY_ATTESTATION_TYPEHASH,
        a.chainId,
        a.taskId,
        a.policyInstanceId,
        a.policyTemplateId,
        a.regoHash,
        a.paramsSchemaHash,
        a.paramsHash,
        a.referenceBlock,
        a.expirationBlock,
        bindings,
        a.resultHash,
        a.operatorSetId,
      ],
    ),
  ) as Hex;
}

import { AbiCoder, concat, getAddress, keccak256, toUtf8Bytes } from "ethers";

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

/** What operators BLS-sign about one policy evaluation (`IChallengeVerifier.PolicyAttestation`, docs/security-model.md). */
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

/** `ChallengeVerifier.EIP712_NAME` and `EIP712_VERSION`: the attestation digest's EIP-712 domain name and version. */
export const ATTESTATION_DOMAIN_NAME = "Newton ChallengeVerifier";
export const ATTESTATION_DOMAIN_VERSION = "1";

const EIP712_DOMAIN_TYPEHASH = keccak256(
  toUtf8Bytes("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
);

/** Where an attestation is checked: the chain and the ChallengeVerifier proxy (the EIP-712 `verifyingContract`). */
export interface AttestationDomain {
  readonly chainId: bigint;
  readonly verifyingContract: string;
}

/**
 * `ChallengeVerifier.domainSeparator()`: EIP-712 `hashStruct(EIP712Domain)` over name, version, chain id and the
 * verifier proxy's address.
 * @throws Error from ethers when `verifyingContract` is not a 20-byte address.
 */
export function attestationDomainSeparator(domain: AttestationDomain): Hex {
  return keccak256(
    abi.encode(
      ["bytes32", "bytes32", "bytes32", "uint256", "address"],
      [
        EIP712_DOMAIN_TYPEHASH,
        keccak256(toUtf8Bytes(ATTESTATION_DOMAIN_NAME)),
        keccak256(toUtf8Bytes(ATTESTATION_DOMAIN_VERSION)),
        domain.chainId,
        getAddress(domain.verifyingContract),
      ],
    ),
  ) as Hex;
}

/**
 * The 32-byte digest operators BLS-sign for an attestation, as `ChallengeVerifier.attestationDigest`: the EIP-712
 * typed-data hash `keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(attestation))`, the binding array hashed as
 * `keccak256(concat(bindingHash_i))`. The domain binds the verifier's address, so a signature for one deployment
 * is worthless on another with the same keys; sign with the domain of the chain the attestation names.
 * @throws Error from ethers when `verifyingContract` is not a 20-byte address.
 */
export function policyAttestationDigest(a: PolicyAttestation, domain: AttestationDomain): Hex {
  const bindings = keccak256(concat(a.policyData.map(policyDataBindingHash)));
  const structHash = keccak256(
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
  );
  return keccak256(concat(["0x1901", attestationDomainSeparator(domain), structHash])) as Hex;
}

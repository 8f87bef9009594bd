/**
 * The ids of docs/protocol.md §2, computed off-chain exactly as `PolicyDataRegistry` and `PolicyRegistry`
 * compute them on-chain. Templates are chain-agnostic (they hash artifact *hashes*); instances bind
 * the chain, the client, the template, the params, `expireAfter` and (policies) the data instances.
 */
import { AbiCoder, getAddress, getBytes, keccak256, solidityPacked, toUtf8Bytes, type BytesLike } from "ethers";

import type { Hex } from "../common";

/** keccak256 of the empty byte string: the content hash of an absent artifact (byteLength 0, never written). */
export const EMPTY_ARTIFACT_HASH: Hex = keccak256(new Uint8Array(0)) as Hex;

/** The type string whose keccak256 is `PolicyDataRegistry.POLICY_DATA_TEMPLATE_TYPEHASH`. */
export const POLICY_DATA_TEMPLATE_TYPE =
  "PolicyDataTemplate(bytes32 wasmHash,bytes32 paramsSchemaHash,bytes32 secretsSchemaHash)";

/** keccak256 of `POLICY_DATA_TEMPLATE_TYPE`. */
export const POLICY_DATA_TEMPLATE_TYPEHASH = keccak256(toUtf8Bytes(POLICY_DATA_TEMPLATE_TYPE)) as Hex;

/** The type string whose keccak256 is `PolicyRegistry.POLICY_TEMPLATE_TYPEHASH`. */
export const POLICY_TEMPLATE_TYPE =
  "PolicyTemplate(bytes32 regoHash,bytes32 paramsSchemaHash,bytes32[] policyDataTemplateIds)";

/** keccak256 of `POLICY_TEMPLATE_TYPE`. */
export const POLICY_TEMPLATE_TYPEHASH = keccak256(toUtf8Bytes(POLICY_TEMPLATE_TYPE)) as Hex;

/**
 * `PolicyRegistryBase.MAX_EXPIRE_AFTER`: the longest instance `expireAfter`, in blocks (one year at one block per
 * second), so that `referenceBlock + expireAfter` always fits an attestation's uint64 `expirationBlock`.
 */
export const MAX_EXPIRE_AFTER = 31_536_000n;

/** Domain byte that prefixes the packed preimage of a policy-data instance id. */
export const POLICY_DATA_INSTANCE_DOMAIN = 0x01;

/** Namespaces written by the policy registries (docs/protocol.md §1). */
export const POLICY_NAMESPACES = Object.freeze({
  secrets: 0x03,
  rego: 0x04,
  policyParamsSchema: 0x05,
  wasm: 0x06,
  policyDataParamsSchema: 0x07,
  secretsSchema: 0x08,
});

const abi = AbiCoder.defaultAbiCoder();

/**
 * The content hash of an artifact (Rego, JSON schema, WASM, secrets envelope): `keccak256(bytes)`.
 * @param bytes - the artifact bytes (`Uint8Array` or 0x-hex); empty gives `EMPTY_ARTIFACT_HASH`.
 */
export function artifactHash(bytes: BytesLike): Hex {
  return keccak256(getBytes(bytes)) as Hex;
}

/**
 * `policyDataTemplateId = keccak256(abi.encode(POLICY_DATA_TEMPLATE_TYPEHASH, wasmHash, paramsSchemaHash,
 * secretsSchemaHash))` — 4 ABI words (128 bytes) hashed. Chain-agnostic.
 * @param wasmHash - keccak256 of the WASM bytes (32 bytes, 0x-hex).
 * @param paramsSchemaHash - keccak256 of the params schema, `EMPTY_ARTIFACT_HASH` when there is none.
 * @param secretsSchemaHash - keccak256 of the secrets schema, `EMPTY_ARTIFACT_HASH` when there is none.
 */
export function policyDataTemplateId(wasmHash: string, paramsSchemaHash: string, secretsSchemaHash: string): Hex {
  return keccak256(
    abi.encode(
      ["bytes32", "bytes32", "bytes32", "bytes32"],
      [POLICY_DATA_TEMPLATE_TYPEHASH, wasmHash, paramsSchemaHash, secretsSchemaHash],
    ),
  ) as Hex;
}

/**
 * `policyTemplateId = keccak256(abi.encode(POLICY_TEMPLATE_TYPEHASH, regoHash, paramsSchemaHash,
 * policyDataTemplateIds))`, the ids ABI-encoded as a dynamic `bytes32[]`: typehash ‖ regoHash ‖
 * paramsSchemaHash ‖ offset (0x60) ‖ length ‖ one word per id. Chain-agnostic.
 * @param policyDataTemplateIds - strictly ascending 32-byte ids, as the contract requires (not checked here:
 *   the id of an unsorted list is well defined, the contract just refuses to register it).
 */
export function policyTemplateId(
  regoHash: string,
  paramsSchemaHash: string,
  policyDataTemplateIds: readonly string[],
): Hex {
  return keccak256(
    abi.encode(
      ["bytes32", "bytes32", "bytes32", "bytes32[]"],
      [POLICY_TEMPLATE_TYPEHASH, regoHash, paramsSchemaHash, [...policyDataTemplateIds]],
    ),
  ) as Hex;
}

/**
 * `policyDataInstanceId = keccak256(abi.encodePacked(uint8(0x01), uint256 chainId, address client,
 * bytes32 templateId, bytes32 keccak256(params), uint64 expireAfter))` — 1 + 32 + 20 + 32 + 32 + 8 = 125 bytes.
 * @param chainId - the chain the instance lives on (`block.chainid`).
 * @param client - the client address (0x-hex, any case; EIP-55 checked when mixed case).
 * @param params - the params bytes (`Uint8Array` or 0x-hex), hashed here.
 * @param expireAfter - attestation lifetime in blocks, a uint64.
 */
export function policyDataInstanceId(
  chainId: bigint,
  client: string,
  templateId: string,
  params: BytesLike,
  expireAfter: bigint,
): Hex {
  return keccak256(
    solidityPacked(
      ["uint8", "uint256", "address", "bytes32", "bytes32", "uint64"],
      [POLICY_DATA_INSTANCE_DOMAIN, chainId, getAddress(client), templateId, artifactHash(params), expireAfter],
    ),
  ) as Hex;
}

/**
 * `policyInstanceId = keccak256(abi.encodePacked(uint256 chainId, address client, bytes32 templateId,
 * bytes32 keccak256(params), uint64 expireAfter, bytes32 keccak256(abi.encodePacked(policyDataInstanceIds))))`
 * — 32 + 20 + 32 + 32 + 8 + 32 = 156 bytes; the inner hash is over the ids concatenated (32 bytes each; the
 * empty list hashes to `EMPTY_ARTIFACT_HASH`).
 * @param policyDataInstanceIds - one data instance per data template of the template, in the template's order.
 */
export function policyInstanceId(
  chainId: bigint,
  client: string,
  templateId: string,
  params: BytesLike,
  expireAfter: bigint,
  policyDataInstanceIds: readonly string[],
): Hex {
  const dataInstancesHash = keccak256(solidityPacked(["bytes32[]"], [[...policyDataInstanceIds]]));
  return keccak256(
    solidityPacked(
      ["uint256", "address", "bytes32", "bytes32", "uint64", "bytes32"],
      [chainId, getAddress(client), templateId, artifactHash(params), expireAfter, dataInstancesHash],
    ),
  ) as Hex;
}

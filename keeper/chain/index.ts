/**
 * keeper/chain — everything the keeper knows about the chain side: the exact encodings the
 * contracts hash and sign (commit digest, JMT key hash, write-record hash, the policy template and
 * instance ids), the contract ABIs the keeper calls, the indexed-chain interface the roles read the
 * write log and commit history through (implemented by keeper/chain/indexer), and the single
 * in-process transaction sender.
 *
 * Every encoding function here mirrors a Solidity function byte for byte (`StateCommitRegistry.commitDigest`,
 * `WriteLog.keyHash`, `WriteLog.recordHash`, `PolicyDataRegistry.computeTemplateId` /
 * `computeInstanceId`, `PolicyRegistry.computeTemplateId` / `computeInstanceId`); tests compare
 * them against the contracts.
 */
export {
  EMPTY_TREE_ROOT,
  NO_WRITE,
  STATE_COMMIT_TYPE,
  STATE_COMMIT_TYPEHASH,
  type StateCommit,
  type WriteRecord,
  keyHash,
  stateCommitDigest,
  userLeafId,
  writeRecordHash,
} from "./commit";
export {
  ATTESTATION_DOMAIN_NAME,
  ATTESTATION_DOMAIN_VERSION,
  type AttestationDomain,
  POLICY_ATTESTATION_TYPE,
  POLICY_ATTESTATION_TYPEHASH,
  POLICY_DATA_BINDING_TYPE,
  POLICY_DATA_BINDING_TYPEHASH,
  type PolicyAttestation,
  type PolicyDataBinding,
  attestationDomainSeparator,
  policyAttestationDigest,
  policyDataBindingHash,
} from "./attestation";
export {
  EMPTY_ARTIFACT_HASH,
  MAX_EXPIRE_AFTER,
  POLICY_DATA_INSTANCE_DOMAIN,
  POLICY_DATA_TEMPLATE_TYPE,
  POLICY_DATA_TEMPLATE_TYPEHASH,
  POLICY_NAMESPACES,
  POLICY_TEMPLATE_TYPE,
  POLICY_TEMPLATE_TYPEHASH,
  artifactHash,
  policyDataInstanceId,
  policyDataTemplateId,
  policyInstanceId,
  policyTemplateId,
} from "./policy-ids";
export * from "./indexer";
export {
  CHALLENGE_VERIFIER_ABI,
  OPENING_STATUS,
  OPERATOR_REGISTRY_ABI,
  STATE_COMMIT_REGISTRY_ABI,
  type KeeperAddresses,
  type KeeperContracts,
  challengeVerifierInterface,
  connectContracts,
  decodeRevert,
  operatorRegistryInterface,
  stateCommitRegistryInterface,
} from "./contracts";
export type { IndexedChain, IndexedChainOptions } from "./indexed";
export { writeRecordOf } from "./indexed";
export { createIndexedChain } from "./indexed-chain";
export { ChainError, type ChainErrorType } from "./errors";
export { TxSender, type TxRequest, type TxSenderDeps, type TxSenderOptions, revertReason } from "./sender";
export {
  MAX_FEE_EXPONENT,
  applyWrite,
  baseFeePerByte,
  decayedExcess,
  fakeExponential,
  type WriteFeeParams,
  type WriteFeeState,
} from "./write-fee";

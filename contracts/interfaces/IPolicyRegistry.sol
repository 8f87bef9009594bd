// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Interfaces
import {IPolicyDataRegistry} from "./IPolicyDataRegistry.sol";
import {IPolicyRegistryBase} from "./IPolicyRegistryBase.sol";

/// @title IPolicyRegistry
/// @notice One chain's policy templates (Rego source, params JSON schema, and the policy-data templates the policy
///         reads) and the clients' instances of them (params, expiry, and one data instance per data template).
/// @dev Ids (docs/protocol.md §2), mirrored by `keeper/chain/policy-ids.ts`:
///      - `policyTemplateId = keccak256(abi.encode(POLICY_TEMPLATE_TYPEHASH, regoHash, paramsSchemaHash,
///        policyDataTemplateIds))` with the ids ABI-encoded as a dynamic `bytes32[]` (offset word, length word,
///        one word per id), chain-agnostic;
///      - `policyInstanceId = keccak256(abi.encodePacked(block.chainid, client, templateId, keccak256(params),
///        expireAfter, keccak256(abi.encodePacked(policyDataInstanceIds))))` (32 + 20 + 32 + 32 + 8 + 32 = 156 bytes).
///      Unknown ids read as zero structs (`registeredAt == 0`) and empty arrays.
interface IPolicyRegistry is IPolicyRegistryBase {
    /// @notice A registered policy template (write-once; its data template ids: `policyDataTemplateIdsOf`).
    /// @param regoHash keccak256 of the Rego source (never the empty artifact).
    /// @param paramsSchemaHash keccak256 of the params JSON schema (`keccak256("")` when there is none).
    /// @param author The account that registered it.
    /// @param registeredAt The block number it was registered in (0 ⇔ not registered).
    struct PolicyTemplate {
        bytes32 regoHash;
        bytes32 paramsSchemaHash;
        address author;
        uint64 registeredAt;
    }

    /// @notice A deployed policy instance (write-once; params: `instanceParams`; data instances:
    ///         `policyDataInstanceIdsOf`).
    /// @param templateId The policy template it instantiates.
    /// @param paramsHash keccak256 of the params bytes.
    /// @param client The client the instance belongs to (the only account that may point at it).
    /// @param expireAfter How long an attestation stays valid, in blocks after its reference block (> 0).
    /// @param deployer The account that deployed it (may differ from `client`).
    /// @param registeredAt The block number it was deployed in (0 ⇔ not deployed).
    struct PolicyInstance {
        bytes32 templateId;
        bytes32 paramsHash;
        address client;
        uint64 expireAfter;
        address deployer;
        uint64 registeredAt;
    }

    /// @notice Emitted when a policy template is registered; the hashes and ids are its content.
    event TemplateRegistered(
        bytes32 indexed templateId,
        address indexed author,
        bytes32 regoHash,
        bytes32 paramsSchemaHash,
        bytes32[] policyDataTemplateIds
    );
    /// @notice Emitted when `deployer` deploys policy instance `instanceId` of `templateId` for `client`.
    event InstanceDeployed(
        bytes32 indexed instanceId,
        bytes32 indexed templateId,
        address indexed client,
        address deployer,
        bytes32 paramsHash,
        uint64 expireAfter,
        bytes params,
        bytes32[] policyDataInstanceIds
    );

    /// @notice `policyDataTemplateIds[index]` (`current`) is not strictly above the previous id (`previous`): the ids
    ///         must be sorted ascending without duplicates.
    error DataTemplateIdsNotAscending(uint256 index, bytes32 previous, bytes32 current);
    /// @notice `policyDataTemplateIds[index]` is not registered in this chain's PolicyDataRegistry.
    error DataTemplateNotRegistered(uint256 index, bytes32 policyDataTemplateId);
    /// @notice A policy template may name at most `max` data templates; `count` were given.
    error DataTemplateCountTooLarge(uint256 count, uint256 max);
    /// @notice The template has `expected` data templates, but `actual` data instances were given.
    error DataInstanceCountMismatch(uint256 expected, uint256 actual);
    /// @notice `policyDataInstanceIds[index]` is not deployed in this chain's PolicyDataRegistry.
    error DataInstanceNotDeployed(uint256 index, bytes32 policyDataInstanceId);
    /// @notice `policyDataInstanceIds[index]` belongs to `actual`, not to the policy instance's client `expected`.
    error DataInstanceClientMismatch(uint256 index, bytes32 policyDataInstanceId, address expected, address actual);
    /// @notice `policyDataInstanceIds[index]` instantiates `actual`, but the template's i-th data template is
    ///         `expected` (wrong kind or order).
    error DataInstanceTemplateMismatch(uint256 index, bytes32 policyDataInstanceId, bytes32 expected, bytes32 actual);

    /// @notice Registers a policy template and proposes its artifact writes (0x04 Rego, 0x05 params schema), paying
    ///         their write fees out of `msg.value` (the rest is refunded).
    function registerTemplate(
        ArtifactRef calldata rego,
        ArtifactRef calldata paramsSchema,
        bytes32[] calldata policyDataTemplateIds
    ) external payable returns (bytes32 policyTemplateId);

    /// @notice Deploys `client`'s instance of `templateId` with its params, expiry and data instances.
    function deployInstance(
        bytes32 templateId,
        address client,
        bytes calldata params,
        uint64 expireAfter,
        bytes32[] calldata policyDataInstanceIds
    ) external returns (bytes32 policyInstanceId);

    /// @notice Points the caller's current policy instance at `instanceId`.
    function setCurrentInstance(bytes32 instanceId) external;

    /// @notice The id `registerTemplate` derives.
    function computeTemplateId(
        bytes32 regoHash,
        bytes32 paramsSchemaHash,
        bytes32[] calldata policyDataTemplateIds
    ) external pure returns (bytes32);

    /// @notice The id `deployInstance` derives on this chain.
    function computeInstanceId(
        address client,
        bytes32 templateId,
        bytes32 paramsHash,
        uint64 expireAfter,
        bytes32[] calldata policyDataInstanceIds
    ) external view returns (bytes32);

    /// @notice The template row of `templateId` (zero struct if unknown).
    function templates(bytes32 templateId) external view returns (PolicyTemplate memory);

    /// @notice The instance row of `instanceId` (zero struct if unknown).
    function instances(bytes32 instanceId) external view returns (PolicyInstance memory);

    /// @notice Whether `templateId` is registered.
    function isTemplateRegistered(bytes32 templateId) external view returns (bool);

    /// @notice Whether `instanceId` is deployed.
    function isInstanceDeployed(bytes32 instanceId) external view returns (bool);

    /// @notice The policy-data template ids of `templateId`, ascending (empty if unknown).
    function policyDataTemplateIdsOf(bytes32 templateId) external view returns (bytes32[] memory);

    /// @notice The policy-data instance ids of `instanceId`, in template order (empty if unknown).
    function policyDataInstanceIdsOf(bytes32 instanceId) external view returns (bytes32[] memory);

    /// @notice The params bytes of `instanceId` (empty if unknown).
    function instanceParams(bytes32 instanceId) external view returns (bytes memory);

    /// @notice The policy instance `client` currently points at (`bytes32(0)` if none).
    function currentPolicyInstance(address client) external view returns (bytes32);

    /// @notice This chain's PolicyDataRegistry, which data template and instance ids are checked against.
    function policyDataRegistry() external view returns (IPolicyDataRegistry);
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Contracts
import {PolicyRegistryBase} from "./PolicyRegistryBase.sol";

// Interfaces
import {IPolicyDataRegistry} from "./interfaces/IPolicyDataRegistry.sol";
import {IPolicyRegistry} from "./interfaces/IPolicyRegistry.sol";
import {IStateCommitRegistry} from "./interfaces/IStateCommitRegistry.sol";

/// @title PolicyRegistry
/// @notice One chain's policy templates and instances (ids: docs/protocol.md §2). A template is immutable and
///         content-addressed: Rego source, a params JSON schema, and the sorted list of policy-data templates it
///         reads. An instance is one client's params, expiry and data instances (one per data template, in order) on
///         this chain. This registry writes namespaces 0x04 (Rego) and 0x05 (params schema) of the
///         StateCommitRegistry.
/// @dev Rows are write-once and never deleted (see `IPolicyRegistryBase`); data template and data instance ids are
///      checked against this chain's PolicyDataRegistry when the row is written, so they hold at every later block.
contract PolicyRegistry is IPolicyRegistry, PolicyRegistryBase {
    /// @notice Semantic version of this implementation.
    // solhint-disable-next-line const-name-snakecase
    string public constant version = "1.0.0";

    /// @notice Type hash of the policy template id (see `computeTemplateId`).
    bytes32 public constant POLICY_TEMPLATE_TYPEHASH = keccak256(
        "PolicyTemplate(bytes32 regoHash,bytes32 paramsSchemaHash,bytes32[] policyDataTemplateIds)"
    );

    /// @notice Namespaces this registry writes (docs/protocol.md §1).
    uint8 public constant NAMESPACE_REGO = 0x04;
    uint8 public constant NAMESPACE_PARAMS_SCHEMA = 0x05;

    /// @notice At most this many policy-data templates per policy template, which bounds the gas of
    ///         `deployInstance` and of re-deriving an attestation's data bindings in the ChallengeVerifier.
    uint256 public constant MAX_POLICY_DATA_TEMPLATES = 32;

    /// @custom:storage-location erc7201:newton.storage.PolicyRegistry
    struct PolicyRegistryStorage {
        PolicyRegistryCommon common;
        IPolicyDataRegistry policyDataRegistry;
        mapping(bytes32 templateId => PolicyTemplate) templates;
        mapping(bytes32 templateId => bytes32[]) templateDataTemplateIds;
        mapping(bytes32 instanceId => PolicyInstance) instances;
        mapping(bytes32 instanceId => bytes32[]) instanceDataInstanceIds;
        mapping(bytes32 instanceId => bytes) instanceParams;
        mapping(address client => bytes32 instanceId) currentInstances;
    }

    // keccak256(abi.encode(uint256(keccak256("newton.storage.PolicyRegistry")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_LOCATION = 0xfe20de54ae11991ddbdda12a789f361c628e7c075113cf97f52b295f1da81c00;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Initializes the proxy.
    /// @param initialOwner The owner (the deployer during deployment; a Safe on mainnet afterwards).
    /// @param registry The StateCommitRegistry whose namespaces 0x04–0x05 this registry writes.
    /// @param dataRegistry This chain's PolicyDataRegistry.
    /// @param templateRegistrationPermissionless_ Whether anyone may register templates (testnets: true).
    /// @param instanceDeploymentPermissionless_ Whether anyone may deploy instances (testnets: true).
    /// @dev Reverts `ConfigAddressZero` for a zero registry. Emits `PermissionChanged` twice.
    function initialize(
        address initialOwner,
        IStateCommitRegistry registry,
        IPolicyDataRegistry dataRegistry,
        bool templateRegistrationPermissionless_,
        bool instanceDeploymentPermissionless_
    ) external initializer {
        __PolicyRegistryBase_init(
            initialOwner,
            registry,
            templateRegistrationPermissionless_,
            instanceDeploymentPermissionless_
        );
        if (address(dataRegistry) == address(0)) revert ConfigAddressZero("policyDataRegistry");
        _storage().policyDataRegistry = dataRegistry;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Templates
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IPolicyRegistry
    /// @param rego The Rego source; must not be empty.
    /// @param paramsSchema The params JSON schema; `{keccak256(""), 0, ""}` when there is none.
    /// @param policyDataTemplateIds Policy-data template ids registered in this chain's PolicyDataRegistry, strictly
    ///        ascending (as unsigned 256-bit integers), at most `MAX_POLICY_DATA_TEMPLATES`; may be empty.
    /// @return policyTemplateId `keccak256(abi.encode(POLICY_TEMPLATE_TYPEHASH, rego.contentHash,
    ///         paramsSchema.contentHash, policyDataTemplateIds))`.
    /// @dev Reverts `TemplateAuthorUnauthorized`, `ArtifactRefInvalid`, `ArtifactRequired(0x04)` (empty Rego),
    ///      `DataTemplateCountTooLarge`, `DataTemplateIdsNotAscending`, `DataTemplateNotRegistered`,
    ///      `TemplateAlreadyRegistered`, and the StateCommitRegistry's write errors. Emits `TemplateRegistered`, then
    ///      one `WriteProposed` (on the StateCommitRegistry) per non-empty artifact this registry has not written
    ///      before (Rego, then params schema), each with id = valueHash = contentHash. `msg.value` pays those
    ///      writes' fees (`StateCommitRegistry.writeFee`, in wei); the rest is refunded (`FeeRefundFailed`).
    function registerTemplate(
        ArtifactRef calldata rego,
        ArtifactRef calldata paramsSchema,
        bytes32[] calldata policyDataTemplateIds
    ) external payable returns (bytes32 policyTemplateId) {
        _checkTemplateAuthor();
        _checkArtifact(rego, NAMESPACE_REGO, true);
        _checkArtifact(paramsSchema, NAMESPACE_PARAMS_SCHEMA, false);
        PolicyRegistryStorage storage $ = _storage();
        _checkDataTemplateIds($, policyDataTemplateIds);
        policyTemplateId = _templateId(rego.contentHash, paramsSchema.contentHash, policyDataTemplateIds);
        PolicyTemplate storage row = $.templates[policyTemplateId];
        if (row.registeredAt != 0) revert TemplateAlreadyRegistered(policyTemplateId);

        row.regoHash = rego.contentHash;
        row.paramsSchemaHash = paramsSchema.contentHash;
        row.author = msg.sender;
        row.registeredAt = uint64(block.number);
        if (policyDataTemplateIds.length != 0) $.templateDataTemplateIds[policyTemplateId] = policyDataTemplateIds;
        bool writeRego = _markArtifact(NAMESPACE_REGO, rego);
        bool writeParamsSchema = _markArtifact(NAMESPACE_PARAMS_SCHEMA, paramsSchema);

        emit TemplateRegistered(
            policyTemplateId,
            msg.sender,
            rego.contentHash,
            paramsSchema.contentHash,
            policyDataTemplateIds
        );

        uint256 left = msg.value;
        if (writeRego) left -= _proposeArtifact(NAMESPACE_REGO, rego, left);
        if (writeParamsSchema) left -= _proposeArtifact(NAMESPACE_PARAMS_SCHEMA, paramsSchema, left);
        _refund(left);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Instances
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IPolicyRegistry
    /// @param templateId A registered policy template.
    /// @param client The instance's owner (may differ from the caller; only it sets the pointer).
    /// @param params The params bytes (JSON validated off-chain against the params schema), stored on-chain.
    /// @param expireAfter Attestation lifetime in blocks after the reference block, in [1, MAX_EXPIRE_AFTER].
    /// @param policyDataInstanceIds One deployed policy-data instance of `client` per data template of the template,
    ///        in the template's order: entry i instantiates `policyDataTemplateIdsOf(templateId)[i]`.
    /// @return policyInstanceId `keccak256(abi.encodePacked(block.chainid, client, templateId, keccak256(params),
    ///         expireAfter, keccak256(abi.encodePacked(policyDataInstanceIds))))`.
    /// @dev Reverts `InstanceDeployerUnauthorized`, `InstanceClientZero`, `ExpireAfterZero`, `ExpireAfterTooLarge`,
    ///      `TemplateNotRegistered`, `InstanceAlreadyDeployed`, `DataInstanceCountMismatch` (arity), and per entry, in
    ///      order, `DataInstanceNotDeployed` (existence), `DataInstanceClientMismatch` (owner),
    ///      `DataInstanceTemplateMismatch` (kind). Emits `InstanceDeployed`.
    function deployInstance(
        bytes32 templateId,
        address client,
        bytes calldata params,
        uint64 expireAfter,
        bytes32[] calldata policyDataInstanceIds
    ) external returns (bytes32 policyInstanceId) {
        _checkInstanceDeployment(client, expireAfter);
        PolicyRegistryStorage storage $ = _storage();
        if ($.templates[templateId].registeredAt == 0) revert TemplateNotRegistered(templateId);
        bytes32 paramsHash = keccak256(params);
        policyInstanceId = _instanceId(client, templateId, paramsHash, expireAfter, policyDataInstanceIds);
        PolicyInstance storage row = $.instances[policyInstanceId];
        if (row.registeredAt != 0) revert InstanceAlreadyDeployed(policyInstanceId);
        _checkDataInstances($, templateId, client, policyDataInstanceIds);

        row.templateId = templateId;
        row.paramsHash = paramsHash;
        row.client = client;
        row.expireAfter = expireAfter;
        row.deployer = msg.sender;
        row.registeredAt = uint64(block.number);
        if (params.length != 0) $.instanceParams[policyInstanceId] = params;
        if (policyDataInstanceIds.length != 0) $.instanceDataInstanceIds[policyInstanceId] = policyDataInstanceIds;

        emit InstanceDeployed(
            policyInstanceId,
            templateId,
            client,
            msg.sender,
            paramsHash,
            expireAfter,
            params,
            policyDataInstanceIds
        );
    }

    /// @inheritdoc IPolicyRegistry
    /// @param instanceId A deployed policy instance whose client is the caller; becomes
    ///        `currentPolicyInstance(caller)`.
    /// @dev Reverts `InstanceNotDeployed`, `InstanceCallerNotClient`. Emits `CurrentInstanceSet`.
    function setCurrentInstance(bytes32 instanceId) external {
        PolicyRegistryStorage storage $ = _storage();
        PolicyInstance storage row = $.instances[instanceId];
        _checkClient(instanceId, row.client, row.registeredAt);
        bytes32 previousId = $.currentInstances[msg.sender];
        $.currentInstances[msg.sender] = instanceId;
        emit CurrentInstanceSet(msg.sender, row.templateId, instanceId, previousId);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IPolicyRegistry
    /// @dev `keccak256(abi.encode(POLICY_TEMPLATE_TYPEHASH, regoHash, paramsSchemaHash, policyDataTemplateIds))`;
    ///      does not check the ids.
    function computeTemplateId(
        bytes32 regoHash,
        bytes32 paramsSchemaHash,
        bytes32[] calldata policyDataTemplateIds
    ) external pure returns (bytes32) {
        return _templateId(regoHash, paramsSchemaHash, policyDataTemplateIds);
    }

    /// @inheritdoc IPolicyRegistry
    /// @param paramsHash keccak256 of the params bytes.
    /// @dev `keccak256(abi.encodePacked(block.chainid, client, templateId, paramsHash, expireAfter,
    ///      keccak256(abi.encodePacked(policyDataInstanceIds))))`; does not check anything.
    function computeInstanceId(
        address client,
        bytes32 templateId,
        bytes32 paramsHash,
        uint64 expireAfter,
        bytes32[] calldata policyDataInstanceIds
    ) external view returns (bytes32) {
        return _instanceId(client, templateId, paramsHash, expireAfter, policyDataInstanceIds);
    }

    /// @inheritdoc IPolicyRegistry
    function templates(bytes32 templateId) external view returns (PolicyTemplate memory) {
        return _storage().templates[templateId];
    }

    /// @inheritdoc IPolicyRegistry
    function instances(bytes32 instanceId) external view returns (PolicyInstance memory) {
        return _storage().instances[instanceId];
    }

    /// @inheritdoc IPolicyRegistry
    function isTemplateRegistered(bytes32 templateId) external view returns (bool) {
        return _storage().templates[templateId].registeredAt != 0;
    }

    /// @inheritdoc IPolicyRegistry
    function isInstanceDeployed(bytes32 instanceId) external view returns (bool) {
        return _storage().instances[instanceId].registeredAt != 0;
    }

    /// @inheritdoc IPolicyRegistry
    function policyDataTemplateIdsOf(bytes32 templateId) external view returns (bytes32[] memory) {
        return _storage().templateDataTemplateIds[templateId];
    }

    /// @inheritdoc IPolicyRegistry
    function policyDataInstanceIdsOf(bytes32 instanceId) external view returns (bytes32[] memory) {
        return _storage().instanceDataInstanceIds[instanceId];
    }

    /// @inheritdoc IPolicyRegistry
    function instanceParams(bytes32 instanceId) external view returns (bytes memory) {
        return _storage().instanceParams[instanceId];
    }

    /// @inheritdoc IPolicyRegistry
    function currentPolicyInstance(address client) external view returns (bytes32) {
        return _storage().currentInstances[client];
    }

    /// @inheritdoc IPolicyRegistry
    function policyDataRegistry() external view returns (IPolicyDataRegistry) {
        return _storage().policyDataRegistry;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------------------------

    function _common() internal view override returns (PolicyRegistryCommon storage) {
        return _storage().common;
    }

    function _storage() private pure returns (PolicyRegistryStorage storage $) {
        assembly {
            $.slot := STORAGE_LOCATION
        }
    }

    /// @dev Count cap, strict ascent (which also excludes duplicates), registration in the PolicyDataRegistry.
    function _checkDataTemplateIds(PolicyRegistryStorage storage $, bytes32[] calldata ids) private view {
        if (ids.length > MAX_POLICY_DATA_TEMPLATES) {
            revert DataTemplateCountTooLarge(ids.length, MAX_POLICY_DATA_TEMPLATES);
        }
        IPolicyDataRegistry dataRegistry = $.policyDataRegistry;
        for (uint256 i = 0; i < ids.length; ++i) {
            if (i != 0 && ids[i] <= ids[i - 1]) revert DataTemplateIdsNotAscending(i, ids[i - 1], ids[i]);
            if (!dataRegistry.isTemplateRegistered(ids[i])) revert DataTemplateNotRegistered(i, ids[i]);
        }
    }

    /// @dev Arity, then per entry existence, owner and kind, against the template's data template list.
    function _checkDataInstances(
        PolicyRegistryStorage storage $,
        bytes32 templateId,
        address client,
        bytes32[] calldata ids
    ) private view {
        bytes32[] storage dataTemplateIds = $.templateDataTemplateIds[templateId];
        uint256 count = dataTemplateIds.length;
        if (ids.length != count) revert DataInstanceCountMismatch(count, ids.length);
        IPolicyDataRegistry dataRegistry = $.policyDataRegistry;
        for (uint256 i = 0; i < count; ++i) {
            IPolicyDataRegistry.PolicyDataInstance memory dataInstance = dataRegistry.instances(ids[i]);
            if (dataInstance.registeredAt == 0) revert DataInstanceNotDeployed(i, ids[i]);
            if (dataInstance.client != client) {
                revert DataInstanceClientMismatch(i, ids[i], client, dataInstance.client);
            }
            bytes32 expected = dataTemplateIds[i];
            if (dataInstance.templateId != expected) {
                revert DataInstanceTemplateMismatch(i, ids[i], expected, dataInstance.templateId);
            }
        }
    }

    function _templateId(
        bytes32 regoHash,
        bytes32 paramsSchemaHash,
        bytes32[] calldata policyDataTemplateIds
    ) private pure returns (bytes32) {
        return keccak256(abi.encode(POLICY_TEMPLATE_TYPEHASH, regoHash, paramsSchemaHash, policyDataTemplateIds));
    }

    function _instanceId(
        address client,
        bytes32 templateId,
        bytes32 paramsHash,
        uint64 expireAfter,
        bytes32[] calldata policyDataInstanceIds
    ) private view returns (bytes32) {
        return
            keccak256(
                abi.encodePacked(
                    block.chainid,
                    client,
                    templateId,
                    paramsHash,
                    expireAfter,
                    keccak256(abi.encodePacked(policyDataInstanceIds))
                )
            );
    }
}

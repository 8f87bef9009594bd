// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Contracts
import {PolicyRegistryBase} from "./PolicyRegistryBase.sol";

// Interfaces
import {IPolicyDataRegistry} from "./interfaces/IPolicyDataRegistry.sol";
import {IStateCommitRegistry} from "./interfaces/IStateCommitRegistry.sol";

/// @title PolicyDataRegistry
/// @notice One chain's policy-data templates and instances (docs/protocol.md §2). Templates are immutable and
///         content-addressed (a WASM data plugin and two JSON schemas); instances are one client's params, expiry and
///         secrets for a template on this chain. The bytes of every artifact and envelope live in EigenDA; this
///         registry proposes their leaves to the StateCommitRegistry as the writer of namespaces 0x03 (secrets
///         envelope), 0x06 (WASM), 0x07 (params schema) and 0x08 (secrets schema).
/// @dev Rows are write-once and never deleted (see `IPolicyRegistryBase`). Artifact leaves are written once per
///      (namespace, hash) by this registry; the empty artifact is never written.
contract PolicyDataRegistry is IPolicyDataRegistry, PolicyRegistryBase {
    /// @notice Semantic version of this implementation.
    // solhint-disable-next-line const-name-snakecase
    string public constant version = "1.0.0";

    /// @notice Type hash of the policy-data template id (see `computeTemplateId`).
    bytes32 public constant POLICY_DATA_TEMPLATE_TYPEHASH = keccak256(
        "PolicyDataTemplate(bytes32 wasmHash,bytes32 paramsSchemaHash,bytes32 secretsSchemaHash)"
    );

    /// @notice Domain byte that prefixes the packed preimage of a policy-data instance id.
    uint8 public constant POLICY_DATA_INSTANCE_DOMAIN = 0x01;

    /// @notice Namespaces this registry writes (docs/protocol.md §1).
    uint8 public constant NAMESPACE_SECRETS = 0x03;
    uint8 public constant NAMESPACE_WASM = 0x06;
    uint8 public constant NAMESPACE_PARAMS_SCHEMA = 0x07;
    uint8 public constant NAMESPACE_SECRETS_SCHEMA = 0x08;

    /// @custom:storage-location erc7201:newton.storage.PolicyDataRegistry
    struct PolicyDataRegistryStorage {
        PolicyRegistryCommon common;
        mapping(bytes32 templateId => PolicyDataTemplate) templates;
        mapping(bytes32 instanceId => PolicyDataInstance) instances;
        mapping(bytes32 instanceId => bytes) instanceParams;
        mapping(bytes32 instanceId => Secrets) secrets;
        mapping(address client => mapping(bytes32 templateId => bytes32 instanceId)) currentInstances;
    }

    // keccak256(abi.encode(uint256(keccak256("newton.storage.PolicyDataRegistry")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_LOCATION = 0xcfd0ac061d0d5bbe75db2bc7239e457fcb4192659737e38a62ed400118014300;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Initializes the proxy.
    /// @param initialOwner The owner (the deployer during deployment; a Safe on mainnet afterwards).
    /// @param registry The StateCommitRegistry whose namespaces 0x03, 0x06–0x08 this registry writes (the owner of
    ///        that registry must set this proxy as their writer).
    /// @param templateRegistrationPermissionless_ Whether anyone may register templates (testnets: true).
    /// @param instanceDeploymentPermissionless_ Whether anyone may deploy instances (testnets: true).
    /// @dev Reverts `ConfigAddressZero("stateCommitRegistry")` for a zero registry. Emits `PermissionChanged` twice.
    function initialize(
        address initialOwner,
        IStateCommitRegistry registry,
        bool templateRegistrationPermissionless_,
        bool instanceDeploymentPermissionless_
    ) external initializer {
        __PolicyRegistryBase_init(
            initialOwner,
            registry,
            templateRegistrationPermissionless_,
            instanceDeploymentPermissionless_
        );
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Templates
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IPolicyDataRegistry
    /// @param wasm The WASM data plugin; must not be empty.
    /// @param paramsSchema The params JSON schema; `{keccak256(""), 0, ""}` when there is none.
    /// @param secretsSchema The secrets JSON schema; `{keccak256(""), 0, ""}` when there is none.
    /// @return policyDataTemplateId `keccak256(abi.encode(POLICY_DATA_TEMPLATE_TYPEHASH, wasm.contentHash,
    ///         paramsSchema.contentHash, secretsSchema.contentHash))`.
    /// @dev Reverts `TemplateAuthorUnauthorized` (allowlist-only and caller not listed), `ArtifactRefInvalid`,
    ///      `ArtifactRequired(0x06)` (empty WASM), `TemplateAlreadyRegistered`, and the StateCommitRegistry's
    ///      `WriteTooLarge` / `WriteCallerNotNamespaceWriter`. Emits `TemplateRegistered`, then one
    ///      `WriteProposed` (on the StateCommitRegistry) per non-empty artifact this registry has not written before,
    ///      in the order WASM, params schema, secrets schema, each with id = valueHash = contentHash. `msg.value`
    ///      pays those writes' fees (`StateCommitRegistry.writeFee`, in wei); the rest is refunded
    ///      (`FeeRefundFailed`).
    function registerTemplate(
        ArtifactRef calldata wasm,
        ArtifactRef calldata paramsSchema,
        ArtifactRef calldata secretsSchema
    ) external payable returns (bytes32 policyDataTemplateId) {
        _checkTemplateAuthor();
        _checkArtifact(wasm, NAMESPACE_WASM, true);
        _checkArtifact(paramsSchema, NAMESPACE_PARAMS_SCHEMA, false);
        _checkArtifact(secretsSchema, NAMESPACE_SECRETS_SCHEMA, false);
        policyDataTemplateId = _templateId(wasm.contentHash, paramsSchema.contentHash, secretsSchema.contentHash);
        PolicyDataTemplate storage row = _storage().templates[policyDataTemplateId];
        if (row.registeredAt != 0) revert TemplateAlreadyRegistered(policyDataTemplateId);

        row.wasmHash = wasm.contentHash;
        row.paramsSchemaHash = paramsSchema.contentHash;
        row.secretsSchemaHash = secretsSchema.contentHash;
        row.author = msg.sender;
        row.registeredAt = uint64(block.number);
        bool writeWasm = _markArtifact(NAMESPACE_WASM, wasm);
        bool writeParamsSchema = _markArtifact(NAMESPACE_PARAMS_SCHEMA, paramsSchema);
        bool writeSecretsSchema = _markArtifact(NAMESPACE_SECRETS_SCHEMA, secretsSchema);

        emit TemplateRegistered(
            policyDataTemplateId,
            msg.sender,
            wasm.contentHash,
            paramsSchema.contentHash,
            secretsSchema.contentHash
        );

        uint256 left = msg.value;
        if (writeWasm) left -= _proposeArtifact(NAMESPACE_WASM, wasm, left);
        if (writeParamsSchema) left -= _proposeArtifact(NAMESPACE_PARAMS_SCHEMA, paramsSchema, left);
        if (writeSecretsSchema) left -= _proposeArtifact(NAMESPACE_SECRETS_SCHEMA, secretsSchema, left);
        _refund(left);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Instances
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IPolicyDataRegistry
    /// @param templateId A registered policy-data template.
    /// @param client The instance's owner (may differ from the caller; only it sets secrets and pointers).
    /// @param params The params bytes (JSON validated off-chain against the params schema), stored on-chain.
    /// @param expireAfter Attestation lifetime in blocks after the reference block, in [1, MAX_EXPIRE_AFTER].
    /// @return policyDataInstanceId `keccak256(abi.encodePacked(uint8(0x01), block.chainid, client, templateId,
    ///         keccak256(params), expireAfter))`.
    /// @dev Reverts `InstanceDeployerUnauthorized`, `InstanceClientZero`, `ExpireAfterZero`, `ExpireAfterTooLarge`,
    ///      `TemplateNotRegistered`, `InstanceAlreadyDeployed`. Emits `InstanceDeployed`. The row is inert until the
    ///      client points at it.
    function deployInstance(
        bytes32 templateId,
        address client,
        bytes calldata params,
        uint64 expireAfter
    ) external returns (bytes32 policyDataInstanceId) {
        _checkInstanceDeployment(client, expireAfter);
        PolicyDataRegistryStorage storage $ = _storage();
        if ($.templates[templateId].registeredAt == 0) revert TemplateNotRegistered(templateId);
        bytes32 paramsHash = keccak256(params);
        policyDataInstanceId = _instanceId(client, templateId, paramsHash, expireAfter);
        PolicyDataInstance storage row = $.instances[policyDataInstanceId];
        if (row.registeredAt != 0) revert InstanceAlreadyDeployed(policyDataInstanceId);

        row.templateId = templateId;
        row.paramsHash = paramsHash;
        row.client = client;
        row.expireAfter = expireAfter;
        row.deployer = msg.sender;
        row.registeredAt = uint64(block.number);
        if (params.length != 0) $.instanceParams[policyDataInstanceId] = params;

        emit InstanceDeployed(policyDataInstanceId, templateId, client, msg.sender, paramsHash, expireAfter, params);
    }

    /// @inheritdoc IPolicyDataRegistry
    /// @param instanceId A deployed instance whose client is the caller.
    /// @param envelopeHash keccak256 of the HPKE envelope bytes (X25519, HKDF-SHA256, ChaCha20-Poly1305, sealed to
    ///        the operators' shared secrets key); `bytes32(0)` deletes the leaf.
    /// @param byteLength Length of the envelope bytes, in bytes; 0 exactly when deleting.
    /// @param daCert The EigenDA certificate of the envelope bytes (opaque).
    /// @dev Reverts `InstanceNotDeployed`, `InstanceCallerNotClient`, `SecretsEnvelopeInvalid`, and the
    ///      StateCommitRegistry's `WriteTooLarge`. Emits `SecretsSet`, then `WriteProposed(ns 0x03, keyHash(0x03,
    ///      instanceId), envelopeHash, byteLength, …, daCert)` on the StateCommitRegistry. `msg.value` pays the write
    ///      fee (`StateCommitRegistry.writeFee`, in wei); the rest is refunded (`FeeRefundFailed`).
    function setSecrets(
        bytes32 instanceId,
        bytes32 envelopeHash,
        uint32 byteLength,
        bytes calldata daCert
    ) external payable {
        PolicyDataRegistryStorage storage $ = _storage();
        PolicyDataInstance storage row = $.instances[instanceId];
        _checkClient(instanceId, row.client, row.registeredAt);
        if ((envelopeHash == bytes32(0)) != (byteLength == 0)) revert SecretsEnvelopeInvalid(envelopeHash, byteLength);

        $.secrets[instanceId] = Secrets({
            envelopeHash: envelopeHash,
            byteLength: byteLength,
            updatedAt: uint64(block.number)
        });

        emit SecretsSet(instanceId, msg.sender, envelopeHash, byteLength);

        _refund(msg.value - _proposeWrite(NAMESPACE_SECRETS, instanceId, envelopeHash, byteLength, daCert, msg.value));
    }

    /// @inheritdoc IPolicyDataRegistry
    /// @param instanceId A deployed instance whose client is the caller; becomes
    ///        `currentPolicyDataInstance(caller, instance.templateId)`.
    /// @dev Reverts `InstanceNotDeployed`, `InstanceCallerNotClient`. Emits `CurrentInstanceSet`.
    function setCurrentInstance(bytes32 instanceId) external {
        PolicyDataRegistryStorage storage $ = _storage();
        PolicyDataInstance storage row = $.instances[instanceId];
        _checkClient(instanceId, row.client, row.registeredAt);
        bytes32 templateId = row.templateId;
        bytes32 previousId = $.currentInstances[msg.sender][templateId];
        $.currentInstances[msg.sender][templateId] = instanceId;
        emit CurrentInstanceSet(msg.sender, templateId, instanceId, previousId);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IPolicyDataRegistry
    /// @dev `keccak256(abi.encode(POLICY_DATA_TEMPLATE_TYPEHASH, wasmHash, paramsSchemaHash, secretsSchemaHash))`.
    function computeTemplateId(
        bytes32 wasmHash,
        bytes32 paramsSchemaHash,
        bytes32 secretsSchemaHash
    ) external pure returns (bytes32) {
        return _templateId(wasmHash, paramsSchemaHash, secretsSchemaHash);
    }

    /// @inheritdoc IPolicyDataRegistry
    /// @param paramsHash keccak256 of the params bytes.
    /// @dev `keccak256(abi.encodePacked(uint8(0x01), block.chainid, client, templateId, paramsHash, expireAfter))`.
    function computeInstanceId(
        address client,
        bytes32 templateId,
        bytes32 paramsHash,
        uint64 expireAfter
    ) external view returns (bytes32) {
        return _instanceId(client, templateId, paramsHash, expireAfter);
    }

    /// @inheritdoc IPolicyDataRegistry
    function templates(bytes32 templateId) external view returns (PolicyDataTemplate memory) {
        return _storage().templates[templateId];
    }

    /// @inheritdoc IPolicyDataRegistry
    function instances(bytes32 instanceId) external view returns (PolicyDataInstance memory) {
        return _storage().instances[instanceId];
    }

    /// @inheritdoc IPolicyDataRegistry
    function isTemplateRegistered(bytes32 templateId) external view returns (bool) {
        return _storage().templates[templateId].registeredAt != 0;
    }

    /// @inheritdoc IPolicyDataRegistry
    function isInstanceDeployed(bytes32 instanceId) external view returns (bool) {
        return _storage().instances[instanceId].registeredAt != 0;
    }

    /// @inheritdoc IPolicyDataRegistry
    function instanceParams(bytes32 instanceId) external view returns (bytes memory) {
        return _storage().instanceParams[instanceId];
    }

    /// @inheritdoc IPolicyDataRegistry
    function secretsOf(bytes32 instanceId) external view returns (Secrets memory) {
        return _storage().secrets[instanceId];
    }

    /// @inheritdoc IPolicyDataRegistry
    function currentPolicyDataInstance(address client, bytes32 templateId) external view returns (bytes32) {
        return _storage().currentInstances[client][templateId];
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------------------------

    function _common() internal view override returns (PolicyRegistryCommon storage) {
        return _storage().common;
    }

    function _storage() private pure returns (PolicyDataRegistryStorage storage $) {
        assembly {
            $.slot := STORAGE_LOCATION
        }
    }

    function _templateId(
        bytes32 wasmHash,
        bytes32 paramsSchemaHash,
        bytes32 secretsSchemaHash
    ) private pure returns (bytes32) {
        return keccak256(abi.encode(POLICY_DATA_TEMPLATE_TYPEHASH, wasmHash, paramsSchemaHash, secretsSchemaHash));
    }

    function _instanceId(
        address client,
        bytes32 templateId,
        bytes32 paramsHash,
        uint64 expireAfter
    ) private view returns (bytes32) {
        return
            keccak256(
                abi.encodePacked(
                    POLICY_DATA_INSTANCE_DOMAIN,
                    block.chainid,
                    client,
                    templateId,
                    paramsHash,
                    expireAfter
                )
            );
    }
}

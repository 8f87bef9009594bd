// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Interfaces
import {IPolicyRegistryBase} from "./IPolicyRegistryBase.sol";

/// @title IPolicyDataRegistry
/// @notice One chain's policy-data templates (a WASM data plugin with its params and secrets JSON schemas) and the
///         clients' instances of them (params, expiry, HPKE-sealed secrets).
/// @dev Ids (docs/protocol.md §2), mirrored by `keeper/chain/policy-ids.ts`:
///      - `policyDataTemplateId = keccak256(abi.encode(POLICY_DATA_TEMPLATE_TYPEHASH, wasmHash, paramsSchemaHash,
///        secretsSchemaHash))` (4 ABI words), chain-agnostic;
///      - `policyDataInstanceId = keccak256(abi.encodePacked(uint8(0x01), block.chainid, client, templateId,
///        keccak256(params), expireAfter))` (1 + 32 + 20 + 32 + 32 + 8 = 125 bytes).
///      Unknown ids read as zero structs (`registeredAt == 0`).
interface IPolicyDataRegistry is IPolicyRegistryBase {
    /// @notice A registered policy-data template (write-once).
    /// @param wasmHash keccak256 of the WASM module (never the empty artifact).
    /// @param paramsSchemaHash keccak256 of the params JSON schema (`keccak256("")` when there is none).
    /// @param secretsSchemaHash keccak256 of the secrets JSON schema (`keccak256("")` when there is none).
    /// @param author The account that registered it.
    /// @param registeredAt The block number it was registered in (0 ⇔ not registered).
    struct PolicyDataTemplate {
        bytes32 wasmHash;
        bytes32 paramsSchemaHash;
        bytes32 secretsSchemaHash;
        address author;
        uint64 registeredAt;
    }

    /// @notice A deployed policy-data instance (write-once; the params bytes are kept apart, see `instanceParams`).
    /// @param templateId The policy-data template it instantiates.
    /// @param paramsHash keccak256 of the params bytes (JSON, validated off-chain against the params schema).
    /// @param client The client the instance belongs to (the only account that may set its secrets and pointers).
    /// @param expireAfter How long an attestation using it stays valid, in blocks after its reference block (> 0).
    /// @param deployer The account that deployed it (may differ from `client`).
    /// @param registeredAt The block number it was deployed in (0 ⇔ not deployed).
    struct PolicyDataInstance {
        bytes32 templateId;
        bytes32 paramsHash;
        address client;
        uint64 expireAfter;
        address deployer;
        uint64 registeredAt;
    }

    /// @notice The latest secrets envelope of an instance (mutable: the client may rotate it).
    /// @param envelopeHash keccak256 of the HPKE envelope bytes; `bytes32(0)` = none / deleted.
    /// @param byteLength Length of the envelope bytes, in bytes.
    /// @param updatedAt The block number of the latest `setSecrets` (0 = never set).
    struct Secrets {
        bytes32 envelopeHash;
        uint32 byteLength;
        uint64 updatedAt;
    }

    /// @notice Emitted when a policy-data template is registered; the artifact hashes are its content.
    event TemplateRegistered(
        bytes32 indexed templateId,
        address indexed author,
        bytes32 wasmHash,
        bytes32 paramsSchemaHash,
        bytes32 secretsSchemaHash
    );
    /// @notice Emitted when `deployer` deploys instance `instanceId` of `templateId` for `client`.
    event InstanceDeployed(
        bytes32 indexed instanceId,
        bytes32 indexed templateId,
        address indexed client,
        address deployer,
        bytes32 paramsHash,
        uint64 expireAfter,
        bytes params
    );
    /// @notice Emitted when `client` sets the secrets envelope of `instanceId` (`envelopeHash = 0` deletes it).
    event SecretsSet(bytes32 indexed instanceId, address indexed client, bytes32 envelopeHash, uint32 byteLength);

    /// @notice `envelopeHash` and `byteLength` must both be zero (delete) or both non-zero.
    error SecretsEnvelopeInvalid(bytes32 envelopeHash, uint32 byteLength);

    /// @notice Registers a policy-data template and proposes its artifact writes (0x06 WASM, 0x07 params schema,
    ///         0x08 secrets schema), paying their write fees out of `msg.value` (the rest is refunded).
    function registerTemplate(
        ArtifactRef calldata wasm,
        ArtifactRef calldata paramsSchema,
        ArtifactRef calldata secretsSchema
    ) external payable returns (bytes32 policyDataTemplateId);

    /// @notice Deploys `client`'s instance of `templateId` with `params` and `expireAfter`.
    function deployInstance(
        bytes32 templateId,
        address client,
        bytes calldata params,
        uint64 expireAfter
    ) external returns (bytes32 policyDataInstanceId);

    /// @notice Sets the secrets envelope of the caller's instance and proposes its 0x03 write, paying its write fee
    ///         out of `msg.value` (the rest is refunded).
    function setSecrets(
        bytes32 instanceId,
        bytes32 envelopeHash,
        uint32 byteLength,
        bytes calldata daCert
    ) external payable;

    /// @notice Points the caller's current instance of the instance's template at `instanceId`.
    function setCurrentInstance(bytes32 instanceId) external;

    /// @notice The id `registerTemplate` derives from the three artifact hashes.
    function computeTemplateId(
        bytes32 wasmHash,
        bytes32 paramsSchemaHash,
        bytes32 secretsSchemaHash
    ) external pure returns (bytes32);

    /// @notice The id `deployInstance` derives on this chain.
    function computeInstanceId(
        address client,
        bytes32 templateId,
        bytes32 paramsHash,
        uint64 expireAfter
    ) external view returns (bytes32);

    /// @notice The template row of `templateId` (zero struct if unknown).
    function templates(bytes32 templateId) external view returns (PolicyDataTemplate memory);

    /// @notice The instance row of `instanceId` (zero struct if unknown).
    function instances(bytes32 instanceId) external view returns (PolicyDataInstance memory);

    /// @notice Whether `templateId` is registered.
    function isTemplateRegistered(bytes32 templateId) external view returns (bool);

    /// @notice Whether `instanceId` is deployed.
    function isInstanceDeployed(bytes32 instanceId) external view returns (bool);

    /// @notice The params bytes of `instanceId` (empty if unknown).
    function instanceParams(bytes32 instanceId) external view returns (bytes memory);

    /// @notice The latest secrets envelope of `instanceId`.
    function secretsOf(bytes32 instanceId) external view returns (Secrets memory);

    /// @notice The instance of `templateId` that `client` currently points at (`bytes32(0)` if none).
    function currentPolicyDataInstance(address client, bytes32 templateId) external view returns (bytes32);
}

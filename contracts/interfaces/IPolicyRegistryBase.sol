// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Interfaces
import {IStateCommitRegistry} from "./IStateCommitRegistry.sol";

/// @title IPolicyRegistryBase
/// @notice What PolicyRegistry and PolicyDataRegistry share: content-addressed artifact references, the two
///         permissions (template registration, instance deployment) with their allowlists, the client-only
///         current-instance pointer, and the errors and events of those.
/// @dev Rows (templates, instances) are write-once and never deleted, so a row read at any block ≥ its
///      `registeredAt` is the row. A row that does not exist reads as the zero struct (`registeredAt == 0`); no view
///      reverts for an unknown id.
interface IPolicyRegistryBase {
    /// @notice A content-addressed artifact (Rego, JSON schema, WASM) whose bytes live in EigenDA.
    /// @param contentHash keccak256 of the artifact bytes. The empty artifact is `keccak256("")`.
    /// @param byteLength Length of the artifact bytes, in bytes: 0 exactly for the empty artifact.
    /// @param daCert The EigenDA certificate under which the bytes can be fetched (opaque; ignored for the empty
    ///        artifact and for an artifact already written by this registry).
    struct ArtifactRef {
        bytes32 contentHash;
        uint32 byteLength;
        bytes daCert;
    }

    /// @notice The two gated actions. Each is either permissionless or open to its allowlist only.
    enum Permission {
        TemplateRegistration,
        InstanceDeployment
    }

    /// @notice Emitted when `permission` becomes permissionless (`true`) or allowlist-only (`false`).
    event PermissionChanged(Permission indexed permission, bool permissionless);
    /// @notice Emitted when `account` is added to (`allowed`) or removed from the allowlist of `permission`.
    event AllowlistChanged(Permission indexed permission, address indexed account, bool allowed);
    /// @notice Emitted when `client` points at `instanceId` (an instance of `templateId`), replacing `previousId`
    ///         (`bytes32(0)` if none).
    event CurrentInstanceSet(
        address indexed client,
        bytes32 indexed templateId,
        bytes32 indexed instanceId,
        bytes32 previousId
    );

    /// @notice `caller` may not register templates: registration is allowlist-only and `caller` is not listed.
    error TemplateAuthorUnauthorized(address caller);
    /// @notice `caller` may not deploy instances: deployment is allowlist-only and `caller` is not listed.
    error InstanceDeployerUnauthorized(address caller);
    /// @notice A template with `templateId` exists already (rows are write-once).
    error TemplateAlreadyRegistered(bytes32 templateId);
    /// @notice No template with `templateId` is registered in this registry.
    error TemplateNotRegistered(bytes32 templateId);
    /// @notice An instance with `instanceId` exists already (rows are write-once).
    error InstanceAlreadyDeployed(bytes32 instanceId);
    /// @notice No instance with `instanceId` is deployed in this registry.
    error InstanceNotDeployed(bytes32 instanceId);
    /// @notice Only the instance's `client` may do this; `caller` is not it.
    error InstanceCallerNotClient(bytes32 instanceId, address client, address caller);
    /// @notice An instance's client must not be the zero address.
    error InstanceClientZero();
    /// @notice `expireAfter` must be at least one block.
    error ExpireAfterZero();
    /// @notice `expireAfter` exceeds `MAX_EXPIRE_AFTER` blocks.
    error ExpireAfterTooLarge(uint64 expireAfter, uint64 max);
    /// @notice The reference is inconsistent: `contentHash` is zero, or the empty artifact (`keccak256("")`) with a
    ///         non-zero `byteLength`, or a non-empty artifact with `byteLength` 0.
    error ArtifactRefInvalid(bytes32 contentHash, uint32 byteLength);
    /// @notice The artifact of `namespace` (0x04 Rego, 0x06 WASM) must not be empty.
    error ArtifactRequired(uint8 namespace);
    /// @notice A required address (`what`) was zero at initialization.
    error ConfigAddressZero(bytes32 what);

    /// @notice Makes template registration permissionless (`true`) or allowlist-only (owner only).
    function setTemplateRegistrationPermissionless(bool permissionless) external;

    /// @notice Makes instance deployment permissionless (`true`) or allowlist-only (owner only).
    function setInstanceDeploymentPermissionless(bool permissionless) external;

    /// @notice Adds `account` to, or removes it from, the template-author allowlist (owner only).
    function setTemplateAuthor(address account, bool allowed) external;

    /// @notice Adds `account` to, or removes it from, the instance-deployer allowlist (owner only).
    function setInstanceDeployer(address account, bool allowed) external;

    /// @notice Whether anyone may register templates.
    function templateRegistrationPermissionless() external view returns (bool);

    /// @notice Whether anyone may deploy instances.
    function instanceDeploymentPermissionless() external view returns (bool);

    /// @notice Whether `account` is on the template-author allowlist.
    function templateAuthors(address account) external view returns (bool);

    /// @notice Whether `account` is on the instance-deployer allowlist.
    function instanceDeployers(address account) external view returns (bool);

    /// @notice Whether `account` may register a template now (permissionless, or allowlisted).
    function canRegisterTemplate(address account) external view returns (bool);

    /// @notice Whether `account` may deploy an instance now (permissionless, or allowlisted).
    function canDeployInstance(address account) external view returns (bool);

    /// @notice Whether this registry has proposed the write of artifact `contentHash` in `namespace`.
    function artifactWritten(uint8 namespace, bytes32 contentHash) external view returns (bool);

    /// @notice The StateCommitRegistry this registry proposes its namespace writes to.
    function stateCommitRegistry() external view returns (IStateCommitRegistry);
}

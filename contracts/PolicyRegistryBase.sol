// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Contracts
import {Ownable2StepUpgradeable} from "@openzeppelin/contracts-upgradeable/access/Ownable2StepUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts/proxy/utils/UUPSUpgradeable.sol";

// Interfaces
import {IPolicyRegistryBase} from "./interfaces/IPolicyRegistryBase.sol";
import {IStateCommitRegistry} from "./interfaces/IStateCommitRegistry.sol";

/// @title PolicyRegistryBase
/// @notice The logic PolicyRegistry and PolicyDataRegistry share: permissions and allowlists, artifact reference
///         checks, and the write-once proposal of content-addressed artifact leaves to the StateCommitRegistry.
/// @dev Holds no storage of its own: each registry embeds a `PolicyRegistryCommon` in its own ERC-7201 struct and
///      returns it from `_common()`, so every registry keeps exactly one namespaced storage struct.
abstract contract PolicyRegistryBase is IPolicyRegistryBase, Ownable2StepUpgradeable, UUPSUpgradeable {
    /// @notice keccak256 of the empty byte string: the content hash of an empty (absent) artifact.
    bytes32 public constant EMPTY_ARTIFACT_HASH = keccak256("");

    /// @notice The longest `expireAfter` an instance may have: 31 536 000 blocks, one year at one block per second.
    /// @dev An attestation's `expirationBlock = referenceBlock + min(expireAfter)` must fit its `uint64` field, or no
    ///      honest attestation could state it and every one would be slashable; the cap also bounds how long the
    ///      signers of an attestation stay liable for it (until `expirationBlock` plus the challenge window).
    uint64 public constant MAX_EXPIRE_AFTER = 31_536_000;

    /// @dev The state both registries keep; embedded first in each registry's ERC-7201 struct.
    struct PolicyRegistryCommon {
        // One slot: registry (20 B) ‖ two flags.
        IStateCommitRegistry stateCommitRegistry;
        bool templateRegistrationPermissionless;
        bool instanceDeploymentPermissionless;
        mapping(address account => bool) templateAuthors;
        mapping(address account => bool) instanceDeployers;
        // Per (namespace, contentHash): whether this registry proposed the artifact's write already.
        mapping(uint8 namespace => mapping(bytes32 contentHash => bool)) artifactWritten;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Owner configuration
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IPolicyRegistryBase
    /// @dev Emits `PermissionChanged(TemplateRegistration, permissionless)`.
    function setTemplateRegistrationPermissionless(bool permissionless) external onlyOwner {
        _common().templateRegistrationPermissionless = permissionless;
        emit PermissionChanged(Permission.TemplateRegistration, permissionless);
    }

    /// @inheritdoc IPolicyRegistryBase
    /// @dev Emits `PermissionChanged(InstanceDeployment, permissionless)`.
    function setInstanceDeploymentPermissionless(bool permissionless) external onlyOwner {
        _common().instanceDeploymentPermissionless = permissionless;
        emit PermissionChanged(Permission.InstanceDeployment, permissionless);
    }

    /// @inheritdoc IPolicyRegistryBase
    /// @dev The list matters only while registration is allowlist-only. Emits
    ///      `AllowlistChanged(TemplateRegistration, account, allowed)`.
    function setTemplateAuthor(address account, bool allowed) external onlyOwner {
        _common().templateAuthors[account] = allowed;
        emit AllowlistChanged(Permission.TemplateRegistration, account, allowed);
    }

    /// @inheritdoc IPolicyRegistryBase
    /// @dev The list matters only while deployment is allowlist-only. Emits
    ///      `AllowlistChanged(InstanceDeployment, account, allowed)`.
    function setInstanceDeployer(address account, bool allowed) external onlyOwner {
        _common().instanceDeployers[account] = allowed;
        emit AllowlistChanged(Permission.InstanceDeployment, account, allowed);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IPolicyRegistryBase
    function templateRegistrationPermissionless() external view returns (bool) {
        return _common().templateRegistrationPermissionless;
    }

    /// @inheritdoc IPolicyRegistryBase
    function instanceDeploymentPermissionless() external view returns (bool) {
        return _common().instanceDeploymentPermissionless;
    }

    /// @inheritdoc IPolicyRegistryBase
    function templateAuthors(address account) external view returns (bool) {
        return _common().templateAuthors[account];
    }

    /// @inheritdoc IPolicyRegistryBase
    function instanceDeployers(address account) external view returns (bool) {
        return _common().instanceDeployers[account];
    }

    /// @inheritdoc IPolicyRegistryBase
    function canRegisterTemplate(address account) external view returns (bool) {
        PolicyRegistryCommon storage c = _common();
        return c.templateRegistrationPermissionless || c.templateAuthors[account];
    }

    /// @inheritdoc IPolicyRegistryBase
    function canDeployInstance(address account) external view returns (bool) {
        PolicyRegistryCommon storage c = _common();
        return c.instanceDeploymentPermissionless || c.instanceDeployers[account];
    }

    /// @inheritdoc IPolicyRegistryBase
    /// @param namespace The namespace byte (0x04–0x08).
    /// @param contentHash keccak256 of the artifact bytes.
    function artifactWritten(uint8 namespace, bytes32 contentHash) external view returns (bool) {
        return _common().artifactWritten[namespace][contentHash];
    }

    /// @inheritdoc IPolicyRegistryBase
    function stateCommitRegistry() external view returns (IStateCommitRegistry) {
        return _common().stateCommitRegistry;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------------------------

    /// @dev The registry's embedded common state (a member of its ERC-7201 struct).
    function _common() internal view virtual returns (PolicyRegistryCommon storage);

    /// @dev Initializes ownership and the common state; emits the two initial `PermissionChanged`.
    function __PolicyRegistryBase_init(
        address initialOwner,
        IStateCommitRegistry registry,
        bool templateRegistrationPermissionless_,
        bool instanceDeploymentPermissionless_
    ) internal onlyInitializing {
        __Ownable_init(initialOwner);
        __Ownable2Step_init();
        if (address(registry) == address(0)) revert ConfigAddressZero("stateCommitRegistry");
        PolicyRegistryCommon storage c = _common();
        c.stateCommitRegistry = registry;
        c.templateRegistrationPermissionless = templateRegistrationPermissionless_;
        c.instanceDeploymentPermissionless = instanceDeploymentPermissionless_;
        emit PermissionChanged(Permission.TemplateRegistration, templateRegistrationPermissionless_);
        emit PermissionChanged(Permission.InstanceDeployment, instanceDeploymentPermissionless_);
    }

    /// @dev Only the owner may upgrade (UUPS).
    function _authorizeUpgrade(address) internal override onlyOwner {}

    /// @dev Reverts `TemplateAuthorUnauthorized` unless registration is permissionless or the caller is listed.
    function _checkTemplateAuthor() internal view {
        PolicyRegistryCommon storage c = _common();
        if (!c.templateRegistrationPermissionless && !c.templateAuthors[msg.sender]) {
            revert TemplateAuthorUnauthorized(msg.sender);
        }
    }

    /// @dev Reverts `InstanceDeployerUnauthorized` unless deployment is permissionless or the caller is listed, then
    ///      `InstanceClientZero`, `ExpireAfterZero` and `ExpireAfterTooLarge` (above `MAX_EXPIRE_AFTER`) for the
    ///      instance arguments every registry shares.
    function _checkInstanceDeployment(address client, uint64 expireAfter) internal view {
        PolicyRegistryCommon storage c = _common();
        if (!c.instanceDeploymentPermissionless && !c.instanceDeployers[msg.sender]) {
            revert InstanceDeployerUnauthorized(msg.sender);
        }
        if (client == address(0)) revert InstanceClientZero();
        if (expireAfter == 0) revert ExpireAfterZero();
        if (expireAfter > MAX_EXPIRE_AFTER) revert ExpireAfterTooLarge(expireAfter, MAX_EXPIRE_AFTER);
    }

    /// @dev Reverts `ArtifactRefInvalid` for an inconsistent reference and, when `required`, `ArtifactRequired` for
    ///      the empty artifact.
    function _checkArtifact(ArtifactRef calldata ref, uint8 namespace, bool required) internal pure {
        bool empty = ref.contentHash == EMPTY_ARTIFACT_HASH;
        if (ref.contentHash == bytes32(0) || empty != (ref.byteLength == 0)) {
            revert ArtifactRefInvalid(ref.contentHash, ref.byteLength);
        }
        if (required && empty) revert ArtifactRequired(namespace);
    }

    /// @dev Effect half of an artifact write: marks (namespace, contentHash) written and returns whether the write
    ///      must be proposed (false for the empty artifact and for one this registry wrote before).
    function _markArtifact(uint8 namespace, ArtifactRef calldata ref) internal returns (bool propose) {
        if (ref.contentHash == EMPTY_ARTIFACT_HASH) return false;
        mapping(bytes32 => bool) storage written = _common().artifactWritten[namespace];
        if (written[ref.contentHash]) return false;
        written[ref.contentHash] = true;
        return true;
    }

    /// @dev External-call half: proposes the content-addressed leaf (id = valueHash = contentHash).
    function _proposeArtifact(uint8 namespace, ArtifactRef calldata ref) internal {
        _common().stateCommitRegistry.proposeNamespaceWrite(
            namespace,
            ref.contentHash,
            ref.contentHash,
            ref.byteLength,
            ref.daCert
        );
    }

    /// @dev Reverts `InstanceNotDeployed` when `registeredAt` is 0 and `InstanceCallerNotClient` unless the caller
    ///      is `client`.
    function _checkClient(bytes32 instanceId, address client, uint64 registeredAt) internal view {
        if (registeredAt == 0) revert InstanceNotDeployed(instanceId);
        if (msg.sender != client) revert InstanceCallerNotClient(instanceId, client, msg.sender);
    }
}

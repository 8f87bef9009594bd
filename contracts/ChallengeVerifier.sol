// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Contracts
import {Ownable2StepUpgradeable} from "@openzeppelin/contracts-upgradeable/access/Ownable2StepUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts/proxy/utils/UUPSUpgradeable.sol";

// Libraries
import {JmtProof} from "./libraries/JmtProof.sol";
import {KeyOpening} from "./libraries/KeyOpening.sol";
import {WriteLog} from "./libraries/WriteLog.sol";

// Interfaces
import {IChallengeVerifier} from "./interfaces/IChallengeVerifier.sol";
import {IKeyOpening} from "./interfaces/IKeyOpening.sol";
import {IOperatorRegistry} from "./interfaces/IOperatorRegistry.sol";
import {IPolicyDataRegistry} from "./interfaces/IPolicyDataRegistry.sol";
import {IPolicyRegistry} from "./interfaces/IPolicyRegistry.sol";
import {IStateCommitRegistry} from "./interfaces/IStateCommitRegistry.sol";

/// @title ChallengeVerifier
/// @notice Anyone may prove, for the cost of gas, that the operators signed something wrong:
///         - a commit whose root does not hold the latest write to some key below its `writeIndexEnd` (rolled back
///           in the StateCommitRegistry, signers slashed), or
///         - a policy attestation whose fields do not re-derive from this chain's registries at its reference block
///           (signers slashed, each attestation digest once).
///         - a commit whose tree nobody will open: the key-opening challenge (`IKeyOpening`, logic in the linked
///           `KeyOpening` library, state in its own ERC-7201 namespace of this proxy), a bonded game whose unanswered
///           challenge rolls the commit back and slashes its signers, and whose answers let a challenger bisect down
///           to a provably wrong leaf.
///         An honest commit or attestation can never be slashed: every check re-derives from on-chain state and
///         verified proofs, never from a hash the challenger supplies.
contract ChallengeVerifier is IChallengeVerifier, IKeyOpening, Ownable2StepUpgradeable, UUPSUpgradeable {
    /// @notice Semantic version of this implementation.
    // solhint-disable-next-line const-name-snakecase
    string public constant version = "1.0.0";

    /// @notice Basis-point denominator.
    uint16 public constant BIPS = 10_000;

    /// @notice Slash reason: a commit's root does not hold the write log's value of a key.
    bytes32 public constant REASON_COMMIT_FRAUD = "COMMIT_FRAUD";
    /// @notice Attestation reasons, checked in this order.
    bytes32 public constant REASON_INSTANCE_NOT_DEPLOYED = "INSTANCE_NOT_DEPLOYED";
    bytes32 public constant REASON_WRONG_TEMPLATE = "WRONG_TEMPLATE";
    bytes32 public constant REASON_WRONG_ARTIFACT_HASH = "WRONG_ARTIFACT_HASH";
    bytes32 public constant REASON_WRONG_PARAMS = "WRONG_PARAMS";
    bytes32 public constant REASON_WRONG_DATA_INSTANCE = "WRONG_DATA_INSTANCE";
    bytes32 public constant REASON_KIND_MISMATCH = "KIND_MISMATCH";
    bytes32 public constant REASON_WRONG_EXPIRATION = "WRONG_EXPIRATION";

    /// @notice EIP-712 type hash of `PolicyDataBinding`.
    bytes32 public constant POLICY_DATA_BINDING_TYPEHASH = keccak256(
        "PolicyDataBinding(bytes32 policyDataInstanceId,bytes32 policyDataTemplateId,bytes32 wasmHash,"
        "bytes32 paramsSchemaHash,bytes32 secretsSchemaHash,bytes32 paramsHash)"
    );
    /// @notice EIP-712 type hash of `PolicyAttestation` (with the referenced `PolicyDataBinding` type appended).
    bytes32 public constant POLICY_ATTESTATION_TYPEHASH = keccak256(
        "PolicyAttestation(uint256 chainId,bytes32 taskId,bytes32 policyInstanceId,bytes32 policyTemplateId,"
        "bytes32 regoHash,bytes32 paramsSchemaHash,bytes32 paramsHash,uint64 referenceBlock,uint64 expirationBlock,"
        "PolicyDataBinding[] policyData,bytes32 resultHash,uint64 operatorSetId)"
        "PolicyDataBinding(bytes32 policyDataInstanceId,bytes32 policyDataTemplateId,bytes32 wasmHash,"
        "bytes32 paramsSchemaHash,bytes32 secretsSchemaHash,bytes32 paramsHash)"
    );

    /// @notice EIP-712 domain of attestation digests: `name`, `version`, `chainId` and `verifyingContract` (this
    ///         proxy), so an attestation signed for one deployment is no signature at all on another one with the
    ///         same keys.
    string public constant EIP712_NAME = "Newton ChallengeVerifier";
    string public constant EIP712_VERSION = "1";
    bytes32 private constant EIP712_DOMAIN_TYPEHASH = keccak256(
        "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
    );

    /// @custom:storage-location erc7201:newton.storage.ChallengeVerifier
    struct ChallengeVerifierStorage {
        IStateCommitRegistry stateCommitRegistry;
        IOperatorRegistry operatorRegistry;
        IPolicyRegistry policyRegistry;
        IPolicyDataRegistry policyDataRegistry;
        uint16 commitFraudSlashBips;
        uint16 attestationSlashBips;
        mapping(bytes32 attestationDigest => bool) slashedAttestations;
    }

    // keccak256(abi.encode(uint256(keccak256("newton.storage.ChallengeVerifier")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_LOCATION = 0xdf0deba0c78f1727f5c71e6fc5bd20ec7b317fa1627fad2921a141d4963e8300;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Initializes the proxy. The verifier must then be made the OperatorRegistry's slasher and the
    ///         StateCommitRegistry's challenge verifier (the deploy script does both).
    /// @param initialOwner The owner (a Safe on mainnet).
    /// @param stateCommitRegistry_ This chain's StateCommitRegistry (roots, write log, challenge window).
    /// @param policyRegistry_ This chain's PolicyRegistry (its PolicyDataRegistry is read from it).
    /// @param commitFraudSlashBips_ Share of weight slashed per signer of a wrong commit, (0, 10 000] bips.
    /// @param attestationSlashBips_ Share slashed per signer of a wrong attestation, (0, 10 000] bips (10 % = 1 000).
    /// @dev Reverts `ChallengeSlashBipsInvalid` for a share outside (0, 10 000].
    function initialize(
        address initialOwner,
        IStateCommitRegistry stateCommitRegistry_,
        IPolicyRegistry policyRegistry_,
        uint16 commitFraudSlashBips_,
        uint16 attestationSlashBips_
    ) external initializer {
        __Ownable_init(initialOwner);
        __Ownable2Step_init();
        ChallengeVerifierStorage storage $ = _storage();
        $.stateCommitRegistry = stateCommitRegistry_;
        $.operatorRegistry = stateCommitRegistry_.operatorRegistry();
        $.policyRegistry = policyRegistry_;
        $.policyDataRegistry = policyRegistry_.policyDataRegistry();
        _setSlashBips($, commitFraudSlashBips_, attestationSlashBips_);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Proof checks
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IChallengeVerifier
    /// @param sequenceNo A committed (not rolled back) sequence number; its root is the one checked against.
    /// @param keyHash The 32-byte JMT key (`keccak256(abi.encodePacked(namespace, id))`).
    /// @param valueHash keccak256 of the value bytes.
    /// @param proof A sparse Merkle proof from `keeper/jmt` (siblings leaf→root, ≤ 256).
    /// @dev Reverts `CommitUnknown` (StateCommitRegistry) and `JmtProofTooManySiblings`; false for any proof that
    ///      does not show exactly this leaf under that root.
    function verifyInclusion(
        uint64 sequenceNo,
        bytes32 keyHash,
        bytes32 valueHash,
        JmtProof.SparseMerkleProof calldata proof
    ) external view returns (bool) {
        bytes32 root = _storage().stateCommitRegistry.stateRootAt(sequenceNo);
        return JmtProof.verifyInclusion(root, keyHash, valueHash, proof);
    }

    /// @inheritdoc IChallengeVerifier
    /// @dev Reverts as `verifyInclusion`; true iff the proof shows an empty subtree or another leaf on the key's path.
    function verifyExclusion(
        uint64 sequenceNo,
        bytes32 keyHash,
        JmtProof.SparseMerkleProof calldata proof
    ) external view returns (bool) {
        bytes32 root = _storage().stateCommitRegistry.stateRootAt(sequenceNo);
        return JmtProof.verifyExclusion(root, keyHash, proof);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Committed-write fraud proof
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IChallengeVerifier
    /// @param sequenceNo The non-final commit n challenged (n ≥ 1).
    /// @param write The latest write to the key below `writeIndexEnd_n`, exactly as stored (its record must hash to
    ///        `writeRecordHashAt(write.writeIndex)`); or, to claim the key had no write below it, a record with
    ///        `writeIndex = NO_WRITE` and the key in `keyHash` (other fields unused).
    /// @param successor Shows no write to the key lies between `write` and `writeIndexEnd_n` (see `SuccessorWitness`).
    /// @param proof A JMT proof for the key against commit n's root (inclusion with any value, or exclusion).
    /// @dev The write log determines the key's value at n: `write.valueHash` (absent when zero or when there was no
    ///      write). The proof determines what the root holds. They must differ, or the proof's path must be malformed
    ///      (`JmtProof.open`: a leaf off the key's path, or an uncollapsed lone leaf / empty subtree): a path no
    ///      correctly built tree has is itself proof that the root is wrong. Reverts `CommitUnknown`,
    ///      `ChallengeCommitFinal`, `ChallengeWriteNotCovered`, `ChallengeWriteRecordMismatch`,
    ///      `ChallengeSuccessorInvalid`, `JmtProofRootMismatch` / `JmtProofTooManySiblings` (a proof that does not
    ///      lead to the root), `ChallengeCommitMatches`. Emits
    ///      `CommitChallenged`, then rolls back n.. in the StateCommitRegistry and slashes n's signers.
    function challengeCommit(
        uint64 sequenceNo,
        WriteLog.WriteRecord calldata write,
        SuccessorWitness calldata successor,
        JmtProof.SparseMerkleProof calldata proof
    ) external {
        ChallengeVerifierStorage storage $ = _storage();
        IStateCommitRegistry registry = $.stateCommitRegistry;
        IStateCommitRegistry.CommitRecord memory commit = registry.commitAt(sequenceNo);
        if (sequenceNo == 0 || registry.isFinal(sequenceNo)) revert ChallengeCommitFinal(sequenceNo);
        bytes32 keyHash = write.keyHash;
        (bool fraud, bytes32 expected, bytes32 committed) = KeyOpening.judge(
            address(registry),
            commit,
            write,
            successor,
            proof
        );
        if (!fraud) revert ChallengeCommitMatches(sequenceNo, keyHash, expected);

        address[] memory signers = $.operatorRegistry.signersOf(commit.operatorSetId, commit.nonSignerBitmap);
        emit CommitChallenged(sequenceNo, keyHash, expected, committed, msg.sender, signers);
        _punish($, KeyOpening.Punishment(true, sequenceNo, commit, signers));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Key-opening challenge (data-availability game; logic in the KeyOpening library, run in this proxy's storage)
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IKeyOpening
    /// @dev See `KeyOpening.openKey`: parameters, bond, windows, errors and events.
    function openKey(uint64 sequenceNo, bytes32 keyHash, uint256 parentId) external payable returns (uint256 id) {
        return KeyOpening.openKey(address(_storage().stateCommitRegistry), sequenceNo, keyHash, parentId);
    }

    /// @inheritdoc IKeyOpening
    /// @dev See `KeyOpening.resolveOpening`; a wrong or malformed answer rolls the commit back and slashes its signers
    ///      through `_punishCommit`, like `challengeCommit`.
    function resolveOpening(
        uint256 id,
        WriteLog.WriteRecord calldata write,
        SuccessorWitness calldata successor,
        JmtProof.SparseMerkleProof calldata proof
    ) external {
        ChallengeVerifierStorage storage $ = _storage();
        address registry = address($.stateCommitRegistry);
        _punish($, KeyOpening.resolveOpening(registry, address($.operatorRegistry), id, write, successor, proof));
    }

    /// @inheritdoc IKeyOpening
    /// @dev See `KeyOpening.settleOpening`; an unanswered challenge rolls the commit back and slashes its signers
    ///      through `_punishCommit`.
    function settleOpening(uint256 id) external {
        ChallengeVerifierStorage storage $ = _storage();
        _punish($, KeyOpening.settleOpening(address($.stateCommitRegistry), address($.operatorRegistry), id));
    }

    /// @inheritdoc IKeyOpening
    /// @dev See `KeyOpening.withdrawBonds`.
    function withdrawBonds() external {
        KeyOpening.withdrawBonds();
    }

    /// @inheritdoc IKeyOpening
    function openingAt(uint256 id) external view returns (Opening memory) {
        return KeyOpening.openingAt(id);
    }

    /// @inheritdoc IKeyOpening
    function openingCount() external view returns (uint256) {
        return KeyOpening.openingCount();
    }

    /// @inheritdoc IKeyOpening
    function bondCredit(address account) external view returns (uint256) {
        return KeyOpening.bondCredit(account);
    }

    /// @inheritdoc IKeyOpening
    function openingConfig() external view returns (uint256 challengeBondWei, uint64 resolveWindowBlocks) {
        return KeyOpening.openingConfig();
    }

    /// @notice Sets the opening challenge's bond (wei, in (0, 2^96)) and resolve window (blocks, > 0) (owner only).
    ///         Applies to challenges opened afterwards; a resolved challenge's descent window is the resolve window.
    /// @dev Reverts `OpeningConfigInvalid`. Emits `OpeningConfigUpdated`.
    function setOpeningConfig(uint256 challengeBondWei, uint64 resolveWindowBlocks) external onlyOwner {
        KeyOpening.setOpeningConfig(challengeBondWei, resolveWindowBlocks);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Attestation challenge
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IChallengeVerifier
    /// @param attestation The signed attestation, exactly as signed.
    /// @param proof The quorum signature over `attestationDigest(attestation)` by set `attestation.operatorSetId`.
    /// @dev Every field is re-derived from this chain's registries, counting only rows with
    ///      `registeredAt ≤ referenceBlock` (rows are write-once, so a row read now is the row then). The expected
    ///      `expirationBlock` is `referenceBlock + min(expireAfter)` over the policy instance and its data instances.
    ///      The challenge window covers the attestation's whole validity: it closes `challengeWindowBlocks` after
    ///      `max(referenceBlock, expirationBlock)`, so back-dating the reference block cannot shorten it.
    ///      Reverts `AttestationWrongChain`, `AttestationReferenceBlockNotPast`, `AttestationWindowClosed` (after that
    ///      deadline), `AttestationAlreadySlashed`, any `Quorum*`/BLS error of `OperatorRegistry.verifyQuorumAt`
    ///      (a signature for another deployment fails here: the digest binds this verifier), and
    ///      `AttestationMatches`. Emits `AttestationChallenged` with the first mismatch's reason, then slashes the
    ///      signers `attestationSlashBips` (`OperatorRegistry.slashSigners`).
    function challengeAttestation(
        PolicyAttestation calldata attestation,
        IOperatorRegistry.SignerProof calldata proof
    ) external {
        ChallengeVerifierStorage storage $ = _storage();
        if (attestation.chainId != block.chainid) revert AttestationWrongChain(block.chainid, attestation.chainId);
        if (attestation.referenceBlock >= block.number) {
            revert AttestationReferenceBlockNotPast(attestation.referenceBlock, block.number);
        }
        uint256 lastValid =
            attestation.expirationBlock > attestation.referenceBlock
                ? attestation.expirationBlock
                : attestation.referenceBlock;
        uint256 deadline = lastValid + $.stateCommitRegistry.challengeWindowBlocks();
        if (block.number > deadline) revert AttestationWindowClosed(deadline, block.number);
        bytes32 digest = _attestationDigest(attestation);
        if ($.slashedAttestations[digest]) revert AttestationAlreadySlashed(digest);
        $.operatorRegistry.verifyQuorumAt(attestation.operatorSetId, digest, proof);

        bytes32 reason = _attestationMismatch($, attestation);
        if (reason == bytes32(0)) revert AttestationMatches(digest);
        $.slashedAttestations[digest] = true;
        address[] memory signers = $.operatorRegistry.signersOf(attestation.operatorSetId, proof.nonSignerBitmap);
        emit AttestationChallenged(digest, reason, msg.sender, signers);
        $.operatorRegistry.slashSigners(
            attestation.operatorSetId,
            proof.nonSignerBitmap,
            $.attestationSlashBips,
            reason
        );
    }

    /// @inheritdoc IChallengeVerifier
    /// @dev EIP-712 typed-data hash `keccak256("\x19\x01" ‖ domainSeparator() ‖ hashStruct(attestation))` with
    ///      `hashStruct = keccak256(abi.encode(POLICY_ATTESTATION_TYPEHASH, chainId, taskId, policyInstanceId,
    ///      policyTemplateId, regoHash, paramsSchemaHash, paramsHash, referenceBlock, expirationBlock,
    ///      keccak256(abi.encodePacked(bindingHash_0, …)), resultHash, operatorSetId))` and
    ///      `bindingHash_i = keccak256(abi.encode(POLICY_DATA_BINDING_TYPEHASH, <the six fields>))`. The type hashes
    ///      differ from the commit digest's, so one signature can never serve as the other.
    function attestationDigest(PolicyAttestation calldata attestation) external view returns (bytes32) {
        return _attestationDigest(attestation);
    }

    /// @inheritdoc IChallengeVerifier
    /// @dev `keccak256(abi.encode(
    ///      keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
    ///      keccak256(EIP712_NAME), keccak256(EIP712_VERSION), block.chainid, address(this)))`, computed on every
    ///      call so that it follows the chain id (a fork) and is the proxy's address behind the proxy.
    function domainSeparator() public view returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    EIP712_DOMAIN_TYPEHASH,
                    keccak256(bytes(EIP712_NAME)),
                    keccak256(bytes(EIP712_VERSION)),
                    block.chainid,
                    address(this)
                )
            );
    }

    /// @notice Whether the attestation with `digest` has been slashed.
    function isAttestationSlashed(bytes32 digest) external view returns (bool) {
        return _storage().slashedAttestations[digest];
    }

    /// @notice The slash shares in basis points: per signer of a wrong commit, and of a wrong attestation.
    function slashBips() external view returns (uint16 commitFraudSlashBips, uint16 attestationSlashBips) {
        ChallengeVerifierStorage storage $ = _storage();
        return ($.commitFraudSlashBips, $.attestationSlashBips);
    }

    /// @notice Sets both slash shares, each in (0, 10 000] bips (owner only).
    /// @dev Reverts `ChallengeSlashBipsInvalid`. Emits `SlashBipsUpdated`.
    function setSlashBips(uint16 commitFraudSlashBips_, uint16 attestationSlashBips_) external onlyOwner {
        _setSlashBips(_storage(), commitFraudSlashBips_, attestationSlashBips_);
    }

    /// @notice The registries this verifier reads.
    function registries()
        external
        view
        returns (
            IStateCommitRegistry stateCommitRegistry,
            IOperatorRegistry operatorRegistry,
            IPolicyRegistry policyRegistry,
            IPolicyDataRegistry policyDataRegistry
        )
    {
        ChallengeVerifierStorage storage $ = _storage();
        return ($.stateCommitRegistry, $.operatorRegistry, $.policyRegistry, $.policyDataRegistry);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------------------------

    /// @dev Only the owner may upgrade (UUPS).
    function _authorizeUpgrade(address) internal override onlyOwner {}

    function _storage() private pure returns (ChallengeVerifierStorage storage $) {
        assembly {
            $.slot := STORAGE_LOCATION
        }
    }

    function _setSlashBips(ChallengeVerifierStorage storage $, uint16 commitBips, uint16 attestationBips) private {
        if (commitBips == 0 || commitBips > BIPS) revert ChallengeSlashBipsInvalid(commitBips);
        if (attestationBips == 0 || attestationBips > BIPS) revert ChallengeSlashBipsInvalid(attestationBips);
        $.commitFraudSlashBips = commitBips;
        $.attestationSlashBips = attestationBips;
        emit SlashBipsUpdated(commitBips, attestationBips);
    }

    /// @dev The one place a proven-wrong commit is punished: commit `sequenceNo` and every later one are rolled back
    ///      (O(1)) and the commit's signers — the members of `commit.operatorSetId` outside `commit.nonSignerBitmap` —
    ///      are slashed `commitFraudSlashBips` by `OperatorRegistry.slashSigners` (bounded gas at 256 signers). Every
    ///      commit game ends here; `signers` (for the caller's event) is not needed to slash.
    function _punishCommit(
        ChallengeVerifierStorage storage $,
        uint64 sequenceNo,
        IStateCommitRegistry.CommitRecord memory commit,
        address[] memory
    ) private {
        $.stateCommitRegistry.rollback(sequenceNo);
        $.operatorRegistry.slashSigners(
            commit.operatorSetId,
            commit.nonSignerBitmap,
            $.commitFraudSlashBips,
            REASON_COMMIT_FRAUD
        );
    }

    /// @dev Carries out a punishment a commit game decided: `_punishCommit`, then drops the opening-challenge holds on
    ///      the commits the rollback removed (their challenges can then only be cancelled, bond refunded).
    function _punish(ChallengeVerifierStorage storage $, KeyOpening.Punishment memory p) private {
        if (!p.due) return;
        address registry = address($.stateCommitRegistry);
        uint64 latestHeld = KeyOpening.latestIfHeld(registry);
        _punishCommit($, p.sequenceNo, p.commit, p.signers);
        if (latestHeld != 0) KeyOpening.dropHoldsFrom(registry, p.sequenceNo, latestHeld);
    }

    function _attestationDigest(PolicyAttestation calldata a) private view returns (bytes32) {
        bytes32[] memory bindingHashes = new bytes32[](a.policyData.length);
        for (uint256 i = 0; i < bindingHashes.length; ++i) {
            PolicyDataBinding calldata b = a.policyData[i];
            bindingHashes[i] = keccak256(
                abi.encode(
                    POLICY_DATA_BINDING_TYPEHASH,
                    b.policyDataInstanceId,
                    b.policyDataTemplateId,
                    b.wasmHash,
                    b.paramsSchemaHash,
                    b.secretsSchemaHash,
                    b.paramsHash
                )
            );
        }
        // Two encodes keep the stack shallow; the concatenation equals one abi.encode of all 13 words.
        bytes memory head = abi.encode(
            POLICY_ATTESTATION_TYPEHASH,
            a.chainId,
            a.taskId,
            a.policyInstanceId,
            a.policyTemplateId,
            a.regoHash,
            a.paramsSchemaHash,
            a.paramsHash
        );
        bytes memory tail = abi.encode(
            a.referenceBlock,
            a.expirationBlock,
            keccak256(abi.encodePacked(bindingHashes)),
            a.resultHash,
            a.operatorSetId
        );
        return keccak256(bytes.concat(hex"1901", domainSeparator(), keccak256(bytes.concat(head, tail))));
    }

    /// @dev The first field of `a` that does not re-derive from the registries at `a.referenceBlock`, as a reason
    ///      code; zero when everything matches.
    function _attestationMismatch(
        ChallengeVerifierStorage storage $,
        PolicyAttestation calldata a
    ) private view returns (bytes32) {
        IPolicyRegistry.PolicyInstance memory instance = $.policyRegistry.instances(a.policyInstanceId);
        if (!_existedAt(instance.registeredAt, a.referenceBlock)) return REASON_INSTANCE_NOT_DEPLOYED;
        if (instance.templateId != a.policyTemplateId) return REASON_WRONG_TEMPLATE;
        IPolicyRegistry.PolicyTemplate memory template = $.policyRegistry.templates(instance.templateId);
        if (template.regoHash != a.regoHash || template.paramsSchemaHash != a.paramsSchemaHash) {
            return REASON_WRONG_ARTIFACT_HASH;
        }
        if (instance.paramsHash != a.paramsHash) return REASON_WRONG_PARAMS;
        (bytes32 reason, uint64 minExpireAfter) = _dataMismatch($, a, instance.expireAfter);
        if (reason != bytes32(0)) return reason;
        if (uint256(a.expirationBlock) != uint256(a.referenceBlock) + minExpireAfter) return REASON_WRONG_EXPIRATION;
        return bytes32(0);
    }

    function _dataMismatch(
        ChallengeVerifierStorage storage $,
        PolicyAttestation calldata a,
        uint64 expireAfter
    ) private view returns (bytes32 reason, uint64 minExpireAfter) {
        minExpireAfter = expireAfter;
        bytes32[] memory ids = $.policyRegistry.policyDataInstanceIdsOf(a.policyInstanceId);
        if (ids.length != a.policyData.length) return (REASON_WRONG_DATA_INSTANCE, minExpireAfter);
        for (uint256 i = 0; i < ids.length; ++i) {
            PolicyDataBinding calldata b = a.policyData[i];
            if (b.policyDataInstanceId != ids[i]) return (REASON_WRONG_DATA_INSTANCE, minExpireAfter);
            IPolicyDataRegistry.PolicyDataInstance memory instance = $.policyDataRegistry.instances(ids[i]);
            if (!_existedAt(instance.registeredAt, a.referenceBlock)) {
                return (REASON_INSTANCE_NOT_DEPLOYED, minExpireAfter);
            }
            if (instance.templateId != b.policyDataTemplateId) return (REASON_KIND_MISMATCH, minExpireAfter);
            IPolicyDataRegistry.PolicyDataTemplate memory template;
            template = $.policyDataRegistry.templates(instance.templateId);
            bool artifactsMatch =
                template.wasmHash == b.wasmHash &&
                    template.paramsSchemaHash == b.paramsSchemaHash &&
                    template.secretsSchemaHash == b.secretsSchemaHash;
            if (!artifactsMatch) return (REASON_WRONG_ARTIFACT_HASH, minExpireAfter);
            if (instance.paramsHash != b.paramsHash) return (REASON_WRONG_PARAMS, minExpireAfter);
            if (instance.expireAfter < minExpireAfter) minExpireAfter = instance.expireAfter;
        }
    }

    function _existedAt(uint64 registeredAt, uint64 referenceBlock) private pure returns (bool) {
        return registeredAt != 0 && registeredAt <= referenceBlock;
    }
}

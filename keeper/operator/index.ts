/**
 * keeper/operator — the operator role (wiring only; docs/architecture.md). It follows the
 * chain's commits into its own JMT (keeper/window `syncToChain`), and serves over `node:http`:
 *
 * | route | answer |
 * |---|---|
 * | `POST /v1/commits/sign` | `{signature, publicKey, operator}`; 409 `{error, expectedRoot (ours), actualRoot (proposed)}` when the proposal's root or previous root is not ours; 400/415/413 bad request, 422 bad delta, 503 DA down |
 * | `GET /v1/state` | `{sequenceNo, root, writeIndexEnd, indexedBlock, headBlock, lagBlocks, chainSequenceNo, sync}` |
 * | `GET /v1/leaves/:keyHash?sequence=N` | `{valueHash, value, available, proof: {hasLeaf, leafKeyHash, leafValueHash, siblings}}` (the ABI shape of `ChallengeVerifier.verifyInclusion`) |
 * | `GET /v1/artifacts/:hash` | `{hash, bytes}` from the tree's value store |
 * | `GET /v1/secrets-key[?epoch=n]` | the shared HPKE secrets key of the current epoch (or of held epoch n; 404 otherwise): `{kem, kdf, aead, publicKey, epoch}` |
 * | `GET /metrics`, `GET /healthz` | Prometheus text; `{ok: true}` |
 *
 * Signing: the delta is fetched from DA by `daCert` and checked against `deltaHash`; every entry is
 * checked against the operator's own write log `[prev writeIndexEnd, writeIndexEnd)`; the window is
 * applied as a scratch version; only a matching root is signed (BLS over `stateCommitDigest`). The
 * scratch version is persisted when the chain's `StateRootCommitted` for it is indexed, and dropped
 * otherwise; nothing reaches the tree except through the chain.
 *
 * Key-opening challenges (`openings.ts`, when the config gives `operator.txKey`): every challenge on a
 * commit the operator's tree holds is answered with the key's proof and write witness within the
 * resolve window, and settled once its descent window is over (which releases the commit's finality).
 */
export { Operator, type OperatorDeps } from "./operator";
export { OpeningResolver, type OpeningResolverDeps, type OpeningView } from "./openings";
export type { OperatorOptions } from "./options";

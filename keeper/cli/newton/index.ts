/**
 * keeper/cli/newton — the `newton` policy CLI (the README's Policy CLI section): one module per command group
 * (`policy template`, `policy instance`, `policy describe`, `policy-data template`,
 * `policy-data instance` incl. secrets, `config`), over shared pieces: settings resolution
 * (flag → env → profile, `config.ts`/`settings.ts`), chain connection (`context.ts`), artifacts and
 * DA (`artifacts.ts`), multi-chain template registration (`register.ts`) and the checked instance
 * deployment (`instance.ts`).
 *
 * ```
 * argv ─▶ runNewton ─▶ commander tree ─▶ handler(run, opts) ─▶ pre-flight reads ─▶ ≤ 1 tx per chain
 *                                           │                      │
 *                                           ├─ Settings (flags, NEWTON_* env, ~/.newton/config.toml)
 *                                           └─ ChainContext (provider, registries) · EigenDaProxyClient
 * ```
 * Exit codes: 0 ok (including "already deployed"/"skipped"), 1 failed check, DA or transaction,
 * 2 usage or configuration error. Results go to stdout (`--json`: one JSON document), progress and
 * errors to stderr.
 */
export { runNewton } from "./program";
export { NewtonError, type NewtonErrorType } from "./errors";
export type { ConnectRequest, NewtonIo, ProviderFactory, TextSink } from "./io";
export { maskSecret } from "./io";

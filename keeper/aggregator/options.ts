/** One operator the aggregator asks for signatures. */
export interface OperatorEndpoint {
  /** Base URL of the operator's HTTP API, e.g. `http://10.0.0.5:9100`. */
  readonly url: string;
}

/** Everything the aggregator role needs, resolved by the CLI (frozen). */
export interface AggregatorOptions {
  readonly chainId: bigint;
  /** StateCommitRegistry proxy address. */
  readonly registry: string;
  /** First block of the deployment (where registration events are looked up). */
  readonly fromBlock: number;
  /** Window length in seconds; windows close at wall-clock multiples (default 120). */
  readonly windowSeconds: number;
  /** `referenceBlock = head − confirmations`. */
  readonly confirmations: number;
  /** Cap of one commit's value bytes (default 50 MiB). */
  readonly maxCommitBytes: number;
  /** Largest DA blob; larger deltas are split (default 16 252 897). */
  readonly maxBlobBytes: number;
  readonly operators: readonly OperatorEndpoint[];
  /**
   * Time limit of one value's fetch in a window, in ms: a value DA does not serve within it is
   * committed by hash and reported unavailable (the window never waits longer for bytes).
   */
  readonly valueTimeoutMs: number;
  /** Deadline for the operators' signatures, in ms. */
  readonly signTimeoutMs: number;
  /** How long to wait for the indexer to reach a block, in ms. */
  readonly indexTimeoutMs: number;
  /** HTTP host/port for /metrics, /healthz and /v1/state; port undefined = no server. */
  readonly httpHost: string;
  readonly httpPort?: number;
}

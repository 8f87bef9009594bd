import { parseRetryAfterSeconds } from "../../../common";
import { IndexerError, type RpcFailureKind } from "../errors";

/** Per-request options of an {@link RpcTransport}. */
export interface RpcRequestOptions {
  /** Time limit of this attempt, in ms (→ kind `timeout`). */
  readonly timeoutMs: number;
  /** Aborts the attempt (→ kind `aborted`). */
  readonly signal?: AbortSignal;
}

/**
 * One JSON-RPC endpoint. `request` makes exactly one attempt and resolves with the `result`; it
 * rejects with an `IndexerError` `INDEXER_ERROR_RPC` (attempts 1) whose `kind` says whether a retry
 * may help. Other rejections are treated as network failures.
 */
export interface RpcTransport {
  request(method: string, params: readonly unknown[], opts: RpcRequestOptions): Promise<unknown>;
}

/** JSON-RPC error messages of providers that refuse an `eth_getLogs` range (Alchemy, Infura, QuickNode, geth…). */
const RANGE_TOO_LARGE_RE =
  /more than \d+ results|too many (results|logs|blocks)|range (is )?too (large|wide|big)|block range|response size|exceed(s|ed)? (the )?(max(imum)?|limit)/i;

let nextId = 1;

/** {@link RpcTransport} over HTTP(S) POST with `fetch` (one request per call, no batching, no hidden retries). */
export class HttpRpcTransport implements RpcTransport {
  /** @param url - the JSON-RPC endpoint, http(s). */
  constructor(readonly url: string) {}

  async request(method: string, params: readonly unknown[], opts: RpcRequestOptions): Promise<unknown> {
    const timeout = AbortSignal.timeout(opts.timeoutMs);
    const signal = opts.signal === undefined ? timeout : AbortSignal.any([opts.signal, timeout]);
    let res: Response;
    let text: string;
    try {
      res = await fetch(this.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }),
        signal,
      });
      text = await res.text();
    } catch (err) {
      const kind = opts.signal?.aborted ? "aborted" : timeout.aborted ? "timeout" : "network";
      throw rpcFailure(method, kind, errorReason(err));
    }
    return parseResponse(method, res, text);
  }
}

function parseResponse(method: string, res: Response, text: string): unknown {
  if (res.status === 429) {
    const retryAfterSeconds = parseRetryAfterSeconds(res.headers.get("retry-after"));
    throw rpcFailure(method, "rate_limited", text.slice(0, 200), { status: 429, retryAfterSeconds });
  }
  if (res.status !== 200) throw rpcFailure(method, "server", text.slice(0, 200), { status: res.status });
  let body: { result?: unknown; error?: { code?: number; message?: string } };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw rpcFailure(method, "bad_response", `not JSON: ${text.slice(0, 200)}`, { status: 200 });
  }
  if (body.error !== undefined) {
    const message = String(body.error.message ?? "");
    throw rpcFailure(method, classifyRpcError(body.error.code, message), message.slice(0, 200), {
      rpcCode: body.error.code,
    });
  }
  if (!("result" in body)) throw rpcFailure(method, "bad_response", "no result and no error", { status: 200 });
  return body.result;
}

/**
 * Kind of a JSON-RPC error object: a refused `eth_getLogs` range (by message), rate limiting
 * (-32005 limit exceeded, 429), or any other error.
 */
export function classifyRpcError(code: number | undefined, message: string): RpcFailureKind {
  if (RANGE_TOO_LARGE_RE.test(message)) return "range_too_large";
  if (code === -32005 || code === 429 || /rate limit|too many requests/i.test(message)) return "rate_limited";
  return "rpc";
}

/** An `INDEXER_ERROR_RPC` of one attempt. */
export function rpcFailure(
  method: string,
  kind: RpcFailureKind,
  reason: string,
  extra: { status?: number; rpcCode?: number; retryAfterSeconds?: number } = {},
): IndexerError {
  return new IndexerError(
    { code: "INDEXER_ERROR_RPC", method, kind, attempts: 1, reason, ...extra },
    `${method} failed (${kind}${extra.status !== undefined ? `, HTTP ${extra.status}` : ""}): ${reason}`,
  );
}

/** A short description of a thrown value (with its `cause`, which `fetch` uses for socket errors). */
export function errorReason(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : "";
  return `${err.message}${cause}`.slice(0, 200);
}

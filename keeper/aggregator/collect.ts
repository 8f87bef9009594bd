import type { Signature } from "@chainsafe/blst";

import { findInvalidSignatures, signatureFromBytes, verifyBatch, type SignatureSetItem } from "../bls";
import { bytesEqual, hexToBytes, sleep, type KeeperMetrics, type Logger } from "../common";
import type { SignRequestJson, SignResponseJson } from "../window";
import type { OperatorEndpoint } from "./options";
import type { OperatorSetView, SetMember } from "./operator-set";

interface Arrival {
  readonly member: SetMember;
  readonly signature: Signature;
  readonly url: string;
}

/**
 * Asks every operator to sign `request` in parallel (`POST /v1/commits/sign`) and returns the valid
 * signatures by member index once all answered or `timeoutMs` passed. Arrivals are batch-verified
 * as they come (`verifyBatch` over whatever arrived together; on failure `findInvalidSignatures`
 * drops the bad ones). A response whose operator is not an active member, or whose public key is
 * not the registered one, is rejected. A typed "retry later" refusal (`SIGN_RETRY_LATER`: the
 * operator has not indexed the proposal's writes yet; `SIGN_BUSY`: too many requests in flight)
 * is asked again after a short pause, until `timeoutMs`.
 */
export async function collectSignatures(
  endpoints: readonly OperatorEndpoint[],
  request: SignRequestJson,
  digest: Uint8Array,
  set: OperatorSetView,
  opts: { timeoutMs: number; logger: Logger; metrics?: KeeperMetrics; signal?: AbortSignal },
): Promise<Map<number, Signature>> {
  const accepted = new Map<number, Signature>();
  const queue: Arrival[] = [];
  let flushScheduled = false;
  const flush = (): void => {
    flushScheduled = false;
    const batch = queue.splice(0);
    if (batch.length === 0) return;
    const items: SignatureSetItem[] = batch.map((a) => ({
      message: digest,
      publicKey: a.member.publicKey,
      signature: a.signature,
    }));
    const bad = new Set(verifyBatch(items) ? [] : findInvalidSignatures(items));
    batch.forEach((a, i) => {
      if (bad.has(i)) {
        opts.metrics?.signaturesRejectedTotal.inc({ reason: "invalid" });
        opts.logger.warn({ operator: a.member.address, url: a.url }, "invalid signature dropped");
      } else {
        accepted.set(a.member.index, a.signature);
        opts.metrics?.signaturesCollectedTotal.inc();
      }
    });
  };
  const deadline = AbortSignal.any([AbortSignal.timeout(opts.timeoutMs), ...(opts.signal ? [opts.signal] : [])]);
  const body = JSON.stringify(request);
  await Promise.all(
    endpoints.map(async (endpoint) => {
      const arrival = await askOne(endpoint, body, set, deadline, opts);
      if (arrival === undefined) return;
      queue.push(arrival);
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flush);
      }
    }),
  );
  flush();
  return accepted;
}

async function askOne(
  endpoint: OperatorEndpoint,
  body: string,
  set: OperatorSetView,
  signal: AbortSignal,
  opts: { logger: Logger; metrics?: KeeperMetrics },
): Promise<Arrival | undefined> {
  const url = `${endpoint.url.replace(/\/+$/, "")}/v1/commits/sign`;
  const reject = (reason: string, fields: object = {}): undefined => {
    opts.metrics?.signaturesRejectedTotal.inc({ reason });
    opts.logger.warn({ url, reason, ...fields }, "operator signature missing");
    return undefined;
  };
  let res: Response;
  let json: unknown;
  for (;;) {
    try {
      res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body, signal });
    } catch (err) {
      return reject("unreachable", { message: err instanceof Error ? err.message : String(err) });
    }
    try {
      json = await res.json();
    } catch {
      return reject("malformed", { status: res.status });
    }
    const code = (json as { code?: unknown } | null)?.code;
    if (res.status === 200 || (code !== "SIGN_RETRY_LATER" && code !== "SIGN_BUSY")) break;
    const after = Number((json as { retryAfterMs?: unknown }).retryAfterMs);
    try {
      await sleep(Number.isFinite(after) ? Math.min(Math.max(after, 10), 500) : 100, signal);
    } catch {
      return reject("refused", { status: res.status, answer: json });
    }
  }
  if (res.status !== 200) return reject("refused", { status: res.status, answer: json });
  try {
    const r = json as SignResponseJson;
    const member = set.members.find((m) => m.address.toLowerCase() === String(r.operator).toLowerCase());
    if (member === undefined) return reject("not_member", { operator: r.operator });
    if (!bytesEqual(hexToBytes(r.publicKey), member.publicKey.toBytes(true))) {
      return reject("wrong_key", { operator: r.operator });
    }
    return { member, signature: signatureFromBytes(hexToBytes(r.signature)), url };
  } catch (err) {
    return reject("malformed", { message: err instanceof Error ? err.message : String(err) });
  }
}

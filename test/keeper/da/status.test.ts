import { once } from "node:events";

import { expect } from "chai";

import type { Hex } from "../../../keeper/common";
import {
  EigenDaProxyClient,
  backoffDelayMs,
  keccak256Hex,
  parseRetryAfterSeconds,
  type DaErrorType,
  type DaMetrics,
  type EigenDaProxyClientOptions,
} from "../../../keeper/da";
import { rejection, reply, startStub, type Stub } from "./da.helpers";

const PAYLOAD = new TextEncoder().encode("delta part");
const CERT = Uint8Array.of(0x01, 0xaa, 0xbb);
const FAST: Omit<EigenDaProxyClientOptions, "url"> = { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 2, timeoutMs: 5000 };

describe("EigenDaProxyClient against a scripted stub", () => {
  let stub: Stub | undefined;
  let payloadHash: Hex;

  before(async () => {
    payloadHash = await keccak256Hex(PAYLOAD);
  });

  afterEach(async () => {
    await stub?.close();
    stub = undefined;
  });

  /** Starts a stub answering request n with `script(n)` = [status, body]. */
  async function scripted(script: (n: number) => [number, string | Uint8Array]): Promise<Stub> {
    stub = await startStub((n, res) => reply(res, ...script(n)));
    return stub;
  }

  const calls = {
    put: (c: EigenDaProxyClient) => c.put(PAYLOAD),
    get: (c: EigenDaProxyClient) => c.getVerified(CERT, payloadHash),
  };

  const mapping: Array<{ status: number; code: DaErrorType["code"]; requests: number }> = [
    { status: 400, code: "DA_ERROR_BAD_REQUEST", requests: 1 },
    { status: 418, code: "DA_ERROR_INVALID_CERT", requests: 1 },
    { status: 429, code: "DA_ERROR_RATE_LIMITED", requests: 4 },
    { status: 500, code: "DA_ERROR_SERVER", requests: 4 },
    { status: 502, code: "DA_ERROR_SERVER", requests: 4 },
    { status: 503, code: "DA_ERROR_UNAVAILABLE", requests: 4 },
    { status: 404, code: "DA_ERROR_UNEXPECTED_STATUS", requests: 1 },
  ];

  for (const op of ["put", "get"] as const) {
    describe(op, () => {
      for (const { status, code, requests } of mapping) {
        /** Invariant: retryable statuses are tried 1 + maxRetries times, the others exactly once. */
        it(`maps ${status} to ${code} after ${requests} request(s)`, async () => {
          const s = await scripted(() => [status, `reason ${status}`]);
          const err = await rejection(calls[op](new EigenDaProxyClient({ url: s.url, ...FAST })), code);
          expect(err).to.include({ op, attempts: requests, body: `reason ${status}` });
          expect(s.requests).to.have.length(requests);
        });
      }

      it("succeeds when a retry succeeds (429, 503, 500, then 200)", async () => {
        const ok = op === "put" ? CERT : PAYLOAD;
        const s = await scripted((n) => (n < 3 ? [[429, 503, 500][n], "busy"] : [200, ok]));
        const out = await calls[op](new EigenDaProxyClient({ url: s.url, ...FAST }));
        expect(Buffer.from(out).equals(Buffer.from(ok))).to.equal(true);
        expect(s.requests).to.have.length(4);
      });
    });
  }

  it("sends put as POST /put?commitment_mode=standard with an octet-stream body", async () => {
    const s = await scripted(() => [200, CERT]);
    const client = new EigenDaProxyClient({ url: `${s.url}/`, ...FAST });
    const cert = await client.put(PAYLOAD);
    expect(Buffer.from(cert).equals(Buffer.from(CERT))).to.equal(true);
    expect(s.requests[0]).to.deep.include({ method: "POST", url: "/put?commitment_mode=standard" });
    expect(s.requests[0].contentType).to.equal("application/octet-stream");
    expect(s.requests[0].body.equals(Buffer.from(PAYLOAD))).to.equal(true);
    expect(client.payloadHashes.get("0x01aabb")).to.equal(payloadHash);
  });

  it("sends get as GET /get/0x<cert>?commitment_mode=standard", async () => {
    const s = await scripted(() => [200, PAYLOAD]);
    await new EigenDaProxyClient({ url: s.url, ...FAST }).getVerified(CERT, payloadHash);
    expect(s.requests[0]).to.deep.include({ method: "GET", url: "/get/0x01aabb?commitment_mode=standard" });
  });

  it("does not retry with maxRetries 0", async () => {
    const s = await scripted(() => [503, "down"]);
    await rejection(
      new EigenDaProxyClient({ url: s.url, ...FAST, maxRetries: 0 }).put(PAYLOAD),
      "DA_ERROR_UNAVAILABLE",
    );
    expect(s.requests).to.have.length(1);
  });

  it("retries dropped connections and reports DA_ERROR_NETWORK", async () => {
    stub = await startStub((_n, res) => res.socket?.destroy());
    const err = await rejection(new EigenDaProxyClient({ url: stub.url, ...FAST }).put(PAYLOAD), "DA_ERROR_NETWORK");
    expect(err.attempts).to.equal(4);
    expect(stub.requests).to.have.length(4);
  });

  it("gives each attempt timeoutMs and reports DA_ERROR_TIMEOUT", async () => {
    stub = await startStub(() => undefined); // never answers
    const client = new EigenDaProxyClient({ url: stub.url, ...FAST, timeoutMs: 50, maxRetries: 1 });
    const err = await rejection(client.put(PAYLOAD), "DA_ERROR_TIMEOUT");
    expect(err).to.include({ attempts: 2, timeoutMs: 50 });
    expect(stub.requests).to.have.length(2);
  });

  it("stops a pending request when the call's signal aborts (DA_ERROR_ABORTED)", async () => {
    stub = await startStub(() => undefined);
    const ac = new AbortController();
    const pending = new EigenDaProxyClient({ url: stub.url, ...FAST }).put(PAYLOAD, { signal: ac.signal });
    await once(stub.server, "request");
    ac.abort();
    expect(await rejection(pending, "DA_ERROR_ABORTED")).to.include({ attempts: 1 });
  });

  it("stops a backoff wait when the client's signal aborts", async () => {
    const s = await scripted(() => [503, "down"]);
    const ac = new AbortController();
    let retryScheduled!: () => void;
    const retried = new Promise<void>((resolve) => (retryScheduled = resolve));
    const metrics: DaMetrics = {
      requestsTotal: { inc: () => undefined },
      requestSeconds: { observe: () => undefined },
      payloadBytesTotal: { inc: () => undefined },
      retriesTotal: { inc: () => retryScheduled() },
    };
    const client = new EigenDaProxyClient(
      { url: s.url, maxRetries: 5, baseDelayMs: 60_000, maxDelayMs: 60_000 },
      { signal: ac.signal, metrics },
    );
    const pending = client.put(PAYLOAD);
    await retried; // the client now waits ≥ 30 s before its second attempt
    ac.abort();
    expect(await rejection(pending, "DA_ERROR_ABORTED")).to.include({ attempts: 1 });
    expect(s.requests).to.have.length(1);
  });

  it("rejects an empty certificate with DA_ERROR_BAD_RESPONSE and records nothing", async () => {
    const s = await scripted(() => [200, ""]);
    const client = new EigenDaProxyClient({ url: s.url, ...FAST });
    await rejection(client.put(PAYLOAD), "DA_ERROR_BAD_RESPONSE");
    expect(client.payloadHashes.size).to.equal(0);
  });

  it("reports attempts, retries and bytes to the metrics sink", async () => {
    const seen: string[] = [];
    const metrics: DaMetrics = {
      requestsTotal: { inc: ({ op, outcome }) => seen.push(`${op} ${outcome}`) },
      requestSeconds: { observe: () => undefined },
      payloadBytesTotal: { inc: ({ op }, n) => seen.push(`${op} bytes ${n}`) },
      retriesTotal: { inc: ({ op }) => seen.push(`${op} retry`) },
    };
    const s = await scripted((n) => (n === 0 ? [503, ""] : [200, CERT]));
    await new EigenDaProxyClient({ url: s.url, ...FAST }, { metrics }).put(PAYLOAD);
    expect(seen).to.deep.equal(["put 503", "put retry", "put 200", `put bytes ${PAYLOAD.length}`]);
  });

  describe("health", () => {
    it("is true on 200 and false on 503 without retrying", async () => {
      const s = await scripted((n) => (n === 0 ? [200, "ok"] : [503, "down"]));
      const client = new EigenDaProxyClient({ url: s.url, ...FAST });
      expect(await client.health()).to.equal(true);
      expect(await client.health()).to.equal(false);
      expect(s.requests.map((r) => r.url)).to.deep.equal(["/health", "/health"]);
    });
  });
});

describe("backoffDelayMs", () => {
  const opts = { baseDelayMs: 100, maxDelayMs: 1000 };

  /** Invariant: delay ∈ [cap/2, cap] with cap = min(max, base·2^(retry−1)). */
  it("doubles its cap per retry, jitters within [cap/2, cap] and stops at maxDelayMs", () => {
    expect([1, 2, 3, 4, 5].map((r) => backoffDelayMs(r, opts, () => 0))).to.deep.equal([50, 100, 200, 400, 500]);
    expect([1, 2, 3, 4, 5].map((r) => backoffDelayMs(r, opts, () => 0.999_999))).to.deep.equal([
      100, 200, 400, 800, 1000,
    ]);
    expect(backoffDelayMs(1000, opts, () => 0.5)).to.equal(750);
  });

  it("waits at least Retry-After seconds, capped at maxDelayMs", () => {
    expect(backoffDelayMs(1, { baseDelayMs: 100, maxDelayMs: 5000 }, () => 0, 2)).to.equal(2000);
    expect(backoffDelayMs(1, opts, () => 0, 60)).to.equal(1000);
  });

  it("parses delta-seconds Retry-After only", () => {
    expect(parseRetryAfterSeconds("3")).to.equal(3);
    expect(parseRetryAfterSeconds(null)).to.equal(undefined);
    expect(parseRetryAfterSeconds("Wed, 21 Oct 2015 07:28:00 GMT")).to.equal(undefined);
  });
});

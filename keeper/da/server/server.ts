import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

import pino, { type Logger } from "pino";

import { bytesToHex, hexToBytes } from "../../common";
import { keccak256Bytes } from "../utils/hash";
import { makeServerCert, parseServerCert } from "./cert";
import { resolveServerOptions, type DaServerOptions, type ResolvedServerOptions } from "./options";
import { DirBlobStore, MemoryBlobStore, type BlobStore } from "./store";

/** Injected collaborators of {@link DaServer}; all optional. */
export interface DaServerDeps {
  /** pino logger; the server logs through a `{module: "da-server"}` child. Default: silent. */
  logger?: Logger;
  /** Uniform [0, 1) source deciding injected failures and corruptions. Default: `Math.random`. */
  random?: () => number;
}

/** An HTTP answer: status, body, content type. */
interface Reply {
  status: number;
  body: Uint8Array | string;
  contentType?: string;
}

const CERT_HEX_RE = /^(?:0x)?((?:[0-9a-fA-F]{2})*)$/;

/**
 * `newton-da-server`: a local stand-in for eigenda-proxy in memstore mode, speaking the same REST
 * API (source: Layr-Labs/eigenda-proxy README, standard commitment mode) over `node:http`:
 *
 * | request | answer |
 * |---|---|
 * | `POST /put?commitment_mode=standard`, body = payload | 200 + certificate; 400 when the payload exceeds `maxPayloadBytes` or the mode is not `standard` |
 * | `GET /get/0x<hex cert>?commitment_mode=standard` (the `0x` is optional) | 200 + payload; 400 path not hex; 418 not a certificate of this server; 500 unknown certificate |
 * | `GET /health` | 200 `ok` |
 * | anything else | 404 |
 *
 * Choices against eigenda-proxy semantics: a certificate that does not parse (wrong length or
 * version byte) gets 418, as the proxy answers a certificate failing to parse or verify with a
 * 418 derivation error — the caller must re-disperse; a well-formed certificate whose blob is not
 * stored gets 500, as the proxy reports a blob it cannot retrieve (never dispersed, expired after
 * ~14 days, or lost with a memory store) as an internal error, not 404. With `retentionSeconds`,
 * a blob older than that answers exactly like one never stored, as on EigenDA after its retention.
 *
 * Certificates are `0x01 ‖ keccak256(payload) ‖ u64 big-endian nonce` (41 bytes, see
 * `makeServerCert`); clients must treat them as opaque. Test knobs: `latencyMs` delays every
 * `/put` and `/get`; `failureRate` answers 503 (EigenDA down) at random; `corruptRate` returns
 * payloads with one bit flipped (an empty payload becomes one zero byte).
 */
export class DaServer {
  /** The options in force, defaults applied. */
  readonly opts: ResolvedServerOptions;
  private readonly log: Logger;
  private readonly random: () => number;
  private readonly store: BlobStore;
  private readonly inFlight = new Set<Promise<void>>();
  private server?: Server;
  private stopping = new AbortController();
  /** When each blob was stored (ms since epoch), for `retentionSeconds`; blobs of an earlier run count from `openedAt`. */
  private readonly storedAt = new Map<string, number>();
  private openedAt = Date.now();
  private nonce = 0n;
  private requests = 0;

  /** @throws DaError `DA_ERROR_INVALID_OPTION` when an option is out of range. */
  constructor(opts: DaServerOptions = {}, deps: DaServerDeps = {}) {
    this.opts = resolveServerOptions(opts);
    this.log = (deps.logger ?? pino({ level: "silent" })).child({ module: "da-server" });
    this.random = deps.random ?? Math.random;
    this.store = this.opts.dataDir !== undefined ? new DirBlobStore(this.opts.dataDir) : new MemoryBlobStore();
  }

  /** HTTP requests received since construction (any route, including rejected ones). */
  get requestsTotal(): number {
    return this.requests;
  }

  /**
   * Opens the store and listens on `host:port`.
   * @param port - TCP port; 0 (default) picks a free one.
   * @param host - interface address (default `127.0.0.1`, loopback only).
   * @returns the base URL, e.g. `http://127.0.0.1:41234`.
   * @throws the listen error (e.g. `EADDRINUSE`) or a store error (e.g. `EACCES` on `dataDir`).
   */
  async start(port = 0, host = "127.0.0.1"): Promise<{ url: string }> {
    if (this.server) return { url: this.url(this.server) };
    this.nonce = await this.store.open();
    this.openedAt = Date.now();
    this.stopping = new AbortController();
    const server = createServer((req, res) => this.track(this.handle(req, res)));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.server = server;
    const url = this.url(server);
    this.log.info({ url, dataDir: this.opts.dataDir ?? null, nextNonce: this.nonce.toString() }, "da server listening");
    return { url };
  }

  /**
   * Stops listening, cuts open connections (requests waiting on `latencyMs` are dropped), and
   * resolves once every request handler has finished; blobs written so far stay (in memory for
   * this object, or in `dataDir`). A no-op when not started.
   */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.stopping.abort();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
    await Promise.allSettled([...this.inFlight]);
    this.log.info({}, "da server stopped");
  }

  private url(server: Server): string {
    const { address, port } = server.address() as AddressInfo;
    return `http://${address.includes(":") ? `[${address}]` : address}:${port}`;
  }

  private track(handler: Promise<void>): void {
    this.inFlight.add(handler);
    void handler.finally(() => this.inFlight.delete(handler));
  }

  /** Answers one request; never rejects (a failure becomes a 500, or a dropped socket when stopping). */
  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requests++;
    const url = new URL(req.url ?? "/", "http://localhost");
    try {
      const reply = await this.route(req, url);
      res.writeHead(reply.status, { "content-type": reply.contentType ?? "text/plain; charset=utf-8" });
      res.end(reply.body);
      this.log.debug({ method: req.method, path: url.pathname.slice(0, 80), status: reply.status }, "da request");
    } catch (err) {
      if (this.stopping.signal.aborted) {
        res.destroy();
        return;
      }
      this.log.error({ err, method: req.method, path: url.pathname.slice(0, 80) }, "da request failed");
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
      res.end(`internal error: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private async route(req: IncomingMessage, url: URL): Promise<Reply> {
    if (req.method === "GET" && url.pathname === "/health") return { status: 200, body: "ok" };
    if (req.method === "POST" && url.pathname === "/put") return this.handlePut(req, url);
    if (req.method === "GET" && url.pathname.startsWith("/get/")) return this.handleGet(req, url);
    await drain(req);
    return { status: 404, body: `no route for ${req.method} ${url.pathname.slice(0, 80)}` };
  }

  private async handlePut(req: IncomingMessage, url: URL): Promise<Reply> {
    if (url.searchParams.get("commitment_mode") !== "standard") {
      await drain(req);
      return { status: 400, body: "only commitment_mode=standard is supported" };
    }
    const { bytes, size } = await readBody(req, this.opts.maxPayloadBytes);
    if (bytes === undefined) {
      return { status: 400, body: `payload of ${size} bytes exceeds the limit of ${this.opts.maxPayloadBytes} bytes` };
    }
    await this.delay();
    if (this.chance(this.opts.failureRate)) return { status: 503, body: "EigenDA unavailable (injected failure)" };
    const cert = makeServerCert(await keccak256Bytes(bytes), this.nonce++);
    await this.store.put(bytesToHex(cert), bytes);
    this.storedAt.set(bytesToHex(cert), Date.now());
    this.log.debug({ cert: bytesToHex(cert), payloadBytes: bytes.length }, "blob stored");
    return { status: 200, body: cert, contentType: "application/octet-stream" };
  }

  private async handleGet(req: IncomingMessage, url: URL): Promise<Reply> {
    await drain(req);
    if (url.searchParams.get("commitment_mode") !== "standard") {
      return { status: 400, body: "only commitment_mode=standard is supported" };
    }
    const match = CERT_HEX_RE.exec(url.pathname.slice("/get/".length));
    if (!match) return { status: 400, body: "the certificate in the path must be hex" };
    const cert = hexToBytes(`0x${match[1]}`);
    if (!parseServerCert(cert)) {
      const msg = "certificate does not parse: expected 41 bytes starting with version 0x01; re-disperse";
      return { status: 418, body: JSON.stringify({ statusCode: 1, msg }), contentType: "application/json" };
    }
    await this.delay();
    if (this.chance(this.opts.failureRate)) return { status: 503, body: "EigenDA unavailable (injected failure)" };
    const retention = this.opts.retentionSeconds * 1000;
    const expired = retention > 0 && Date.now() - (this.storedAt.get(bytesToHex(cert)) ?? this.openedAt) >= retention;
    const payload = expired ? undefined : await this.store.get(bytesToHex(cert));
    if (!payload) return { status: 500, body: "blob not found: never dispersed here, or lost with a memory store" };
    const body = this.chance(this.opts.corruptRate) ? this.corrupt(payload) : payload;
    return { status: 200, body, contentType: "application/octet-stream" };
  }

  private async delay(): Promise<void> {
    if (this.opts.latencyMs > 0) await sleep(this.opts.latencyMs, undefined, { signal: this.stopping.signal });
  }

  private chance(rate: number): boolean {
    return rate > 0 && this.random() < rate;
  }

  /** A copy of `payload` with one bit flipped, or one zero byte for an empty payload. */
  private corrupt(payload: Uint8Array): Uint8Array {
    if (payload.length === 0) return Uint8Array.of(0);
    const out = payload.slice();
    out[Math.floor(this.random() * out.length)] ^= 0x01;
    return out;
  }
}

/** Reads a request body of at most `maxBytes`; a larger one is read to the end and dropped. */
async function readBody(req: IncomingMessage, maxBytes: number): Promise<{ bytes?: Uint8Array; size: number }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= maxBytes) chunks.push(chunk);
    else chunks.length = 0;
  }
  return size > maxBytes ? { size } : { size, bytes: new Uint8Array(Buffer.concat(chunks, size)) };
}

async function drain(req: IncomingMessage): Promise<void> {
  for await (const _chunk of req) {
    // discard
  }
}

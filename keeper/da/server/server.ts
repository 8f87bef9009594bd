import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

import pino, { type Logger } from "pino";

import { bytesToHex, concatBytes, hexToBytes } from "../../common";
import { keccak256Bytes } from "../utils/hash";
import { isKnownCertVersion, makeServerCert, parseServerCert } from "./cert";
import { resolveServerOptions, type DaServerOptions, type ResolvedServerOptions } from "./options";
import { DirBlobStore, MemoryBlobStore, type BlobStore } from "./store";

/** Injected collaborators of {@link DaServer}; all optional. */
export interface DaServerDeps {
  /** pino logger; the server logs through a `{module: "da-server"}` child. Default: silent. */
  logger?: Logger;
  /** Uniform [0, 1) source deciding injected failures and corruptions. Default: `Math.random`. */
  random?: () => number;
  /** Wall clock in ms since the Unix epoch, deciding retention (`retentionSeconds`). Default: `Date.now`. */
  now?: () => number;
}

/** An HTTP answer: status, body, content type. */
interface Reply {
  status: number;
  body: Uint8Array | string;
  contentType?: string;
}

const TEXT = "text/plain; charset=utf-8";
const HEX = "[0-9a-fA-F]";
/** `GET /get/` paths, tried in the proxy's routing order (first match wins). */
const GET_STANDARD_RE = new RegExp(`^(?:0x)?(${HEX}{2})(${HEX}*)$`);
const GET_OP_KECCAK_RE = new RegExp(`^(?:0x)?00${HEX}{64}$`);
const GET_OP_GENERIC_RE = new RegExp(`^(?:0x)?01${HEX}{2}(${HEX}{2})([^/]+)$`);
const GET_OP_UNKNOWN_RE = new RegExp(`^(?:0x)?(${HEX}{2})$`);
const PUT_OP_KECCAK_RE = new RegExp(`^/put/(?:0x)?00${HEX}{64}$`);
const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/;
const U64_MAX = 2n ** 64n - 1n;

/** The commitment-mode header bytes of an `optimism_generic` commitment: generic commitment, EigenDA layer. */
const OP_GENERIC_PREFIX = Uint8Array.of(0x01, 0x00);

/** A Go `http.Error`-style reply: the text plus a newline. */
function text(status: number, body: string): Reply {
  return { status, body: `${body}\n`, contentType: TEXT };
}

/**
 * A 418 "derivation error" reply: a JSON object `{"StatusCode": n, "Msg": "..."}` with n = 1 cert
 * parsing failed, 2 recency check failed, 3 invalid cert, 4 blob decoding failed, served as text.
 */
function derivationError(statusCode: 1 | 2 | 3 | 4, msg: string): Reply {
  return text(418, JSON.stringify({ StatusCode: statusCode, Msg: msg }));
}

/**
 * `newton-da-server`: a local stand-in for eigenda-proxy in memstore mode, answering its REST API
 * (Layr-Labs/eigenda `api/proxy/servers/rest`) with the same routes and status codes:
 *
 * | request | answer |
 * |---|---|
 * | `POST /put?commitment_mode=standard`, body = payload | 200 + `version ‖ cert` |
 * | `POST /put` or `/put/` (no or another `commitment_mode`: `optimism_generic`) | 200 + `0x01 0x00 ‖ version ‖ cert` |
 * | `POST /put/0x00<keccak>` (`optimism_keccak256`) | 403, the mode is not enabled here |
 * | `GET /put` | 405 |
 * | `GET /get/[0x]<version><hex cert>?commitment_mode=standard` | 200 + payload |
 * | `GET /get/[0x]01 00 <version><cert>` (default mode, `optimism_generic`) | 200 + payload |
 * | `GET /get/[0x]00<keccak>` | 403 (`optimism_keccak256` not enabled) |
 * | `GET /get/[0x]<1 byte>` in a non-standard mode | 400 unsupported commitment type |
 * | `GET /health` | 200, empty body |
 * | `GET /config` | 200 + JSON compatibility config (`version`, `chain_id` "", `max_payload_size_bytes`, `apis_enabled`, …) |
 * | any other path | 404 `404 page not found`; a known path with another method: 405 |
 *
 * Errors of a `GET`: 400 for a version byte the proxy does not know (not `0x00` … `0x03`), an odd
 * number of hex digits, or an `l1_inclusion_block_number` that is not a u64; 404 when no route
 * matches (an empty or non-hex certificate in standard mode); 418 with a derivation-error body
 * `{"StatusCode":1,"Msg":…}` ("certificate parsing failed", re-disperse) for a certificate that is
 * not one of this server's (wrong length, or an EigenDA V1 `0x00` certificate); 500 for a
 * well-formed certificate whose blob is not stored (never dispersed here, expired, or lost with a
 * memory store), as the proxy reports a blob it cannot find as an internal error. A `POST` larger
 * than `maxPayloadBytes` gets 400. `l1_inclusion_block_number` is validated but no recency check is
 * made (these certificates carry no reference block).
 * With `retentionSeconds` > 0 a blob expires that many seconds after its `/put` and is then
 * answered as never stored (500), as EigenDA answers a blob past its retention (~14 days on mainnet).
 *
 * Certificates are `version ‖ keccak256(payload) ‖ u64 big-endian nonce` (41 bytes, see
 * `makeServerCert`; version `certVersion`, default V4 `0x03`); clients must treat the bytes after
 * the version byte as opaque. Test knobs: `latencyMs` delays every `/put` and `/get`;
 * `failureRate` answers 503 (the proxy's "fail over" signal) at random; `corruptRate` returns
 * payloads with one bit flipped (an empty payload becomes one zero byte).
 */
export class DaServer {
  /** The options in force, defaults applied. */
  readonly opts: ResolvedServerOptions;
  private readonly log: Logger;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly store: BlobStore;
  private readonly inFlight = new Set<Promise<void>>();
  private server?: Server;
  private stopping = new AbortController();
  private nonce = 0n;
  private requests = 0;

  /** @throws DaError `DA_ERROR_INVALID_OPTION` when an option is out of range. */
  constructor(opts: DaServerOptions = {}, deps: DaServerDeps = {}) {
    this.opts = resolveServerOptions(opts);
    this.log = (deps.logger ?? pino({ level: "silent" })).child({ module: "da-server" });
    this.random = deps.random ?? Math.random;
    this.now = deps.now ?? Date.now;
    this.store = this.opts.dataDir !== undefined ? new DirBlobStore(this.opts.dataDir) : new MemoryBlobStore(this.now);
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
      res.writeHead(reply.status, { "content-type": reply.contentType ?? TEXT });
      res.end(reply.body);
      this.log.debug({ method: req.method, path: url.pathname.slice(0, 80), status: reply.status }, "da request");
    } catch (err) {
      if (this.stopping.signal.aborted) {
        res.destroy();
        return;
      }
      this.log.error({ err, method: req.method, path: url.pathname.slice(0, 80) }, "da request failed");
      if (!res.headersSent) res.writeHead(500, { "content-type": TEXT });
      res.end(`internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }

  private async route(req: IncomingMessage, url: URL): Promise<Reply> {
    const { pathname } = url;
    const standard = url.searchParams.get("commitment_mode") === "standard";
    if (req.method === "POST" && (pathname === "/put" || pathname === "/put/")) {
      return this.handlePut(req, standard && pathname === "/put");
    }
    await drain(req);
    if (pathname === "/health" || pathname === "/config" || pathname === "/put") {
      if (req.method !== "GET") return text(405, "method not allowed");
      if (pathname === "/health") return { status: 200, body: "" };
      if (pathname === "/config")
        return { status: 200, body: JSON.stringify(this.config()), contentType: "application/json" };
      this.log.warn({}, "GET /put: a dispersal sent as GET (e.g. after a redirect)");
      return { status: 405, body: "" };
    }
    if (req.method === "POST" && PUT_OP_KECCAK_RE.test(pathname)) return text(403, "op-keccak API is not enabled");
    if (pathname.startsWith("/get/")) {
      if (req.method !== "GET") return text(405, "method not allowed");
      const commitment = pathname.slice("/get/".length);
      const std = standard ? GET_STANDARD_RE.exec(commitment) : null;
      if (std) return this.handleGet(std[1], std[2], url);
      if (GET_OP_KECCAK_RE.test(commitment)) return text(403, "op-keccak API is not enabled");
      const generic = GET_OP_GENERIC_RE.exec(commitment);
      if (generic) return this.handleGet(generic[1], generic[2], url);
      const unknown = standard ? null : GET_OP_UNKNOWN_RE.exec(commitment);
      if (unknown) return text(400, `unsupported commitment type ${unknown[1]}`);
    }
    return text(404, "404 page not found");
  }

  /** The `GET /config` body: eigenda-proxy's compatibility config, as a memstore proxy reports it. */
  private config(): Record<string, unknown> {
    return {
      version: "newton-da-server",
      chain_id: "",
      directory_address: "",
      cert_verifier_address: "",
      max_payload_size_bytes: this.opts.maxPayloadBytes,
      apis_enabled: ["op-generic", "standard"],
      read_only_mode: false,
    };
  }

  private async handlePut(req: IncomingMessage, standard: boolean): Promise<Reply> {
    const { bytes, size } = await readBody(req, this.opts.maxPayloadBytes);
    if (bytes === undefined) {
      return text(400, `payload of ${size} bytes exceeds the limit of ${this.opts.maxPayloadBytes} bytes`);
    }
    await this.delay();
    if (this.chance(this.opts.failureRate)) return text(503, "EigenDA unavailable, fail over (injected failure)");
    const cert = makeServerCert(await keccak256Bytes(bytes), this.nonce++, this.opts.certVersion);
    await this.store.put(bytesToHex(cert), bytes);
    this.log.debug({ cert: bytesToHex(cert), payloadBytes: bytes.length }, "blob stored");
    const body = standard ? cert : concatBytes(OP_GENERIC_PREFIX, cert);
    return { status: 200, body, contentType: "application/octet-stream" };
  }

  /**
   * Serves one certificate given as its version byte and serialized-certificate hex (either
   * commitment mode lands here once the mode's header bytes are stripped).
   */
  private async handleGet(versionHex: string, certHex: string, url: URL): Promise<Reply> {
    const version = parseInt(versionHex, 16);
    if (!isKnownCertVersion(version)) return text(400, `unsupported version byte ${versionHex}`);
    if (!HEX_RE.test(certHex)) return text(400, `decoding cert from hex string ${certHex.slice(0, 80)}: invalid hex`);
    const l1Block = url.searchParams.get("l1_inclusion_block_number") ?? "";
    if (l1Block !== "" && (!/^\d{1,20}$/.test(l1Block) || BigInt(l1Block) > U64_MAX)) {
      return text(400, `invalid l1_inclusion_block_number ${l1Block.slice(0, 40)}: not a u64`);
    }
    const cert = hexToBytes(`0x${versionHex}${certHex}`);
    if (!parseServerCert(cert)) {
      return derivationError(
        1,
        `cert parsing failed for cert ${bytesToHex(cert).slice(0, 100)}: not a certificate of this server`,
      );
    }
    await this.delay();
    if (this.chance(this.opts.failureRate)) return text(503, "EigenDA unavailable, fail over (injected failure)");
    const payload = (await this.expired(bytesToHex(cert))) ? undefined : await this.store.get(bytesToHex(cert));
    if (!payload) return text(500, `blob not found for certificate ${bytesToHex(cert)}`);
    const body = this.chance(this.opts.corruptRate) ? this.corrupt(payload) : payload;
    return { status: 200, body, contentType: "application/octet-stream" };
  }

  /** Whether the blob under `cert` is past `retentionSeconds` (never, when retention is 0). */
  private async expired(cert: `0x${string}`): Promise<boolean> {
    if (this.opts.retentionSeconds === 0) return false;
    const atMs = await this.store.storedAtMs(cert);
    return atMs !== undefined && this.now() - atMs >= this.opts.retentionSeconds * 1000;
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

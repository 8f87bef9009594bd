import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import { KeeperError } from "./errors";

/** An HTTP answer: status and a JSON body (or text, for /metrics). */
export interface HttpReply {
  readonly status: number;
  readonly json?: unknown;
  readonly text?: string;
  /** A binary body (served as `application/octet-stream` unless `contentType` says otherwise). */
  readonly bytes?: Uint8Array;
  readonly contentType?: string;
}

/** Errors of the HTTP helpers. */
export type HttpErrorType = { code: "HTTP_ERROR_REQUEST"; status: number; reason: string };

/** A request that gets a 4xx/5xx answer with `{error: message}`. */
export class HttpError extends KeeperError<HttpErrorType> {
  constructor(status: number, reason: string, extra?: Record<string, unknown>) {
    super({ code: "HTTP_ERROR_REQUEST", status, reason }, reason);
    this.extra = extra;
  }
  readonly extra?: Record<string, unknown>;
}

/**
 * Starts a `node:http` server on `host:port` (port 0 picks one) that answers every request with
 * `handler`'s reply; a thrown `HttpError` becomes its status with `{error, ...extra}`, anything else
 * a 500. Returns the server and its base URL.
 */
export async function startHttpServer(
  host: string,
  port: number,
  handler: (req: IncomingMessage, url: URL) => Promise<HttpReply>,
  onError: (err: unknown) => void,
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    handler(req, url)
      .catch((err: unknown): HttpReply => {
        if (err instanceof HttpError) return { status: err.type.status, json: { error: err.message, ...err.extra } };
        onError(err);
        return { status: 500, json: { error: err instanceof Error ? err.message : "internal error" } };
      })
      .then((reply) => writeReply(res, reply));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { address, port: actual } = server.address() as AddressInfo;
  return { server, url: `http://${address.includes(":") ? `[${address}]` : address}:${actual}` };
}

/** Closes a server and its open connections. */
export async function stopHttpServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
}

function writeReply(res: ServerResponse, reply: HttpReply): void {
  if (res.headersSent) return;
  const body = reply.bytes ?? reply.text ?? `${JSON.stringify(reply.json ?? {})}\n`;
  const type =
    reply.bytes !== undefined
      ? "application/octet-stream"
      : reply.text !== undefined
        ? "text/plain"
        : "application/json";
  res.writeHead(reply.status, {
    "content-type": reply.contentType ?? type,
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}

/**
 * Reads a JSON body of at most `maxBytes`.
 * @throws HttpError 413 when larger, 400 when not JSON, 415 when not `application/json`.
 */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const type = req.headers["content-type"] ?? "";
  if (!type.startsWith("application/json")) throw new HttpError(415, "content-type must be application/json");
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new HttpError(413, `body larger than ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
  } catch {
    throw new HttpError(400, "body is not valid JSON");
  }
}

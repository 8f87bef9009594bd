import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

import { expect } from "chai";

import { DaError, type DaErrorType } from "../../../keeper/da";

/** Awaits `p`, expects a DaError with `code`, returns its typed fields. */
export async function rejection<C extends DaErrorType["code"]>(
  p: Promise<unknown>,
  code: C,
): Promise<Extract<DaErrorType, { code: C }>> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(DaError);
    expect((err as DaError).code, (err as Error).message).to.equal(code);
    return (err as DaError).type as Extract<DaErrorType, { code: C }>;
  }
  return expect.fail(`expected ${code}, the call succeeded`);
}

/** Polls `pred` every 2 ms until true (Lodestar-style waitFor); fails after `timeoutMs`. */
export async function waitFor(pred: () => boolean, { timeoutMs = 5000 } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) expect.fail(`condition not met within ${timeoutMs} ms`);
    await sleep(2);
  }
}

/** What the stub saw of one request. */
export interface SeenRequest {
  method: string;
  url: string;
  contentType?: string;
  body: Buffer;
}

/** A tiny scripted HTTP server: `respond(n, req, res)` answers the n-th request (0-based). */
export interface Stub {
  url: string;
  server: Server;
  requests: SeenRequest[];
  close(): Promise<void>;
}

export async function startStub(
  respond: (n: number, res: ServerResponse, req: IncomingMessage) => void,
): Promise<Stub> {
  const requests: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const n = requests.length;
      requests.push({
        method: req.method ?? "",
        url: req.url ?? "",
        contentType: req.headers["content-type"],
        body: Buffer.concat(chunks),
      });
      respond(n, res, req);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Answers with `status` and a text body. */
export function reply(res: ServerResponse, status: number, body: string | Uint8Array = "", headers = {}): void {
  res.writeHead(status, headers);
  res.end(body);
}

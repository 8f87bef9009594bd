import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

import { expect } from "chai";

import { bytesToHex } from "../../../keeper/common";
import { parseDaServerArgs } from "../../../keeper/cli/da-server";
import {
  DaError,
  DaServer,
  MAX_PAYLOAD_BYTES,
  SERVER_CERT_BYTES,
  keccak256Hex,
  makeServerCert,
  parseServerCert,
} from "../../../keeper/da";
import { waitFor } from "./da.helpers";

async function put(url: string, body: Uint8Array, mode = "standard"): Promise<Response> {
  return fetch(`${url}/put?commitment_mode=${mode}`, { method: "POST", body });
}

async function get(url: string, certHex: string, mode = "standard"): Promise<Response> {
  return fetch(`${url}/get/${certHex}?commitment_mode=${mode}`);
}

describe("DaServer", () => {
  let server: DaServer;
  let url: string;

  beforeEach(async () => {
    server = new DaServer({ maxPayloadBytes: 64 });
    ({ url } = await server.start());
  });

  afterEach(() => server.stop());

  describe("POST /put", () => {
    it("answers 0x03 ‖ keccak256(payload) ‖ u64 nonce, counting up", async () => {
      const payload = new TextEncoder().encode("hello");
      const hash = await keccak256Hex(payload);
      for (const nonce of [0n, 1n]) {
        const res = await put(url, payload);
        expect(res.status).to.equal(200);
        const cert = new Uint8Array(await res.arrayBuffer());
        expect(cert.length).to.equal(SERVER_CERT_BYTES);
        expect(bytesToHex(cert)).to.equal(bytesToHex(makeServerCert(Buffer.from(hash.slice(2), "hex"), nonce)));
        expect(parseServerCert(cert)?.nonce).to.equal(nonce);
      }
    });

    it("answers 400 to a payload over maxPayloadBytes and keeps serving", async () => {
      const res = await put(url, new Uint8Array(65));
      expect(res.status).to.equal(400);
      expect(await res.text()).to.match(/65 bytes exceeds the limit of 64/);
      expect((await put(url, new Uint8Array(64))).status).to.equal(200);
    });

    it("answers another commitment mode with an optimism_generic commitment 0x01 0x00 ‖ cert", async () => {
      const res = await put(url, Uint8Array.of(1), "optimism");
      expect(res.status).to.equal(200);
      const commitment = new Uint8Array(await res.arrayBuffer());
      expect([...commitment.subarray(0, 3)]).to.deep.equal([0x01, 0x00, 0x03]);
      expect(commitment.length).to.equal(2 + SERVER_CERT_BYTES);
    });
  });

  describe("GET /get", () => {
    it("returns the payload for its certificate, with or without 0x", async () => {
      const cert = bytesToHex(new Uint8Array(await (await put(url, Uint8Array.of(4, 2))).arrayBuffer()));
      for (const path of [cert, cert.slice(2)]) {
        const res = await get(url, path);
        expect(res.status).to.equal(200);
        expect([...new Uint8Array(await res.arrayBuffer())]).to.deep.equal([4, 2]);
      }
    });

    it("answers 418 (derivation error 1) to a certificate that does not parse (V1 version byte or wrong length)", async () => {
      const good = bytesToHex(makeServerCert(new Uint8Array(32), 0n));
      for (const cert of [`0x00${good.slice(4)}`, good.slice(0, -2), "0x03"]) {
        const res = await get(url, cert);
        expect(res.status, cert).to.equal(418);
        expect(JSON.parse(await res.text())).to.include({ StatusCode: 1 });
      }
    });

    it("answers 500 to a well-formed certificate it does not hold", async () => {
      const res = await get(url, bytesToHex(makeServerCert(new Uint8Array(32), 77n)));
      expect(res.status).to.equal(500);
      expect(await res.text()).to.match(/blob not found/);
    });

    it("answers 404 to a path that is not hex or empty, and 400 to a lone unknown commitment type byte", async () => {
      expect((await get(url, "0xzz")).status).to.equal(404);
      expect((await get(url, "0x")).status).to.equal(404);
      expect((await get(url, "0x05", "optimism")).status).to.equal(400);
    });
  });

  it("answers GET /health with 200, unknown routes with 404 and a wrong method with 405", async () => {
    expect((await fetch(`${url}/health`)).status).to.equal(200);
    expect((await fetch(`${url}/nope`)).status).to.equal(404);
    expect((await fetch(`${url}/get/0x01`, { method: "POST", body: "x" })).status).to.equal(405);
    expect(server.requestsTotal).to.equal(3);
  });

  describe("injected faults", () => {
    it("answers 503 to /put and /get at failureRate 1", async () => {
      const down = new DaServer({ failureRate: 1 });
      const { url: downUrl } = await down.start();
      try {
        expect((await put(downUrl, Uint8Array.of(1))).status).to.equal(503);
        expect((await get(downUrl, bytesToHex(makeServerCert(new Uint8Array(32), 0n)))).status).to.equal(503);
      } finally {
        await down.stop();
      }
    });

    it("delays /put by latencyMs", async () => {
      const slow = new DaServer({ latencyMs: 40 });
      const { url: slowUrl } = await slow.start();
      try {
        const started = performance.now();
        expect((await put(slowUrl, Uint8Array.of(1))).status).to.equal(200);
        expect(performance.now() - started).to.be.at.least(39);
      } finally {
        await slow.stop();
      }
    });

    it("stops promptly while a request waits on its latency", async () => {
      const slow = new DaServer({ latencyMs: 600_000 });
      const { url: slowUrl } = await slow.start();
      const pending = put(slowUrl, Uint8Array.of(1)).then(
        () => "answered",
        () => "dropped",
      );
      await waitFor(() => slow.requestsTotal === 1);
      await slow.stop();
      expect(await pending).to.equal("dropped");
    });

    it("rejects out-of-range options with DA_ERROR_INVALID_OPTION", () => {
      for (const opts of [{ failureRate: 1.5 }, { corruptRate: -0.1 }, { latencyMs: -1 }, { maxPayloadBytes: 0.5 }]) {
        expect(() => new DaServer(opts))
          .to.throw(DaError)
          .with.property("code", "DA_ERROR_INVALID_OPTION");
      }
    });
  });

  describe("retentionSeconds", () => {
    /** Invariant: after retention a GET answers exactly as for a blob never stored; 0 keeps blobs for ever. */
    it("answers an expired blob as a missing one (500), in memory and in dataDir", async () => {
      const dir = await mkdtemp(join(tmpdir(), "newton-da-retention-"));
      try {
        for (const dataDir of [undefined, dir]) {
          let nowMs = Date.now();
          const s = new DaServer({ retentionSeconds: 10, dataDir }, { now: () => nowMs });
          const { url: u } = await s.start();
          try {
            const cert = bytesToHex(new Uint8Array(await (await put(u, Uint8Array.of(7))).arrayBuffer()));
            nowMs += 9_000;
            expect((await get(u, cert)).status).to.equal(200);
            nowMs += 1_500;
            const res = await get(u, cert);
            expect(res.status).to.equal(500);
            expect(await res.text()).to.match(/blob not found/);
          } finally {
            await s.stop();
          }
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it("keeps blobs for ever by default", async () => {
      let nowMs = Date.now();
      const s = new DaServer({}, { now: () => nowMs });
      expect(s.opts.retentionSeconds).to.equal(0);
      const { url: u } = await s.start();
      try {
        const cert = bytesToHex(new Uint8Array(await (await put(u, Uint8Array.of(7))).arrayBuffer()));
        nowMs += 10 * 365 * 86_400_000;
        expect((await get(u, cert)).status).to.equal(200);
      } finally {
        await s.stop();
      }
    });

    it("rejects a negative or fractional retention", () => {
      for (const retentionSeconds of [-1, 0.5]) {
        expect(() => new DaServer({ retentionSeconds }))
          .to.throw(DaError)
          .with.property("code", "DA_ERROR_INVALID_OPTION");
      }
    });
  });

  describe("dataDir", () => {
    let dir: string;

    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), "newton-da-server-"));
    });

    afterEach(() => rm(dir, { recursive: true, force: true }));

    it("keeps one file per blob named by the hex certificate, removes stale temporaries, resumes nonces", async () => {
      await writeFile(join(dir, ".stale.tmp"), "partial");
      const s = new DaServer({ dataDir: dir });
      const { url: u } = await s.start();
      const certs: string[] = [];
      for (const b of [1, 2])
        certs.push(bytesToHex(new Uint8Array(await (await put(u, Uint8Array.of(b))).arrayBuffer())));
      await s.stop();
      expect((await readdir(dir)).sort()).to.deep.equal(certs.map((c) => c.slice(2)).sort());

      const again = new DaServer({ dataDir: dir });
      const { url: u2 } = await again.start();
      try {
        const next = new Uint8Array(await (await put(u2, Uint8Array.of(1))).arrayBuffer());
        expect(parseServerCert(next)?.nonce).to.equal(2n);
      } finally {
        await again.stop();
      }
    });
  });
});

describe("newton-da-server CLI", () => {
  describe("parseDaServerArgs", () => {
    it("applies defaults", () => {
      expect(parseDaServerArgs(["node", "da-server"])).to.deep.include({
        port: 3100,
        host: "127.0.0.1",
        latencyMs: 0,
        failureRate: 0,
        corruptRate: 0,
        maxPayloadBytes: MAX_PAYLOAD_BYTES,
        retentionSeconds: 0,
      });
    });

    it("reads every flag", () => {
      const argv = ["node", "da-server", "--port", "0", "--host", "::1", "--data-dir", "/tmp/x", "--latency-ms", "5"];
      argv.push("--failure-rate", "0.25", "--corrupt-rate", "1", "--max-payload-bytes", "1000");
      argv.push("--retention-seconds", "60");
      expect(parseDaServerArgs(argv)).to.deep.include({
        port: 0,
        host: "::1",
        dataDir: "/tmp/x",
        latencyMs: 5,
        failureRate: 0.25,
        corruptRate: 1,
        maxPayloadBytes: 1000,
        retentionSeconds: 60,
      });
    });
  });
});

describe("newton-da-server process", () => {
  /** Invariant: the CLI serves the API and exits 0 on SIGTERM. */
  it("starts, serves /health, and exits 0 on SIGTERM", async () => {
    const args = ["-r", "ts-node/register/transpile-only", "keeper/cli/da-server.ts", "--port", "0"];
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
    const exited = once(child, "exit");
    let out = "";
    child.stdout.setEncoding("utf8");
    const ready = new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (chunk: string) => {
        out += chunk;
        const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)","latencyMs"/.exec(out);
        if (m) resolve(m[1]);
      });
      child.once("exit", (code) => reject(new Error(`exited with ${code} before ready: ${out}`)));
    });
    const serverUrl = await ready;
    expect((await fetch(`${serverUrl}/health`)).status).to.equal(200);
    child.kill("SIGTERM");
    const [code] = await exited;
    expect(code).to.equal(0);
    expect(out).to.include('"msg":"da server stopped"');
  });
});

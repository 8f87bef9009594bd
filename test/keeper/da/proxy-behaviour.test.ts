import path from "node:path";

import { expect } from "chai";

import { freePort, removeDir, spawnLogged, tempDir, waitFor, type Proc } from "../../../scripts/devnet/processes";
import { bytesToHex } from "../../../keeper/common";
import {
  ACCEPTED_CERT_VERSIONS,
  EigenDaProxyClient,
  SERVER_CERT_BYTES,
  keccak256Hex,
  makeServerCert,
  type EigenDaProxyClientOptions,
} from "../../../keeper/da";
import { rejection, reply, startStub, type Stub } from "./da.helpers";

const FAST: Omit<EigenDaProxyClientOptions, "url"> = {
  maxRetries: 2,
  baseDelayMs: 1,
  maxDelayMs: 2,
  timeoutMs: 10_000,
};

/** Starts `newton-da-server` as a real process on a free port; resolves once `/health` answers. */
async function startDaProcess(dir: string, extra: string[] = []): Promise<{ url: string; proc: Proc }> {
  const port = await freePort();
  const args = ["-r", "ts-node/register/transpile-only", "keeper/cli/da-server.ts", "--port", String(port), ...extra];
  const proc = spawnLogged(process.execPath, args, {}, path.join(dir, `da-${port}.log`));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (proc.child.exitCode !== null) throw new Error(`da server exited: ${proc.log()}`);
      return fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      );
    },
    { timeoutMs: 60_000 },
  );
  return { url, proc };
}

async function bytesOf(res: Response): Promise<Uint8Array> {
  return new Uint8Array(await res.arrayBuffer());
}

/**
 * Pins the eigenda-proxy REST behaviour (Layr-Labs/eigenda `api/proxy/servers/rest`: routing,
 * cert handlers, error middleware, misc handlers) that `newton-da-server` reproduces, against the
 * server running as its own process.
 */
describe("newton-da-server behaves like eigenda-proxy (real process)", function () {
  this.timeout(120_000);
  let dir: string;
  let url: string;
  let proc: Proc;
  let cert: Uint8Array;
  const payload = new TextEncoder().encode("newton");

  before(async () => {
    dir = tempDir("newton-da-proxy-");
    ({ url, proc } = await startDaProcess(dir));
    const res = await fetch(`${url}/put?commitment_mode=standard`, { method: "POST", body: payload });
    expect(res.status).to.equal(200);
    cert = await bytesOf(res);
  });

  after(async () => {
    await proc?.stop();
    removeDir(dir);
  });

  describe("commitment modes", () => {
    it("standard: POST /put?commitment_mode=standard answers version byte 0x03 (V4) ‖ certificate", () => {
      expect(cert.length).to.equal(SERVER_CERT_BYTES);
      expect(cert[0]).to.equal(0x03);
    });

    it("standard: GET /get/<cert>?commitment_mode=standard returns the payload, with or without 0x", async () => {
      const hex = bytesToHex(cert);
      for (const p of [hex, hex.slice(2)]) {
        const res = await fetch(`${url}/get/${p}?commitment_mode=standard`);
        expect(res.status).to.equal(200);
        expect(Buffer.from(await bytesOf(res)).toString()).to.equal("newton");
      }
    });

    for (const [name, putPath] of [
      ["absent (the default)", "/put"],
      ["optimism_generic", "/put?commitment_mode=optimism_generic"],
      ["absent, trailing slash", "/put/"],
    ] as const) {
      it(`optimism_generic (${name}): POST ${putPath} answers 0x01 0x00 ‖ version ‖ cert, served by GET /get/<commitment>`, async () => {
        const res = await fetch(url + putPath, { method: "POST", body: payload });
        expect(res.status).to.equal(200);
        const commitment = await bytesOf(res);
        expect([...commitment.subarray(0, 3)]).to.deep.equal([0x01, 0x00, 0x03]);
        const back = await fetch(`${url}/get/${bytesToHex(commitment)}`);
        expect(back.status).to.equal(200);
        expect(Buffer.from(await bytesOf(back)).toString()).to.equal("newton");
        // The same certificate in standard mode, without the two mode bytes.
        const std = await fetch(`${url}/get/${bytesToHex(commitment.subarray(2))}?commitment_mode=standard`);
        expect(std.status).to.equal(200);
      });
    }

    it("optimism_keccak256 is not enabled: 403 on GET and POST /…/0x00<keccak>", async () => {
      const key = "00" + "ab".repeat(32);
      expect((await fetch(`${url}/get/0x${key}`)).status).to.equal(403);
      expect((await fetch(`${url}/put/0x${key}`, { method: "POST", body: payload })).status).to.equal(403);
    });

    it("answers 400 to a lone unknown commitment type byte outside standard mode", async () => {
      const res = await fetch(`${url}/get/0x07`);
      expect(res.status).to.equal(400);
      expect(await res.text()).to.match(/unsupported commitment type 07/);
    });
  });

  describe("errors", () => {
    it("GET /put answers 405; POST /get/… and POST /health answer 405", async () => {
      expect((await fetch(`${url}/put`)).status).to.equal(405);
      expect((await fetch(`${url}/get/${bytesToHex(cert)}`, { method: "POST", body: "x" })).status).to.equal(405);
      expect((await fetch(`${url}/health`, { method: "POST", body: "x" })).status).to.equal(405);
    });

    it("answers 400 to a version byte the proxy does not know (0x04 … 0xff), in both modes", async () => {
      const rest = bytesToHex(cert).slice(4);
      for (const v of ["04", "ff"]) {
        expect((await fetch(`${url}/get/0x${v}${rest}?commitment_mode=standard`)).status, v).to.equal(400);
        expect((await fetch(`${url}/get/0x0100${v}${rest}`)).status, v).to.equal(400);
      }
    });

    it("answers 404 `404 page not found` to an empty or non-hex certificate in standard mode", async () => {
      for (const p of ["0x", "", "0x03zz", "0xzz"]) {
        const res = await fetch(`${url}/get/${p}?commitment_mode=standard`);
        expect(res.status, p).to.equal(404);
        expect(await res.text()).to.equal("404 page not found\n");
      }
    });

    it("answers 400 to an odd number of hex digits or a non-hex optimism_generic certificate", async () => {
      expect((await fetch(`${url}/get/${bytesToHex(cert)}0?commitment_mode=standard`)).status).to.equal(400);
      expect((await fetch(`${url}/get/0x010003zz`)).status).to.equal(400);
    });

    it('answers 418 with the derivation-error body {"StatusCode":1,"Msg":…} to a certificate that does not parse', async () => {
      const v1 = `0x00${bytesToHex(cert).slice(4)}`;
      for (const p of ["0x03abcd", "0x03", v1]) {
        const res = await fetch(`${url}/get/${p}?commitment_mode=standard`);
        expect(res.status, p).to.equal(418);
        const body = JSON.parse(await res.text()) as Record<string, unknown>;
        expect(Object.keys(body).sort()).to.deep.equal(["Msg", "StatusCode"]);
        expect(body.StatusCode).to.equal(1);
        expect(body.Msg).to.match(/cert parsing failed/);
      }
    });

    it("answers 500 (blob not found) to a well-formed certificate it never stored", async () => {
      const unknown = makeServerCert(new Uint8Array(32), 123_456n);
      const res = await fetch(`${url}/get/${bytesToHex(unknown)}?commitment_mode=standard`);
      expect(res.status).to.equal(500);
      expect(await res.text()).to.match(/not found/);
    });

    it("validates l1_inclusion_block_number: a u64 (or empty) is accepted, anything else is 400", async () => {
      const base = `${url}/get/${bytesToHex(cert)}?commitment_mode=standard&l1_inclusion_block_number=`;
      for (const ok of ["", "0", "12345", "18446744073709551615"])
        expect((await fetch(base + ok)).status, ok).to.equal(200);
      for (const bad of ["abc", "-1", "18446744073709551616"])
        expect((await fetch(base + bad)).status, bad).to.equal(400);
    });
  });

  describe("misc endpoints", () => {
    it("GET /health answers 200 with an empty body", async () => {
      const res = await fetch(`${url}/health`);
      expect(res.status).to.equal(200);
      expect(await res.text()).to.equal("");
    });

    it("GET /config answers the compatibility config JSON", async () => {
      const res = await fetch(`${url}/config`);
      expect(res.status).to.equal(200);
      expect(res.headers.get("content-type")).to.equal("application/json");
      const cfg = (await res.json()) as Record<string, unknown>;
      expect(cfg).to.include({ chain_id: "", read_only_mode: false, max_payload_size_bytes: 16_252_897 });
      expect(cfg).to.have.all.keys(
        "version",
        "chain_id",
        "directory_address",
        "cert_verifier_address",
        "max_payload_size_bytes",
        "apis_enabled",
        "read_only_mode",
      );
      expect(cfg.apis_enabled).to.have.members(["standard", "op-generic"]);
    });

    it("--cert-version 2 issues V3 (0x02) certificates, which the client accepts", async () => {
      const v3 = await startDaProcess(dir, ["--cert-version", "2"]);
      try {
        const client = new EigenDaProxyClient({ url: v3.url, ...FAST });
        const c = await client.put(payload);
        expect(c[0]).to.equal(0x02);
        expect(Buffer.from(await client.get(c)).toString()).to.equal("newton");
      } finally {
        await v3.proc.stop();
      }
    });
  });

  describe("EigenDaProxyClient against it", () => {
    let stub: Stub | undefined;

    afterEach(async () => {
      await stub?.close();
      stub = undefined;
    });

    it("accepts certificate version bytes 0x01, 0x02, 0x03 only", () => {
      expect([...ACCEPTED_CERT_VERSIONS]).to.deep.equal([0x01, 0x02, 0x03]);
    });

    it("fails over on 503 to the next daUrl at once, in order, and starts from the first on every call", async () => {
      stub = await startStub((_n, res) => reply(res, 503, "EigenDA down, fail over"));
      const client = new EigenDaProxyClient({ url: [stub.url, url], ...FAST });
      const c = await client.put(payload);
      expect(Buffer.from(await client.get(c)).toString()).to.equal("newton");
      expect(stub.requests.map((r) => r.method)).to.deep.equal(["POST", "GET"]);
    });

    it("fails over past an unreachable daUrl", async () => {
      const dead = `http://127.0.0.1:${await freePort()}`;
      const client = new EigenDaProxyClient({ url: [dead, url], ...FAST });
      expect((await client.put(payload))[0]).to.equal(0x03);
    });

    it("gives a clear DA_ERROR_UNAVAILABLE naming the count when every daUrl asks to fail over", async () => {
      stub = await startStub((_n, res) => reply(res, 503, "fail over"));
      const client = new EigenDaProxyClient({ url: [stub.url, stub.url], ...FAST, maxRetries: 1 });
      const err = await rejection(client.put(payload), "DA_ERROR_UNAVAILABLE");
      expect(err).to.include({ urls: 2, attempts: 4 });
      expect(stub.requests.length).to.equal(4);
    });

    it("does not retry a 500 'not found' beyond notFoundRetries, though 500s otherwise retry maxRetries times", async () => {
      const unknown = makeServerCert(new Uint8Array(32), 654_321n);
      const hash = await keccak256Hex(new Uint8Array(0));
      const client = new EigenDaProxyClient({ url, ...FAST, maxRetries: 5, notFoundRetries: 0 });
      expect(await rejection(client.getVerified(unknown, hash), "DA_ERROR_NOT_FOUND")).to.include({ attempts: 1 });
      stub = await startStub((_n, res) => reply(res, 500, "internal error: disperser connection reset"));
      const other = new EigenDaProxyClient({ url: stub.url, ...FAST, maxRetries: 3 });
      expect(await rejection(other.getVerified(unknown, hash), "DA_ERROR_SERVER")).to.include({ attempts: 4 });
    });

    it("reads the 418 derivation-error code (e.g. 2, recency check failed) without retrying", async () => {
      stub = await startStub((_n, res) =>
        reply(res, 418, '{"StatusCode":2,"Msg":"RBN recency check failed"}\n', { "content-type": "text/plain" }),
      );
      const client = new EigenDaProxyClient({ url: stub.url, ...FAST });
      const err = await rejection(client.getVerified(cert, await keccak256Hex(payload)), "DA_ERROR_INVALID_CERT");
      expect(err).to.include({ derivationCode: 2, derivationMsg: "RBN recency check failed", attempts: 1 });
    });

    it("sends l1_inclusion_block_number when the caller knows the inclusion block, and only then", async () => {
      stub = await startStub((_n, res) => reply(res, 200, payload));
      const client = new EigenDaProxyClient({ url: stub.url, ...FAST });
      const hash = await keccak256Hex(payload);
      await client.getVerified(cert, hash, { l1InclusionBlockNumber: 4242 });
      await client.getVerified(cert, hash);
      expect(stub.requests[0].url).to.equal(
        `/get/${bytesToHex(cert)}?commitment_mode=standard&l1_inclusion_block_number=4242`,
      );
      expect(stub.requests[1].url).to.equal(`/get/${bytesToHex(cert)}?commitment_mode=standard`);
      // The real server accepts it.
      const real = new EigenDaProxyClient({ url, ...FAST });
      expect(Buffer.from(await real.getVerified(cert, hash, { l1InclusionBlockNumber: 7n })).toString()).to.equal(
        "newton",
      );
    });

    it("refuses a put answered with a certificate version it does not accept (0x00 EigenDA V1, unknown)", async () => {
      for (const version of [0x00, 0x04]) {
        stub = await startStub((_n, res) => reply(res, 200, Uint8Array.of(version, 1, 2, 3)));
        const client = new EigenDaProxyClient({ url: stub.url, ...FAST });
        expect((await rejection(client.put(payload), "DA_ERROR_BAD_RESPONSE")).reason).to.match(/version byte/);
        await stub.close();
        stub = undefined;
      }
    });
  });
});

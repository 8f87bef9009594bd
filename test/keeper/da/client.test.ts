import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { Registry } from "prom-client";

import { bytesToHex } from "../../../keeper/common";
import {
  DaServer,
  EigenDaProxyClient,
  MAX_PAYLOAD_BYTES,
  createDaMetrics,
  keccak256Hex,
  makeServerCert,
  type EigenDaProxyClientOptions,
} from "../../../keeper/da";
import { rejection } from "./da.helpers";

const FAST: Omit<EigenDaProxyClientOptions, "url"> = {
  maxRetries: 2,
  baseDelayMs: 1,
  maxDelayMs: 2,
  timeoutMs: 30_000,
};
const MiB = 1024 * 1024;

describe("EigenDaProxyClient against DaServer over HTTP", () => {
  let server: DaServer;
  let url: string;
  let client: EigenDaProxyClient;

  before(async () => {
    server = new DaServer();
    ({ url } = await server.start());
    client = new EigenDaProxyClient({ url, ...FAST });
  });

  after(() => server.stop());

  describe("put / get", () => {
    for (const [name, size] of [
      ["0 B", 0],
      ["1 B", 1],
      ["1 MiB", MiB],
      ["exactly the 16 252 897-byte limit", MAX_PAYLOAD_BYTES],
    ] as const) {
      /** Invariant: get(put(p)) = p, and the recorded hash is keccak256(p). */
      it(`round-trips ${name}`, async () => {
        const payload = randomBytes(size);
        const cert = await client.put(payload);
        expect(cert[0]).to.equal(0x03);
        expect(client.payloadHashes.get(bytesToHex(cert))).to.equal(await keccak256Hex(payload));
        const back = await client.get(cert);
        expect(Buffer.from(back).equals(payload)).to.equal(true);
      });
    }

    it("rejects a payload over the limit with DA_ERROR_PAYLOAD_TOO_LARGE before sending", async () => {
      const before = server.requestsTotal;
      const err = await rejection(client.put(new Uint8Array(MAX_PAYLOAD_BYTES + 1)), "DA_ERROR_PAYLOAD_TOO_LARGE");
      expect(err).to.include({ payloadBytes: MAX_PAYLOAD_BYTES + 1, maxPayloadBytes: MAX_PAYLOAD_BYTES });
      const small = new EigenDaProxyClient({ url, ...FAST, maxPayloadBytes: 10 });
      await rejection(small.put(new Uint8Array(11)), "DA_ERROR_PAYLOAD_TOO_LARGE");
      expect(server.requestsTotal).to.equal(before);
    });

    it("gives two dispersals of the same payload distinct certificates", async () => {
      const a = await client.put(Uint8Array.of(7));
      const b = await client.put(Uint8Array.of(7));
      expect(bytesToHex(a)).to.not.equal(bytesToHex(b));
    });
  });

  describe("get of certificates it did not disperse", () => {
    it("refuses a certificate without a recorded hash with DA_ERROR_UNKNOWN_CERT, sending nothing", async () => {
      const cert = await client.put(Uint8Array.of(1, 2));
      const before = server.requestsTotal;
      const fresh = new EigenDaProxyClient({ url, ...FAST });
      await rejection(fresh.get(cert), "DA_ERROR_UNKNOWN_CERT");
      expect(server.requestsTotal).to.equal(before);
    });

    it("verifies against a hash from the chain (getVerified) or an imported record", async () => {
      const payload = Uint8Array.of(1, 2, 3);
      const cert = await client.put(payload);
      const hash = await keccak256Hex(payload);
      const fresh = new EigenDaProxyClient({ url, ...FAST });
      expect([...(await fresh.getVerified(cert, hash))]).to.deep.equal([1, 2, 3]);
      const wrong = await keccak256Hex(Uint8Array.of(9));
      expect(await rejection(fresh.getVerified(cert, wrong), "DA_ERROR_HASH_MISMATCH")).to.include({
        expected: wrong,
        actual: hash,
      });
      for (const r of client.exportPayloadHashes()) fresh.recordPayloadHash(r.cert, r.payloadHash);
      expect([...(await fresh.get(cert))]).to.deep.equal([1, 2, 3]);
    });

    it("maps the server's 418 for a foreign certificate to DA_ERROR_INVALID_CERT without retrying", async () => {
      const before = server.requestsTotal;
      const foreign = Uint8Array.of(0x00, 0xde, 0xad);
      const err = await rejection(client.getVerified(foreign, await keccak256Hex(foreign)), "DA_ERROR_INVALID_CERT");
      expect(err).to.include({ cert: "0x00dead", attempts: 1, derivationCode: 1 });
      expect(server.requestsTotal).to.equal(before + 1);
    });

    it("maps the server's 500 for an unknown blob to DA_ERROR_NOT_FOUND after notFoundRetries (1) retries", async () => {
      const before = server.requestsTotal;
      const hash = await keccak256Hex(Uint8Array.of(5));
      const unknown = makeServerCert(Buffer.from(hash.slice(2), "hex"), 999_999n);
      const err = await rejection(client.getVerified(unknown, hash), "DA_ERROR_NOT_FOUND");
      expect(err).to.include({ status: 500, attempts: 2, cert: bytesToHex(unknown) });
      expect(server.requestsTotal).to.equal(before + 2);
    });
  });

  describe("misbehaving servers", () => {
    it("detects wrong bytes (corruptRate 1) as DA_ERROR_HASH_MISMATCH", async () => {
      const bad = new DaServer({ corruptRate: 1 });
      const { url: badUrl } = await bad.start();
      try {
        const c = new EigenDaProxyClient({ url: badUrl, ...FAST });
        for (const payload of [new Uint8Array(0), randomBytes(1000)]) {
          const cert = await c.put(payload);
          const err = await rejection(c.get(cert), "DA_ERROR_HASH_MISMATCH");
          expect(err.expected).to.equal(await keccak256Hex(payload));
          expect(err.actual).to.not.equal(err.expected);
        }
      } finally {
        await bad.stop();
      }
    });

    it("gives up on an always-503 server with DA_ERROR_UNAVAILABLE after 1 + maxRetries requests", async () => {
      const down = new DaServer({ failureRate: 1 });
      const { url: downUrl } = await down.start();
      try {
        const c = new EigenDaProxyClient({ url: downUrl, ...FAST });
        expect(await rejection(c.put(Uint8Array.of(1)), "DA_ERROR_UNAVAILABLE")).to.include({ attempts: 3 });
        expect(down.requestsTotal).to.equal(3);
        expect(await c.health()).to.equal(true);
      } finally {
        await down.stop();
      }
    });
  });

  describe("on-disk server", () => {
    let dir: string;

    before(async () => {
      dir = await mkdtemp(join(tmpdir(), "newton-da-"));
    });

    after(() => rm(dir, { recursive: true, force: true }));

    /** Invariant: blobs written with dataDir survive a server restart; nonces do not repeat. */
    it("serves blobs stored before a restart", async () => {
      const first = new DaServer({ dataDir: dir });
      const c1 = new EigenDaProxyClient({ url: (await first.start()).url, ...FAST });
      const payload = randomBytes(4096);
      const cert = await c1.put(payload);
      await first.stop();
      expect(await readdir(dir)).to.deep.equal([bytesToHex(cert).slice(2)]);

      const second = new DaServer({ dataDir: dir });
      const c2 = new EigenDaProxyClient({ url: (await second.start()).url, ...FAST });
      try {
        for (const r of c1.exportPayloadHashes()) c2.recordPayloadHash(r.cert, r.payloadHash);
        expect(Buffer.from(await c2.get(cert)).equals(payload)).to.equal(true);
        const again = await c2.put(payload);
        expect(bytesToHex(again)).to.not.equal(bytesToHex(cert));
      } finally {
        await second.stop();
      }
    });
  });

  describe("health and metrics", () => {
    it("reports health true while running and false once stopped", async () => {
      const s = new DaServer();
      const c = new EigenDaProxyClient({ url: (await s.start()).url, ...FAST });
      expect(await c.health()).to.equal(true);
      await s.stop();
      expect(await c.health()).to.equal(false);
    });

    it("exports prom-client metrics", async () => {
      const registry = new Registry();
      const c = new EigenDaProxyClient({ url, ...FAST }, { metrics: createDaMetrics(registry) });
      await c.get(await c.put(Uint8Array.of(1, 2, 3)));
      const text = await registry.metrics();
      expect(text).to.include('newton_da_requests_total{op="put",outcome="200"} 1');
      expect(text).to.include('newton_da_payload_bytes_total{op="get"} 3');
      expect(text).to.include("newton_da_request_seconds_count");
    });
  });
});

import { expect } from "chai";
import { Wallet, hexlify, id, keccak256 } from "ethers";
import { Registry } from "prom-client";

import type { IndexedWrite } from "../../../keeper/chain";
import { createKeeperMetrics, type Hex } from "../../../keeper/common";
import { DaServer, EigenDaProxyClient, makeServerCert } from "../../../keeper/da";
import {
  encodeSignRequest,
  fetchWindowValues,
  parseSignRequest,
  recoverSignRequestSigner,
  selectWindow,
} from "../../../keeper/window";

const ZERO = `0x${"00".repeat(32)}` as Hex;

function write(i: number, valueHash: string, byteLength: number, daCert: string, blockNumber = 1): IndexedWrite {
  return {
    writeIndex: BigInt(i),
    namespace: 1,
    keyHash: id(`key-${i}`) as Hex,
    valueHash: valueHash as Hex,
    byteLength,
    daCert: daCert as Hex,
    blockNumber,
  } as IndexedWrite;
}

describe("keeper/window", function () {
  describe("fetchWindowValues", function () {
    let server: DaServer;
    let client: EigenDaProxyClient;

    before(async function () {
      server = new DaServer();
      const { url } = await server.start();
      client = new EigenDaProxyClient({ url, maxRetries: 1, baseDelayMs: 1 });
    });

    after(() => server.stop());

    /**
     * Every way a value can be missing returns the write without bytes, counted by reason, and never
     * throws; good bytes, deletes, empty values and bytes already held come back as bytes.
     */
    it("returns bytes only when they hash to valueHash and have byteLength; every other case is unavailable by reason", async function () {
      const good = Uint8Array.from([1, 2, 3]);
      const goodCert = hexlify(await client.put(good));
      const other = Uint8Array.from([9, 9]);
      const otherCert = hexlify(await client.put(other));
      const held = Uint8Array.from([4, 4, 4, 4]);
      const writes = [
        write(0, keccak256(good), 3, goodCert),
        write(1, ZERO, 0, "0x"),
        write(2, keccak256("0x"), 0, "0x"),
        write(3, id("never"), 5, hexlify(makeServerCert(new Uint8Array(32), 12_345n))),
        write(4, id("garbage"), 5, "0xdeadbeef"),
        write(5, id("empty"), 5, "0x"),
        write(6, id("wrong"), 2, otherCert),
        write(7, keccak256(good), 1100, goodCert),
        write(8, keccak256(held), 4, "0xdeadbeef"),
      ];
      const registry = new Registry();
      const metrics = createKeeperMetrics(registry);
      const out = await fetchWindowValues(client, writes, {
        metrics,
        held: (h) => (h === keccak256(held) ? held : undefined),
      });
      expect(out.map((w) => (w.bytes === undefined ? null : hexlify(w.bytes)))).to.deep.equal([
        hexlify(good),
        null,
        "0x",
        null,
        null,
        null,
        null,
        null,
        hexlify(held),
      ]);
      expect(out.map((w) => w.valueHash)).to.deep.equal(writes.map((w) => w.valueHash));
      const counted = (await metrics.valuesUnavailableTotal.get()).values.map((v) => [v.labels.reason, v.value]);
      expect(Object.fromEntries(counted)).to.deep.equal({
        not_found: 1,
        invalid_cert: 1,
        empty_cert: 1,
        hash_mismatch: 1,
        length_mismatch: 1,
      });
    });

    it("gives up on a value after valueTimeoutMs (unavailable: timeout) instead of waiting", async function () {
      const slow = new DaServer({ latencyMs: 2_000 });
      const { url } = await slow.start();
      try {
        const bytes = Uint8Array.from([5]);
        const cert = hexlify(await new EigenDaProxyClient({ url }).put(bytes));
        const metrics = createKeeperMetrics(new Registry());
        const out = await fetchWindowValues(
          new EigenDaProxyClient({ url, maxRetries: 0 }),
          [write(0, keccak256(bytes), 1, cert)],
          {
            valueTimeoutMs: 100,
            metrics,
          },
        );
        expect(out[0].bytes).to.equal(undefined);
        expect((await metrics.valuesUnavailableTotal.get()).values[0].labels.reason).to.equal("timeout");
      } finally {
        await slow.stop();
      }
    });
  });

  describe("fetchWindowValues deadline", function () {
    /** However many writes a window holds, the fetch ends at deadlineMs: the rest are unavailable (`timeout`). */
    it("marks every value not fetched by deadlineMs unavailable and returns", async function () {
      const slow = new DaServer({ latencyMs: 400 });
      const { url } = await slow.start();
      try {
        const putter = new EigenDaProxyClient({ url });
        const writes: IndexedWrite[] = [];
        for (let i = 0; i < 6; i++) {
          const bytes = Uint8Array.of(i);
          writes.push(write(i, keccak256(bytes), 1, hexlify(await putter.put(bytes))));
        }
        const metrics = createKeeperMetrics(new Registry());
        const out = await fetchWindowValues(new EigenDaProxyClient({ url, maxRetries: 0 }), writes, {
          concurrency: 1,
          deadlineMs: 1_000,
          metrics,
        });
        expect(out.length).to.equal(6);
        expect(out[5].bytes).to.equal(undefined);
        const reasons = (await metrics.valuesUnavailableTotal.get()).values.map((v) => v.labels.reason);
        expect(reasons).to.deep.equal(["timeout"]);
      } finally {
        await slow.stop();
      }
    });
  });

  describe("selectWindow (the window rule)", function () {
    it("takes the longest prefix mined at or before the reference block within the byte cap; a first oversized write alone", function () {
      const w = [write(0, id("a"), 40, "0x", 1), write(1, id("b"), 40, "0x", 2), write(2, id("c"), 40, "0x", 3)];
      expect(selectWindow(w, 2, 100).length).to.equal(2);
      expect(selectWindow(w, 3, 100).length).to.equal(2);
      expect(selectWindow(w, 3, 120).length).to.equal(3);
      expect(selectWindow(w, 0, 1000).length).to.equal(0);
      expect(selectWindow([write(0, id("big"), 500, "0x", 1), ...w], 3, 100).length).to.equal(1);
    });
  });

  describe("sign-request authentication", function () {
    it("recovers the aggregator that signed the request, and nothing for a request changed after signing", function () {
      const aggregator = Wallet.createRandom();
      const commit = {
        sequenceNo: 1n,
        prevStateRoot: id("prev") as Hex,
        stateRoot: id("root") as Hex,
        writeIndexEnd: 3n,
        referenceBlock: 10n,
        daCommitment: keccak256("0x01") as Hex,
        operatorSetId: 1n,
      };
      const digest = id("digest") as Hex;
      const json = encodeSignRequest(
        commit,
        { daCert: "0x01" as Hex, deltaHash: id("delta") as Hex },
        digest,
        aggregator,
      );
      const request = parseSignRequest(JSON.parse(JSON.stringify(json)));
      expect(recoverSignRequestSigner(request, digest)).to.equal(aggregator.address);
      expect(recoverSignRequestSigner(request, id("another digest") as Hex)).to.equal(undefined);
      const tampered = parseSignRequest({ ...json, deltaHash: id("other delta") });
      expect(recoverSignRequestSigner(tampered, digest)).to.equal(undefined);
      const impostor = parseSignRequest({ ...json, aggregator: Wallet.createRandom().address });
      expect(recoverSignRequestSigner(impostor, digest)).to.equal(undefined);
      expect(() => parseSignRequest({ ...json, aggregatorSignature: "0x01" })).to.throw(/aggregatorSignature/);
    });
  });
});

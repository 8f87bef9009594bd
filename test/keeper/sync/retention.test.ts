import { expect } from "chai";

import { parseDaServerArgs } from "../../../keeper/cli/da-server";
import { sleep } from "../../../keeper/common";
import { DaError, DaServer, EigenDaProxyClient } from "../../../keeper/da";

/** The local DA server's retention: a blob older than `retentionSeconds` answers like one never stored. */
describe("DaServer retentionSeconds", function () {
  let server: DaServer;
  afterEach(async () => server?.stop());

  it("serves a blob within the retention and answers 500 (as for an unknown blob) after it", async function () {
    server = new DaServer({ retentionSeconds: 1 });
    const { url } = await server.start(0, "127.0.0.1");
    const client = new EigenDaProxyClient({ url, maxRetries: 0, baseDelayMs: 1 });
    const cert = await client.put(Uint8Array.of(1, 2, 3));
    expect([...(await client.get(cert))]).to.deep.equal([1, 2, 3]);
    await sleep(1_100);
    const expired = await fetch(`${url}/get/0x${Buffer.from(cert).toString("hex")}?commitment_mode=standard`);
    expect(expired.status).to.equal(500);
    expect(await expired.text()).to.match(/blob not found/);
    const err = await client.get(cert).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(DaError);
  });

  it("keeps blobs forever with the default 0 and rejects a negative retention", async function () {
    server = new DaServer({});
    expect(server.opts.retentionSeconds).to.equal(0);
    expect(() => new DaServer({ retentionSeconds: -1 })).to.throw(DaError);
    expect(parseDaServerArgs(["node", "da", "--retention-seconds", "5"]).retentionSeconds).to.equal(5);
    expect(parseDaServerArgs(["node", "da"]).retentionSeconds).to.equal(0);
  });
});

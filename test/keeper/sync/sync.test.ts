import { mkdtempSync, rmSync } from "node:fs";
import type { IncomingMessage, Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { hexlify } from "ethers";

import { HttpError, startHttpServer, stopHttpServer, type HttpReply } from "../../../keeper/common";
import { createKeccakHasher, type Hasher, JellyfishMerkleTree, MemoryTreeStore, type Write } from "../../../keeper/jmt";
import {
  SnapshotStaging,
  SyncError,
  SyncServer,
  decodeChunk,
  encodeChunk,
  fetchSnapshot,
  restoreFromPeers,
} from "../../../keeper/sync";
import { KeeperState } from "../../../keeper/window";

type Tamper = (path: string, reply: HttpReply) => HttpReply;

interface Peer {
  url: string;
  server: Server;
  requests: string[];
}

/** A source tree: versions 0..5, the last one with `leaves` keys and a few values held by hash only. */
async function sourceTree(
  hasher: Hasher,
  leaves: number,
): Promise<{ store: MemoryTreeStore; tree: JellyfishMerkleTree }> {
  const store = new MemoryTreeStore();
  const tree = new JellyfishMerkleTree({ store, hasher });
  const keys = Array.from({ length: leaves }, (_, i) => hasher.hash(Uint8Array.of(2, i & 0xff, i >> 8)));
  for (let v = 0; v <= 5; v++) {
    const slice = keys.filter((_, i) => i % 6 <= v);
    tree.putValueSet(
      v,
      slice.map((k, i): Write => [k, Uint8Array.from(Buffer.from(`value ${v}.${i} `.repeat(3)))]),
    );
  }
  return { store, tree };
}

async function startPeer(sync: SyncServer, tamper?: Tamper, artifacts?: (hash: string) => HttpReply): Promise<Peer> {
  const requests: string[] = [];
  const handler = async (req: IncomingMessage, url: URL): Promise<HttpReply> => {
    requests.push(url.pathname + url.search);
    const art = /^\/v1\/artifacts\/(0x[0-9a-f]{64})$/.exec(url.pathname);
    if (art && artifacts) return artifacts(art[1]);
    const reply = sync.handle(req, url);
    if (reply === undefined) throw new HttpError(404, "no route");
    return tamper ? tamper(url.pathname, reply) : reply;
  };
  const { server, url } = await startHttpServer("127.0.0.1", 0, handler, () => undefined);
  return { url, server, requests };
}

/** Rewrites one leaf of every served chunk. */
const chunkTamper =
  (edit: (bytes: Uint8Array) => Uint8Array): Tamper =>
  (path, reply) =>
    path.startsWith("/v1/sync/chunks/") && reply.bytes ? { ...reply, bytes: edit(reply.bytes) } : reply;

describe("state sync from peers (keeper/sync)", function () {
  this.timeout(60_000);
  let hasher: Hasher;
  let source: { store: MemoryTreeStore; tree: JellyfishMerkleTree };
  let honest: SyncServer;
  let dir: string;
  const peers: Peer[] = [];
  const states: KeeperState[] = [];

  before(async () => {
    hasher = await createKeccakHasher();
    source = await sourceTree(hasher, 3000);
    honest = new SyncServer({ store: source.store, hasher });
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "sync-"));
  });
  afterEach(async () => {
    for (const p of peers.splice(0)) await stopHttpServer(p.server);
    for (const s of states.splice(0)) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const target = () => ({ version: 5, root: hexlify(source.tree.rootAt(5)) as `0x${string}`, writeIndexEnd: 77n });
  const peer = async (tamper?: Tamper, artifacts?: (hash: string) => HttpReply): Promise<Peer> => {
    const p = await startPeer(honest, tamper, artifacts);
    peers.push(p);
    return p;
  };
  const freshState = async (name = "new"): Promise<KeeperState> => {
    const s = await KeeperState.open({ path: join(dir, name) });
    states.push(s);
    return s;
  };
  const expectRestored = (state: KeeperState): void => {
    expect(state.latestVersion()).to.equal(5);
    expect(state.rootAt(5)).to.equal(target().root);
    expect(state.writeIndexEndAt(5)).to.equal(77n);
    const want = [...source.tree.exportSnapshot(5)].map(([k, v]) => hexlify(k) + hexlify(v).slice(2));
    const got = [...state.tree.exportSnapshot(5)].map(([k, v]) => hexlify(k) + hexlify(v).slice(2));
    expect(got).to.deep.equal(want);
  };

  it("restores a fresh state from two peers in parallel and keeps following from there", async () => {
    const [a, b] = [await peer(), await peer()];
    const state = await freshState();
    const stats = await restoreFromPeers(state, target(), { peers: [a.url, b.url] });
    expectRestored(state);
    expect(stats.chunks).to.equal(256);
    expect(stats.fetched).to.equal(256);
    expect(stats.dropped).to.deep.equal([]);
    expect(a.requests.filter((r) => r.includes("/chunks/")).length).to.be.greaterThan(20);
    expect(b.requests.filter((r) => r.includes("/chunks/")).length).to.be.greaterThan(20);
    // The restored tree takes the next commit like any other.
    const k = hasher.hash(Uint8Array.of(9));
    const next = state.compute(6, 80n, [
      {
        writeIndex: 77n,
        namespace: 1,
        keyHash: hexlify(k) as `0x${string}`,
        valueHash: hexlify(hasher.hash(Uint8Array.of(1))) as `0x${string}`,
        byteLength: 1,
        bytes: Uint8Array.of(1),
      },
    ]);
    source.tree.putValueSet(6, [[k, Uint8Array.of(1)]]);
    expect(next.root).to.equal(hexlify(source.tree.rootAt(6)));
  });

  const attacks: [string, Tamper][] = [
    [
      "a tampered manifest",
      (path, reply) => {
        if (path !== "/v1/sync/manifest") return reply;
        const json = reply.json as { entries: string };
        const hex = json.entries;
        return {
          ...reply,
          json: { ...json, entries: hex.slice(0, 40) + (hex[40] === "0" ? "1" : "0") + hex.slice(41) },
        };
      },
    ],
    [
      "a chunk with one flipped value byte",
      chunkTamper((b) => {
        const chunk = decodeChunk(b);
        const l = chunk.leaves[0];
        const value = Uint8Array.from(l.value ?? []);
        value[0] ^= 1;
        return encodeChunk(chunk.version, chunk.depth, chunk.index, [{ ...l, value }, ...chunk.leaves.slice(1)]);
      }),
    ],
    [
      "a wrong leaf (value and hash replaced consistently)",
      chunkTamper((b) => {
        const chunk = decodeChunk(b);
        const value = Uint8Array.of(6, 6, 6);
        const l = { keyHash: chunk.leaves[0].keyHash, valueHash: hasher.hash(value), value };
        return encodeChunk(chunk.version, chunk.depth, chunk.index, [l, ...chunk.leaves.slice(1)]);
      }),
    ],
    ["truncated bytes", chunkTamper((b) => b.subarray(0, b.length - 5))],
    [
      "a chunk with a leaf left out",
      chunkTamper((b) => {
        const chunk = decodeChunk(b);
        return encodeChunk(chunk.version, chunk.depth, chunk.index, chunk.leaves.slice(1));
      }),
    ],
  ];
  for (const [name, tamper] of attacks) {
    it(`drops a peer serving ${name} and completes from another`, async () => {
      const bad = await peer(tamper);
      const good = await peer();
      const state = await freshState();
      const stats = await restoreFromPeers(state, target(), { peers: [bad.url, good.url], concurrency: 1 });
      expectRestored(state);
      expect(stats.dropped.map((d) => d.peer)).to.deep.equal([bad.url]);
      expect(stats.dropped[0].reason).to.match(/^tampered/);
    });
  }

  it("fails with SYNC_ERROR_NO_PEERS when every peer lies, keeping nothing unverified", async () => {
    const bad = await peer(attacks[1][1]);
    const state = await freshState();
    const err = await restoreFromPeers(state, target(), { peers: [bad.url] }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(SyncError);
    expect((err as SyncError).type.code).to.equal("SYNC_ERROR_NO_PEERS");
    expect(state.latestVersion()).to.equal(0);
    expect(new SnapshotStaging(state.root).count()).to.equal(0);
  });

  it("survives a peer that drops out mid-sync", async () => {
    let served = 0;
    const flaky = await peer((path, reply) => {
      if (path.startsWith("/v1/sync/chunks/") && ++served > 30) throw new HttpError(503, "going away");
      return reply;
    });
    const good = await peer();
    const state = await freshState();
    const stats = await restoreFromPeers(state, target(), { peers: [flaky.url, good.url], maxFailures: 2 });
    expectRestored(state);
    expect(stats.dropped.map((d) => d.reason)).to.satisfy((r: string[]) => r.every((x) => x.startsWith("unreachable")));
  });

  it("resumes an interrupted sync without fetching verified chunks again", async () => {
    const a = await peer();
    const state = await freshState();
    const staging = new SnapshotStaging(state.root);
    const abort = new AbortController();
    let seen = 0;
    const first = await fetchSnapshot(staging, hasher, target(), {
      peers: [a.url],
      concurrency: 1,
      signal: abort.signal,
      onChunk: () => {
        if (++seen === 100) abort.abort();
      },
    }).catch((e: unknown) => e);
    expect(first).to.be.instanceOf(Error);
    expect(staging.count()).to.equal(100);
    a.requests.length = 0;
    const stats = await restoreFromPeers(state, target(), { peers: [a.url] });
    expect(stats.resumed).to.equal(100);
    expect(stats.fetched).to.equal(156);
    expect(a.requests.filter((r) => r.includes("/chunks/")).length).to.equal(156);
    expect(a.requests.some((r) => r.includes("/manifest"))).to.equal(false);
    expectRestored(state);
  });

  it("fetches value bytes a chunk did not carry from another peer's artifact route, checking the hash", async () => {
    const withheld = new Set<string>();
    const stingy = await peer(
      chunkTamper((b) => {
        const chunk = decodeChunk(b);
        const leaves = chunk.leaves.map((l, i) => {
          if (i !== 0) return l;
          withheld.add(hexlify(l.valueHash));
          return { keyHash: l.keyHash, valueHash: l.valueHash };
        });
        return encodeChunk(chunk.version, chunk.depth, chunk.index, leaves);
      }),
      () => ({ status: 200, json: { bytes: "0x00" } }),
    );
    const holder = await peer(undefined, (hash) => {
      const value = source.tree.getValueByHash(Uint8Array.from(Buffer.from(hash.slice(2), "hex")));
      return value ? { status: 200, json: { hash, bytes: hexlify(value) } } : { status: 404, json: {} };
    });
    const state = await freshState();
    const stats = await restoreFromPeers(state, target(), { peers: [stingy.url, holder.url] });
    expect(withheld.size).to.be.greaterThan(0);
    expect(stats.missingValues).to.equal(0);
    expectRestored(state);
  });

  it("refuses to restore over a state that holds leaves", async () => {
    const a = await peer();
    const state = await freshState();
    await restoreFromPeers(state, target(), { peers: [a.url] });
    const err = await restoreFromPeers(state, { ...target(), version: 9 }, { peers: [a.url] }).catch((e: unknown) => e);
    expect((err as SyncError).type.code).to.equal("SYNC_ERROR_STATE_NOT_EMPTY");
  });

  it("answers 404 for unknown versions and 410 for pruned ones", async () => {
    const store = new MemoryTreeStore();
    const tree = new JellyfishMerkleTree({ store, hasher });
    for (let v = 0; v < 4; v++) tree.putValueSet(v, [[hasher.hash(Uint8Array.of(v)), Uint8Array.of(v)]]);
    tree.prune(2);
    const p = await startPeer(new SyncServer({ store, hasher }));
    peers.push(p);
    const status = async (q: string): Promise<number> => (await fetch(`${p.url}${q}`)).status;
    expect(await status("/v1/sync/manifest?version=9")).to.equal(404);
    expect(await status("/v1/sync/manifest?version=1")).to.equal(410);
    expect(await status("/v1/sync/manifest?version=3")).to.equal(200);
    expect(await status("/v1/sync/chunks/300?version=3")).to.equal(400);
    expect(await status("/v1/sync/manifest?version=3&depth=4")).to.equal(400);
    expect(await (await fetch(`${p.url}/v1/sync/status`)).json()).to.deep.equal({
      format: "newton-sync/1",
      latest: 3,
      oldest: 2,
    });
  });
});

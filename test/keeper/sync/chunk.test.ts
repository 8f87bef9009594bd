import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import fc from "fast-check";

import { bytesToHex } from "../../../keeper/common";
import {
  buildManifest,
  createKeccakHasher,
  entriesEqual,
  exportChunk,
  foldChunk,
  foldManifest,
  type Hasher,
  JellyfishMerkleTree,
  JmtError,
  LmdbTreeStore,
  MemoryTreeStore,
  type ChunkLeaf,
  type Write,
} from "../../../keeper/jmt";
import { decodeChunk, encodeChunk, SyncError } from "../../../keeper/sync";

/** Keys drawn from few first bytes, so subtrees collide, collapse and sit at every depth. */
const keyArb = fc.oneof(
  fc.uint8Array({ minLength: 32, maxLength: 32 }),
  fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 255 })).map(([a, b]) => {
    const k = new Uint8Array(32);
    k[0] = a * 0x11;
    k[1] = b;
    return k;
  }),
);
const valueArb = fc.uint8Array({ minLength: 0, maxLength: 24 });

function allChunks(tree: MemoryTreeStore, version: number, depth: number): ChunkLeaf[][] {
  return Array.from({ length: 16 ** depth }, (_, i) => exportChunk(tree, version, depth, i));
}

describe("state-sync chunks (keeper/jmt/chunk)", () => {
  let hasher: Hasher;
  before(async () => {
    hasher = await createKeccakHasher();
  });

  /**
   * Invariant: for any tree history and depth 1–3, the manifest folds to the version's root, every
   * chunk folds to its manifest entry, and the chunks in order are exactly the exported leaves.
   */
  it("manifest folds to the root and chunks fold to their entries (property)", () => {
    const scenario = fc.record({
      pool: fc.uniqueArray(keyArb, { minLength: 1, maxLength: 48, selector: (k) => bytesToHex(k) }),
      batches: fc.array(fc.array(fc.tuple(fc.nat(47), fc.option(valueArb, { freq: 3 })), { maxLength: 20 }), {
        minLength: 1,
        maxLength: 4,
      }),
      depth: fc.integer({ min: 1, max: 2 }),
    });
    fc.assert(
      fc.property(scenario, ({ pool, batches, depth }) => {
        const store = new MemoryTreeStore();
        const tree = new JellyfishMerkleTree({ store, hasher });
        batches.forEach((ops, v) =>
          tree.putValueSet(
            v,
            ops.map(([i, value]): Write => [pool[i % pool.length], value]),
          ),
        );
        for (let v = 0; v < batches.length; v++) {
          const manifest = buildManifest(store, hasher, v, depth);
          expect(bytesToHex(foldManifest(hasher, manifest))).to.equal(bytesToHex(tree.rootAt(v)));
          const chunks = allChunks(store, v, depth);
          chunks.forEach((leaves, i) =>
            expect(entriesEqual(foldChunk(hasher, depth, i, leaves), manifest[i])).to.equal(true),
          );
          const flat = chunks.flat().map((l) => bytesToHex(l.keyHash) + bytesToHex(l.value ?? new Uint8Array(0)));
          const exported = [...tree.exportSnapshot(v)].map(([k, val]) => bytesToHex(k) + bytesToHex(val));
          expect(flat).to.deep.equal(exported);
        }
      }),
      { numRuns: 40, endOnFailure: true },
    );
  });

  describe("a peer cannot make a chunk fold to the right entry with wrong leaves", () => {
    let store: MemoryTreeStore;
    let leaves: ChunkLeaf[];
    let entry: ReturnType<typeof buildManifest>[number];
    const index = 0x3a;
    before(() => {
      store = new MemoryTreeStore();
      const tree = new JellyfishMerkleTree({ store, hasher });
      const keys = Array.from({ length: 3000 }, (_, i) => hasher.hash(Uint8Array.of(1, i & 0xff, i >> 8)));
      tree.putValueSet(
        0,
        keys.map((k, i): Write => [k, Uint8Array.of(i & 0xff, 7, 7)]),
      );
      leaves = exportChunk(store, 0, 2, index);
      entry = buildManifest(store, hasher, 0, 2)[index];
      expect(leaves.length).to.be.greaterThan(3);
    });
    const folds = (ls: ChunkLeaf[]): boolean => entriesEqual(foldChunk(hasher, 2, index, ls), entry);
    const rejects = (ls: ChunkLeaf[]): boolean => {
      try {
        return !folds(ls);
      } catch (err) {
        expect(err).to.be.instanceOf(JmtError);
        expect((err as JmtError).type.code).to.equal("JMT_ERROR_INVALID_CHUNK");
        return true;
      }
    };

    it("accepts the honest chunk", () => expect(folds(leaves)).to.equal(true));
    it("folds a depth-3 manifest (4 096 chunks) to the root", () => {
      const m = buildManifest(store, hasher, 0, 3);
      expect(bytesToHex(foldManifest(hasher, m))).to.equal(
        bytesToHex(store.getVersionInfo(0)?.root ?? new Uint8Array(0)),
      );
    });
    it("rejects a dropped leaf", () => expect(rejects(leaves.slice(1))).to.equal(true));
    it("rejects an added leaf", () => {
      const extra = { ...leaves[0], keyHash: Uint8Array.from(leaves[0].keyHash).fill(9, 31) };
      expect(rejects([...leaves, extra].sort((a, b) => Buffer.compare(a.keyHash, b.keyHash)))).to.equal(true);
    });
    it("rejects a wrong value hash", () => {
      const bad = leaves.map((l, i) =>
        i === 2 ? { keyHash: l.keyHash, valueHash: hasher.hash(Uint8Array.of(1)) } : l,
      );
      expect(rejects(bad)).to.equal(true);
    });
    it("rejects value bytes that do not hash to the leaf's value hash (tampered or truncated)", () => {
      const v = leaves[1].value as Uint8Array;
      expect(rejects(leaves.map((l, i) => (i === 1 ? { ...l, value: v.subarray(0, v.length - 1) } : l)))).to.equal(
        true,
      );
      expect(
        rejects(leaves.map((l, i) => (i === 1 ? { ...l, value: Uint8Array.of(v[0] ^ 1, ...v.subarray(1)) } : l))),
      ).to.equal(true);
    });
    it("rejects swapped order and a duplicated leaf", () => {
      expect(rejects([leaves[1], leaves[0], ...leaves.slice(2)])).to.equal(true);
      expect(rejects([leaves[0], ...leaves])).to.equal(true);
    });
    it("rejects a leaf of another chunk", () => {
      const other = exportChunk(store, 0, 2, index + 1)[0];
      expect(rejects([...leaves, other])).to.equal(true);
    });
    it("accepts a leaf without bytes (committed by hash) but never wrong bytes", () => {
      expect(folds(leaves.map((l, i) => (i === 0 ? { keyHash: l.keyHash, valueHash: l.valueHash } : l)))).to.equal(
        true,
      );
    });
  });

  it("handles the empty tree and a one-leaf tree", () => {
    const store = new MemoryTreeStore();
    const tree = new JellyfishMerkleTree({ store, hasher });
    tree.putValueSet(0, []);
    const k = hasher.hash(Uint8Array.of(5));
    tree.putValueSet(1, [[k, Uint8Array.of(1, 2)]]);
    for (const v of [0, 1]) {
      const m = buildManifest(store, hasher, v, 1);
      expect(bytesToHex(foldManifest(hasher, m))).to.equal(bytesToHex(tree.rootAt(v)));
      expect(m.filter((e) => e.kind !== "empty").length).to.equal(v);
    }
    const only = exportChunk(store, 1, 1, k[0] >> 4);
    expect(only.length).to.equal(1);
  });

  describe("wire format", () => {
    it("round-trips leaves with and without bytes", () => {
      const leaves: ChunkLeaf[] = [
        { keyHash: new Uint8Array(32).fill(1), valueHash: new Uint8Array(32).fill(2), value: Uint8Array.of(1, 2, 3) },
        { keyHash: new Uint8Array(32).fill(3), valueHash: new Uint8Array(32).fill(4) },
        { keyHash: new Uint8Array(32).fill(5), valueHash: new Uint8Array(32).fill(6), value: new Uint8Array(0) },
      ];
      const got = decodeChunk(encodeChunk(7, 2, 513 % 256, leaves));
      expect(got.version).to.equal(7);
      expect(got.index).to.equal(1);
      expect(got.leaves.map((l) => [bytesToHex(l.keyHash), l.value && bytesToHex(l.value)])).to.deep.equal(
        leaves.map((l) => [bytesToHex(l.keyHash), l.value && bytesToHex(l.value)]),
      );
    });
    it("rejects truncated and padded bodies with SYNC_ERROR_MALFORMED", () => {
      const body = encodeChunk(1, 2, 3, [
        { keyHash: new Uint8Array(32), valueHash: new Uint8Array(32), value: Uint8Array.of(1, 2, 3) },
      ]);
      for (const bad of [body.subarray(0, body.length - 1), body.subarray(0, 10), Uint8Array.of(...body, 0)]) {
        expect(() => decodeChunk(bad))
          .to.throw(SyncError)
          .with.nested.property("type.code", "SYNC_ERROR_MALFORMED");
      }
    });
  });
});

describe("pruning with value garbage collection", () => {
  let hasher: Hasher;
  let dir: string;
  before(async () => {
    hasher = await createKeccakHasher();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "sync-prune-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /**
   * Invariant (against a model): after pruning before p, the stored values are exactly the values
   * of the leaves of versions p..latest, every retained version still answers reads and proofs,
   * and the pruned versions refuse reads.
   */
  for (const kind of ["memory", "lmdb"] as const) {
    it(`keeps exactly the values retained versions reference (${kind}, property)`, async () => {
      const scenario = fc.record({
        batches: fc.array(fc.array(fc.tuple(fc.nat(15), fc.option(fc.nat(6), { freq: 4 })), { maxLength: 10 }), {
          minLength: 2,
          maxLength: 8,
        }),
        keep: fc.nat(3),
      });
      let run = 0;
      await fc.assert(
        fc.asyncProperty(scenario, async ({ batches, keep }) => {
          const path = join(dir, String(run++));
          const store = kind === "memory" ? new MemoryTreeStore() : new LmdbTreeStore({ path });
          try {
            const tree = new JellyfishMerkleTree({ store, hasher });
            const keys = Array.from({ length: 16 }, (_, i) => hasher.hash(Uint8Array.of(i)));
            batches.forEach((ops, v) =>
              tree.putValueSet(
                v,
                ops.map(([k, val]): Write => [keys[k], val === null ? null : Uint8Array.of(val)]),
              ),
            );
            const latest = batches.length - 1;
            const before = Math.max(0, latest - keep);
            tree.prune(before);
            const expected = new Set<string>();
            for (let v = before; v <= latest; v++)
              for (const [, val] of tree.exportSnapshot(v)) expected.add(bytesToHex(val));
            expect(store.countValues()).to.equal(expected.size);
            for (let v = before; v <= latest; v++) {
              for (const k of keys) expect(() => tree.getWithProof(k, v)).not.to.throw();
            }
            if (before > 0) expect(() => tree.get(keys[0], before - 1)).to.throw(JmtError);
          } finally {
            if (store instanceof LmdbTreeStore) await store.close();
          }
        }),
        { numRuns: kind === "memory" ? 150 : 30 },
      );
    });
  }

  it("rebuilds the value reference counts of a store written before they existed", async () => {
    const path = join(dir, "old");
    const store = new LmdbTreeStore({ path });
    const tree = new JellyfishMerkleTree({ store, hasher });
    const k = (i: number): Uint8Array => hasher.hash(Uint8Array.of(i));
    tree.putValueSet(0, [
      [k(1), Uint8Array.of(1)],
      [k(2), Uint8Array.of(2)],
    ]);
    tree.putValueSet(1, [[k(1), Uint8Array.of(3)]]);
    // Simulate the older layout: no ref index, no marker.
    const refs = store.root.openDB({ name: "jmt.valuerefs", keyEncoding: "binary", encoding: "binary" });
    const meta = store.root.openDB({ name: "jmt.meta", encoding: "binary" });
    await refs.clearAsync();
    await meta.remove("valueRefs");
    await store.close();
    const reopened = new LmdbTreeStore({ path });
    const again = new JellyfishMerkleTree({ store: reopened, hasher });
    again.prune(1);
    expect(reopened.countValues()).to.equal(2);
    expect(bytesToHex(again.get(k(1), 1) as Uint8Array)).to.equal("0x03");
    await reopened.close();
  });
});

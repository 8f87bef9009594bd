import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { open } from "lmdb";

import { bytesToHex } from "../../../keeper/common";
import {
  createKeccakHasher,
  type Hasher,
  JellyfishMerkleTree,
  JmtError,
  LmdbTreeStore,
  type TreeUpdateBatch,
  verifyProof,
  type Write,
} from "../../../keeper/jmt";

describe("LmdbTreeStore", () => {
  let hasher: Hasher;
  let dir: string;
  const keys = (n: number, salt: number): Uint8Array[] =>
    Array.from({ length: n }, (_, i) => hasher.hash(Uint8Array.of(salt, i & 0xff, i >> 8)));
  const writesOf = (ks: Uint8Array[], tag: number): Write[] => ks.map((k, i) => [k, Uint8Array.of(tag, i & 0xff)]);

  before(async () => {
    hasher = await createKeccakHasher();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "jmt-lmdb-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  describe("reopen", () => {
    /** Invariant: after close and reopen, every version's root and every proof are unchanged. */
    it("serves the same roots and proofs after close", async () => {
      const ks = keys(500, 1);
      let store = new LmdbTreeStore({ path: dir });
      let tree = new JellyfishMerkleTree({ store, hasher });
      const roots = [0, 1, 2].map((v) =>
        bytesToHex(tree.putValueSet(v, writesOf(ks.slice(v * 100, v * 100 + 300), v)).root),
      );
      const before = ks.map((k) => tree.getWithProof(k, 2));
      await store.close();
      store = new LmdbTreeStore({ path: dir });
      tree = new JellyfishMerkleTree({ store, hasher });
      expect(tree.latestVersion()).to.equal(2);
      expect([0, 1, 2].map((v) => bytesToHex(tree.rootAt(v)))).to.deep.equal(roots);
      ks.forEach((k, i) => {
        const after = tree.getWithProof(k, 2);
        expect(after.proof.siblings.map(bytesToHex)).to.deep.equal(before[i].proof.siblings.map(bytesToHex));
        expect(verifyProof(tree.rootAt(2), k, after.value, after.proof, hasher)).to.equal(true);
      });
      await store.close();
    });

    it("shares an injected environment with other sub-databases and leaves it open", async () => {
      const root = open({ path: dir, maxDbs: 16 });
      const progress = root.openDB<number, string>({ name: "keeper.progress" });
      const store = new LmdbTreeStore({ root });
      const tree = new JellyfishMerkleTree({ store, hasher });
      root.transactionSync(() => {
        progress.putSync("indexedBlock", 42);
      });
      tree.putValueSet(0, writesOf(keys(3, 2), 0));
      await store.close();
      expect(progress.get("indexedBlock")).to.equal(42);
      expect(new LmdbTreeStore({ root }).latestVersion()).to.equal(0);
      await root.close();
    });
  });

  describe("writeBatch", () => {
    /** Invariant: a version whose write throws mid-transaction leaves no trace; the next put works. */
    it("leaves the last complete version readable after an interrupted write", async () => {
      const store = new LmdbTreeStore({ path: dir });
      const tree = new JellyfishMerkleTree({ store, hasher });
      const ks = keys(200, 3);
      const r0 = tree.putValueSet(0, writesOf(ks.slice(0, 100), 0)).root;
      const nodesBefore = store.countNodes();
      const batch = tree.computeUpdate(1, writesOf(ks.slice(100), 1));
      const nodes = [...batch.nodes];
      Object.defineProperty(nodes, 7, {
        get() {
          throw new Error("disk unplugged");
        },
      });
      const broken: TreeUpdateBatch = { ...batch, nodes };
      expect(() => store.writeBatch(broken)).to.throw("disk unplugged");
      expect(store.latestVersion()).to.equal(0);
      expect(store.countNodes()).to.equal(nodesBefore);
      expect(() => tree.rootAt(1)).to.throw(JmtError);
      expect(bytesToHex(tree.rootAt(0))).to.equal(bytesToHex(r0));
      expect(tree.get(ks[5], 0)).to.not.equal(null);
      const r1 = tree.putValueSet(1, writesOf(ks.slice(100), 1)).root;
      expect(bytesToHex(r1)).to.equal(bytesToHex(batch.info.root));
      expect(verifyProof(r1, ks[150], tree.get(ks[150], 1), tree.getWithProof(ks[150], 1).proof, hasher)).to.equal(
        true,
      );
      await store.close();
    });
  });

  describe("prune", () => {
    /** Invariant: pruning before v removes exactly the nodes stale since ≤ v; versions ≥ v keep every proof. */
    it("removes stale nodes and keeps later versions' proofs valid", async () => {
      const store = new LmdbTreeStore({ path: dir });
      const tree = new JellyfishMerkleTree({ store, hasher });
      const ks = keys(400, 4);
      tree.putValueSet(0, writesOf(ks, 0));
      for (let v = 1; v <= 5; v++) tree.putValueSet(v, writesOf(ks.slice(v * 50, v * 50 + 60), v));
      tree.putValueSet(
        6,
        ks.slice(0, 30).map((k) => [k, null]),
      );
      const total = store.countNodes();
      const staleBefore = store.countStale();
      const removed = tree.prune(4);
      expect(removed).to.be.greaterThan(0);
      expect(store.countNodes()).to.equal(total - removed);
      expect(store.countStale()).to.equal(staleBefore - removed);
      for (const v of [4, 5, 6]) {
        const root = tree.rootAt(v);
        for (const k of ks) {
          const { value, proof } = tree.getWithProof(k, v);
          expect(verifyProof(root, k, value, proof, hasher)).to.equal(true);
        }
      }
      expect(() => tree.getWithProof(ks[0], 3))
        .to.throw(JmtError)
        .with.property("code", "JMT_ERROR_VERSION_PRUNED");
      expect(tree.prune(4)).to.equal(0);
      tree.prune(6);
      // only version 6 remains: its nodes are exactly the live tree
      expect(store.countStale()).to.equal(0);
      await store.close();
    });
  });
});

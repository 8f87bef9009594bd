import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { hexlify, keccak256 } from "ethers";

import { verifyProof } from "../../../keeper/jmt";
import { KeeperState, type WindowWrite } from "../../../keeper/window";

const KEYS = 500;
const PER_WINDOW = 200;

/** Allocated bytes of the LMDB data file (not the sparse map size). */
const dataBytes = (dir: string): number => statSync(join(dir, "data.mdb")).blocks * 512;

/**
 * A steady overwrite workload (200 new 100-byte values per window over 500 keys): with pruning to
 * 5 versions below the latest final one, `dataDir` stops growing once the freed pages are reused —
 * the bound stated here is 1.3× its size after the first 100 windows, over 300 windows; without
 * pruning it keeps growing. Every retained version still proves its leaves.
 */
describe("bounded disk under steady overwrites", function () {
  this.timeout(300_000);
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  async function run(prune: boolean): Promise<{ sizes: number[]; state: KeeperState; dir: string }> {
    const dir = mkdtempSync(join(tmpdir(), "sync-disk-"));
    dirs.push(dir);
    const state = await KeeperState.open({ path: dir });
    const key = (i: number) => keccak256(Uint8Array.of(9, i & 0xff, i >> 8)) as `0x${string}`;
    const sizes: number[] = [];
    let n = 0;
    for (let w = 1; w <= 300; w++) {
      const writes: WindowWrite[] = Array.from({ length: PER_WINDOW }, (_, i) => {
        const bytes = new Uint8Array(100);
        new DataView(bytes.buffer).setUint32(0, n++);
        return {
          writeIndex: BigInt(n),
          namespace: 1,
          keyHash: key((w * 7 + i * 13) % KEYS),
          valueHash: keccak256(bytes) as `0x${string}`,
          byteLength: 100,
          bytes,
        };
      });
      state.persist(state.compute(w, BigInt(n), writes));
      // Every commit final as soon as it lands: the harshest case for pruning.
      if (prune) state.prune(w, 5);
      if (w % 100 === 0) sizes.push(dataBytes(dir));
    }
    return { sizes, state, dir };
  }

  it("stays under 1.3× the size after 100 windows with pruning, and grows without", async function () {
    const pruned = await run(true);
    const plain = await run(false);
    const [p100, , p300] = pruned.sizes;
    const [n100, , n300] = plain.sizes;
    console.log(
      `      dataDir after 100/200/300 windows: pruned ${pruned.sizes.map((s) => (s / 2 ** 20).toFixed(1)).join("/")} MiB, not pruned ${plain.sizes.map((s) => (s / 2 ** 20).toFixed(1)).join("/")} MiB`,
    );
    expect(p300).to.be.at.most(p100 * 1.3);
    expect(n300).to.be.greaterThan(n100 * 2);
    expect(p300).to.be.lessThan(n300 / 2);
    // Retained versions still prove every key; values of retained leaves are still there.
    for (const v of [295, 300]) {
      for (let i = 0; i < KEYS; i += 37) {
        const k = Buffer.from(keccak256(Uint8Array.of(9, i & 0xff, i >> 8)).slice(2), "hex");
        const { value, proof } = pruned.state.tree.getWithProof(k, v);
        expect(value).to.not.equal(null);
        expect(verifyProof(pruned.state.tree.rootAt(v), k, value, proof, pruned.state.tree.hasher)).to.equal(true);
      }
    }
    expect(() => pruned.state.tree.get(Buffer.alloc(32), 290)).to.throw(/pruned/);
    expect(hexlify(pruned.state.tree.rootAt(300))).to.equal(hexlify(plain.state.tree.rootAt(300)));
    await pruned.state.close();
    await plain.state.close();
  });
});

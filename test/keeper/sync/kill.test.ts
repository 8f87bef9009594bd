import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { hexlify } from "ethers";

import { HttpError, sleep, startHttpServer, stopHttpServer } from "../../../keeper/common";
import { createKeccakHasher, JellyfishMerkleTree, MemoryTreeStore, type Write } from "../../../keeper/jmt";
import { SyncServer } from "../../../keeper/sync";

const CHILD = join(__dirname, "helpers", "restore-child.ts");

/** Runs the restore child; resolves with its stdout when it exits, or kills it -9 once `killAfter` chunks are verified. */
function runChild(args: string[], killAfter?: number): Promise<{ out: string; signal: NodeJS.Signals | null }> {
  const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", CHILD, ...args], {
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString("utf8");
    if (killAfter !== undefined && (out.match(/^chunk /gm) ?? []).length >= killAfter) child.kill("SIGKILL");
  });
  return new Promise((resolve) => child.once("exit", (_code, signal) => resolve({ out, signal })));
}

/**
 * A real process restoring from a (slowed) peer is killed with SIGKILL mid-sync; the restarted
 * process keeps every chunk it had verified and fetches only the rest.
 */
describe("state sync: kill -9 during a restore", function () {
  this.timeout(180_000);
  let server: Server;
  let dir: string;

  after(async () => {
    if (server) await stopHttpServer(server);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("resumes without restarting from zero", async function () {
    const hasher = await createKeccakHasher();
    const store = new MemoryTreeStore();
    const tree = new JellyfishMerkleTree({ store, hasher });
    tree.putValueSet(0, []);
    tree.putValueSet(
      1,
      Array.from({ length: 2000 }, (_, i): Write => [
        hasher.hash(Uint8Array.of(4, i & 0xff, i >> 8)),
        Uint8Array.of(i & 0xff, 1),
      ]),
    );
    const sync = new SyncServer({ store, hasher });
    const chunkRequests: string[] = [];
    ({ server } = await startHttpServer(
      "127.0.0.1",
      0,
      async (req, url) => {
        if (url.pathname.startsWith("/v1/sync/chunks/")) {
          chunkRequests.push(url.pathname);
          await sleep(40);
        }
        const reply = sync.handle(req, url);
        if (reply === undefined) throw new HttpError(404, "no route");
        return reply;
      },
      () => undefined,
    ));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    dir = mkdtempSync(join(tmpdir(), "sync-kill-"));
    const root = hexlify(tree.rootAt(1));
    const args = [join(dir, "state"), url, "1", root, "10"];

    const first = await runChild(args, 60);
    expect(first.signal).to.equal("SIGKILL");
    const before = chunkRequests.length;
    expect(before).to.be.lessThan(256);

    const second = await runChild(args);
    const stats = JSON.parse(second.out.trim().split("\n").pop() as string) as {
      resumed: number;
      fetched: number;
      root: string;
    };
    expect(stats.root).to.equal(root);
    expect(stats.resumed).to.be.greaterThanOrEqual(60);
    expect(stats.fetched + stats.resumed).to.equal(256);
    expect(chunkRequests.length - before).to.equal(stats.fetched);
  });
});

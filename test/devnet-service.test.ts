import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";

import { expect } from "chai";

import { ROOT, freePort, removeDir, tempDir, waitFor } from "../scripts/devnet/processes";

/** `pid → ppid` of every process on this machine (Linux /proc). */
function parentMap(): Map<number, number> {
  const map = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "pid (comm) state ppid …"; comm may hold spaces and parentheses, so split after the last ")".
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      map.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // exited meanwhile
    }
  }
  return map;
}

/** Every live descendant of `pid`. */
function descendants(pid: number): number[] {
  const parents = parentMap();
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.shift()!;
    for (const [child, parent] of parents) {
      if (parent === p) {
        out.push(child);
        queue.push(child);
      }
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer().once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** An npm script as a user (or systemd, Docker, CI) runs it: the `npm` process, in its own process group. */
class NpmRun {
  readonly child: ChildProcess;
  output = "";
  readonly exited: Promise<number | null>;

  constructor(
    args: string[],
    readonly ports: number[],
    env: NodeJS.ProcessEnv = {},
  ) {
    this.child = spawn("npm", args, {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...env },
    });
    this.child.stdout!.on("data", (c: Buffer) => (this.output += c.toString("utf8")));
    this.child.stderr!.on("data", (c: Buffer) => (this.output += c.toString("utf8")));
    this.exited = new Promise((resolve) => this.child.once("exit", (code) => resolve(code)));
  }

  async waitForLine(text: string, timeoutMs: number): Promise<void> {
    await waitFor(() => this.output.includes(text) || this.child.exitCode !== null, { timeoutMs }).catch(() => {
      throw new Error(`no "${text}" within ${timeoutMs} ms; output:\n${this.output.slice(-3000)}`);
    });
    if (!this.output.includes(text)) throw new Error(`npm start exited before "${text}":\n${this.output.slice(-3000)}`);
  }

  /**
   * Sends `signal` to the npm process alone and checks that npm exits and that every process it had started
   * (recorded just before the signal) is gone and every devnet port is free again.
   */
  async signalAndCheck(signal: NodeJS.Signals, minProcesses = 3): Promise<void> {
    const tree = descendants(this.child.pid!);
    expect(tree.length, "processes under npm").to.be.greaterThanOrEqual(minProcesses);
    process.kill(this.child.pid!, signal);
    const timeout = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 90_000).unref());
    expect(
      await Promise.race([this.exited, timeout]),
      `npm exit after ${signal}\n${this.output.slice(-2000)}`,
    ).to.not.equal("timeout");
    await waitFor(() => tree.every((pid) => !alive(pid)), { timeoutMs: 30_000 }).catch(() => undefined);
    expect(
      tree.filter(alive),
      `left running after ${signal} to npm: ${spawnSync("ps", ["-o", "pid,args", "-p", tree.join(",")]).stdout}`,
    ).to.deep.equal([]);
    for (const port of this.ports) expect(await portFree(port), `port ${port} free`).to.equal(true);
  }

  /** Safety net for a failed test: SIGKILL the whole group this test started. */
  kill(): void {
    if (this.child.exitCode !== null) return;
    try {
      process.kill(-this.child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

async function devnetPorts(): Promise<number[]> {
  const ports: number[] = [];
  for (let i = 0; i < 8; i++) ports.push(await freePort());
  return ports;
}

/** The README's Policy CLI walk-through, verbatim: the `sh` block after its walkthrough marker. */
function readmeWalkthrough(): string {
  const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
  const marker = readme.indexOf("<!-- walkthrough:");
  expect(marker, "walkthrough marker in README.md").to.be.greaterThan(0);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(marker));
  expect(block, "sh block after the walkthrough marker").to.not.equal(null);
  return block![1];
}

/**
 * The devnet as a service, through the real `npm start` process tree: SIGINT or SIGTERM to the `npm` process
 * alone stops everything at any point of its life; a quiet start; the README's walk-through runs verbatim
 * against it; the load generator keeps commits flowing.
 */
describe("npm start as a service", function () {
  const runs: { npm: NpmRun; dir: string }[] = [];

  after(function () {
    for (const r of runs) {
      r.npm.kill();
      removeDir(r.dir);
    }
  });

  async function start(extra: string[] = []): Promise<NpmRun & { dir: string }> {
    const dir = tempDir("newton-npm-start-");
    const ports = await devnetPorts();
    const args = ["start", "--", "--dir", dir, "--ports", ports.join(","), "--window-seconds", "3", ...extra];
    const npm = Object.assign(new NpmRun(args, ports), { dir });
    runs.push({ npm, dir });
    return npm;
  }

  it("stops npm run da-server and npm run bench:jmt (and its benchmark child) on SIGTERM/SIGINT to npm alone", async function () {
    const port = await freePort();
    const da = new NpmRun(["run", "da-server", "--", "--port", String(port)], [port]);
    runs.push({ npm: da, dir: tempDir("newton-npm-da-") });
    await da.waitForLine("newton-da-server ready", 120_000);
    await da.signalAndCheck("SIGTERM", 1);
    const bench = new NpmRun(["run", "bench:jmt"], [], { BENCH_JMT_LEAVES: "1000000" });
    runs.push({ npm: bench, dir: tempDir("newton-npm-bench-") });
    // The parent spawns one child per implementation: wait for it, then signal npm only.
    await waitFor(() => descendants(bench.child.pid!).length >= 2, { timeoutMs: 120_000 });
    await bench.signalAndCheck("SIGINT", 2);
  });

  it("stops every process when SIGINT reaches the npm process alone in the middle of the start", async function () {
    const npm = await start();
    await npm.waitForLine("hardhat node: http://", 300_000);
    await npm.signalAndCheck("SIGINT");
    expect(npm.output).to.include("SIGINT: stopping every process");
  });

  it("runs the README walk-through verbatim, keeps committing, and stops on SIGTERM to npm", async function () {
    const npm = await start(["--writes-per-window", "2"]);
    await npm.waitForLine("devnet running", 900_000);
    // Quiet, honest start: progress for the compile, no ethers retry noise.
    expect(npm.output).to.match(/compiling contracts…[\s\S]*contracts (up to date|compiled)/);
    expect(npm.output).to.not.include("failed to detect network");
    expect(npm.output).to.include(`export NEWTON_HOME=${path.join(npm.dir, "newton")}`);

    // The load generator: every demo write was committed before "devnet running", so new writes are its own.
    const running = npm.output.indexOf("devnet running");
    const newCommits = () => [...npm.output.slice(running).matchAll(/commit #\d+ .* writes (\d+) /g)];
    await waitFor(() => newCommits().filter((m) => Number(m[1]) > 0).length >= 2, { timeoutMs: 120_000 }).catch(() => {
      throw new Error(`no commits after the demo:\n${npm.output.slice(-3000)}`);
    });
    // The README's commands as a newcomer pastes them (the devnet's folder is this test's, not ./.devnet).
    const script = readmeWalkthrough().replaceAll("$PWD/.devnet", npm.dir);
    const walk = spawnSync("bash", ["-euo", "pipefail", "-c", script], { cwd: ROOT, encoding: "utf8" });
    expect(walk.status, `README walk-through:\n${walk.stdout}\n${walk.stderr}`).to.equal(0);
    expect(walk.stdout.trim().split("\n").at(-1)).to.equal("complete");
    expect(walk.stderr).to.include("already registered, skipping"); // progress goes to stderr

    await npm.signalAndCheck("SIGTERM");
    expect(npm.output).to.include("SIGTERM: stopping every process");
  });
});

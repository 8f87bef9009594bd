import type { Database, RootDatabase } from "lmdb";

import type { SubtreeEntry } from "../jmt";
import { decodeEntries, encodeEntries } from "./wire";

/** The snapshot a staging area is filling. */
interface StagedTarget {
  readonly version: number;
  /** 0x-hex 32-byte root. */
  readonly root: string;
  readonly depth: number;
  /** Verified manifest entries (0x-hex, as on the wire), once fetched. */
  readonly entries?: string;
}

/**
 * Verified chunks of an unfinished snapshot, kept in the keeper's LMDB environment
 * (`sync.chunks`: chunk index u16 BE → chunk bytes as received; `sync.meta`: the target) so a
 * sync killed at any point resumes with the chunks it already verified. Only chunks that passed
 * verification are ever written here.
 */
export class SnapshotStaging {
  private readonly chunks: Database<Uint8Array, Uint8Array>;
  private readonly meta: Database<StagedTarget, string>;

  constructor(root: RootDatabase) {
    this.chunks = root.openDB<Uint8Array, Uint8Array>({
      name: "sync.chunks",
      keyEncoding: "binary",
      encoding: "binary",
    });
    this.meta = root.openDB<StagedTarget, string>({ name: "sync.meta" });
  }

  /**
   * Starts or resumes filling `target`: staged chunks are kept when the version, root and depth
   * match what was staged before, dropped otherwise. Returns the number of chunks kept.
   */
  begin(version: number, root: string, depth: number): number {
    const prev = this.meta.get("target");
    if (prev !== undefined && prev.version === version && prev.root === root && prev.depth === depth) {
      return this.chunks.getCount();
    }
    this.clear();
    this.meta.putSync("target", { version, root, depth });
    return 0;
  }

  /** The staged target, if any. */
  target(): StagedTarget | undefined {
    return this.meta.get("target");
  }

  /** The verified manifest of the current target, if it was fetched already. */
  manifest(): SubtreeEntry[] | undefined {
    const t = this.meta.get("target");
    return t?.entries === undefined ? undefined : decodeEntries(t.entries, t.depth);
  }

  /** Records the verified manifest of the current target. */
  putManifest(entries: readonly SubtreeEntry[]): void {
    const t = this.meta.get("target");
    if (t === undefined) throw new Error("no snapshot target staged");
    this.meta.putSync("target", { ...t, entries: encodeEntries(entries) });
  }

  has(index: number): boolean {
    return this.chunks.doesExist(key(index));
  }

  /**
   * Stores a verified chunk durably: a `kill -9` after the promise resolves keeps it. Concurrent
   * puts share one LMDB commit (one fsync for many chunks).
   */
  async put(index: number, bytes: Uint8Array): Promise<void> {
    await this.chunks.put(key(index), bytes);
  }

  /** Staged chunks in index order. */
  *entries(): Generator<[number, Uint8Array]> {
    for (const { key: k, value } of this.chunks.getRange({})) yield [(k[0] << 8) | k[1], value];
  }

  count(): number {
    return this.chunks.getCount();
  }

  /** Drops every staged chunk and the target. */
  clear(): void {
    this.chunks.clearSync();
    this.meta.removeSync("target");
  }
}

const key = (index: number): Uint8Array => Uint8Array.of(index >> 8, index & 0xff);

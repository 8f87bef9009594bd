import { MemoryTreeStore, type TreeStore, type TreeUpdateBatch } from "../jmt";

/**
 * A tree store that reads through to `base` and keeps every write in memory: a throw-away tree on
 * top of the persisted one (e.g. the challenger's "claimed" tree behind a wrong root). `base` is
 * never written.
 */
export class OverlayTreeStore implements TreeStore {
  private readonly top = new MemoryTreeStore();

  constructor(private readonly base: TreeStore) {}

  getNode(nodeKey: Uint8Array) {
    return this.top.getNode(nodeKey) ?? this.base.getNode(nodeKey);
  }

  getValue(valueHash: Uint8Array) {
    return this.top.getValue(valueHash) ?? this.base.getValue(valueHash);
  }

  getVersionInfo(version: number) {
    return this.top.getVersionInfo(version) ?? this.base.getVersionInfo(version);
  }

  latestVersion(): number | undefined {
    return this.top.latestVersion() ?? this.base.latestVersion();
  }

  prunedBefore(): number {
    return this.base.prunedBefore();
  }

  countNodes(): number {
    return this.base.countNodes() + this.top.countNodes();
  }

  writeBatch(batch: TreeUpdateBatch): void {
    this.top.writeBatch(batch);
  }

  pruneStale(): number {
    return 0;
  }
}

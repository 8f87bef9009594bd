import type { TreeReader, TreeStore, TreeUpdateBatch } from "../jmt";

const PLACEHOLDER = new Uint8Array(0);

/**
 * Read-only view of a tree store whose `getValue` never misses: a leaf committed by hash only (its
 * bytes were unavailable) yields a placeholder, so a proof can still be served; callers test
 * {@link isPlaceholder} and report the value as unavailable.
 */
export class LenientValueStore implements TreeStore {
  constructor(private readonly base: TreeReader) {}

  isPlaceholder(value: Uint8Array): boolean {
    return value === PLACEHOLDER;
  }

  getNode(nodeKey: Uint8Array) {
    return this.base.getNode(nodeKey);
  }

  getValue(valueHash: Uint8Array) {
    return this.base.getValue(valueHash) ?? PLACEHOLDER;
  }

  getVersionInfo(version: number) {
    return this.base.getVersionInfo(version);
  }

  latestVersion() {
    return this.base.latestVersion();
  }

  prunedBefore() {
    return this.base.prunedBefore();
  }

  countNodes() {
    return this.base.countNodes();
  }

  writeBatch(_batch: TreeUpdateBatch): void {
    throw new Error("LenientValueStore is read-only");
  }

  pruneStale(): number {
    throw new Error("LenientValueStore is read-only");
  }
}

/**
 * Startup checks of `newton-keeper`: settings that would otherwise fail late, silently or by hanging are refused
 * before the role starts, each error naming the config field and the value to fix.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, rmSync, statSync, statfsSync, writeSync } from "node:fs";
import path from "node:path";

import { getAddress, keccak256 } from "ethers";

import { KeeperConfigError } from "./config";

/**
 * `statfs` magic numbers (Linux `linux/magic.h`) of kernel pseudo filesystems: LMDB's memory map and file locks
 * do not work there (it hangs or fails on first write), so a `dataDir` on one is refused.
 */
const PSEUDO_FILESYSTEMS: ReadonlyMap<number, string> = new Map([
  [0x9fa0, "proc"],
  [0x62656572, "sysfs"],
  [0x1cd1, "devpts"],
  [0x27e0eb, "cgroup"],
  [0x63677270, "cgroup2"],
  [0x64626720, "debugfs"],
  [0x73636673, "securityfs"],
  [0x74726163, "tracefs"],
  [0xcafe4a11, "bpf"],
  [0x6e736673, "nsfs"],
  [0x42494e4d, "binfmt_misc"],
]);

/**
 * Makes sure `dir` can hold the keeper's LMDB environment: it is (or can be created as) a directory, not on a
 * kernel pseudo filesystem, and a file can be created, written, fsync'ed and removed in it.
 * @param field - the config field, for messages (`dataDir`).
 * @throws KeeperConfigError naming `field` and `dir` and what is wrong.
 */
export function checkDataDir(dir: string, field = "dataDir"): void {
  const fail = (why: string): never => {
    throw new KeeperConfigError(`${field} ${dir} is unusable: ${why}; point ${field} at a writable folder`);
  };
  try {
    const st = statSync(dir, { throwIfNoEntry: false });
    if (st !== undefined && !st.isDirectory()) fail("it is a file, not a folder");
    if (st === undefined) mkdirSync(dir, { recursive: true });
  } catch (err) {
    if (err instanceof KeeperConfigError) throw err;
    fail(`cannot create it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const fsType = PSEUDO_FILESYSTEMS.get(Number(statfsSync(dir).type));
  if (fsType !== undefined) fail(`it is on the ${fsType} pseudo filesystem, which cannot hold a database`);
  const probe = path.join(dir, `.newton-keeper-probe-${process.pid}`);
  try {
    const fd = openSync(probe, "w");
    try {
      writeSync(fd, "probe");
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    rmSync(probe);
  } catch (err) {
    fail(`cannot write in it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** The one OperatorRegistry view {@link checkOperatorKey} reads. */
export interface OperatorInfoReader {
  operatorInfo(operator: string): Promise<{ pubkeyHash: string }>;
}

/**
 * Refuses an operator config whose `operator.address` is not registered with the keystore's BLS key: such an
 * operator would sign every window and have every signature rejected (or be blamed for another's key).
 * @param pubkeyG1 - the keystore's public key as a 128-byte EIP-2537 G1 point (the registry stores its keccak256).
 * @throws KeeperConfigError naming `operator.address` when the address is not registered, or registered with
 *   another key (both hashes in the message).
 */
export async function checkOperatorKey(
  address: string,
  pubkeyG1: Uint8Array,
  registry: OperatorInfoReader,
  registryAddress: string,
): Promise<void> {
  const operator = getAddress(address);
  const { pubkeyHash } = await registry.operatorInfo(operator);
  const mine = keccak256(pubkeyG1);
  if (BigInt(pubkeyHash) === 0n) {
    throw new KeeperConfigError(
      `operator.address ${operator} is not registered in the OperatorRegistry ${registryAddress}; register it with the keystore's key, or fix operator.address`,
    );
  }
  if (pubkeyHash.toLowerCase() !== mine.toLowerCase()) {
    throw new KeeperConfigError(
      `operator.address ${operator} is registered with another BLS key (pubkey hash ${pubkeyHash}) than operator.keystore's (${mine}); fix operator.address or operator.keystore`,
    );
  }
}

import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";

import { bytesToHex, hexToBytes, type Hex } from "../../common";
import { parseServerCert } from "./cert";

/** Where `DaServer` keeps blobs: certificate (0x-hex) → payload bytes. */
export interface BlobStore {
  /** Prepares the store and returns the next unused certificate nonce. */
  open(): Promise<bigint>;
  /** Stores `payload` under `cert`, durably once the promise resolves. */
  put(cert: Hex, payload: Uint8Array): Promise<void>;
  /** The payload stored under `cert`, or undefined when there is none. */
  get(cert: Hex): Promise<Uint8Array | undefined>;
  /** When the payload under `cert` was stored, in ms since the Unix epoch; undefined when there is none. */
  storedAtMs(cert: Hex): Promise<number | undefined>;
}

/** Keeps blobs in a `Map`; they live as long as the `DaServer` object (across stop/start). */
export class MemoryBlobStore implements BlobStore {
  private readonly blobs = new Map<Hex, { payload: Uint8Array; atMs: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async open(): Promise<bigint> {
    return BigInt(this.blobs.size);
  }

  async put(cert: Hex, payload: Uint8Array): Promise<void> {
    this.blobs.set(cert, { payload: payload.slice(), atMs: this.now() });
  }

  async get(cert: Hex): Promise<Uint8Array | undefined> {
    return this.blobs.get(cert)?.payload;
  }

  async storedAtMs(cert: Hex): Promise<number | undefined> {
    return this.blobs.get(cert)?.atMs;
  }
}

/**
 * Keeps one file per blob in `dir`, named by the certificate's lower-case hex without `0x`
 * (82 characters for a `DaServer` certificate). Each file is written to a temporary name,
 * fsync'ed and renamed into place, so a crash leaves either the whole blob or none; leftover
 * temporaries (`.*.tmp`) are removed by {@link open}.
 */
export class DirBlobStore implements BlobStore {
  constructor(readonly dir: string) {}

  /** Creates `dir` if needed, removes stale temporaries, and resumes the nonce after the highest on disk. */
  async open(): Promise<bigint> {
    await mkdir(this.dir, { recursive: true });
    let next = 0n;
    for (const name of await readdir(this.dir)) {
      if (name.startsWith(".") && name.endsWith(".tmp")) {
        await rm(join(this.dir, name), { force: true });
        continue;
      }
      const cert =
        /^[0-9a-f]+$/.test(name) && name.length % 2 === 0 ? parseServerCert(hexToBytes(`0x${name}`)) : undefined;
      if (cert && cert.nonce >= next) next = cert.nonce + 1n;
    }
    return next;
  }

  async put(cert: Hex, payload: Uint8Array): Promise<void> {
    const name = fileName(cert);
    const tmp = join(this.dir, `.${name}.${bytesToHex(randomBytes(6)).slice(2)}.tmp`);
    const file = await open(tmp, "wx");
    try {
      await file.writeFile(payload);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, join(this.dir, name));
  }

  async get(cert: Hex): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(join(this.dir, fileName(cert))));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
  }

  async storedAtMs(cert: Hex): Promise<number | undefined> {
    return mtimeMs(join(this.dir, fileName(cert)));
  }
}

/** The file's modification time is its storage time (files are written once, then renamed into place). */
async function mtimeMs(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

function fileName(cert: Hex): string {
  return cert.slice(2).toLowerCase();
}

import { keccak } from "hash-wasm";

import { hexToBytes, type Hex } from "../../common";

/**
 * keccak256 (the Ethereum variant, not NIST SHA3-256) of `bytes`, as 0x-hex of 32 bytes.
 *
 * Uses the WebAssembly implementation of `hash-wasm` (about 20× faster than pure JS on 16 MiB
 * payloads); it is async, which suits the I/O paths of the client and the server.
 */
export async function keccak256Hex(bytes: Uint8Array): Promise<Hex> {
  return `0x${await keccak(bytes, 256)}`;
}

/** keccak256 of `bytes` as 32 raw bytes. */
export async function keccak256Bytes(bytes: Uint8Array): Promise<Uint8Array> {
  return hexToBytes(await keccak256Hex(bytes));
}

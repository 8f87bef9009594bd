import { concatBytes } from "../../common";

/** Version byte of the certificates `DaServer` issues (the eigenda-proxy V2 certificate version). */
export const SERVER_CERT_VERSION = 0x01;

/** Length of a `DaServer` certificate in bytes: 1 (version) + 32 (keccak256) + 8 (nonce). */
export const SERVER_CERT_BYTES = 41;

/**
 * Builds a `DaServer` certificate: `0x01 ‖ keccak256(payload) (32 B) ‖ nonce (u64 big-endian, 8 B)`.
 *
 * The layout is private to the local server: clients must treat certificates as opaque bytes, as
 * they do eigenda-proxy's version byte ‖ RLP certificate. The nonce (a per-store counter) makes
 * two dispersals of the same payload yield distinct certificates, as on EigenDA.
 */
export function makeServerCert(payloadHash: Uint8Array, nonce: bigint): Uint8Array {
  const tail = new Uint8Array(8);
  new DataView(tail.buffer).setBigUint64(0, nonce, false);
  return concatBytes(Uint8Array.of(SERVER_CERT_VERSION), payloadHash, tail);
}

/**
 * Parses a `DaServer` certificate; undefined when it is not one (wrong length or version byte),
 * which the server answers with 418 like eigenda-proxy answers a certificate that fails to parse.
 */
export function parseServerCert(cert: Uint8Array): { payloadHash: Uint8Array; nonce: bigint } | undefined {
  if (cert.length !== SERVER_CERT_BYTES || cert[0] !== SERVER_CERT_VERSION) return undefined;
  const nonce = new DataView(cert.buffer, cert.byteOffset + 33, 8).getBigUint64(0, false);
  return { payloadHash: cert.slice(1, 33), nonce };
}

import { concatBytes } from "../../common";

/**
 * Version bytes eigenda-proxy puts in front of a serialized certificate (the "DA commitment
 * version", one less than the certificate version the EigenDA cert verifier reports):
 * `0x00` EigenDA V1, `0x01` V2 certificate (EigenDA V2 "legacy"), `0x02` V3 certificate,
 * `0x03` V4 certificate (the proxy's current default). Any other byte is unknown to the proxy.
 */
export const CERT_VERSION = Object.freeze({ EIGENDA_V1: 0x00, V2: 0x01, V3: 0x02, V4: 0x03 });

/** Version byte `DaServer` issues by default: V4 (`0x03`), as eigenda-proxy does today. */
export const SERVER_CERT_VERSION = CERT_VERSION.V4;

/** Length of a `DaServer` certificate in bytes: 1 (version) + 32 (keccak256) + 8 (nonce). */
export const SERVER_CERT_BYTES = 41;

/** True when eigenda-proxy knows `byte` as a certificate version byte (`0x00` … `0x03`). */
export function isKnownCertVersion(byte: number): boolean {
  return byte >= CERT_VERSION.EIGENDA_V1 && byte <= CERT_VERSION.V4;
}

/**
 * Builds a `DaServer` certificate: `version (1 B) ‖ keccak256(payload) (32 B) ‖ nonce (u64 big-endian, 8 B)`.
 *
 * The bytes after the version byte are private to the local server: clients must treat them as
 * opaque, as they do eigenda-proxy's RLP-serialized certificate. The nonce (a per-store counter)
 * makes two dispersals of the same payload yield distinct certificates, as on EigenDA.
 *
 * @param version - an EigenDA V2 version byte, `0x01` … `0x03` (default {@link SERVER_CERT_VERSION}).
 */
export function makeServerCert(
  payloadHash: Uint8Array,
  nonce: bigint,
  version: number = SERVER_CERT_VERSION,
): Uint8Array {
  const tail = new Uint8Array(8);
  new DataView(tail.buffer).setBigUint64(0, nonce, false);
  return concatBytes(Uint8Array.of(version), payloadHash, tail);
}

/**
 * Parses a `DaServer` certificate; undefined when it is not one (not 41 bytes, or a version byte
 * other than the EigenDA V2 ones `0x01` … `0x03`), which the server answers with a 418
 * "certificate parsing failed" derivation error, as eigenda-proxy answers a certificate it cannot decode.
 */
export function parseServerCert(
  cert: Uint8Array,
): { version: number; payloadHash: Uint8Array; nonce: bigint } | undefined {
  if (cert.length !== SERVER_CERT_BYTES || cert[0] < CERT_VERSION.V2 || cert[0] > CERT_VERSION.V4) return undefined;
  const nonce = new DataView(cert.buffer, cert.byteOffset + 33, 8).getBigUint64(0, false);
  return { version: cert[0], payloadHash: cert.slice(1, 33), nonce };
}

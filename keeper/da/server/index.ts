/**
 * keeper/da/server — `newton-da-server`, a local HTTP server speaking the eigenda-proxy REST API
 * (`POST /put`, `GET /get/0x<cert>`, `GET /health`, `GET /config`; standard and optimism_generic
 * commitment modes) with blobs kept in
 * memory or one file per blob in a directory, and injectable latency, failures and corruption for
 * tests. It stands in for eigenda-proxy's memstore mode in local runs (docs/protocol.md §6).
 *
 * ```
 * EigenDaProxyClient ──HTTP──▶ DaServer ──▶ BlobStore (MemoryBlobStore | DirBlobStore)
 * ```
 */
export { DaServer, type DaServerDeps } from "./server";
export { resolveServerOptions, type DaServerOptions, type ResolvedServerOptions } from "./options";
export {
  CERT_VERSION,
  isKnownCertVersion,
  makeServerCert,
  parseServerCert,
  SERVER_CERT_BYTES,
  SERVER_CERT_VERSION,
} from "./cert";
export { DirBlobStore, MemoryBlobStore, type BlobStore } from "./store";

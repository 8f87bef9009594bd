/** The envelope format without a key epoch (first envelope byte); read as epoch 0. */
export const SECRETS_ENVELOPE_VERSION = 0x01;

/** The envelope format naming the key epoch it was sealed to: `0x02 ‖ epoch (u32 BE) ‖ enc ‖ ciphertext`. */
export const SECRETS_ENVELOPE_VERSION_EPOCH = 0x02;

/** Bytes of the epoch field of a version-2 envelope (big-endian u32). */
export const SECRETS_EPOCH_BYTES = 4;

/** The largest key epoch (u32). */
export const SECRETS_MAX_EPOCH = 0xffff_ffff;

/** Length of the HPKE encapsulated key of DHKEM(X25519, HKDF-SHA256), in bytes (RFC 9180 §7.1: Nenc = 32). */
export const SECRETS_ENC_BYTES = 32;

/** Length of an X25519 public or private key, in bytes (RFC 9180 §7.1: Npk = Nsk = 32). */
export const SECRETS_KEY_BYTES = 32;

/** Length of the ChaCha20-Poly1305 tag, in bytes: the ciphertext of an empty plaintext is this long. */
export const SECRETS_TAG_BYTES = 16;

/** Smallest valid envelope: version byte + enc + tag (empty plaintext) = 49 bytes. */
export const SECRETS_MIN_ENVELOPE_BYTES = 1 + SECRETS_ENC_BYTES + SECRETS_TAG_BYTES;

/** The UTF-8 prefix of the HPKE `info` of a version-1 envelope; the 32-byte instance id follows it. */
export const SECRETS_INFO_PREFIX = "newton-secrets-v1";

/**
 * The UTF-8 prefix of the HPKE `info` of a version-2 envelope; the epoch (u32 BE) and the 32-byte
 * instance id follow it, so the epoch named in the clear is also authenticated.
 */
export const SECRETS_INFO_PREFIX_EPOCH = "newton-secrets-v2";

/** The suite names the operators publish at `GET /v1/secrets-key` (exact strings). */
export const SECRETS_SUITE = Object.freeze({
  kem: "DHKEM(X25519, HKDF-SHA256)",
  kdf: "HKDF-SHA256",
  aead: "ChaCha20Poly1305",
} as const);

/**
 * A decoded envelope: `0x01 ‖ enc (32 bytes) ‖ ciphertext (plaintext length + 16 bytes)`, or with an
 * `epoch`, `0x02 ‖ epoch (u32 BE) ‖ enc ‖ ciphertext`.
 */
export interface SecretsEnvelope {
  /** The operators' key epoch the envelope was sealed to; absent = a version-1 envelope (epoch 0). */
  readonly epoch?: number;
  /** HPKE encapsulated ephemeral public key, 32 bytes. */
  readonly enc: Uint8Array;
  /** ChaCha20-Poly1305 ciphertext with its 16-byte tag appended. */
  readonly ciphertext: Uint8Array;
}

/** An operators' secrets key pair (raw X25519, RFC 7748 encoding). */
export interface SecretsKeyPair {
  /** 32-byte X25519 public key (`SerializePublicKey`, RFC 9180 §7.1.1). */
  readonly publicKey: Uint8Array;
  /** 32-byte X25519 private key (`SerializePrivateKey`); keep secret. */
  readonly privateKey: Uint8Array;
}

/**
 * The JSON document served at `GET <operator-url>/v1/secrets-key`:
 * `{"kem":"DHKEM(X25519, HKDF-SHA256)","kdf":"HKDF-SHA256","aead":"ChaCha20Poly1305","publicKey":"0x<64 hex>"}`.
 */
export interface SecretsKeyDocument {
  readonly kem: typeof SECRETS_SUITE.kem;
  readonly kdf: typeof SECRETS_SUITE.kdf;
  readonly aead: typeof SECRETS_SUITE.aead;
  /** 0x-hex of the 32-byte X25519 public key. */
  readonly publicKey: `0x${string}`;
  /** The key's epoch (0, 1, …; absent in documents of operators that predate key rotation = 0). */
  readonly epoch?: number;
}

/** One epoch of the operators' shared secrets key. */
export interface SecretsEpochKey extends SecretsKeyPair {
  /** The epoch, 0 … 2^32 − 1; each rotation takes the next one. */
  readonly epoch: number;
}

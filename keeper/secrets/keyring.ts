import { decodeEnvelope } from "./envelope";
import { SecretsError } from "./errors";
import { openSecrets } from "./hpke";
import type { SecretsEpochKey } from "./types";

/**
 * The operators' secrets keys during a rotation: the current epoch's key, and until every client has
 * re-sealed, the previous epoch's. Envelopes name the epoch they were sealed to (version 2; version 1
 * means epoch 0), so opening picks the key by that number instead of trying keys in turn.
 */
export class SecretsKeyRing {
  /** The keys held, current first. */
  readonly keys: readonly SecretsEpochKey[];

  /**
   * @param current - the key new envelopes are sealed to (served at `GET /v1/secrets-key`).
   * @param previous - the key of an earlier epoch, kept while envelopes sealed to it remain.
   * @throws SecretsError `SECRETS_ERROR_INVALID_EPOCH` when `previous.epoch` is not below `current.epoch`.
   */
  constructor(
    readonly current: SecretsEpochKey,
    readonly previous?: SecretsEpochKey,
  ) {
    if (previous !== undefined && previous.epoch >= current.epoch) {
      throw new SecretsError(
        { code: "SECRETS_ERROR_INVALID_EPOCH", epoch: String(previous.epoch) },
        `the previous secrets key's epoch ${previous.epoch} must be below the current epoch ${current.epoch}`,
      );
    }
    this.keys = previous === undefined ? [current] : [current, previous];
  }

  /** The epochs held, current first. */
  get epochs(): number[] {
    return this.keys.map((k) => k.epoch);
  }

  /** The epoch `envelope` was sealed to (0 for a version-1 envelope). @throws SecretsError for a malformed envelope. */
  static epochOf(envelope: Uint8Array): number {
    return decodeEnvelope(envelope).epoch ?? 0;
  }

  /**
   * Opens `envelope` with the key of the epoch it names.
   * @throws SecretsError `SECRETS_ERROR_UNKNOWN_EPOCH` {epoch, held} when that epoch's key is not held
   *   (the client must re-seal to the current key); otherwise as `openSecrets`.
   */
  async open(instanceId: Uint8Array, envelope: Uint8Array): Promise<Uint8Array> {
    const epoch = SecretsKeyRing.epochOf(envelope);
    const key = this.keys.find((k) => k.epoch === epoch);
    if (key === undefined) {
      throw new SecretsError(
        { code: "SECRETS_ERROR_UNKNOWN_EPOCH", epoch, held: this.epochs },
        `the envelope was sealed to secrets key epoch ${epoch}, but the operators hold epochs ${this.epochs.join(", ")}; the client must re-seal it (newton policy-data instance reseal)`,
      );
    }
    return openSecrets(key.privateKey, instanceId, envelope);
  }
}

import { getAddress } from "ethers";

import type { Hex } from "../../common";
import { usageError } from "./errors";

/**
 * A 32-byte id given as 0x-hex (any case), returned lower-case.
 * @throws NewtonError `NEWTON_ERROR_USAGE` naming `option`.
 */
export function parseBytes32(option: string, value: string): Hex {
  if (!/^0x[0-9a-fA-F]{64}$/.test(value)) {
    throw usageError(option, value, `${option} must be a 32-byte id (0x + 64 hex digits), got ${value}`);
  }
  return value.toLowerCase() as Hex;
}

/** A comma-separated list of 32-byte ids (empty string → empty list). @throws NewtonError `NEWTON_ERROR_USAGE`. */
export function parseIdList(option: string, value: string | undefined): Hex[] {
  if (value === undefined || value.trim() === "") return [];
  return value.split(",").map((s) => parseBytes32(option, s.trim()));
}

/** An address (checksummed on output). @throws NewtonError `NEWTON_ERROR_USAGE` naming `option`. */
export function parseAddress(option: string, value: string): string {
  try {
    return getAddress(value);
  } catch {
    throw usageError(option, value, `${option} must be a 0x-hex address, got ${value}`);
  }
}

/** A uint64 in decimal. @throws NewtonError `NEWTON_ERROR_USAGE` naming `option`. */
export function parseUint64(option: string, value: string): bigint {
  if (!/^\d+$/.test(value) || BigInt(value) >= 2n ** 64n) {
    throw usageError(option, value, `${option} must be a whole number of blocks below 2^64, got ${value}`);
  }
  return BigInt(value);
}

/** A block number for `--from-block` (default 0). @throws NewtonError `NEWTON_ERROR_USAGE`. */
export function parseBlock(option: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw usageError(option, value, `${option} must be a block number, got ${value}`);
  return Number(value);
}

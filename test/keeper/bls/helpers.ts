/** Test helpers shared by the keeper/bls tests (no tests here). */
import { expect } from "chai";
import fc from "fast-check";

import { BlsError, type BlsErrorType } from "../../../keeper/bls";

/** Runs `fn`, expects a `BlsError` with `code`, and returns it for further checks. */
export function expectBlsError(fn: () => unknown, code: BlsErrorType["code"]): BlsError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(BlsError);
    const e = err as BlsError;
    expect(e.code, e.message).to.equal(code);
    return e;
  }
  expect.fail(`expected BlsError ${code}, nothing was thrown`);
}

/** Async twin of `expectBlsError`. */
export async function expectBlsErrorAsync(fn: () => Promise<unknown>, code: BlsErrorType["code"]): Promise<BlsError> {
  try {
    await fn();
  } catch (err) {
    expect(err).to.be.instanceOf(BlsError);
    const e = err as BlsError;
    expect(e.code, e.message).to.equal(code);
    return e;
  }
  expect.fail(`expected BlsError ${code}, nothing was thrown`);
}

/** Hex (with or without 0x) → bytes. */
export function hex(value: string): Uint8Array {
  return Uint8Array.from(Buffer.from(value.replace(/^0x/, ""), "hex"));
}

/** Bytes → lower-case hex without 0x. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

/** 32 bytes of input keying material for KeyGen. */
export const ikmArb = fc.uint8Array({ minLength: 32, maxLength: 32 });

/** A message of 0–64 bytes. */
export const messageArb = fc.uint8Array({ minLength: 0, maxLength: 64 });

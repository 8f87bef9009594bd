/**
 * The StateCommitRegistry's write fee, byte for byte (`writeFee`, `baseFeePerByte`,
 * `_fakeExponential`, `_decayedExcess`): an EIP-4844-style base fee per declared byte. The CLI
 * uses it to price a write before sending it, the spam benchmark to price an attack, and the
 * tests as the reference model the contract is checked against.
 */

/** `StateCommitRegistry.MAX_FEE_EXPONENT`: the fee exponent `excess / updateFraction` is capped here. */
export const MAX_FEE_EXPONENT = 32n;

/** `setWriteFeeParams` arguments: wei per byte, bytes per block, bytes. */
export interface WriteFeeParams {
  readonly minBaseFeePerByte: bigint;
  readonly targetBytesPerBlock: bigint;
  readonly updateFraction: bigint;
}

/** `writeFeeState()`: the excess bytes as of `updatedAtBlock`. */
export interface WriteFeeState {
  readonly excessBytes: bigint;
  readonly updatedAtBlock: bigint;
}

const U64_MAX = 2n ** 64n - 1n;

/**
 * EIP-4844 `fake_exponential(factor, numerator, denominator)` ≈ factor·e^(numerator/denominator)
 * in integers, with the exponent capped at {@link MAX_FEE_EXPONENT} as on-chain.
 */
export function fakeExponential(factor: bigint, numerator: bigint, denominator: bigint): bigint {
  const cap = MAX_FEE_EXPONENT * denominator;
  const n = numerator > cap ? cap : numerator;
  let output = 0n;
  let accum = factor * denominator;
  for (let i = 1n; accum > 0n; i++) {
    output += accum;
    accum = (accum * n) / (denominator * i);
  }
  return output / denominator;
}

/** The excess at `block`: the stored excess minus the target per block since, floored at 0. */
export function decayedExcess(params: WriteFeeParams, state: WriteFeeState, block: bigint): bigint {
  if (state.excessBytes === 0n) return 0n;
  const decay = (block - state.updatedAtBlock) * params.targetBytesPerBlock;
  return decay >= state.excessBytes ? 0n : state.excessBytes - decay;
}

/** Base fee per declared byte at `block`, in wei (0 while the minimum is 0). */
export function baseFeePerByte(params: WriteFeeParams, state: WriteFeeState, block: bigint): bigint {
  if (params.minBaseFeePerByte === 0n) return 0n;
  return fakeExponential(params.minBaseFeePerByte, decayedExcess(params, state, block), params.updateFraction);
}

/**
 * One write of `byteLength` declared bytes at `block`: the fee it pays (wei) and the fee state
 * after it, as `proposeWrite` computes them.
 */
export function applyWrite(
  params: WriteFeeParams,
  state: WriteFeeState,
  block: bigint,
  byteLength: bigint,
): { fee: bigint; state: WriteFeeState } {
  if (params.minBaseFeePerByte === 0n || byteLength === 0n) return { fee: 0n, state };
  const excess = decayedExcess(params, state, block);
  const fee = byteLength * fakeExponential(params.minBaseFeePerByte, excess, params.updateFraction);
  const grown = excess + byteLength;
  return { fee, state: { excessBytes: grown > U64_MAX ? U64_MAX : grown, updatedAtBlock: block } };
}

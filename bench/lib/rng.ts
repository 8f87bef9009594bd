/**
 * Deterministic PRNG (mulberry32) filling byte arrays, so benchmark processes and cached trees see the same keys
 * and values for the same seed. Not cryptographic.
 * @param seed - any 32-bit integer.
 * @returns a function that fills `out` with the next bytes and returns it.
 */
export function rng(seed: number): (out: Uint8Array) => Uint8Array {
  let s = seed >>> 0;
  return (out) => {
    for (let i = 0; i < out.length; i += 4) {
      s = (s + 0x6d2b79f5) >>> 0;
      let t = s;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      const v = (t ^ (t >>> 14)) >>> 0;
      for (let j = 0; j < 4 && i + j < out.length; j++) out[i + j] = (v >>> (8 * j)) & 0xff;
    }
    return out;
  };
}

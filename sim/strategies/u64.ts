/**
 * Unsigned 64-bit arithmetic on two 32-bit halves, for the hot paths of the hashing strategies
 * (the jump-hash LCG and splitmix64, Envoy's xorshift*, Maglev's hash mod M), where BigInt would
 * allocate. A value is a
 * pair (hi, lo) of unsigned 32-bit integers; an operation leaves its result in the `wide`
 * object passed to it, so nothing is allocated.
 */

/** A 64-bit value as its high and low unsigned 32-bit halves. */
export interface Wide {
  hi: number;
  lo: number;
}

export function wide(hi = 0, lo = 0): Wide {
  return { hi, lo };
}

/** out = a × b mod 2^64. */
export function mul64(out: Wide, aHi: number, aLo: number, bHi: number, bLo: number): void {
  // aLo × bLo exactly, from 16-bit limbs (each partial product < 2^32, their sums < 2^34).
  const a0 = aLo & 0xffff, a1 = aLo >>> 16, b0 = bLo & 0xffff, b1 = bLo >>> 16;
  const p00 = a0 * b0;
  const mid = a0 * b1 + a1 * b0 + (p00 >>> 16);
  out.hi = (a1 * b1 + ((mid / 65536) >>> 0) + Math.imul(aHi, bLo) + Math.imul(aLo, bHi)) >>> 0;
  out.lo = (((mid & 0xffff) << 16) | (p00 & 0xffff)) >>> 0;
}

/** out = a + b mod 2^64. */
export function add64(out: Wide, aHi: number, aLo: number, bHi: number, bLo: number): void {
  const lo = aLo + bLo;
  out.lo = lo >>> 0;
  out.hi = (aHi + bHi + (lo > 0xffffffff ? 1 : 0)) >>> 0;
}

/** (hi · 2^32 + lo) mod m for 1 ≤ m ≤ 2^26, exactly (the products stay below 2^53). */
export function mod64(hi: number, lo: number, m: number): number {
  return (((hi % m) * (4294967296 % m)) + (lo % m)) % m;
}

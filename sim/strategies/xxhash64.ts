import type { Wide } from "./u64.js";

/**
 * xxHash64 (XXH64, Yann Collet), the hash Envoy uses for request keys, ring points, Maglev
 * offsets/skips and rendezvous host hashes (`HashUtil::xxHash64(value, seed = 0)`,
 * source/common/common/hash.h). Computed on 32-bit halves held in local variables, so hashing a key
 * allocates nothing and stays fast (`pick` hashes every request): the result is left in `out`.
 * `seed` is an unsigned 32-bit value (Envoy uses 0 and 1).
 */

const P1H = 0x9e3779b1, P1L = 0x85ebca87;
const P2H = 0xc2b2ae3d, P2L = 0x27d4eb4f;
const P3H = 0x165667b1, P3L = 0x9e3779f9;
const P4H = 0x85ebca77, P4L = 0xc2b2ae63;
const P5H = 0x27d4eb2f, P5L = 0x165667c5;

/** High half of the last `mul` or `round` result (the low half is returned). */
let H = 0;

/**
 * Low half of a × b mod 2^64; the high half goes to H. The same limb multiply as u64's `mul64`,
 * kept in this module on purpose: hashing runs on every request, and reading the product's high
 * half across a module boundary made a 6-byte hash take ~100 ns instead of ~65 ns (Node 20).
 */
function mul(aHi: number, aLo: number, bHi: number, bLo: number): number {
  const a0 = aLo & 0xffff, a1 = aLo >>> 16, b0 = bLo & 0xffff, b1 = bLo >>> 16;
  const p00 = a0 * b0;
  const mid = a0 * b1 + a1 * b0 + (p00 >>> 16);
  H = (a1 * b1 + ((mid / 65536) >>> 0) + Math.imul(aHi, bLo) + Math.imul(aLo, bHi)) >>> 0;
  return (((mid & 0xffff) << 16) | (p00 & 0xffff)) >>> 0;
}

/** XXH64_round: rotl(acc + lane × P2, 31) × P1; low half returned, high half in H. */
function round(accHi: number, accLo: number, laneHi: number, laneLo: number): number {
  let lo = mul(laneHi, laneLo, P2H, P2L);
  let hi = H;
  lo += accLo;
  hi = (hi + accHi + (lo > 0xffffffff ? 1 : 0)) >>> 0;
  lo >>>= 0;
  // rotl 31
  const rHi = ((hi << 31) | (lo >>> 1)) >>> 0, rLo = ((lo << 31) | (hi >>> 1)) >>> 0;
  return mul(rHi, rLo, P1H, P1L);
}

function read32(b: Uint8Array, p: number): number {
  return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
}

/** Writes xxHash64 of `bytes[start, end)` with the given seed into `out`. */
export function xxh64(bytes: Uint8Array, start: number, end: number, seed: number, out: Wide): void {
  const length = end - start;
  let p = start;
  let hi: number, lo: number;
  seed >>>= 0;
  if (length >= 32) {
    // v1 = seed + P1 + P2, v2 = seed + P2, v3 = seed, v4 = seed − P1 (all mod 2^64)
    let v1Lo = seed + P1L + P2L, v1Hi = (P1H + P2H + Math.floor(v1Lo / 4294967296)) >>> 0;
    v1Lo >>>= 0;
    let v2Lo = seed + P2L, v2Hi = (P2H + (v2Lo > 0xffffffff ? 1 : 0)) >>> 0;
    v2Lo >>>= 0;
    let v3Hi = 0, v3Lo = seed;
    let v4Lo = seed - P1L, v4Hi = ((v4Lo < 0 ? -1 : 0) - P1H) >>> 0;
    v4Lo >>>= 0;
    for (const limit = end - 32; p <= limit; p += 32) {
      v1Lo = round(v1Hi, v1Lo, read32(bytes, p + 4), read32(bytes, p));
      v1Hi = H;
      v2Lo = round(v2Hi, v2Lo, read32(bytes, p + 12), read32(bytes, p + 8));
      v2Hi = H;
      v3Lo = round(v3Hi, v3Lo, read32(bytes, p + 20), read32(bytes, p + 16));
      v3Hi = H;
      v4Lo = round(v4Hi, v4Lo, read32(bytes, p + 28), read32(bytes, p + 24));
      v4Hi = H;
    }
    // h = rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)
    lo = ((v1Lo << 1) | (v1Hi >>> 31)) >>> 0;
    hi = ((v1Hi << 1) | (v1Lo >>> 31)) >>> 0;
    lo += ((v2Lo << 7) | (v2Hi >>> 25)) >>> 0;
    hi += ((v2Hi << 7) | (v2Lo >>> 25)) >>> 0;
    lo += ((v3Lo << 12) | (v3Hi >>> 20)) >>> 0;
    hi += ((v3Hi << 12) | (v3Lo >>> 20)) >>> 0;
    lo += ((v4Lo << 18) | (v4Hi >>> 14)) >>> 0;
    hi += ((v4Hi << 18) | (v4Lo >>> 14)) >>> 0;
    hi = (hi + Math.floor(lo / 4294967296)) >>> 0;
    lo >>>= 0;
    // mergeRound with each lane: h = (h ^ round(0, v)) × P1 + P4
    for (let lane = 0; lane < 4; lane++) {
      const vHi = lane === 0 ? v1Hi : lane === 1 ? v2Hi : lane === 2 ? v3Hi : v4Hi;
      const vLo = lane === 0 ? v1Lo : lane === 1 ? v2Lo : lane === 2 ? v3Lo : v4Lo;
      const kLo = round(0, 0, vHi, vLo), kHi = H;
      lo = mul((hi ^ kHi) >>> 0, (lo ^ kLo) >>> 0, P1H, P1L) + P4L;
      hi = (H + P4H + (lo > 0xffffffff ? 1 : 0)) >>> 0;
      lo >>>= 0;
    }
  } else {
    lo = seed + P5L;
    hi = (P5H + (lo > 0xffffffff ? 1 : 0)) >>> 0;
    lo >>>= 0;
  }
  lo += length;
  hi = (hi + Math.floor(lo / 4294967296)) >>> 0;
  lo >>>= 0;

  for (; p + 8 <= end; p += 8) {
    // h = rotl(h ^ round(0, lane), 27) × P1 + P4
    const kLo = round(0, 0, read32(bytes, p + 4), read32(bytes, p)), kHi = H;
    const xHi = (hi ^ kHi) >>> 0, xLo = (lo ^ kLo) >>> 0;
    lo = mul(((xHi << 27) | (xLo >>> 5)) >>> 0, ((xLo << 27) | (xHi >>> 5)) >>> 0, P1H, P1L) + P4L;
    hi = (H + P4H + (lo > 0xffffffff ? 1 : 0)) >>> 0;
    lo >>>= 0;
  }
  if (p + 4 <= end) {
    // h = rotl(h ^ (lane32 × P1), 23) × P2 + P3
    const kLo = mul(0, read32(bytes, p), P1H, P1L), kHi = H;
    const xHi = (hi ^ kHi) >>> 0, xLo = (lo ^ kLo) >>> 0;
    lo = mul(((xHi << 23) | (xLo >>> 9)) >>> 0, ((xLo << 23) | (xHi >>> 9)) >>> 0, P2H, P2L) + P3L;
    hi = (H + P3H + (lo > 0xffffffff ? 1 : 0)) >>> 0;
    lo >>>= 0;
    p += 4;
  }
  for (; p < end; p++) {
    // h = rotl(h ^ (byte × P5), 11) × P1
    const kLo = mul(0, bytes[p], P5H, P5L), kHi = H;
    const xHi = (hi ^ kHi) >>> 0, xLo = (lo ^ kLo) >>> 0;
    lo = mul(((xHi << 11) | (xLo >>> 21)) >>> 0, ((xLo << 11) | (xHi >>> 21)) >>> 0, P1H, P1L);
    hi = H;
  }

  // Avalanche: h ^= h >> 33; h *= P2; h ^= h >> 29; h *= P3; h ^= h >> 32.
  lo = mul(hi, (lo ^ (hi >>> 1)) >>> 0, P2H, P2L);
  hi = H;
  lo = mul((hi ^ (hi >>> 29)) >>> 0, (lo ^ ((lo >>> 29) | (hi << 3))) >>> 0, P3H, P3L);
  hi = H;
  out.hi = hi;
  out.lo = (lo ^ hi) >>> 0;
}

const encoder = new TextEncoder();

/** xxHash64 of a string's UTF-8 bytes: for building tables and for tests, not for `pick`. */
export function xxh64String(text: string, seed: number, out: Wide): void {
  const bytes = encoder.encode(text);
  xxh64(bytes, 0, bytes.length, seed, out);
}

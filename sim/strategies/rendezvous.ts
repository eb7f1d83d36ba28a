import { z } from "zod";
import { defineStrategy } from "./define.js";
import { KeyHasher, sessionKeyOption } from "./key-hash.js";
import { mul64, wide } from "./u64.js";
import { xxh64String } from "./xxhash64.js";

/** xorshift* multiplier 2685821657736338717 (Envoy rendezvous_hash_lb.cc). */
const MULT_HI = 0x2545f491, MULT_LO = 0x4f6cdd1d;
const LN_2 = 0.6931471805599453;

/** A double and its bits, to read and write exponent and mantissa without allocating. */
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Index of the half holding sign, exponent and the top 20 mantissa bits. */
const HI = LITTLE_ENDIAN ? 1 : 0;

/**
 * Envoy's fast log2: the mantissa is moved into [0.75, 1.5) and log2(1 + t) approximated by
 * t(0.338953 t + 2.198599)/(t + 1.523692) (rendezvous_hash_lb.cc).
 */
export function fastLog2(x: number): number {
  f64[0] = x;
  const bitsHi = u32[HI];
  const exponent = (bitsHi >>> 20) & 0x7ff;
  const mantissaHi = bitsHi & 0xfffff;
  const newExponent = 1023 ^ (mantissaHi >>> 19);
  u32[HI] = (newExponent << 20) | mantissaHi;
  const t = f64[0] - 1.0;
  return exponent - newExponent + (t * (0.338953 * t + 2.198599)) / (t + 1.523692);
}

const mixed = wide();

/**
 * Envoy's rendezvous score of a host for a key (rendezvous_hash_lb.cc): −w / ln(u) where
 * u = (xorshift*(key XOR hostHash) & (2^53 − 1)) / 2^53, with Envoy's fast logarithm. Since
 * −ln(u) is Exp(1), a host wins with probability w / Σw.
 */
export function rendezvousScore(keyHi: number, keyLo: number, hostHi: number, hostLo: number, weight: number): number {
  let hi = (keyHi ^ hostHi) >>> 0, lo = (keyLo ^ hostLo) >>> 0;
  // x ^= x >> 12; x ^= x << 25; x ^= x >> 27; x *= 2685821657736338717
  lo = (lo ^ ((lo >>> 12) | (hi << 20))) >>> 0;
  hi = (hi ^ (hi >>> 12)) >>> 0;
  hi = (hi ^ ((hi << 25) | (lo >>> 7))) >>> 0;
  lo = (lo ^ (lo << 25)) >>> 0;
  lo = (lo ^ ((lo >>> 27) | (hi << 5))) >>> 0;
  hi = (hi ^ (hi >>> 27)) >>> 0;
  mul64(mixed, hi, lo, MULT_HI, MULT_LO);
  const u = ((mixed.hi & 0x1fffff) * 4294967296 + mixed.lo) * 1.1102230246251565e-16; // × 2^-53
  return -weight / (fastLog2(u) * LN_2);
}

/**
 * Rendezvous (highest-random-weight) hashing as Envoy's rendezvous_hash load balancer does it
 * (Thaler & Ravishankar 1998; rendezvous_hash_lb.cc): every accepting server scores the key with
 * −w/ln(u), u a hash of the key and the server's xxHash64(address), and the highest score
 * wins (the first in configuration order on a tie). Weighted with Envoy's normalised weights:
 * a server's share is its weight over the accepting servers' total. A server going down moves
 * only its own keys, each to its second choice, spread evenly; a server added takes 1/(N+1) of
 * the keys, all to it. O(N) per request.
 */
export const rendezvous = defineStrategy({
  id: "rendezvous",
  summary: "Rendezvous (highest random weight) hashing, Envoy's variant: minimal movement, weight-proportional shares, O(N) per request.",
  models: "Rendezvous / HRW hashing (Thaler & Ravishankar 1998) as Envoy's rendezvous_hash computes it (rendezvous_hash_lb.cc)",
  options: z.strictObject({ key: sessionKeyOption }),
  create(pool, _random, options) {
    const hasher = new KeyHasher(options.key);
    const hash = wide();
    // Host hashes by capacity, computed as servers appear.
    const hostHi = new Uint32Array(pool.weights.length), hostLo = new Uint32Array(pool.weights.length);
    let hashed = 0;
    let servers = new Int32Array(0);
    let weights = new Float64Array(0);
    const rebuild = () => {
      for (; hashed < pool.size; hashed++) {
        xxh64String(pool.addresses[hashed], 0, hash);
        hostHi[hashed] = hash.hi;
        hostLo[hashed] = hash.lo;
      }
      const list: number[] = [];
      let sum = 0;
      for (let s = 0; s < pool.size; s++) {
        if (pool.accepting[s] && pool.weights[s] > 0) {
          list.push(s);
          sum += pool.weights[s];
        }
      }
      servers = Int32Array.from(list);
      weights = Float64Array.from(list, (s) => (pool.weights[s] * 1.0) / sum);
    };
    rebuild();
    return {
      poolChanged: rebuild,
      pick(request) {
        const n = servers.length;
        if (n === 0) return -1;
        hasher.hash(request, hash);
        let best = servers[0];
        let bestScore = rendezvousScore(hash.hi, hash.lo, hostHi[best], hostLo[best], weights[0]);
        for (let i = 1; i < n; i++) {
          const s = servers[i];
          const score = rendezvousScore(hash.hi, hash.lo, hostHi[s], hostLo[s], weights[i]);
          if (score > bestScore) {
            bestScore = score;
            best = s;
          }
        }
        return best;
      },
    };
  },
});

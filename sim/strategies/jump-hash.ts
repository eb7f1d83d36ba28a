import { z } from "zod";
import { defineStrategy } from "./define.js";
import { KeyHasher, sessionKeyOption } from "./key-hash.js";
import { type Wide, add64, mul64, wide } from "./u64.js";

/** The LCG multiplier 2862933555777941757 (L'Ecuyer), as 32-bit halves (Lamping & Veach 2014). */
const LCG_HI = 0x27bb2ee6, LCG_LO = 0x87b0b0fd;

/** Re-hashes of a key whose bucket is not accepting before falling back to the accepting list. */
const MAX_REHASH = 64;

const lcg = wide();

/**
 * Jump consistent hash (Lamping & Veach, "A Fast, Minimal Memory, Consistent Hash Algorithm", 2014)
 * of the 64-bit key (hi, lo) into [0, n): the bucket count at which the key last jumps, following
 * the key through the 64-bit LCG key·2862933555777941757 + 1 and jumping to
 * ⌊(b + 1) · 2^31 / ((key >> 33) + 1)⌋ in IEEE doubles, exactly as the paper's C code. Allocates
 * nothing.
 */
export function jumpHash(hi: number, lo: number, n: number): number {
  let b = -1, j = 0;
  lcg.hi = hi;
  lcg.lo = lo;
  while (j < n) {
    b = j;
    mul64(lcg, lcg.hi, lcg.lo, LCG_HI, LCG_LO);
    add64(lcg, lcg.hi, lcg.lo, 0, 1);
    j = Math.floor((b + 1) * (2147483648 / ((lcg.hi >>> 1) + 1)));
  }
  return b;
}

/** splitmix64's increment, the golden ratio 0x9E3779B97F4A7C15. */
const GOLDEN_HI = 0x9e3779b9, GOLDEN_LO = 0x7f4a7c15;
const MIX1_HI = 0xbf58476d, MIX1_LO = 0x1ce4e5b9;
const MIX2_HI = 0x94d049bb, MIX2_LO = 0x133111eb;

/**
 * out = splitmix64's output for state (hi, lo) (Steele, Lea & Flood 2014): z ^= z >> 30,
 * z ·= 0xBF58476D1CE4E5B9, z ^= z >> 27, z ·= 0x94D049BB133111EB, z ^= z >> 31.
 */
function splitmix(out: Wide, hi: number, lo: number): void {
  mul64(out, (hi ^ (hi >>> 30)) >>> 0, (lo ^ ((lo >>> 30) | (hi << 2))) >>> 0, MIX1_HI, MIX1_LO);
  const h1 = out.hi, l1 = out.lo;
  mul64(out, (h1 ^ (h1 >>> 27)) >>> 0, (l1 ^ ((l1 >>> 27) | (h1 << 5))) >>> 0, MIX2_HI, MIX2_LO);
  const h2 = out.hi, l2 = out.lo;
  out.hi = (h2 ^ (h2 >>> 31)) >>> 0;
  out.lo = (l2 ^ ((l2 >>> 31) | (h2 << 1))) >>> 0;
}

/**
 * Jump consistent hash (Lamping & Veach 2014, arXiv:1406.2294) over the pool's servers: bucket b of
 * Σ weights buckets belongs to server s when b falls in s's run of `weight` buckets, in
 * configuration order (all weights 1: bucket = server index, as in the paper). The key is the
 * xxHash64 of the session id (or address), never the raw integer (key 0 always lands in
 * bucket 0: its first LCG step gives 1).
 *
 * Jump hash can only add or remove the last bucket; a server in the middle going down is
 * handled by re-hashing: a key whose bucket belongs to a server not accepting draws a new key
 * from splitmix64 seeded with its hash and jumps again over all buckets, up to 64 times; a key
 * still unplaced after that (about 0.1 % of a down server's keys even with 90 % of the pool
 * down) takes the accepting server jump(key, accepting count) in the list of accepting servers.
 * Every key keeps its server while that server is up, a down server's keys spread evenly over
 * the others, and they return when it comes back: minimal movement, like rendezvous. A server
 * appended to the pool takes 1/(N+1) of the keys, all from the others and all to it; changing
 * a weight shifts the later servers' buckets and remaps like renumbering.
 */
export const jumpHashStrategy = defineStrategy({
  id: "jump-hash",
  summary: "Jump consistent hash (Lamping & Veach): no table, perfect balance, adding a server moves exactly its 1/(N+1) share.",
  models: "Jump consistent hash, Lamping & Veach 2014 (arXiv:1406.2294)",
  options: z.strictObject({ key: sessionKeyOption }),
  create(pool, _random, options) {
    const hasher = new KeyHasher(options.key);
    const hash = wide(), state = wide(), key = wide();
    let buckets = new Int32Array(0);
    let acceptingList = new Int32Array(0);
    const rebuild = () => {
      let total = 0;
      for (let s = 0; s < pool.size; s++) total += Math.max(0, pool.weights[s]);
      buckets = new Int32Array(total);
      for (let s = 0, b = 0; s < pool.size; s++) for (let w = 0; w < pool.weights[s]; w++) buckets[b++] = s;
      const list: number[] = [];
      for (let s = 0; s < pool.size; s++) if (pool.accepting[s] && pool.weights[s] > 0) list.push(s);
      acceptingList = Int32Array.from(list);
    };
    rebuild();
    return {
      poolChanged: rebuild,
      pick(request) {
        if (acceptingList.length === 0) return -1;
        hasher.hash(request, hash);
        const accepting = pool.accepting, n = buckets.length;
        let s = buckets[jumpHash(hash.hi, hash.lo, n)];
        if (accepting[s]) return s;
        state.hi = hash.hi;
        state.lo = hash.lo;
        for (let attempt = 0; attempt < MAX_REHASH; attempt++) {
          add64(state, state.hi, state.lo, GOLDEN_HI, GOLDEN_LO);
          splitmix(key, state.hi, state.lo);
          s = buckets[jumpHash(key.hi, key.lo, n)];
          if (accepting[s]) return s;
        }
        return acceptingList[jumpHash(key.hi, key.lo, acceptingList.length)];
      },
    };
  },
});

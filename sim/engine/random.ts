import seedrandom from "seedrandom";

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

/**
 * A named sequential stream derived from the run seed. Alea is several times faster than
 * seedrandom's default ARC4 and is deterministic on every platform.
 */
export function stream(seed: number, purpose: string): Random {
  return seedrandom.alea(`${seed}/${purpose}`);
}

/**
 * Counter-based uniforms: `at(a, b)` is a fixed function of (stream key, a, b), so a draw keyed
 * by what it is about comes out the same whatever order the events ask for it in (common random
 * numbers across runs whose events are ordered differently).
 * The mixing is MurmurHash3's x86_32 block and finaliser (Appleby, public domain), keyed twice
 * to give 53 random bits.
 */
export class KeyedRandom {
  readonly #k1: number;
  readonly #k2: number;

  constructor(seed: number, purpose: string) {
    const keys = stream(seed, `keyed:${purpose}`);
    this.#k1 = (keys() * 0x100000000) >>> 0;
    this.#k2 = (keys() * 0x100000000) >>> 0;
  }

  at(a: number, b: number): number {
    const hi = murmur3(this.#k1, a, b) >>> 11; // 21 bits
    const lo = murmur3(this.#k2, a, b); // 32 bits
    return (hi * 0x100000000 + lo) / 9007199254740992; // 2^53
  }

  /** A number `at(a, b)` is certainly below, from half of its hashing: its top 21 bits, plus one. */
  above(a: number, b: number): number {
    return ((murmur3(this.#k1, a, b) >>> 11) + 1) / 2097152; // 2^21
  }
}

function murmur3(seed: number, a: number, b: number): number {
  let h = block(block(seed, a | 0), b | 0);
  h ^= 8;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function block(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

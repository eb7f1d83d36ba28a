import { CRC32_INIT, crc32Final, crc32Update } from "./crc32.js";
import { firstAtOrAfter } from "./nginx-hash-consistent.js";

/** Points per node of weight 1 (`CONSISTENT_POINTS`, lib/resty/chash.lua); ingress-nginx gives every endpoint weight 1. */
export const RESTY_CHASH_POINTS = 160;

/** Sort keys are hash · 2^21 + rank: exact in a double for ranks below 2^21 (a ring of 2^21 × 160 points would not fit in memory). */
const RANK_SPAN = 2 ** 21;

/**
 * lua-resty-balancer's consistent-hash ring, as ingress-nginx's `sticky_balanced` builds it over
 * the endpoints (openresty/lua-resty-balancer lib/resty/chash.lua `_precompute`, `_find_id`;
 * chash.c `chash_point_init_crc`, `chash_point_sort`):
 *
 * - a node's id is its `"ip:port"` text; its base is the CRC-32 of the id left unfinalised
 *   (`crc32(id) xor 0xffffffff`), and point i is that CRC continued over the previous point as 4
 *   little-endian bytes, then finalised: CRC32(id ‖ LE32(p[i−1])) with p[−1] = 0, 160 points;
 * - all points are sorted by hash; chash.c's bucket sort keeps equal hashes in insertion order,
 *   nodes inserted in the order Lua's `pairs` visits the node table. lbsim inserts them in
 *   configuration order, so only a point of one node equal to a point of another can differ;
 * - a key goes to the first point whose hash is at least the key's CRC-32, wrapping to point 0.
 *   `_find_id` starts its scan at ⌊hash / (2^32 / points)⌋; a binary search finds the same point.
 *
 * The ring is rebuilt from scratch on every change (`reinit`, as ingress-nginx does when the
 * endpoint list changes). The library's `next` (the following point) is not used by the sticky
 * balancers, which draw a new key instead.
 */
export class RestyChashRing {
  readonly #addresses: readonly string[];
  /** Each server's CRC-32 state after its address text, computed when first needed. */
  readonly #base: Int32Array;
  readonly #hasBase: Uint8Array;
  readonly #previous = new Uint8Array(4);
  #hashes = new Uint32Array(0);
  #owners = new Int32Array(0);
  #sortKeys = new Float64Array(0);

  /**
   * `addresses` is the pool's list, read when a server first enters the ring (the balancer appends
   * an added server's address); `capacity` is every server the pool can hold.
   */
  constructor(addresses: readonly string[], capacity: number) {
    this.#addresses = addresses;
    this.#base = new Int32Array(capacity);
    this.#hasBase = new Uint8Array(capacity);
  }

  /** Rebuilds the ring over `nodes[0..count)`: server indices, in insertion order. */
  rebuild(nodes: Int32Array, count: number): void {
    const total = count * RESTY_CHASH_POINTS;
    if (this.#sortKeys.length < total) this.#sortKeys = new Float64Array(total);
    const keys = this.#sortKeys.subarray(0, total);
    const previous = this.#previous;
    let n = 0;
    for (let rank = 0; rank < count; rank++) {
      const base = this.#baseOf(nodes[rank]);
      previous.fill(0);
      for (let i = 0; i < RESTY_CHASH_POINTS; i++) {
        const point = crc32Final(crc32Update(base, previous, 0, 4));
        keys[n++] = point * RANK_SPAN + rank;
        previous[0] = point & 0xff;
        previous[1] = (point >>> 8) & 0xff;
        previous[2] = (point >>> 16) & 0xff;
        previous[3] = point >>> 24;
      }
    }
    keys.sort();
    this.#hashes = new Uint32Array(total);
    this.#owners = new Int32Array(total);
    for (let i = 0; i < total; i++) {
      const hash = Math.floor(keys[i] / RANK_SPAN);
      this.#hashes[i] = hash;
      this.#owners[i] = nodes[keys[i] - hash * RANK_SPAN];
    }
  }

  /** The server owning the first point at or after `hash` (wrapping), -1 for an empty ring. */
  find(hash: number): number {
    const n = this.#hashes.length;
    if (n === 0) return -1;
    const i = firstAtOrAfter(this.#hashes, hash);
    return this.#owners[i === n ? 0 : i];
  }

  #baseOf(server: number): number {
    if (!this.#hasBase[server]) {
      const text = new TextEncoder().encode(this.#addresses[server]);
      this.#base[server] = crc32Update(CRC32_INIT, text, 0, text.length);
      this.#hasBase[server] = 1;
    }
    return this.#base[server];
  }
}

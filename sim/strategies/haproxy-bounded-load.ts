import type { PoolView } from "./define.js";
import { NODES_PER_WEIGHT, type HaproxyChashRing, type ServerFilter } from "./haproxy-chash.js";

/**
 * HAProxy's `hash-balance-factor` eligibility test (`chash_server_is_eligible` in src/lb_chash.c;
 * after Mirrokni, Thorup and Zadimoghaddam, SODA 2018). Before each pick, `prepare()` counts the
 * requests the backend is serving (`pool.activeTotal`, kept as they come and go) and splits
 * T = ceil((served + 1) · factor / 100) slots over the usable servers in proportion to their
 * effective weight; a server is admitted while it serves fewer requests than its slots.
 *
 * Arithmetic is HAProxy's unsigned 32-bit arithmetic, wrap-around included.
 */
export class HaproxyBoundedLoad implements ServerFilter {
  readonly #pool: PoolView;
  readonly #ring: HaproxyChashRing;
  readonly #factor: number;
  /**
   * Effective weight of the servers before each one (HAProxy `cumulative_weight`). HAProxy sets it
   * in `recount_servers`, which consistent hashing calls only at startup, when every server
   * counts as up: a server going down or a weight change later does not update it (2.6 and
   * 3.5-dev alike), so after a change the slots no longer follow the usable servers' order
   * exactly. lbsim keeps the startup values, as HAProxy does; a server added later keeps 0 (the
   * array is sized by capacity), as a server HAProxy adds at run time is never recounted (assumed).
   */
  readonly #cumulative: Uint32Array;
  #perWeight = 0;
  #remainder = 0;

  constructor(pool: PoolView, ring: HaproxyChashRing, factor: number) {
    this.#pool = pool;
    this.#ring = ring;
    this.#factor = factor;
    this.#cumulative = new Uint32Array(pool.weights.length);
    let sum = 0;
    for (let i = 0; i < pool.size; i++) {
      this.#cumulative[i] = sum;
      if (pool.weights[i] > 0) sum = (sum + pool.weights[i] * NODES_PER_WEIGHT) >>> 0;
    }
  }

  /** Takes the backend's current load; call once per pick, before `admits`. */
  prepare(): void {
    const served = this.#pool.activeTotal;
    // The +1 counts the request being placed.
    const slots = Math.floor((((Math.imul(served + 1, this.#factor) >>> 0) + 99) >>> 0) / 100);
    const weight = this.#ring.totalWeight;
    this.#perWeight = Math.floor(slots / weight);
    this.#remainder = slots % weight;
  }

  /** How many requests `server` may serve at once under the load taken by `prepare()`. */
  slots(server: number): number {
    const e = this.#ring.effective[server], c = this.#cumulative[server];
    const r = this.#remainder, w = this.#ring.totalWeight;
    const share = (Math.floor((Math.imul((c + e) >>> 0, r) >>> 0) / w) - Math.floor((Math.imul(c, r) >>> 0) / w)) >>> 0;
    const slots = ((Math.imul(e, this.#perWeight) >>> 0) + share) >>> 0;
    return slots === 0 ? 1 : slots;
  }

  admits(server: number): boolean {
    return this.#pool.active[server] < this.slots(server);
  }
}

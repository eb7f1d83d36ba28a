import type { PoolView } from "./define.js";

/** Sum of the configured weights of every server, down ones included (nginx's `peers->total_weight`). */
export function totalWeight(pool: PoolView): number {
  let total = 0;
  for (let i = 0; i < pool.size; i++) total += pool.weights[i];
  return total;
}

/**
 * nginx's `ip_hash`/`hash` peer walk (ngx_http_upstream_get_ip_hash_peer,
 * ngx_http_upstream_get_hash_peer): the server whose weight range holds w, 0 <= w < the total
 * weight, down servers included. nginx walks the servers in configuration order subtracting
 * each weight; the first server whose running sum of weights exceeds w is the one the walk stops
 * at, so a binary search over those sums finds the same server in log(servers) steps. nginx
 * `random` locates its draw the same way (ngx_http_upstream_peek_random_peer's `ranges`).
 * Call `rebuild()` when the weights or the number of servers change.
 */
export class WeightRanges {
  readonly #pool: PoolView;
  /** ends[p]: the weights of servers 0..p added up. */
  #ends = new Float64Array(0);
  /** The total weight, down servers included (nginx's `peers->total_weight`). */
  total = 0;

  constructor(pool: PoolView) {
    this.#pool = pool;
    this.rebuild();
  }

  rebuild(): void {
    const { size, weights } = this.#pool;
    this.#ends = new Float64Array(size);
    let sum = 0;
    for (let p = 0; p < size; p++) this.#ends[p] = sum += weights[p];
    this.total = sum;
  }

  serverAt(w: number): number {
    const ends = this.#ends;
    let low = 0, high = ends.length - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (ends[mid] > w) high = mid;
      else low = mid + 1;
    }
    return low;
  }
}

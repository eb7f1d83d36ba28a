import type { PoolView } from "./define.js";

/**
 * nginx's smooth weighted round robin (REFERENCE.md §2.4, ngx_http_upstream_get_peer): each
 * eligible peer adds its effective weight to its current weight; the largest current weight
 * wins and gives back the total. Equal weights cycle in configuration order starting at the
 * first server. nginx raises a peer's effective weight back towards its weight after
 * failures; lbsim has no passive failure accounting, so effective weight equals weight.
 */
export class SmoothWeightedRoundRobin {
  readonly #pool: PoolView;
  #current: Float64Array;

  constructor(pool: PoolView) {
    this.#pool = pool;
    this.#current = new Float64Array(pool.size);
  }

  pick(): number {
    const { size, eligible, weights } = this.#pool;
    if (this.#current.length !== size) this.#current = new Float64Array(size);
    const current = this.#current;
    let best = -1;
    let total = 0;
    for (let i = 0; i < size; i++) {
      if (!eligible[i]) continue;
      current[i] += weights[i];
      total += weights[i];
      if (best < 0 || current[i] > current[best]) best = i;
    }
    if (best >= 0) current[best] -= total;
    return best;
  }
}

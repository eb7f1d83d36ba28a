import type { PoolView } from "./define.js";
import { totalWeight } from "./weights.js";

/**
 * nginx's smooth weighted round robin (ngx_http_upstream_round_robin.c,
 * ngx_http_upstream_get_peer): each accepting peer adds its effective weight to its current weight;
 * the largest current weight wins and gives back the total. Equal weights cycle in configuration
 * order starting at the first server. nginx raises a peer's effective weight back towards its
 * weight after failures; lbsim has no passive failure accounting, so effective weight equals
 * weight.
 */
export class SmoothWeightedRoundRobin {
  readonly #pool: PoolView;
  /** Sized by capacity, so servers added later start at current weight 0 and nothing is reallocated. */
  readonly #current: Float64Array;

  constructor(pool: PoolView) {
    this.#pool = pool;
    this.#current = new Float64Array(pool.weights.length);
  }

  /**
   * The next server, skipping `excluded` (a server already tried, or -1). `hint` (nginx ≥ 1.29.6
   * `sticky`; ngx_http_upstream_get_peer) is an eligible server to return instead: the weights
   * still move as if it had won the round, so servers holding many bound clients get fewer new
   * ones, except when its current weight is already at or below −(total weight − its weight), when
   * nothing moves (nginx "accounts only one sticky request in a row"; the total counts down servers
   * too). A hint that is not accepting (draining) moves nothing either: it is outside the rotation,
   * so its bound requests cannot shift the others' turns (an lbsim choice).
   */
  pick(hint = -1, excluded = -1): number {
    const { size, accepting, weights } = this.#pool;
    const current = this.#current;
    if (hint >= 0 && (!accepting[hint] || current[hint] <= -(totalWeight(this.#pool) - weights[hint]))) return hint;
    let best = -1;
    let total = 0;
    for (let i = 0; i < size; i++) {
      if (!accepting[i] || i === excluded) continue;
      current[i] += weights[i];
      total += weights[i];
      if (best < 0 || current[i] > current[best]) best = i;
    }
    if (hint >= 0) best = hint;
    if (best >= 0) current[best] -= total;
    return best;
  }
}

import type { PoolView } from "./define.js";

/**
 * Least outstanding requests (AWS ALB `least_outstanding_requests`, Classic ELB over HTTP; AWS ALB
 * and Classic Load Balancer user guides): the accepting server with the fewest requests in flight or
 * queued (`pool.active`). AWS documents no tie-break and no weights; lbsim compares
 * (active + 1) / weight, as HAProxy's leastconn does, so equal weights reduce to the plain count, and breaks ties
 * round robin by starting each scan after the previous pick, so idle servers take turns instead of
 * the first one taking every request of a quiet period.
 */
export class LeastOutstanding {
  readonly #pool: PoolView;
  #start = 0;

  constructor(pool: PoolView) {
    this.#pool = pool;
  }

  /** The least loaded accepting server other than `excluded`; -1 when there is none. */
  pick(excluded = -1): number {
    const { size, accepting, active, weights } = this.#pool;
    let best = -1;
    for (let k = 0, i = this.#start < size ? this.#start : 0; k < size; k++, i = i + 1 === size ? 0 : i + 1) {
      if (!accepting[i] || i === excluded) continue;
      // (a_i + 1) / w_i < (a_best + 1) / w_best, without division.
      if (best < 0 || (active[i] + 1) * weights[best] < (active[best] + 1) * weights[i]) best = i;
    }
    if (best >= 0) this.#start = best + 1 === size ? 0 : best + 1;
    return best;
  }
}

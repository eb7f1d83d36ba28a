import type { PoolView } from "./define.js";
import { SmoothWeightedRoundRobin } from "./smooth-weighted-round-robin.js";

/**
 * HAProxy-style `balance roundrobin` dispatch: a pointer moves along a fixed cycle of servers and
 * skips those that are not accepting, so with equal weights the others keep their turn order
 * (recorded: s1, s2, s3, s1, ...; with s2 down the pointer goes on to s3, then s1).
 * The cycle for unequal weights is nginx's smooth sequence (a a b a c a a for 5, 1, 1); HAProxy's
 * own weighted tree (fwrr) may order those turns differently (README, "Where lbsim simplifies").
 */
export class RotatingRoundRobin {
  readonly #pool: PoolView;
  #cycle = new Int32Array(0);
  #next = 0;

  constructor(pool: PoolView) {
    this.#pool = pool;
    this.rebuild();
  }

  /**
   * Recomputes the cycle from the weights of the servers that exist (call when weights or size
   * change). The pointer keeps its place when it still falls inside the new cycle.
   */
  rebuild(): void {
    const { size, weights, names, addresses, ids, active, activeTotal } = this.#pool;
    const all = new Uint8Array(weights.length).fill(1, 0, size);
    // The same servers, every one of them taken as accepting: the order the cycle repeats (load plays no part).
    const smooth = new SmoothWeightedRoundRobin({ size, names, addresses, ids, weights, active, activeTotal, eligible: all, accepting: all });
    let length = 0;
    for (let i = 0; i < size; i++) length += weights[i];
    this.#cycle = Int32Array.from({ length }, () => smooth.pick());
    if (this.#next >= length) this.#next = 0;
  }

  /** The next accepting server in turn, other than `excluded`; -1 when there is none. */
  pick(excluded = -1): number {
    const cycle = this.#cycle, accepting = this.#pool.accepting;
    for (let step = 0; step < cycle.length; step++) {
      const server = cycle[this.#next];
      this.#next = (this.#next + 1) % cycle.length;
      if (accepting[server] && server !== excluded) return server;
    }
    return -1;
  }
}

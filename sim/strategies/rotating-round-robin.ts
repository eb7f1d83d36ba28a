import type { PoolView } from "./define.js";
import { SmoothWeightedRoundRobin } from "./smooth-weighted-round-robin.js";

/**
 * HAProxy-style `balance roundrobin` dispatch: a pointer moves along a fixed cycle of servers and
 * skips those that are down, so with equal weights the others keep their turn order
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

  /** Recomputes the cycle from the configured weights (call when weights change). */
  rebuild(): void {
    const { size, weights } = this.#pool;
    const all: PoolView = { ...this.#pool, eligible: new Uint8Array(size).fill(1) };
    const smooth = new SmoothWeightedRoundRobin(all);
    const length = weights.reduce((a, b) => a + b, 0);
    this.#cycle = Int32Array.from({ length }, () => smooth.pick());
    this.#next = 0;
  }

  /** The next eligible server in turn, other than `excluded`; -1 when there is none. */
  pick(excluded = -1): number {
    const cycle = this.#cycle, eligible = this.#pool.eligible;
    for (let step = 0; step < cycle.length; step++) {
      const server = cycle[this.#next];
      this.#next = (this.#next + 1) % cycle.length;
      if (eligible[server] && server !== excluded) return server;
    }
    return -1;
  }
}

import type { PoolView } from "./define.js";

/**
 * HAProxy's map-based server table (`hash-type map-based`; REFERENCE §3.2, src/lb_map.c
 * `init_server_map` and `recalc_server_map`): one slot per unit of effective weight, spread by
 * HAProxy's score walk, rebuilt from the usable servers on every up/down change. A hash picks
 * `slots[h mod total]`.
 */
export class HaproxyMap {
  /** Server index per slot; the first `total` entries are in use. */
  slots = new Int32Array(0);
  /** Map length: the sum of the usable servers' effective weights (HAProxy `tot_weight`); 0 when none. */
  total = 0;
  /** Usable servers (HAProxy `tot_used`): with exactly one, HAProxy does not hash. */
  used = 0;
  readonly #pool: PoolView;
  readonly #effective: Int32Array;
  readonly #score: Int32Array;

  constructor(pool: PoolView) {
    this.#pool = pool;
    this.#effective = new Int32Array(pool.size);
    this.#score = new Int32Array(pool.size);
    this.rebuild();
  }

  /** Recomputes the map from the pool's current eligibility and weights. */
  rebuild(): void {
    const { size, weights, eligible } = this.#pool;
    const effective = this.#effective, score = this.#score;
    // Weights are divided by the GCD of the non-zero weights of all servers, up or down
    // (init_server_map), so weights 2,2 give a map of 2 slots, not 4.
    let g = 0;
    for (let i = 0; i < size; i++) if (weights[i] > 0) g = gcd(g, weights[i]);
    let total = 0, used = 0;
    for (let i = 0; i < size; i++) {
      effective[i] = weights[i] > 0 ? Math.ceil(weights[i] / g) : 0;
      score[i] = 0;
      // srv_willbe_usable: up as far as health checks know, with a non-zero effective weight.
      if (eligible[i] && effective[i] > 0) {
        total += effective[i];
        used++;
      }
    }
    this.total = total;
    this.used = used;
    if (this.slots.length < total) this.slots = new Int32Array(total);
    for (let o = 0; o < total; o++) {
      let best = -1, max = 0;
      for (let i = 0; i < size; i++) {
        if (!eligible[i] || effective[i] === 0) continue;
        if (total === 1) {
          best = i;
          break;
        }
        score[i] += effective[i];
        // C integer division truncates toward zero; the first server with the largest v wins.
        const v = Math.trunc((score[i] + total) / total);
        if (best < 0 || v > max) {
          max = v;
          best = i;
        }
      }
      this.slots[o] = best;
      score[best] -= total;
    }
  }

  /** The server for hash `h` (unsigned 32-bit), or -1 when no server is usable. */
  lookup(h: number): number {
    return this.total === 0 ? -1 : this.slots[(h >>> 0) % this.total];
  }
}

function gcd(a: number, b: number): number {
  while (b !== 0) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

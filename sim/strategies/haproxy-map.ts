import type { PoolView } from "./define.js";

/**
 * HAProxy's map-based server table (`hash-type map-based`; src/lb_map.c
 * `init_server_map` and `recalc_server_map`): one slot per unit of effective weight, spread by
 * HAProxy's score walk, rebuilt from the usable servers on every up/down change. A hash picks
 * `slots[h mod total]`. Usable means accepting: a draining server (HAProxy `drain`, weight 0) leaves
 * the map. Per-server arrays are sized by the pool's capacity, so servers added later fit.
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
  /** Per server: floor(wscore / total) in recalc_server_map's terms (see rebuild). */
  readonly #level: Int32Array;
  /** Per server: how many multiples of `total` its accumulated weight has passed so far. */
  readonly #gained: Int32Array;
  /** Leaf count of the tree below, a power of two; server i is node `#leaves + i`. */
  readonly #leaves: number;
  /** Per tree node: the first server with the highest level below it, -1 if none is usable. */
  readonly #best: Int32Array;
  /** Per tree node: the earliest slot at which a server below it gains a level. */
  readonly #due: Float64Array;

  constructor(pool: PoolView) {
    this.#pool = pool;
    const capacity = pool.weights.length;
    this.#effective = new Int32Array(capacity);
    this.#level = new Int32Array(capacity);
    this.#gained = new Int32Array(capacity);
    let leaves = 1;
    while (leaves < capacity) leaves *= 2;
    this.#leaves = leaves;
    this.#best = new Int32Array(2 * leaves);
    this.#due = new Float64Array(2 * leaves);
    this.rebuild();
  }

  /** Recomputes the map from the pool's current size, accepting flags and weights. */
  rebuild(): void {
    const { size, weights, accepting } = this.#pool;
    const effective = this.#effective;
    // Weights are divided by the GCD of the non-zero weights of all servers, up or down
    // (init_server_map), so weights 2,2 give a map of 2 slots, not 4.
    let g = 0;
    for (let i = 0; i < size; i++) if (weights[i] > 0) g = gcd(g, weights[i]);
    let total = 0, used = 0;
    for (let i = 0; i < size; i++) {
      effective[i] = weights[i] > 0 ? Math.ceil(weights[i] / g) : 0;
      // srv_willbe_usable: up as far as health checks know, with a non-zero effective weight.
      if (accepting[i] && effective[i] > 0) {
        total += effective[i];
        used++;
      }
    }
    this.total = total;
    this.used = used;
    if (this.slots.length < total) this.slots = new Int32Array(total);

    // recalc_server_map fills slot o by adding each usable server's weight to its wscore, taking
    // the first server with the largest (wscore + total) / total and subtracting total from its
    // wscore: O(total × servers). Before slot o a server's wscore is (o+1)·eff − picks·total, and
    // the scores sum to total, so the pick has wscore ≥ 0 and every wscore stays above −total:
    // the C division is a floor, and the comparison is on level = floor((o+1)·eff / total) − picks.
    // A level rises at the eff slots where (o+1)·eff reaches a multiple of total and falls when
    // picked, so 2·total updates of a tree that keeps the first highest level give the same map.
    // (HAProxy's `tot == 1` shortcut picks the one usable server, as the tree does.)
    const leaves = this.#leaves, best = this.#best, due = this.#due, level = this.#level, gained = this.#gained;
    for (let i = 0; i < leaves; i++) {
      const usable = i < size && accepting[i] !== 0 && effective[i] > 0;
      if (i < size) level[i] = gained[i] = 0;
      best[leaves + i] = usable ? i : -1;
      due[leaves + i] = usable ? nextGain(0, effective[i], total) : Infinity;
    }
    for (let p = leaves - 1; p > 0; p--) this.#pull(p);
    for (let o = 0; o < total; o++) {
      while (due[1] <= o) {
        let p = 1;
        while (p < leaves) p = due[2 * p] <= o ? 2 * p : 2 * p + 1;
        const i = p - leaves;
        level[i]++;
        due[p] = ++gained[i] < effective[i] ? nextGain(gained[i], effective[i], total) : Infinity;
        this.#pullUp(p);
      }
      const i = best[1];
      this.slots[o] = i;
      level[i]--;
      this.#pullUp(leaves + i);
    }
  }

  /** The server for hash `h` (unsigned 32-bit), or -1 when no server is usable. */
  lookup(h: number): number {
    return this.total === 0 ? -1 : this.slots[(h >>> 0) % this.total];
  }

  #pullUp(p: number): void {
    for (p >>= 1; p > 0; p >>= 1) this.#pull(p);
  }

  #pull(p: number): void {
    const best = this.#best, due = this.#due, l = best[2 * p], r = best[2 * p + 1];
    // Ties go to the left child, the lower index, as recalc_server_map only replaces on `v > max`.
    best[p] = r < 0 || (l >= 0 && this.#level[l] >= this.#level[r]) ? l : r;
    due[p] = Math.min(due[2 * p], due[2 * p + 1]);
  }
}

/**
 * The slot o at which (o+1)·eff first reaches (gained+1)·total. Exact in doubles: the quotient is
 * below total and has a denominator of at most eff, so rounding cannot cross an integer while
 * total × eff < 2^53 (weights are at most 256).
 */
function nextGain(gained: number, eff: number, total: number): number {
  return Math.ceil(((gained + 1) * total) / eff) - 1;
}

function gcd(a: number, b: number): number {
  while (b !== 0) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

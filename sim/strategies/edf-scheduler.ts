/** Envoy caps the emulated initial picks at UINT32_MAX / 10 (`picks % 429496729`). */
const MAX_PICKS = 429_496_729;

/** Envoy adds this to every weight while emulating the initial picks, so weights that are multiples of each other stay exact. */
const EPSILON = 1e-13;

/**
 * Envoy's earliest-deadline-first scheduler (source/common/upstream/edf_scheduler.h), used for
 * weighted round robin and for weighted least request. Each entry is a server with a deadline; a
 * pick takes the earliest deadline (the first added on equal deadlines), moves the scheduler's
 * clock to it and puts the server back with deadline clock + 1 / weight, its weight computed at
 * that moment. The heap lives in typed arrays, so a pick allocates nothing.
 */
export class EdfScheduler {
  readonly #weight: (server: number) => number;
  #deadline = new Float64Array(0);
  /** Insertion order, the tie-break; a float64 so it stays exact past 2^31 picks. */
  #order = new Float64Array(0);
  #server = new Int32Array(0);
  #size = 0;
  #now = 0;
  #nextOrder = 0;

  /** `weight(server)` must be positive; it is called when a server is (re)inserted. */
  constructor(weight: (server: number) => number) {
    this.#weight = weight;
  }

  get size(): number {
    return this.#size;
  }

  /**
   * Replaces the contents with `servers[0..count)` as if `picks` picks had already been made from a
   * scheduler they were added to in that order (Envoy `EdfScheduler::createWithPicks`), so
   * balancers seeded differently start at different points of the rotation.
   */
  build(servers: Int32Array, count: number, picks: number): void {
    if (this.#server.length < count) {
      this.#deadline = new Float64Array(count);
      this.#order = new Float64Array(count);
      this.#server = new Int32Array(count);
    }
    this.#size = count;
    this.#now = 0;
    this.#nextOrder = count;
    if (count === 0) return;
    picks = (picks >>> 0) % MAX_PICKS;
    let sum = 0;
    for (let i = 0; i < count; i++) sum += this.#weight(servers[i]) + EPSILON;
    let maxPickTime = 0;
    let picked = 0;
    for (let i = 0; i < count; i++) {
      const weight = this.#weight(servers[i]) + EPSILON;
      // Envoy truncates to uint32, then steps back one pick where floating point overshot.
      let floor = Math.floor((weight * picks) / sum);
      if (floor > 0 && floor / weight >= picks / sum) floor--;
      maxPickTime = Math.max(maxPickTime, floor / weight);
      this.#deadline[i] = (floor + 1) / weight;
      this.#order[i] = i;
      this.#server[i] = servers[i];
      picked += floor;
    }
    this.#now = maxPickTime;
    for (let i = (count >>> 1) - 1; i >= 0; i--) this.#siftDown(i);
    for (; picked < picks; picked++) this.pickAndAdd();
  }

  /** The server with the earliest deadline, put back with its current weight; -1 when empty. */
  pickAndAdd(): number {
    if (this.#size === 0) return -1;
    const server = this.#server[0];
    this.#now = this.#deadline[0];
    // Pop then push of the same server is the top entry replaced and sifted down: the set of
    // entries, and so every later pick, is the same.
    this.#deadline[0] = this.#now + 1 / this.#weight(server);
    this.#order[0] = this.#nextOrder++;
    this.#siftDown(0);
    return server;
  }

  #before(a: number, b: number): boolean {
    const da = this.#deadline[a], db = this.#deadline[b];
    return da < db || (da === db && this.#order[a] < this.#order[b]);
  }

  #siftDown(at: number): void {
    const n = this.#size;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= n) return;
      let child = left;
      if (left + 1 < n && this.#before(left + 1, left)) child = left + 1;
      if (!this.#before(child, at)) return;
      this.#swap(at, child);
      at = child;
    }
  }

  #swap(a: number, b: number): void {
    const d = this.#deadline[a], o = this.#order[a], s = this.#server[a];
    this.#deadline[a] = this.#deadline[b];
    this.#order[a] = this.#order[b];
    this.#server[a] = this.#server[b];
    this.#deadline[b] = d;
    this.#order[b] = o;
    this.#server[b] = s;
  }
}

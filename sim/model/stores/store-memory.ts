import { grown, grownLength } from "./grow.js";

/**
 * A store's memory limit (Redis `maxmemory`), in sessions: an exact LRU list over the sessions it
 * holds, oldest use at the tail. Redis evicts by sampling (`maxmemory-samples` 5) an approximation
 * of this; with `noeviction` (Redis's default) a write that needs memory past the limit is
 * refused. Sessions expire `ttl` after their last use (connect-redis sets an EX on every write):
 * expired ones are dropped before anything is evicted, as Redis's expiry would have removed them.
 */
export class StoreMemory {
  /** Sessions evicted so far. */
  evictions = 0;
  readonly #limit: number;
  readonly #evict: boolean;
  readonly #ttl: number;
  #prev = new Int32Array(1024);
  #next = new Int32Array(1024);
  #lastUse = new Float64Array(1024);
  /** 1 while the session is held, 2 once it has been evicted (until it is written again). */
  #state = new Uint8Array(1024);
  #head = -1;
  #tail = -1;
  #held = 0;

  constructor(limit: number, evict: boolean, ttl: number) {
    this.#limit = limit;
    this.#evict = evict;
    this.#ttl = ttl;
  }

  /** Whether the session of `slot` was evicted since it was last written. */
  evicted(slot: number): boolean {
    return slot < this.#state.length && this.#state[slot] === 2;
  }

  /** The session was read at `now`: it is the most recently used. */
  read(slot: number, now: number): void {
    if (slot < this.#state.length && this.#state[slot] === 1) this.#toHead(slot, now);
  }

  /** The session is written at `now`; false when the store refuses it (full, and not allowed to evict). */
  write(slot: number, now: number): boolean {
    if (slot >= this.#state.length) this.#grow(slot);
    if (this.#state[slot] === 1) {
      this.#toHead(slot, now);
      return true;
    }
    while (this.#tail >= 0 && this.#lastUse[this.#tail] + this.#ttl < now) this.#remove(this.#tail, 0);
    if (this.#held >= this.#limit) {
      if (!this.#evict || this.#tail < 0) return false;
      this.#remove(this.#tail, 2);
      this.evictions++;
    }
    this.#state[slot] = 1;
    this.#held++;
    this.#prev[slot] = -1;
    this.#next[slot] = this.#head;
    if (this.#head >= 0) this.#prev[this.#head] = slot;
    this.#head = slot;
    if (this.#tail < 0) this.#tail = slot;
    this.#lastUse[slot] = now;
    return true;
  }

  #toHead(slot: number, now: number): void {
    this.#lastUse[slot] = now;
    if (this.#head === slot) return;
    this.#unlink(slot);
    this.#prev[slot] = -1;
    this.#next[slot] = this.#head;
    this.#prev[this.#head] = slot;
    this.#head = slot;
    if (this.#tail < 0) this.#tail = slot;
  }

  #remove(slot: number, state: number): void {
    this.#unlink(slot);
    this.#state[slot] = state;
    this.#held--;
  }

  #unlink(slot: number): void {
    const p = this.#prev[slot], n = this.#next[slot];
    if (p >= 0) this.#next[p] = n;
    else this.#head = n;
    if (n >= 0) this.#prev[n] = p;
    else this.#tail = p;
  }

  #grow(slot: number): void {
    const n = grownLength(this.#state.length, slot);
    this.#prev = grown(this.#prev, n);
    this.#next = grown(this.#next, n);
    this.#lastUse = grown(this.#lastUse, n);
    this.#state = grown(this.#state, n);
  }
}

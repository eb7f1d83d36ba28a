/** Slots allocated up front (or `size`, when smaller); the arrays double from there up to `size`. */
const MIN_CAPACITY = 1024;

/**
 * An HAProxy 2.6 stick table holding a server per key (src/stick_table.c), with numeric keys.
 *
 * - Each entry has its last touch (HAProxy's `ts->expire` is that plus `expire`). A `stick match`
 *   hit and every store touch it; with `expire` set, an entry dies once `expire` seconds have
 *   passed since its last touch (`tick_is_expired`: at `now >= touch + expire`), removed by the
 *   table's expiry task (`process_table_expire`), which runs at once then.
 * - The entries also sit in an expiry queue, an ebtree ordered by the touch they were queued with
 *   (`ts->exp.key`), equal keys in the order they were queued. A touch does not move an entry in
 *   the queue: it becomes stale there, and is queued again under its last touch only when a scan
 *   reaches it (the expiry task, or a purge).
 * - A store into a full table (`stksess_new`) first purges `__stktable_trash_oldest(size / 256 + 1)`:
 *   walking the queue from its head, a stale entry is queued again and an up-to-date one is
 *   removed, for at most twice that many entries (half of them may be misses). If nothing was
 *   removed, or the table says `nopurge`, the store is not made.
 *
 * lbsim's queue is a binary heap on (queued touch, queueing order), which gives the ebtree walk's
 * order: the walk always goes on at the smallest key left, and an entry queued again goes after
 * the others with its key. HAProxy's 32-bit millisecond clock wraps every 49.7 days; lbsim's does
 * not, and its times are not rounded to milliseconds. Entries referenced by `track-sc` counters,
 * which HAProxy skips when purging, do not arise (lbsim models no counters).
 */
export class StickTable {
  readonly size: number;
  /** Seconds an entry lives after its last touch; Infinity when entries never expire. */
  readonly #expire: number;
  readonly #nopurge: boolean;
  /** Entries one purge removes at most: `(t->size >> 8) + 1`. */
  readonly #batch: number;
  readonly #slotOf = new Map<number, number>();
  #keys: Float64Array;
  #servers: Int32Array;
  /** The entry's last touch. */
  #touched: Float64Array;
  /** The touch the expiry queue orders it by, and when it was queued (ties in that touch). */
  #queuedTouch: Float64Array;
  #queuedOrder: Float64Array;
  /** The expiry queue: a binary heap of slots. Entries leave it only from its head. */
  #heap: Int32Array;
  #free: Int32Array;
  #freeCount = 0;
  #used = 0;
  /** Entries, every one of them in the expiry queue; the next queueing order (exact below 2^53). */
  #count = 0;
  #order = 0;

  constructor(size: number, expire: number, nopurge: boolean) {
    this.size = size;
    this.#expire = expire;
    this.#nopurge = nopurge;
    this.#batch = (size >>> 8) + 1;
    const capacity = Math.min(size, MIN_CAPACITY);
    this.#keys = new Float64Array(capacity);
    this.#servers = new Int32Array(capacity);
    this.#touched = new Float64Array(capacity);
    this.#queuedTouch = new Float64Array(capacity);
    this.#queuedOrder = new Float64Array(capacity);
    this.#heap = new Int32Array(capacity);
    this.#free = new Int32Array(capacity);
  }

  /** Entries in the table. */
  get count(): number {
    return this.#count;
  }

  /** The live entry for `key`, or -1 (`stktable_lookup_key`). */
  lookup(key: number, now: number): number {
    this.#expireDue(now);
    return this.#slotOf.get(key) ?? -1;
  }

  serverOf(slot: number): number {
    return this.#servers[slot];
  }

  /** A `stick match` hit: the entry lives `expire` from now (`stktable_touch_local`). */
  touch(slot: number, now: number): void {
    this.#touched[slot] = now;
  }

  /**
   * A store rule: reserves an entry (`stksess_new`, purging a full table), then writes `server`
   * into the entry for `key`, the one already there or a new one, and touches it
   * (`process_store_rules`). A new entry is queued under `createdAt`, when HAProxy reserved it.
   * Returns false when the table was full and nothing could be purged, or it says `nopurge`.
   */
  store(key: number, server: number, now: number, createdAt: number): boolean {
    this.#expireDue(now);
    if (this.#count === this.size && (this.#nopurge || this.#trashOldest() === 0)) return false;
    let slot = this.#slotOf.get(key);
    if (slot === undefined) {
      slot = this.#allocate();
      this.#slotOf.set(key, slot);
      this.#keys[slot] = key;
      this.#queuedTouch[slot] = createdAt;
      this.#enqueue(slot);
    }
    this.#servers[slot] = server;
    this.#touched[slot] = now;
    return true;
  }

  /** Every entry as [key, server], in no particular order (what HAProxy's `show table` lists). */
  entries(): [number, number][] {
    return [...this.#slotOf].map(([key, slot]) => [key, this.#servers[slot]]);
  }

  /** The expiry task: every entry whose queued touch has expired is removed, or queued again under its last touch. */
  #expireDue(now: number): void {
    const expire = this.#expire;
    while (this.#count > 0) {
      const slot = this.#heap[0];
      if (this.#queuedTouch[slot] + expire > now) return;
      if (this.#touched[slot] + expire > now) this.#requeueHead();
      else this.#removeHead();
    }
  }

  /** `__stktable_trash_oldest`: the number of entries it removed. */
  #trashOldest(): number {
    let search = 2 * this.#batch, trashed = 0;
    while (trashed < this.#batch && this.#count > 0) {
      if (--search < 0) break;
      const slot = this.#heap[0];
      if (this.#touched[slot] !== this.#queuedTouch[slot]) this.#requeueHead();
      else {
        this.#removeHead();
        trashed++;
      }
    }
    return trashed;
  }

  #allocate(): number {
    if (this.#freeCount > 0) return this.#free[--this.#freeCount];
    if (this.#used === this.#keys.length) this.#grow();
    return this.#used++;
  }

  #grow(): void {
    const capacity = Math.min(this.size, 2 * this.#keys.length);
    const grown = <T extends Float64Array | Int32Array>(old: T): T => {
      const array = new (old.constructor as new (n: number) => T)(capacity);
      array.set(old);
      return array;
    };
    this.#keys = grown(this.#keys);
    this.#servers = grown(this.#servers);
    this.#touched = grown(this.#touched);
    this.#queuedTouch = grown(this.#queuedTouch);
    this.#queuedOrder = grown(this.#queuedOrder);
    this.#heap = grown(this.#heap);
    this.#free = new Int32Array(capacity);
  }

  #removeHead(): void {
    const heap = this.#heap, slot = heap[0];
    this.#slotOf.delete(this.#keys[slot]);
    this.#free[this.#freeCount++] = slot;
    if (--this.#count === 0) return;
    heap[0] = heap[this.#count];
    this.#siftDown(0);
  }

  /** The queue's head goes back in under its last touch, after the entries already queued with that touch. */
  #requeueHead(): void {
    const slot = this.#heap[0];
    this.#queuedTouch[slot] = this.#touched[slot];
    this.#queuedOrder[slot] = this.#order++;
    this.#siftDown(0);
  }

  #enqueue(slot: number): void {
    this.#queuedOrder[slot] = this.#order++;
    this.#siftUp(this.#count++, slot);
  }

  #before(a: number, b: number): boolean {
    const ta = this.#queuedTouch[a], tb = this.#queuedTouch[b];
    return ta < tb || (ta === tb && this.#queuedOrder[a] < this.#queuedOrder[b]);
  }

  /** Puts `slot` into the heap at `at` (a free place at the bottom) and moves it up to its place. */
  #siftUp(at: number, slot: number): void {
    const heap = this.#heap;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!this.#before(slot, heap[parent])) break;
      heap[at] = heap[parent];
      at = parent;
    }
    heap[at] = slot;
  }

  /** Moves the slot at `at` down to its place. */
  #siftDown(at: number): void {
    const heap = this.#heap, slot = heap[at], n = this.#count;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= n) break;
      if (child + 1 < n && this.#before(heap[child + 1], heap[child])) child++;
      if (!this.#before(heap[child], slot)) break;
      heap[at] = heap[child];
      at = child;
    }
    heap[at] = slot;
  }
}

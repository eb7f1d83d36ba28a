import { EventHeap } from "./event-heap.js";

/** Fewest buckets the wheel has; it grows with the number of pending events. */
const MIN_BUCKETS = 256;
/** Events the front bucket holds on average (4 ran the engine bench faster than 1, 2, 8, 16 or 32). */
const EVENTS_PER_BUCKET = 4;
/** How far the wheel reaches, in mean distances to the pending events (a quarter of a percent of exponential delays reach beyond). */
const HORIZON = 6;

/**
 * The engine's pending events, handed out in (time, sequence number) order: events at equal
 * times in the order they were pushed. An event is four numbers (time, seq, kind, subject) in
 * a 32-byte record; nothing is allocated per event. See DESIGN.md "Events are numbers".
 *
 * NOTE: a bucket wheel in front of two small heaps, where a single heap of every pending event
 * was (with 10^5 of them its sift-down walks ~9 levels of cache misses per event; the wheel ran
 * the bare engine 2-2.5× faster, BENCHMARKS.md). Time is cut into buckets of `width` seconds.
 * The bucket being served has its events in the front heap, each later bucket within reach an
 * unordered list of records, and events beyond reach wait in the far heap. Order is exact
 * whatever the width: a bucket's number, floor(time / width), never decreases with time, and
 * every event of the front bucket or earlier is in the front heap. The width follows the
 * pending events, checked once per turn of the wheel and whenever their number doubles or
 * halves; laying the wheel out again changes where events wait, never their order.
 */
export class EventQueue {
  readonly #front = new EventHeap();
  readonly #far = new EventHeap();
  /** The first record of each bucket's list, -1 for none; the front bucket's is at `#slot`. */
  #heads = new Int32Array(MIN_BUCKETS).fill(-1);
  #mask = MIN_BUCKETS - 1;
  #width = 1;
  /** The front bucket's number: every event with floor(time / width) at most this is in the front heap. */
  #bucket = 0;
  #slot = 0;
  #inWheel = 0;
  /**
   * Every pending event's record, one buffer (a record is half a cache line, where five arrays
   * cost five misses): time and seq as doubles, then kind, subject and the next record of its
   * bucket as 32-bit integers. Freed records form a list from `#free`.
   */
  #records = new Float64Array(4 * 1024);
  #ints = new Int32Array(this.#records.buffer);
  #used = 0;
  #free = -1;
  #nextSeq = 0;
  /** The pending events' finite times added up: their mean distance ahead sets the width. */
  #timeSum = 0;
  /** Buckets passed, and the number of pending events, when the wheel was last laid out. */
  #turned = 0;
  #laidOutSize = 0;

  /** Fields of the event most recently removed by `pop()`. */
  time = 0;
  kind = 0;
  subject = 0;

  get size(): number {
    return this.#front.size + this.#inWheel + this.#far.size;
  }

  peekTime(): number {
    return this.#front.size > 0 || this.#refill() ? this.#front.peekTime() : Infinity;
  }

  push(time: number, kind: number, subject: number): void {
    let record = this.#free;
    if (record >= 0) this.#free = this.#ints[8 * record + 6];
    else {
      if (4 * this.#used === this.#records.length) this.#grow();
      record = this.#used++;
    }
    const at = 4 * record, seq = this.#nextSeq++;
    this.#records[at] = time;
    this.#records[at + 1] = seq;
    this.#ints[2 * at + 4] = kind;
    this.#ints[2 * at + 5] = subject;
    if (time < Infinity) this.#timeSum += time;
    this.#place(record, time, seq);
  }

  /** Removes the earliest event and exposes it through `time`, `kind` and `subject`. */
  pop(): void {
    if (this.#front.size === 0 && !this.#refill()) throw new RangeError("pop() on an empty event queue");
    const record = this.#front.pop(), at = 4 * record;
    this.time = this.#records[at];
    this.kind = this.#ints[2 * at + 4];
    this.subject = this.#ints[2 * at + 5];
    if (this.time < Infinity) this.#timeSum -= this.time;
    this.#ints[2 * at + 6] = this.#free;
    this.#free = record;
  }

  /** Puts a record in the front heap, on its bucket's list, or in the far heap. */
  #place(record: number, time: number, seq: number): void {
    const ahead = Math.floor(time / this.#width) - this.#bucket;
    if (ahead <= 0) return this.#front.push(time, seq, record);
    if (!(ahead <= this.#mask)) return this.#far.push(time, seq, record);
    const slot = (this.#slot + ahead) & this.#mask;
    this.#ints[8 * record + 6] = this.#heads[slot];
    this.#heads[slot] = record;
    this.#inWheel++;
  }

  /** Moves the records of the next bucket that holds any into the empty front heap; false when nothing is pending. */
  #refill(): boolean {
    const size = this.size;
    if (size === 0) return false;
    if (this.#turned > this.#mask || size > 2 * this.#laidOutSize || 2 * size < this.#laidOutSize) this.#layOut(size);
    const front = this.#front, far = this.#far;
    while (front.size === 0) {
      this.#turned++;
      if (this.#inWheel > 0) {
        this.#bucket++;
        this.#slot = (this.#slot + 1) & this.#mask;
      } else {
        // An empty wheel jumps to the far heap's first bucket; an event no bucket numbers (at infinity) goes straight to the front.
        const first = Math.floor(far.peekTime() / this.#width);
        if (!(first < Number.MAX_SAFE_INTEGER)) {
          const record = far.pop();
          front.push(this.#records[4 * record], this.#records[4 * record + 1], record);
          return true;
        }
        this.#bucket = first;
      }
      while (far.size > 0 && Math.floor(far.peekTime() / this.#width) - this.#bucket <= this.#mask) this.#reput(far.pop());
      const list = this.#heads[this.#slot];
      this.#heads[this.#slot] = -1;
      for (let record = list; record >= 0; ) {
        const next = this.#ints[8 * record + 6];
        front.push(this.#records[4 * record], this.#records[4 * record + 1], record);
        this.#inWheel--;
        record = next;
      }
    }
    return true;
  }

  #reput(record: number): void {
    this.#place(record, this.#records[4 * record], this.#records[4 * record + 1]);
  }

  /**
   * Sizes the wheel for the `size` events pending (the front heap is empty): about
   * EVENTS_PER_BUCKET of them reach their time per bucket width (Little's law, from their mean
   * distance ahead), and the wheel reaches HORIZON such distances. The records stay where they
   * are; only their lists change.
   */
  #layOut(size: number): void {
    this.#turned = 0;
    this.#laidOutSize = size;
    const distance = this.#timeSum / size - this.time;
    if (!(distance > 0) || size < MIN_BUCKETS) return;
    const width = (EVENTS_PER_BUCKET * distance) / size;
    let buckets = MIN_BUCKETS;
    while (buckets * width < HORIZON * distance && buckets < 1 << 24) buckets *= 2;
    if (width < 2 * this.#width && 2 * width > this.#width && buckets === this.#mask + 1) return;
    const lists = this.#heads;
    this.#heads = new Int32Array(buckets).fill(-1);
    this.#mask = buckets - 1;
    this.#width = width;
    this.#bucket = Math.floor(this.time / width);
    this.#slot = 0;
    this.#inWheel = 0;
    for (let slot = 0; slot < lists.length; slot++) {
      for (let record = lists[slot]; record >= 0; ) {
        const next = this.#ints[8 * record + 6];
        this.#reput(record);
        record = next;
      }
    }
  }

  #grow(): void {
    const records = new Float64Array(2 * this.#records.length);
    records.set(this.#records);
    this.#records = records;
    this.#ints = new Int32Array(records.buffer);
  }
}

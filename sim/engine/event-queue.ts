import { EventHeap } from "./event-heap.js";

/** Fewest buckets the wheel has; it grows with the number of pending events. */
const MIN_BUCKETS = 256;
/** Events the front bucket holds on average (4 ran the engine bench faster than 1, 2, 8, 16 or 32). */
const EVENTS_PER_BUCKET = 4;
/** How far ahead the wheel reaches, in mean distances to the pending events (6: a quarter of a percent of exponential delays reach beyond); later ones wait in the far heap. */
const HORIZON = 6;

/**
 * The engine's pending events, handed out in (time, sequence number) order: events at equal
 * times in the order they were pushed. An event is four numbers (time, seq, kind, subject);
 * nothing is allocated per event. See DESIGN.md "Events are numbers".
 *
 * NOTE: a bucket wheel in front of two small heaps, where a single heap of every pending event
 * was: with 10^5 pending events a heap's sift-down walks ~9 levels of cache misses per event.
 * Time is cut into buckets of `width` seconds; the bucket now being served has its events in
 * the front heap, each later bucket within the wheel's reach keeps an unordered list, and
 * events beyond its reach wait in the far heap. An event is pushed in O(1), moved once into
 * the front heap when its bucket comes up, and popped from a heap of a few. Order is exact
 * whatever the width: a bucket's number, floor(time / width), never decreases with time, and
 * every event of the front bucket or earlier is in the front heap. The width follows the
 * pending events (about 4 per bucket, from their mean distance ahead and Little's law),
 * checked once per turn of the wheel and whenever their number doubles or halves; laying the
 * wheel out again changes only where events wait, never their order. Measured in BENCHMARKS.md.
 */
export class EventQueue {
  readonly #front = new EventHeap();
  readonly #far = new EventHeap();
  /** The first event of each bucket's list, -1 for none; the front bucket's slot is `#slot`. */
  #heads = new Int32Array(MIN_BUCKETS).fill(-1);
  #mask = MIN_BUCKETS - 1;
  #width = 1;
  /** The front bucket's number: every event with floor(time / width) at most this is in the front heap. */
  #bucket = 0;
  #slot = 0;
  #inWheel = 0;
  /**
   * The wheel's events, 32 bytes each in one buffer (so a record is one cache line's half, where
   * five arrays cost five misses): time and seq as doubles (seq stays exact past 2^31), then kind,
   * subject and the next record of its bucket as 32-bit integers. Freed records form a list from `#free`.
   */
  #records = new Float64Array(4 * 1024);
  #ints = new Int32Array(this.#records.buffer);
  #used = 0;
  #free = -1;
  #size = 0;
  #nextSeq = 0;
  /** Sum and count of the pending events' finite times: their mean distance ahead sets the width. */
  #timeSum = 0;
  #finite = 0;
  /** Buckets passed, and the number of pending events, when the wheel was last laid out. */
  #turned = 0;
  #laidOutSize = 0;

  /** Fields of the event most recently removed by `pop()`. */
  time = 0;
  kind = 0;
  subject = 0;

  get size(): number {
    return this.#size;
  }

  peekTime(): number {
    if (this.#front.size === 0 && !this.#refill()) return Infinity;
    return this.#front.peekTime();
  }

  push(time: number, kind: number, subject: number): void {
    this.#size++;
    if (time < Infinity) {
      this.#timeSum += time;
      this.#finite++;
    }
    this.#place(time, this.#nextSeq++, kind, subject);
  }

  /** Removes the earliest event and exposes it through `time`, `kind` and `subject`. */
  pop(): void {
    const front = this.#front;
    if (front.size === 0 && !this.#refill()) throw new RangeError("pop() on an empty event queue");
    front.pop();
    this.time = front.time;
    this.kind = front.kind;
    this.subject = front.subject;
    this.#size--;
    if (front.time < Infinity) {
      this.#timeSum -= front.time;
      this.#finite--;
    }
  }

  #place(time: number, seq: number, kind: number, subject: number): void {
    const ahead = Math.floor(time / this.#width) - this.#bucket;
    if (ahead <= 0) return this.#front.push(time, seq, kind, subject);
    if (!(ahead <= this.#mask)) return this.#far.push(time, seq, kind, subject);
    let record = this.#free;
    if (record >= 0) this.#free = this.#ints[8 * record + 6];
    else {
      if (4 * this.#used === this.#records.length) this.#grow();
      record = this.#used++;
    }
    const at = 4 * record;
    this.#records[at] = time;
    this.#records[at + 1] = seq;
    this.#ints[2 * at + 4] = kind;
    this.#ints[2 * at + 5] = subject;
    this.#link(record, ahead);
  }

  /** Puts a record on the list of the bucket `ahead` buckets after the front one. */
  #link(record: number, ahead: number): void {
    const slot = (this.#slot + ahead) & this.#mask;
    this.#ints[8 * record + 6] = this.#heads[slot];
    this.#heads[slot] = record;
    this.#inWheel++;
  }

  /** With the front heap empty, moves the next bucket that holds events into it; false when nothing is pending. */
  #refill(): boolean {
    if (this.#size === 0) return false;
    if (this.#turned > this.#mask || this.#size > 2 * this.#laidOutSize || 2 * this.#size < this.#laidOutSize) this.#layOut();
    const front = this.#front, far = this.#far, heads = this.#heads;
    while (front.size === 0) {
      this.#turned++;
      if (this.#inWheel > 0) {
        this.#bucket++;
        this.#slot = (this.#slot + 1) & this.#mask;
      } else {
        // An empty wheel: jump to the far heap's first bucket, or hand over an event no bucket numbers (at infinity).
        const first = Math.floor(far.peekTime() / this.#width);
        if (!(first < Number.MAX_SAFE_INTEGER)) {
          far.pop();
          front.push(far.time, far.seq, far.kind, far.subject);
          return true;
        }
        this.#bucket = first;
      }
      while (far.size > 0 && Math.floor(far.peekTime() / this.#width) - this.#bucket <= this.#mask) {
        far.pop();
        this.#place(far.time, far.seq, far.kind, far.subject);
      }
      let record = heads[this.#slot];
      if (record < 0) continue;
      heads[this.#slot] = -1;
      const records = this.#records, ints = this.#ints;
      for (;;) {
        const at = 4 * record;
        front.push(records[at], records[at + 1], ints[2 * at + 4], ints[2 * at + 5]);
        this.#inWheel--;
        const next = ints[2 * at + 6];
        ints[2 * at + 6] = this.#free;
        this.#free = record;
        if (next < 0) break;
        record = next;
      }
    }
    return true;
  }

  /**
   * Sizes the wheel for the events now pending (the front heap is empty): about
   * EVENTS_PER_BUCKET events reach their time per bucket width, by Little's law from the
   * pending events' mean distance ahead, and the wheel reaches HORIZON such distances ahead.
   * The records stay where they are; only their lists change.
   */
  #layOut(): void {
    this.#turned = 0;
    this.#laidOutSize = this.#size;
    const distance = this.#timeSum / this.#finite - this.time;
    if (!(distance > 0) || this.#finite < MIN_BUCKETS) return;
    const width = (EVENTS_PER_BUCKET * distance) / this.#finite;
    let buckets = MIN_BUCKETS;
    while (buckets * width < HORIZON * distance && buckets < 1 << 24) buckets *= 2;
    if (width < 2 * this.#width && 2 * width > this.#width && buckets === this.#mask + 1) return;
    const lists = this.#heads, records = this.#records, ints = this.#ints;
    this.#heads = new Int32Array(buckets).fill(-1);
    this.#mask = buckets - 1;
    this.#width = width;
    this.#bucket = Math.floor(this.time / width);
    this.#slot = 0;
    this.#inWheel = 0;
    // Each record moves to its bucket in the new wheel, or, outside its reach, to a heap.
    for (let slot = 0; slot < lists.length; slot++) {
      for (let record = lists[slot]; record >= 0; ) {
        const at = 4 * record, next = ints[2 * at + 6];
        const ahead = Math.floor(records[at] / width) - this.#bucket;
        if (ahead > 0 && ahead <= this.#mask) this.#link(record, ahead);
        else {
          (ahead > 0 ? this.#far : this.#front).push(records[at], records[at + 1], ints[2 * at + 4], ints[2 * at + 5]);
          ints[2 * at + 6] = this.#free;
          this.#free = record;
        }
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

/**
 * A binary min-heap of event records (numbers the event queue gives its events), ordered by
 * their (time, sequence number), which it keeps beside them so that comparing two reads nothing
 * else. Nothing is allocated per event; the arrays double when full.
 */
export class EventHeap {
  #times = new Float64Array(64);
  // Float64 so sequence numbers stay exact past 2^31 events (exact up to 2^53).
  #seqs = new Float64Array(64);
  #records = new Int32Array(64);
  size = 0;

  peekTime(): number {
    return this.size > 0 ? this.#times[0] : Infinity;
  }

  push(time: number, seq: number, record: number): void {
    if (this.size === this.#times.length) this.#grow();
    // Sift the hole up from the new leaf, moving parents down, then write the event once.
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.#before(parent, time, seq)) break;
      this.#move(parent, i);
      i = parent;
    }
    this.#set(i, time, seq, record);
  }

  /** Removes the earliest event and returns its record. */
  pop(): number {
    if (this.size === 0) throw new RangeError("pop() on an empty event heap");
    const top = this.#records[0], last = --this.size;
    const time = this.#times[last], seq = this.#seqs[last], record = this.#records[last];
    // Sift the hole down from the root, moving the earlier child up.
    let i = 0;
    for (let child = 1; child < last; child = 2 * i + 1) {
      if (child + 1 < last && this.#before(child + 1, this.#times[child], this.#seqs[child])) child++;
      if (!this.#before(child, time, seq)) break;
      this.#move(child, i);
      i = child;
    }
    this.#set(i, time, seq, record);
    return top;
  }

  /** Whether entry i comes before (time, seq). */
  #before(i: number, time: number, seq: number): boolean {
    const t = this.#times[i];
    return t < time || (t === time && this.#seqs[i] < seq);
  }

  #move(from: number, to: number): void {
    this.#set(to, this.#times[from], this.#seqs[from], this.#records[from]);
  }

  #set(i: number, time: number, seq: number, record: number): void {
    this.#times[i] = time;
    this.#seqs[i] = seq;
    this.#records[i] = record;
  }

  #grow(): void {
    const n = 2 * this.#times.length;
    const times = new Float64Array(n), seqs = new Float64Array(n), records = new Int32Array(n);
    times.set(this.#times);
    seqs.set(this.#seqs);
    records.set(this.#records);
    this.#times = times;
    this.#seqs = seqs;
    this.#records = records;
  }
}

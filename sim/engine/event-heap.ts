/**
 * A 4-ary min-heap of events ordered by (time, sequence number), held in typed arrays.
 * An event is four numbers: time, seq, kind, subject; the caller numbers them. Nothing is
 * allocated per event; the arrays double when full. See DESIGN.md "Events are numbers".
 * NOTE: four children per node halve the depth of a binary heap; with 10^5 pending events
 * the queue is memory-bound, and this measured 1-7% faster in interleaved runs (BENCHMARKS.md).
 */
export class EventHeap {
  #times = new Float64Array(1024);
  // Float64 so the insertion counter stays exact past 2^31 events (exact up to 2^53).
  #seqs = new Float64Array(1024);
  #kinds = new Int32Array(1024);
  #subjects = new Int32Array(1024);
  #size = 0;

  /** Fields of the event most recently removed by `pop()`. */
  time = 0;
  seq = 0;
  kind = 0;
  subject = 0;

  get size(): number {
    return this.#size;
  }

  peekTime(): number {
    return this.#size > 0 ? this.#times[0] : Infinity;
  }

  push(time: number, seq: number, kind: number, subject: number): void {
    if (this.#size === this.#times.length) this.#grow();
    const times = this.#times, seqs = this.#seqs, kinds = this.#kinds, subjects = this.#subjects;
    // Sift the hole up from the new leaf, moving parents down, then write the event once.
    let i = this.#size++;
    while (i > 0) {
      const parent = (i - 1) >> 2;
      const pt = times[parent];
      if (pt < time || (pt === time && seqs[parent] < seq)) break;
      times[i] = pt;
      seqs[i] = seqs[parent];
      kinds[i] = kinds[parent];
      subjects[i] = subjects[parent];
      i = parent;
    }
    times[i] = time;
    seqs[i] = seq;
    kinds[i] = kind;
    subjects[i] = subject;
  }

  /** Removes the earliest event and exposes it through `time`, `kind` and `subject`. */
  pop(): void {
    const times = this.#times, seqs = this.#seqs, kinds = this.#kinds, subjects = this.#subjects;
    if (this.#size === 0) throw new RangeError("pop() on an empty event heap");
    this.time = times[0];
    this.seq = seqs[0];
    this.kind = kinds[0];
    this.subject = subjects[0];
    const last = --this.#size;
    if (last === 0) return;
    const t = times[last], s = seqs[last], k = kinds[last], sub = subjects[last];
    // Sift the hole down from the root, moving the smallest child up.
    let i = 0;
    for (;;) {
      const first = 4 * i + 1;
      if (first >= last) break;
      let child = first;
      let ct = times[first], cs = seqs[first];
      const end = first + 4 < last ? first + 4 : last;
      for (let c = first + 1; c < end; c++) {
        const tc = times[c];
        if (tc < ct || (tc === ct && seqs[c] < cs)) {
          child = c;
          ct = tc;
          cs = seqs[c];
        }
      }
      if (ct > t || (ct === t && cs > s)) break;
      times[i] = ct;
      seqs[i] = cs;
      kinds[i] = kinds[child];
      subjects[i] = subjects[child];
      i = child;
    }
    times[i] = t;
    seqs[i] = s;
    kinds[i] = k;
    subjects[i] = sub;
  }

  #grow(): void {
    const n = this.#times.length * 2;
    const times = new Float64Array(n), seqs = new Float64Array(n);
    const kinds = new Int32Array(n), subjects = new Int32Array(n);
    times.set(this.#times);
    seqs.set(this.#seqs);
    kinds.set(this.#kinds);
    subjects.set(this.#subjects);
    this.#times = times;
    this.#seqs = seqs;
    this.#kinds = kinds;
    this.#subjects = subjects;
  }
}

import fc from "fast-check";
import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import { EventHeap } from "../../sim/engine/event-heap.js";
import { EventQueue } from "../../sim/engine/event-queue.js";

/** The order's definition: a plain heap on (time, push order), each event's record its push number. */
class Reference {
  readonly #heap = new EventHeap();
  readonly #events: { time: number; kind: number; subject: number }[] = [];

  get size(): number {
    return this.#heap.size;
  }

  push(time: number, kind: number, subject: number): void {
    this.#heap.push(time, this.#events.length, this.#events.length);
    this.#events.push({ time, kind, subject });
  }

  pop(): { time: number; kind: number; subject: number } {
    return this.#events[this.#heap.pop()];
  }
}

/** Pops the queue and the reference together; the first mismatch, or null. */
function popBoth(queue: EventQueue, reference: Reference): string | null {
  queue.pop();
  const next = reference.pop();
  if (queue.time !== next.time || queue.kind !== next.kind || queue.subject !== next.subject) {
    return `popped (${queue.time}, ${queue.subject}) where (${next.time}, ${next.subject}) is next`;
  }
  return null;
}

/**
 * Drives the queue and the reference (the order's definition: time, then push order) through the
 * same pushes and pops, `delay` giving each pushed event's distance from the last popped time.
 */
function drive(steps: number, pending: number, delay: (random: () => number, i: number) => number, seed = "q"): string | null {
  const random = seedrandom(seed);
  const queue = new EventQueue(), reference = new Reference();
  let seq = 0, now = 0;
  const push = (time: number) => {
    queue.push(time, seq % 5, seq);
    reference.push(time, seq % 5, seq);
    seq++;
  };
  for (let i = 0; i < pending; i++) push(delay(random, i));
  for (let i = 0; i < steps; i++) {
    const problem = popBoth(queue, reference);
    if (problem !== null) return `step ${i}: ${problem}`;
    now = queue.time;
    push(now + delay(random, i));
    // Now and then a burst of events at one instant, or a pause that lets the queue shrink.
    if (i % 10_007 === 0) for (let k = 0; k < 300; k++) push(now + 0.5);
    if (i % 50_021 === 0) for (let k = 0; k < pending / 2 && queue.size > 1; k++) if (popBoth(queue, reference) !== null) return `drain at ${i}`;
  }
  while (reference.size > 0) {
    const problem = popBoth(queue, reference);
    if (problem !== null) return `draining: ${problem}`;
  }
  return queue.size === 0 && queue.peekTime() === Infinity ? null : "events left over";
}

describe("EventQueue (bucket wheel)", () => {
  it("pops in (time, push order) through growth, steady state, bursts at one instant and draining", () => {
    // Exponential delays (think times) with a few much later events (the far heap) and service-like short ones.
    const mixed = (random: () => number, i: number) => (i % 97 === 0 ? 1e4 * random() : i % 3 === 0 ? 0.001 * random() : -10 * Math.log(1 - random()));
    expect(drive(300_000, 50_000, mixed)).toBeNull();
  });

  it("keeps the order when the pending events' spread changes by orders of magnitude", () => {
    // The first half of the run schedules milliseconds ahead, the second half hours ahead, so the wheel is laid out again.
    const shifting = (random: () => number, i: number) => (i > 100_000 ? 3600 : 0.001) * random();
    expect(drive(200_000, 5_000, shifting)).toBeNull();
  });

  it("hands out events at infinity last, in push order", () => {
    const queue = new EventQueue();
    for (let i = 0; i < 1000; i++) queue.push(i % 2 === 0 ? Infinity : i, 0, i);
    const subjects: number[] = [];
    while (queue.size > 0) {
      queue.pop();
      subjects.push(queue.subject);
    }
    const odd = Array.from({ length: 500 }, (_, k) => 2 * k + 1), even = Array.from({ length: 500 }, (_, k) => 2 * k);
    expect(subjects).toEqual([...odd, ...even]);
  });

  it("accepts events earlier than the last one popped and still pops in order", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.double({ min: 0, max: 1000, noNaN: true }), fc.boolean()), { minLength: 1, maxLength: 4000 }), (steps) => {
        const queue = new EventQueue(), reference = new Reference();
        let seq = 0;
        for (const [time, andPop] of steps) {
          queue.push(time, 0, seq);
          reference.push(time, 0, seq);
          seq++;
          if (andPop && popBoth(queue, reference) !== null) return false;
        }
        while (reference.size > 0) if (popBoth(queue, reference) !== null) return false;
        return queue.size === 0;
      }),
      { numRuns: 100 },
    );
  });
});

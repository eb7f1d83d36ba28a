import { EventQueue } from "./event-queue.js";
import { StalledError } from "./invariant.js";

/**
 * Events handled in a row at one instant before the run is declared stalled: far more than a
 * model makes happen at once, few enough to stop within a second.
 */
export const MAX_EVENTS_PER_INSTANT = 10_000_000;

/** Called with the event's subject (an integer the registering component chose) and the time. */
export type Handler = (subject: number, now: number) => void;

/** The small integer an event carries to name its handler; returned by `Engine.on`. */
export type Kind = number & { readonly __kind: unique symbol };

/**
 * The simulation clock and event loop. Time is simulated seconds. Events at equal times run
 * in the order they were scheduled, so a run is deterministic. The engine knows no event by
 * name: components register a handler once with `on` and schedule `(time, kind, subject)`.
 */
export class Engine {
  #now = 0;
  #processed = 0;
  readonly #handlers: Handler[] = [];
  readonly #queue = new EventQueue();
  readonly #maxPerInstant: number;
  /** Events handled in a row at the current instant. */
  #atInstant = 0;

  constructor(maxEventsPerInstant = MAX_EVENTS_PER_INSTANT) {
    this.#maxPerInstant = maxEventsPerInstant;
  }

  get now(): number {
    return this.#now;
  }

  /** Events handled so far. */
  get processed(): number {
    return this.#processed;
  }

  /** Events scheduled and not yet handled. */
  get pending(): number {
    return this.#queue.size;
  }

  /** Registers a handler once, at setup; events scheduled with the returned kind call it. */
  on(handler: Handler): Kind {
    return (this.#handlers.push(handler) - 1) as Kind;
  }

  /** Schedules an event at an absolute time, not before now. */
  at(time: number, kind: Kind, subject: number): void {
    if (!(time >= this.#now)) throw new RangeError(`event time ${time} is before now (${this.#now})`);
    this.#queue.push(time, kind, subject);
  }

  /** Schedules an event `delay` seconds from now. */
  after(delay: number, kind: Kind, subject: number): void {
    this.at(this.#now + delay, kind, subject);
  }

  /**
   * Handles events in (time, seq) order until none is left at or before `until` (the clock then
   * reads `until`) or `budget` events have been handled, whichever comes first, so a caller can
   * look at progress between slices. Returns true when it reached `until`. Throws StalledError
   * when the clock stops advancing.
   */
  run(until = Infinity, budget = Infinity): boolean {
    const queue = this.#queue, handlers = this.#handlers, limit = this.#maxPerInstant;
    // NOTE: the counters live in locals and are written back on the way out: fields written per
    // event cost the bare engine about 10% (interleaved runs, BENCHMARKS.md).
    let processed = this.#processed, atInstant = this.#atInstant, now = this.#now;
    const stop = processed + budget;
    while (queue.size > 0 && queue.peekTime() <= until) {
      if (processed >= stop) {
        this.#processed = processed;
        this.#atInstant = atInstant;
        return false;
      }
      queue.pop();
      const time = queue.time;
      // Counted across slices: a stall must be seen however the run is cut up.
      if (time !== now) atInstant = 0;
      else if (++atInstant >= limit) {
        this.#processed = processed;
        throw new StalledError(time, atInstant);
      }
      this.#now = now = time;
      processed++;
      handlers[queue.kind](queue.subject, time);
    }
    this.#processed = processed;
    this.#atInstant = atInstant;
    if (until !== Infinity && until > this.#now) this.#now = until;
    return true;
  }
}

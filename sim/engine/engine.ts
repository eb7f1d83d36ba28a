import { EventQueue } from "./event-queue.js";

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

  /** Handles events in (time, seq) order until none is left at or before `until`; the clock then reads `until`. */
  run(until = Infinity): void {
    const queue = this.#queue, handlers = this.#handlers;
    while (queue.size > 0 && queue.peekTime() <= until) {
      queue.pop();
      this.#now = queue.time;
      this.#processed++;
      handlers[queue.kind](queue.subject, queue.time);
    }
    if (until !== Infinity && until > this.#now) this.#now = until;
  }
}

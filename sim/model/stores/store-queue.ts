/**
 * A store's capacity: `connections` operations execute at once, each taking `opTime`, in the order
 * they arrive (a single-threaded Redis is one connection's worth: one command at a time). As
 * operations arrive in time order, each one's wait is known when it arrives (the recurrence of a
 * FIFO multi-server queue), so the queue needs no events of its own.
 */
export class StoreQueue {
  readonly #free: Float64Array;
  readonly #opTime: number;

  constructor(connections: number, opTime: number) {
    this.#free = new Float64Array(connections);
    this.#opTime = opTime;
  }

  /** An operation arrives at `now`: seconds until it has executed (its wait plus its own time). */
  op(now: number): number {
    const free = this.#free;
    let k = 0;
    for (let i = 1; i < free.length; i++) if (free[i] < free[k]) k = i;
    const start = free[k] > now ? free[k] : now;
    free[k] = start + this.#opTime;
    return free[k] - now;
  }
}

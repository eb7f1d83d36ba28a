import type { ServerSpec } from "../scenario/scenario.js";

/**
 * The application servers: N workers each and a FIFO queue of waiting requests. Requests are
 * named by client slot (a user has at most one request in flight). `epoch` counts crashes,
 * so state stamped with an older epoch is known to be gone.
 */
export class ServerPool {
  readonly size: number;
  readonly workers: number;
  readonly queueLimit: number;
  /** 1 while the server is actually running, whatever the balancer believes. */
  readonly up: Uint8Array;
  readonly epoch: Int32Array;
  /** Requests in service or queued, per server. */
  readonly active: Int32Array;
  /** Client slot in each worker, -1 when idle: `busy[server * workers + worker]`. */
  readonly busy: Int32Array;
  readonly #queues: Int32Array[];
  readonly #heads: Int32Array;
  readonly #lengths: Int32Array;

  constructor(list: readonly ServerSpec[], workers: number, queueLimit: number) {
    this.size = list.length;
    this.workers = workers;
    this.queueLimit = queueLimit;
    this.up = new Uint8Array(this.size).fill(1);
    this.epoch = new Int32Array(this.size);
    this.active = new Int32Array(this.size);
    this.busy = new Int32Array(this.size * workers).fill(-1);
    this.#queues = Array.from({ length: this.size }, () => new Int32Array(16));
    this.#heads = new Int32Array(this.size);
    this.#lengths = new Int32Array(this.size);
  }

  /** An idle worker of the server, or -1. */
  idleWorker(server: number): number {
    const base = server * this.workers;
    for (let w = 0; w < this.workers; w++) if (this.busy[base + w] < 0) return w;
    return -1;
  }

  queueLength(server: number): number {
    return this.#lengths[server];
  }

  enqueue(server: number, slot: number): void {
    let q = this.#queues[server];
    const length = this.#lengths[server];
    if (length === q.length) {
      const grown = new Int32Array(q.length * 2);
      for (let i = 0; i < length; i++) grown[i] = q[(this.#heads[server] + i) % q.length];
      this.#queues[server] = q = grown;
      this.#heads[server] = 0;
    }
    q[(this.#heads[server] + length) % q.length] = slot;
    this.#lengths[server] = length + 1;
  }

  /** The next waiting client slot, or -1 when the queue is empty. */
  dequeue(server: number): number {
    const length = this.#lengths[server];
    if (length === 0) return -1;
    const q = this.#queues[server];
    const slot = q[this.#heads[server]];
    this.#heads[server] = (this.#heads[server] + 1) % q.length;
    this.#lengths[server] = length - 1;
    return slot;
  }
}

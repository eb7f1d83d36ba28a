import type { LostCause } from "../metrics/causes.js";
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
  /** 1 while the server accepts connections, whatever the balancer believes. */
  readonly up: Uint8Array;
  /** 1 while its process runs and serves what it has accepted (a stopping server runs but is not up). */
  readonly running: Uint8Array;
  /** 1 from a planned stop until its last accepted request is answered. */
  readonly stopping: Uint8Array;
  /** Times the server's memory was lost (a crash or a stop); state stamped with an older count is gone. */
  readonly epoch: Int32Array;
  /** Why each server's memory was last lost. */
  readonly memoryLostBy: LostCause[];
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
    this.running = new Uint8Array(this.size).fill(1);
    this.stopping = new Uint8Array(this.size);
    this.epoch = new Int32Array(this.size);
    this.memoryLostBy = Array.from({ length: this.size }, () => "serverCrash" as LostCause);
    this.active = new Int32Array(this.size);
    this.busy = new Int32Array(this.size * workers).fill(-1);
    this.#queues = Array.from({ length: this.size }, () => new Int32Array(16));
    this.#heads = new Int32Array(this.size);
    this.#lengths = new Int32Array(this.size);
  }

  /** The process ends and its memory with it, for `cause`. */
  halt(server: number, cause: LostCause): void {
    this.up[server] = 0;
    this.running[server] = 0;
    this.stopping[server] = 0;
    this.epoch[server]++;
    this.memoryLostBy[server] = cause;
  }

  /** The process starts, empty, and accepts connections. */
  start(server: number): void {
    this.up[server] = 1;
    this.running[server] = 1;
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

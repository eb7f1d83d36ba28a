import type { LostCause } from "../metrics/causes.js";
import type { ServerSpec } from "../scenario/scenario.js";

/** A server's lifecycle state (DESIGN.md "Model"); only the lifecycle changes it. */
export const enum ServerState {
  /** Its process is booting: it refuses connections until its start-up time has passed. */
  Starting = 0,
  Up = 1,
  /** Up, and told to drain: the balancer sends it no new sessions; it stops at the drain's deadline. */
  Draining = 2,
  /** Crashed or stopped (a stopping server is down while it answers what it accepted). */
  Down = 3,
  /** Taken out of the pool for good. */
  Removed = 4,
}

/**
 * The application servers: N workers each and a FIFO queue of waiting requests. Requests are
 * named by client slot (a user has at most one request in flight). The pool grows when servers
 * are added: every array is sized for the scenario's capacity (every server it can ever have)
 * and the first `size` entries describe servers that exist, in the order they were created.
 * `epoch` counts memory losses, so state stamped with an older epoch is known to be gone.
 */
export class ServerPool {
  size = 0;
  readonly capacity: number;
  readonly workers: number;
  readonly queueLimit: number;
  /** Name, weight, address and HAProxy id of each server that exists. */
  readonly specs: ServerSpec[] = [];
  readonly state: Uint8Array;
  /** 1 while the server accepts connections, whatever the balancer believes. */
  readonly up: Uint8Array;
  /** 1 while its process runs and serves what it has accepted (a stopping server runs but is not up). */
  readonly running: Uint8Array;
  /** Servers whose process runs. */
  runningCount = 0;
  /** 1 from a planned stop until its last accepted request is answered. */
  readonly stopping: Uint8Array;
  /** Why a stopping server's memory goes when it exits. */
  readonly stopCause: LostCause[];
  /** Times the server's memory was lost (a crash or a stop); state stamped with an older count is gone. */
  readonly epoch: Int32Array;
  /** Why each server's memory was last lost, and the scenario event that lost it (-1: none). */
  readonly memoryLostBy: LostCause[];
  readonly memoryLostByEvent: Int32Array;
  /** The scenario event that stopped a stopping server (-1: none). */
  readonly stopEvent: Int32Array;
  /** Connections each server holds: requests in service or queued, and open long-lived connections (WebSockets); changed through `connected` and `disconnected`. */
  readonly active: Int32Array;
  /** The sum of `active`. */
  activeTotal = 0;
  /** What each worker serves, -1 when idle: a client slot, or a message (messages.ts): `busy[server * workers + worker]`. */
  readonly busy: Int32Array;
  readonly #byName = new Map<string, number>();
  readonly #usedIds = new Set<number>();
  readonly #queues: Int32Array[];
  readonly #heads: Int32Array;
  readonly #lengths: Int32Array;

  /** A pool of the `initial` servers, up, with room for `capacity` servers in all. */
  constructor(initial: readonly ServerSpec[], capacity: number, workers: number, queueLimit: number) {
    this.capacity = capacity;
    this.workers = workers;
    this.queueLimit = queueLimit;
    this.state = new Uint8Array(capacity);
    this.up = new Uint8Array(capacity);
    this.running = new Uint8Array(capacity);
    this.stopping = new Uint8Array(capacity);
    this.stopCause = Array.from({ length: capacity }, () => "serverStopped" as LostCause);
    this.epoch = new Int32Array(capacity);
    this.memoryLostBy = Array.from({ length: capacity }, () => "serverCrash" as LostCause);
    this.memoryLostByEvent = new Int32Array(capacity).fill(-1);
    this.stopEvent = new Int32Array(capacity).fill(-1);
    this.active = new Int32Array(capacity);
    this.busy = new Int32Array(capacity * workers).fill(-1);
    this.#queues = Array.from({ length: capacity }, () => new Int32Array(16));
    this.#heads = new Int32Array(capacity);
    this.#lengths = new Int32Array(capacity);
    for (const spec of initial) this.#usedIds.add(spec.id);
    for (const spec of initial) this.start(this.create(spec.name, spec.weight, spec));
  }

  /**
   * A new server joins the pool, `starting`: the next index, the lowest HAProxy id no server has
   * had (HAProxy numbers servers added at run time the same way), an address from its index.
   */
  create(name: string, weight: number, given?: ServerSpec): number {
    const server = this.size++;
    let id = given?.id ?? 1;
    if (!given) {
      while (this.#usedIds.has(id)) id++;
      this.#usedIds.add(id);
    }
    this.specs.push({ name, weight, address: given?.address ?? defaultAddress(server), id });
    this.#byName.set(name, server);
    this.state[server] = ServerState.Starting;
    return server;
  }

  /** The index of the server with this name, -1 when there is none (yet). */
  indexOf(name: string): number {
    return this.#byName.get(name) ?? -1;
  }

  /** Told when a server's memory is gone (a store that keeps copies elsewhere acts on it); null when nothing listens. */
  memoryLost: ((server: number, now: number) => void) | null = null;
  /**
   * Told when a server closes the long-lived connections it holds: it stops (a graceful shutdown
   * closes them) or its process ends; null when nothing listens.
   */
  cutConnections: ((server: number, now: number) => void) | null = null;

  /** The process ends at `now` and its memory with it, for `cause`, because of scenario event `event` (-1: none). */
  halt(server: number, cause: LostCause, event: number, now: number): void {
    this.up[server] = 0;
    this.runningCount -= this.running[server];
    this.running[server] = 0;
    this.stopping[server] = 0;
    if (this.state[server] !== ServerState.Removed) this.state[server] = ServerState.Down;
    this.epoch[server]++;
    this.memoryLostBy[server] = cause;
    this.memoryLostByEvent[server] = event;
    this.memoryLost?.(server, now);
    this.cutConnections?.(server, now);
  }

  /** The process starts, empty, and accepts connections. */
  start(server: number): void {
    this.up[server] = 1;
    this.runningCount += 1 - this.running[server];
    this.running[server] = 1;
    this.state[server] = ServerState.Up;
  }

  /** Writes into `into` a 1 for each server up and not draining (taking new sessions), 0 for the rest; returns it. */
  inRotation(into: Uint8Array): Uint8Array {
    for (let s = 0; s < this.size; s++) into[s] = this.state[s] === ServerState.Up ? 1 : 0;
    return into;
  }

  /** `server` holds one more connection (a request arrived, a long-lived connection opened). */
  connected(server: number): void {
    this.active[server]++;
    this.activeTotal++;
  }

  /** `server` holds `count` fewer connections. */
  disconnected(server: number, count = 1): void {
    this.active[server] -= count;
    this.activeTotal -= count;
  }

  /** Servers that are up or draining: running and accepting connections. */
  isServing(server: number): boolean {
    return this.state[server] === ServerState.Up || this.state[server] === ServerState.Draining;
  }

  /** An idle worker of the server, or -1. */
  idleWorker(server: number): number {
    const base = server * this.workers;
    for (let w = 0; w < this.workers; w++) if (this.busy[base + w] === -1) return w;
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

  /** The next waiting client slot (or message, messages.ts), -1 when the queue is empty. */
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

/** The address a server gets when the scenario gives none: 10.0.x.y:8080 by its index. */
export function defaultAddress(i: number): string {
  return `10.0.${(i >> 8) & 0xff}.${(i & 0xff) + 1}:8080`;
}

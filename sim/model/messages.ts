import type { Kind } from "../engine/engine.js";
import { KeyedRandom } from "../engine/random.js";
import { LogHistogram } from "../metrics/histogram.js";
import type { MessageMetrics } from "../metrics/result.js";
import { compileDistribution, type Distribution } from "./distributions.js";
import { grown } from "./grown.js";
import type { World } from "./world.js";

/** Jobs' arrays start this long and double. */
const MIN_JOBS = 1024;

/** A message job as the servers' worker and queue arrays hold it: -2, -3, ... (-1 is an idle worker, slots are >= 0). */
export const messageEntry = (job: number): number => -2 - job;
/** The job a worker or queue entry below -1 holds. */
export const messageJob = (entry: number): number => -2 - entry;

/** How a message's work reaches a server's workers: the request path serves what its queue holds next. */
export interface ServerWork {
  /** The worker `worker` of `server` is free at `now`: it takes the next request or message waiting, if any. */
  serveNext(server: number, worker: number, now: number): void;
}

/**
 * Messages over open long-lived connections, simulated one by one when the scenario gives them a
 * service time (`clients.websocket.messageService`). Each open connection sends messages as a
 * Poisson process at `messagesPerSecond`; a message reaches the connection's server (the balancer
 * only relays it) and waits there with the requests, in the same FIFO queue for the same workers
 * (one event loop, or one thread pool, serves both), so its latency is its wait plus its work.
 * A message that finds the queue at `queueLimit` is dropped, and so is one waiting or in service
 * when its server's process dies; messages a server holds keep a stopping server running until
 * answered, as its requests do. A connection has one pending arrival event; a message has one
 * completion event.
 */
export class Messages {
  /** Messages each server holds: in service or queued. */
  readonly held: Int32Array;
  readonly #world: World;
  #work: ServerWork | null = null;
  readonly #rate: number;
  readonly #service: Distribution;
  readonly #gaps: KeyedRandom;
  readonly #works: KeyedRandom;
  readonly #latency = new LogHistogram();
  readonly #ARRIVE: Kind;
  readonly #DONE: Kind;
  #dropped = 0;
  /** Per connection slot: its server (-1 closed), the generation its arrival event carries, messages sent so far (the draws' key). */
  #server = new Int32Array(0);
  #gen = new Uint8Array(0);
  #sent = new Int32Array(0);
  /** Per job: the connection's user and the message's number (its draws' key), when it reached the server, its server and worker, its generation. */
  #uid = new Int32Array(MIN_JOBS);
  #number = new Int32Array(MIN_JOBS);
  #arrivedAt = new Float64Array(MIN_JOBS);
  #jobServer = new Int32Array(MIN_JOBS);
  #jobWorker = new Int32Array(MIN_JOBS);
  #jobGen = new Uint8Array(MIN_JOBS);
  #free = new Int32Array(MIN_JOBS);
  #freeCount = 0;
  #used = 0;

  constructor(world: World) {
    this.#world = world;
    const websocket = world.scenario.clients.websocket;
    this.#rate = websocket.messagesPerSecond;
    this.#service = compileDistribution(websocket.messageService!);
    this.#gaps = new KeyedRandom(world.seed, world.purpose("message-gap"));
    this.#works = new KeyedRandom(world.seed, world.purpose("message-service"));
    this.held = new Int32Array(world.servers.capacity);
    this.#ARRIVE = world.engine.on(this.#arrive);
    this.#DONE = world.engine.on(this.#done);
  }

  /** The request path, which serves a server's queue when a worker frees. */
  set work(work: ServerWork) {
    this.#work = work;
  }

  /** A new user in `slot`: its messages are counted from 0. */
  arrived(slot: number): void {
    if (slot >= this.#server.length) this.#grow(Math.max(MIN_JOBS, this.#world.clients.capacity));
    this.#sent[slot] = 0;
  }

  /** The connection in `slot` opened on `server` at `now`: its messages start. */
  opened(slot: number, server: number, now: number): void {
    this.#server[slot] = server;
    this.#gen[slot]++;
    this.#next(slot, now);
  }

  /** The connection in `slot` closed or dropped: it sends no more (messages already at the server are answered or dropped there). */
  closed(slot: number): void {
    this.#server[slot] = -1;
    this.#gen[slot]++;
  }

  /** A worker of `server` takes the message `job` from the queue at `now`. */
  serve(job: number, server: number, worker: number, now: number): void {
    const servers = this.#world.servers;
    servers.busy[server * servers.workers + worker] = messageEntry(job);
    this.#jobWorker[job] = worker;
    const work = this.#service.quantile(this.#works.at(this.#uid[job], this.#number[job]));
    this.#world.metrics.busy(server, work, now);
    this.#world.engine.at(now + work, this.#DONE, job * 256 + this.#jobGen[job]);
  }

  /** The server's process died with the message `job` waiting or in service there: it is lost. */
  drop(job: number, now: number): void {
    this.held[this.#jobServer[job]]--;
    if (now >= this.#world.scenario.warmup) this.#dropped++;
    this.#release(job);
  }

  metrics(): MessageMetrics {
    const h = this.#latency, answered = h.count > 0;
    return {
      messagesAnswered: h.count,
      messagesDropped: this.#dropped,
      messageLatencyMs: {
        mean: answered ? h.mean : null,
        p50: answered ? h.quantile(0.5) : null,
        p95: answered ? h.quantile(0.95) : null,
        p99: answered ? h.quantile(0.99) : null,
      },
    };
  }

  /** The connection's next message after `now`, if the run lasts that long. */
  #next(slot: number, now: number): void {
    const uid = this.#world.clients.uid[slot];
    const at = now - Math.log(1 - this.#gaps.at(uid, this.#sent[slot]++)) / this.#rate;
    if (at <= this.#world.scenario.duration) this.#world.engine.at(at, this.#ARRIVE, slot * 256 + this.#gen[slot]);
  }

  readonly #arrive = (subject: number, now: number): void => {
    const slot = subject >>> 8, server = this.#server[slot];
    if ((subject & 255) !== this.#gen[slot] || server < 0) return;
    const number = this.#sent[slot] - 1;
    this.#next(slot, now);
    const servers = this.#world.servers;
    const worker = servers.idleWorker(server);
    if (worker < 0 && servers.queueLength(server) >= servers.queueLimit) {
      if (now >= this.#world.scenario.warmup) this.#dropped++;
      return;
    }
    const job = this.#allocate();
    this.#uid[job] = this.#world.clients.uid[slot];
    this.#number[job] = number;
    this.#arrivedAt[job] = now;
    this.#jobServer[job] = server;
    this.held[server]++;
    if (worker >= 0) this.serve(job, server, worker, now);
    else servers.enqueue(server, messageEntry(job));
  };

  readonly #done = (subject: number, now: number): void => {
    const job = subject >>> 8;
    if ((subject & 255) !== this.#jobGen[job]) return; // dropped with its server
    const servers = this.#world.servers, server = this.#jobServer[job], worker = this.#jobWorker[job];
    servers.busy[server * servers.workers + worker] = -1;
    this.held[server]--;
    if (this.#arrivedAt[job] >= this.#world.scenario.warmup) this.#latency.record((now - this.#arrivedAt[job]) * 1000);
    this.#release(job);
    this.#work!.serveNext(server, worker, now);
  };

  #allocate(): number {
    if (this.#freeCount > 0) return this.#free[--this.#freeCount];
    if (this.#used === this.#uid.length) this.#growJobs(2 * this.#uid.length);
    return this.#used++;
  }

  #release(job: number): void {
    this.#jobGen[job]++;
    this.#free[this.#freeCount++] = job;
  }

  #grow(size: number): void {
    this.#server = grown(this.#server, size, -1);
    this.#gen = grown(this.#gen, size);
    this.#sent = grown(this.#sent, size);
  }

  #growJobs(size: number): void {
    this.#uid = grown(this.#uid, size);
    this.#number = grown(this.#number, size);
    this.#arrivedAt = grown(this.#arrivedAt, size);
    this.#jobServer = grown(this.#jobServer, size);
    this.#jobWorker = grown(this.#jobWorker, size);
    this.#jobGen = grown(this.#jobGen, size);
    this.#free = grown(this.#free, size);
  }
}

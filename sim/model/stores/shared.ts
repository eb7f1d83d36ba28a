import { z } from "zod";
import { KeyedRandom } from "../../engine/random.js";
import type { LostCause } from "../../metrics/causes.js";
import { count, positiveDuration, timeDistribution } from "../../scenario/fields.js";
import { compileDistribution, type Distribution } from "../distributions.js";
import { defineStore, type StoreContext } from "./define.js";
import { Persistence, persistenceOptions, type PersistenceOptions } from "./persistence.js";
import type { SessionStore } from "./session-store.js";
import { StoreQueue } from "./store-queue.js";

/**
 * How long a command issued while Redis is unreachable waits before the client gives up: node-redis
 * keeps it in its offline queue with no limit (packages/client/lib/client/socket.ts); ioredis 5
 * rejects it after 20 reconnect attempts, about 10.5 s (lib/redis/event_handler.ts,
 * `maxRetriesPerRequest` 20, `retryStrategy` min(50·times, 2000) ms).
 */
const GIVES_UP = { "node-redis": Infinity, ioredis: 10.5 } as const;

interface SharedOptions {
  latency: Parameters<typeof compileDistribution>[0];
  capacity?: { connections: number; opTime: number };
  timeout?: number;
  client: keyof typeof GIVES_UP;
  onOutage: "error" | "newSession";
  persistence: PersistenceOptions;
}

/**
 * A Redis-like store every server reaches over the network: any server can read any session, at
 * the cost of a read and a write round trip per request (express-session's GET, then SET or
 * EXPIRE). With a capacity, operations queue at the store, so a saturated store shows as latency
 * and, past `timeout`, as failed requests. While it is unreachable the client waits (node-redis)
 * or gives up (ioredis), and the application answers an error or starts a new session; a restart
 * keeps what its persistence kept.
 */
class SharedStore implements SessionStore {
  readonly queued: boolean;
  failed = false;
  readonly #o: SharedOptions;
  readonly #latency: Distribution;
  readonly #constantLatency: number;
  readonly #draw: KeyedRandom;
  readonly #queue: StoreQueue | null;
  readonly #persistence: Persistence;
  readonly #timeout: number;
  /** Until when the store is unreachable; the current access's time, and whether it found the store so and started a new session. */
  #downUntil = -Infinity;
  #accessAt = 0;
  #outageLoss = false;
  /** Restarts so far: when, what they kept (data written after it is gone), which event. */
  readonly #restarts: { at: number; kept: number; event: number }[] = [];
  /** Per session: when it was first written, whether a write of it failed (an outage), which restart lost it. */
  #createdAt = new Float64Array(1024);
  #unsaved = new Uint8Array(1024);
  #lostBy = -1;

  constructor(options: SharedOptions, context: StoreContext) {
    this.#o = options;
    this.queued = options.capacity !== undefined;
    this.#latency = compileDistribution(options.latency);
    this.#constantLatency = options.latency.dist === "constant" ? options.latency.value : -1;
    this.#draw = new KeyedRandom(context.seed, context.purpose("storeLatency"));
    this.#queue = options.capacity ? new StoreQueue(options.capacity.connections, options.capacity.opTime) : null;
    this.#persistence = new Persistence(options.persistence);
    this.#timeout = options.timeout ?? Infinity;
  }

  access(slot: number, now: number, uid: number, n: number): number {
    this.failed = false;
    this.#outageLoss = false;
    this.#accessAt = now;
    let wait = 0;
    if (now < this.#downUntil) {
      const limit = Math.min(GIVES_UP[this.#o.client], this.#timeout);
      if (this.#downUntil - now <= limit) wait = this.#downUntil - now;
      else if (this.#o.onOutage === "error") return this.#fail(limit);
      else {
        // The read failed; the application starts a new session, which it cannot save either.
        this.#outageLoss = true;
        return limit;
      }
    }
    wait += this.#trip(now + wait, uid, 2 * n);
    if (!this.queued) wait += this.#trip(now + wait, uid, 2 * n + 1);
    this.#persistence.changed(now + wait);
    return wait > this.#timeout ? this.#fail(this.#timeout) : wait;
  }

  write(slot: number, now: number, uid: number, n: number): number {
    const seconds = now < this.#downUntil ? Math.min(this.#downUntil - now, GIVES_UP[this.#o.client], this.#timeout) : this.#trip(now, uid, 2 * n + 1);
    // A write that times out is lost while the user sees success (express-session ends the response first).
    if (seconds >= this.#timeout || now < this.#downUntil) this.#unsaved[slot] = 1;
    return Math.min(seconds, this.#timeout);
  }

  created(slot: number): void {
    if (slot >= this.#createdAt.length) this.#grow(slot);
    this.#createdAt[slot] = this.#accessAt;
    this.#unsaved[slot] = this.#outageLoss ? 1 : 0;
  }

  readFailure(slot: number): LostCause | null {
    this.#lostBy = -1;
    if (this.#outageLoss) return "storeOutage";
    if (this.#unsaved[slot]) return "storeOutage";
    const restarts = this.#restarts, created = this.#createdAt[slot];
    if (restarts.length === 0 || restarts[restarts.length - 1].at < created) return null;
    for (const r of restarts)
      if (r.at >= created && created > r.kept) {
        this.#lostBy = r.event;
        return "storeDataLoss";
      }
    return null;
  }

  heldLocally(): boolean {
    return false;
  }

  lostBy(): number {
    return this.#lostBy;
  }

  outage(seconds: number, now: number): void {
    this.#downUntil = Math.max(this.#downUntil, now + seconds);
  }

  restart(seconds: number, now: number, event: number): void {
    this.#restarts.push({ at: now, kept: this.#persistence.keptUpTo(now), event });
    this.#persistence.restarted(now);
    this.outage(seconds, now);
  }

  /** One operation from `at`: its round trip and, with a capacity, its turn at the store. */
  #trip(at: number, uid: number, k: number): number {
    // A constant round trip needs no draw (the common case, kept off the hot path).
    const trip = this.#constantLatency >= 0 ? this.#constantLatency : this.#latency.quantile(this.#draw.at(uid, k));
    return this.#queue ? this.#queue.op(at) + trip : trip;
  }

  #fail(after: number): number {
    this.failed = true;
    return after;
  }

  #grow(slot: number): void {
    let n = this.#createdAt.length;
    while (n <= slot) n *= 2;
    const created = new Float64Array(n), unsaved = new Uint8Array(n);
    created.set(this.#createdAt);
    unsaved.set(this.#unsaved);
    this.#createdAt = created;
    this.#unsaved = unsaved;
  }
}

export const sharedStore = defineStore({
  kind: "shared",
  title: "shared store",
  summary: "A Redis-like store every server reads and writes over the network, with a capacity, outages, restarts and persistence.",
  canFail: true,
  options: {
    latency: timeDistribution.prefault(0.001).describe("One round trip; each request reads and writes the session once (default 1 ms)."),
    capacity: z
      .strictObject({
        connections: count(10_000).default(1).describe("Operations the store executes at once (a single-threaded Redis: 1)."),
        opTime: positiveDuration.describe("Time one operation takes at the store (Redis without pipelining: about 13 µs, 75,000 a second)."),
      })
      .optional()
      .describe("Operations queue at the store in arrival order; without it the store never waits."),
    timeout: positiveDuration.optional().describe("Seconds the application (or the proxy in front) waits for the store before the request fails; default: no limit."),
    client: z.enum(["node-redis", "ioredis"]).default("node-redis").describe("While the store is unreachable, node-redis queues commands until it returns; ioredis 5 gives up after about 10.5 s."),
    onOutage: z.enum(["error", "newSession"]).default("error").describe("What the application does when it cannot read the session: answer an error (express-session: 500) or start a new session."),
    persistence: persistenceOptions.describe("What a restart keeps."),
  },
  create: (options, context) => new SharedStore(options as SharedOptions, context),
});

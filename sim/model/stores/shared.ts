import { z } from "zod";
import type { LostCause } from "../../metrics/causes.js";
import { bytesField, count, positiveDuration, timeDistribution } from "../../scenario/fields.js";
import { defineStore, type StoreContext } from "./define.js";
import { grown, grownLength } from "./grow.js";
import { RoundTrips, type LatencySpec } from "./round-trips.js";
import { Persistence, persistenceOptions, type PersistenceOptions } from "./persistence.js";
import type { SessionStore } from "./session-store.js";
import { StoreMemory } from "./store-memory.js";
import { StoreQueue } from "./store-queue.js";

/**
 * When a client gives up on commands issued while Redis is unreachable. node-redis keeps them in
 * its offline queue with no limit (packages/client/lib/client/socket.ts). ioredis 5 rejects its
 * whole queue whenever a close brings `retryAttempts` to a multiple of 21 (lib/redis/event_handler.ts,
 * `closeHandler`, `maxRetriesPerRequest` 20). Close n comes after the delays of the n − 1
 * reconnections before it, `retryStrategy` min(50·k, 2000) ms for k = 1..n − 1, connection
 * attempts themselves taken as instant: close 21 at 50·(1 + … + 20) ms = 10.5 s after the drop,
 * close 42 at 41 s (k = 1..40) + 2 s = 43 s, then every 21 × 2 s = 42 s.
 */
const IOREDIS_FIRST_FLUSH = 10.5;
const IOREDIS_SECOND_FLUSH = 43;
const IOREDIS_FLUSH_EVERY = 42;

interface SharedOptions {
  latency: LatencySpec;
  capacity?: { connections: number; opTime: number };
  timeout?: number;
  client: "node-redis" | "ioredis";
  onOutage: "error" | "newSession";
  persistence: PersistenceOptions;
  maxMemory?: number;
  eviction: "noeviction" | "allkeys-lru" | "volatile-lru";
  sessionBytes: number;
  ttl: "sliding" | "fixed";
}

/**
 * A Redis-like store every server reaches over the network: any server can read any session, at
 * the cost of a read and a write round trip per request (express-session's GET, then SET or
 * EXPIRE). With a capacity, operations queue at the store, so a saturated store shows as latency
 * and, past `timeout`, as failed requests. While it is unreachable the client waits (node-redis)
 * or gives up (ioredis), and the application answers an error or starts a new session; a restart
 * keeps what its persistence kept, and a session written again since is whole again.
 */
export class SharedStore implements SessionStore {
  readonly queued: boolean;
  failed = false;
  readonly #o: SharedOptions;
  readonly #trips: RoundTrips;
  readonly #queue: StoreQueue | null;
  readonly #persistence: Persistence;
  readonly #timeout: number;
  readonly #memory: StoreMemory | null;
  /** With a fixed TTL, seconds a session lives from its first write however often it is used; Infinity when every use renews it. */
  readonly #fixedTtl: number;
  /** Operations issued so far. */
  #operations = 0;
  /** Since and until when the store is unreachable. */
  #downFrom = -Infinity;
  #downUntil = -Infinity;
  /** The current access: its time, whether it started a new session because the store was unreachable, what its read found. */
  #accessAt = 0;
  #outageLoss = false;
  /** Whether the store refused the current access's write (full, noeviction). */
  #refused = false;
  #readLoss: LostCause | null = null;
  #lostBy = -1;
  /** Restarts so far: when, what they kept (data written after it is gone), which event. */
  readonly #restarts: { at: number; kept: number; event: number }[] = [];
  /**
   * Per session: when it was first written, when its last successful write was issued, whether
   * it was created by the request in progress, and whether it is not in the store at all (created
   * while the store was unreachable, or its first write failed, and not written since).
   */
  #createdAt = new Float64Array(1024);
  #writtenAt = new Float64Array(1024);
  #fresh = new Uint8Array(1024);
  #unsaved = new Uint8Array(1024);

  constructor(options: SharedOptions, context: StoreContext) {
    this.#o = options;
    this.queued = options.capacity !== undefined;
    this.#trips = new RoundTrips(options.latency, context);
    this.#queue = options.capacity ? new StoreQueue(options.capacity.connections, options.capacity.opTime) : null;
    this.#persistence = new Persistence(options.persistence);
    this.#timeout = options.timeout ?? Infinity;
    this.#fixedTtl = options.ttl === "fixed" ? context.idleTimeout : Infinity;
    // Every session has a TTL (connect-redis writes it with EX), so volatile-lru evicts like allkeys-lru.
    this.#memory =
      options.maxMemory === undefined ? null : new StoreMemory(Math.floor(options.maxMemory / options.sessionBytes), options.eviction !== "noeviction", context.idleTimeout);
  }

  access(slot: number, now: number, uid: number, n: number, _server = 0, read = true): number {
    if (slot >= this.#createdAt.length) this.#grow(slot);
    this.failed = false;
    this.#outageLoss = false;
    this.#refused = false;
    this.#accessAt = now;
    this.#fresh[slot] = 0;
    let wait = 0;
    if (now < this.#downUntil) {
      const limit = this.#limit(now);
      if (this.#downUntil - now <= limit) wait = this.#downUntil - now;
      else if (this.#o.onOutage === "error") return this.#fail(limit);
      else {
        // The read failed; the application starts a new session, in the store only once a write of it
        // succeeds (without a capacity its write goes with the read, and fails with it).
        this.#outageLoss = true;
        this.#readLoss = "storeOutage";
        this.#lostBy = -1;
        return limit;
      }
    }
    const memory = this.#memory;
    if (read) wait += this.#trip(now + wait, uid, 2 * n);
    this.#readLoss = !read
      ? null
      : this.#unsaved[slot] === 1
        ? "storeOutage"
        : this.#unsaved[slot] === 2
          ? "storeFull"
          : memory?.evicted(slot)
            ? "evicted"
            : this.#lostToRestart(slot, now)
              ? "storeDataLoss"
              : this.#fixedTtl < now - this.#createdAt[slot]
                ? "storeTtl"
                : null;
    if (read) memory?.read(slot, now);
    if (!this.queued) {
      wait += this.#trip(now + wait, uid, 2 * n + 1);
      if (wait <= this.#timeout) this.#saved(slot, now);
    }
    this.#persistence.changed(now + wait);
    return wait > this.#timeout ? this.#fail(this.#timeout) : wait;
  }

  write(slot: number, now: number, uid: number, n: number): number {
    let seconds = 0;
    if (now < this.#downUntil) {
      // As for a read: the client holds the command until the store is back (node-redis), unless it gives up first.
      const limit = this.#limit(now);
      if (this.#downUntil - now > limit) return this.#writeFailed(slot, limit);
      seconds = this.#downUntil - now;
    }
    seconds += this.#trip(now + seconds, uid, 2 * n + 1);
    // A write that times out is not saved while the user sees success (express-session ends the
    // response first); the store keeps the session's last copy, if it has one.
    if (seconds > this.#timeout) return this.#writeFailed(slot, this.#timeout);
    this.#saved(slot, now);
    return seconds;
  }

  created(slot: number): void {
    this.#createdAt[slot] = this.#accessAt;
    this.#fresh[slot] = 1;
    this.#unsaved[slot] = this.#outageLoss ? 1 : this.#refused ? 2 : 0;
  }

  readFailure(): LostCause | null {
    return this.#readLoss;
  }

  heldLocally(): boolean {
    return false;
  }

  lostBy(): number {
    return this.#lostBy;
  }

  outage(seconds: number, now: number): void {
    if (now >= this.#downUntil) this.#downFrom = now;
    this.#downUntil = Math.max(this.#downUntil, now + seconds);
  }

  restart(seconds: number, now: number, event: number, _node?: string, host = false): void {
    this.#restarts.push({ at: now, kept: this.#persistence.keptUpTo(now, host), event });
    this.#persistence.restarted(now);
    this.outage(seconds, now);
  }

  /** Seconds a command issued at `now`, while the store is unreachable, waits before it fails. */
  #limit(now: number): number {
    if (this.#o.client === "node-redis") return this.#timeout;
    // ioredis: until its next flush after the drop (one at that very moment takes the command too).
    const since = now - this.#downFrom;
    let flush = IOREDIS_FIRST_FLUSH;
    if (since > IOREDIS_SECOND_FLUSH) flush = IOREDIS_SECOND_FLUSH + Math.ceil((since - IOREDIS_SECOND_FLUSH) / IOREDIS_FLUSH_EVERY) * IOREDIS_FLUSH_EVERY;
    else if (since > IOREDIS_FIRST_FLUSH) flush = IOREDIS_SECOND_FLUSH;
    return Math.min(flush - since, this.#timeout);
  }

  /**
   * Whether a restart since the session was last written lost it: its first write came after what
   * that restart's persistence kept (a write after the restart would have put it back whole).
   */
  #lostToRestart(slot: number, now: number): boolean {
    const restarts = this.#restarts, written = this.#writtenAt[slot];
    if (restarts.length === 0 || restarts[restarts.length - 1].at <= written) return false;
    for (const r of restarts)
      if (r.at > written && r.at <= now && this.#createdAt[slot] > r.kept) {
        this.#lostBy = r.event;
        return true;
      }
    return false;
  }

  /**
   * A write issued at `at` reached the store: the session is in it, whole. The model settles each
   * command when it is issued (an outage or restart that begins afterwards does not touch it), so
   * a write issued before a restart reached the store before it, and one issued after reached it
   * once the store was back.
   */
  #saved(slot: number, at: number): void {
    // At the memory limit with noeviction, Redis refuses the write (OOM): a new session is not kept, an older one keeps its copy.
    this.#refused = this.#memory !== null && !this.#memory.write(slot, at);
    if (this.#refused) {
      if (this.#fresh[slot]) this.#unsaved[slot] = 2;
      return;
    }
    this.#writtenAt[slot] = at;
    this.#unsaved[slot] = 0;
  }

  /** The write failed: a session this request created is not in the store; an older one keeps its last copy. */
  #writeFailed(slot: number, after: number): number {
    if (this.#fresh[slot]) this.#unsaved[slot] = 1;
    return after;
  }

  operations(): number {
    return this.#operations;
  }

  /** One operation from `at`: its round trip and, with a capacity, its turn at the store. */
  #trip(at: number, uid: number, k: number): number {
    this.#operations++;
    const trip = this.#trips.at(uid, k);
    return this.#queue ? this.#queue.op(at) + trip : trip;
  }

  #fail(after: number): number {
    this.failed = true;
    return after;
  }

  #grow(slot: number): void {
    const n = grownLength(this.#createdAt.length, slot);
    this.#createdAt = grown(this.#createdAt, n);
    this.#writtenAt = grown(this.#writtenAt, n);
    this.#fresh = grown(this.#fresh, n);
    this.#unsaved = grown(this.#unsaved, n);
  }
}

/** How many operations the store executes at once and how long each takes. */
export const capacityOptions = z.strictObject({
  connections: count(10_000).default(1).describe("Operations the store executes at once (a single-threaded Redis: 1; a database: its connection pool)."),
  opTime: positiveDuration.describe("Time one operation takes at the store (Redis without pipelining: about 13 µs, 75,000 a second)."),
});

/** The options of the shared-store model, with Redis's defaults; the database preset changes some. */
export const sharedOptions = {
  latency: timeDistribution.prefault(0.001).describe("One round trip; each request reads and writes the session once (default 1 ms)."),
  capacity: capacityOptions.optional().describe("Operations queue at the store in arrival order; without it the store never waits."),
  timeout: positiveDuration.optional().describe("Seconds the application (or the proxy in front) waits for the store before the request fails; default: no limit."),
  client: z.enum(["node-redis", "ioredis"]).default("node-redis").describe("While the store is unreachable, node-redis queues commands until it returns; ioredis 5 rejects every waiting command 10.5 s and 43 s after the drop, then every 42 s."),
  onOutage: z.enum(["error", "newSession"]).default("error").describe("What the application does when it cannot read the session: answer an error (express-session: 500) or start a new session."),
  persistence: persistenceOptions.describe("What a restart keeps."),
  maxMemory: bytesField.optional().describe('Redis maxmemory: bytes the sessions may take ("512mb"); default: no limit.'),
  eviction: z
    .enum(["noeviction", "allkeys-lru", "volatile-lru"])
    .default("noeviction")
    .describe("maxmemory-policy at the limit: noeviction (Redis's default) refuses new sessions; the LRU policies evict the least recently used (cause evicted)."),
  sessionBytes: count(1 << 30).default(2048).describe("Bytes one session takes in the store, its key and overhead included."),
  ttl: z
    .enum(["sliding", "fixed"])
    .default("sliding")
    .describe("sliding: every use renews the key's TTL (express-session's touch); fixed: the key expires idleTimeout after the session's first write, in use or not (connect-redis disableTouch with a session saved once)."),
};

export function createSharedStore(options: unknown, context: StoreContext): SharedStore {
  return new SharedStore(options as SharedOptions, context);
}

export const sharedStore = defineStore({
  kind: "shared",
  title: "shared store",
  summary: "A Redis-like store every server reads and writes over the network, with a capacity, outages, restarts and persistence.",
  canFail: true,
  options: sharedOptions,
  create: createSharedStore,
});

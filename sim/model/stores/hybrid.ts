import { z } from "zod";
import type { LostCause } from "../../metrics/causes.js";
import type { StoreFigures } from "../../metrics/result.js";
import { count } from "../../scenario/fields.js";
import { defineStore, type StoreContext } from "./define.js";
import { grown, grownLength } from "./grow.js";
import type { SessionStore } from "./session-store.js";
import { createSharedStore, sharedOptions, type SharedStore } from "./shared.js";

interface CacheOptions {
  entries: number;
  policy: "lru" | "fifo";
}

/**
 * A cache of sessions in each server's memory in front of a shared store: a read the serving
 * server's cache can answer costs no round trip; every write goes to the cache and the store
 * (write-through). The cache holds at most `entries` sessions and evicts by `policy`: `lru` the
 * least recently used, `fifo` the first inserted, which is what a JavaScript `Map` with
 * "delete the first key when full" does (insertion order, kept when a key is set again). Nothing
 * tells a server that another one changed a session, so a server whose cached copy is older than
 * the store's reads a stale session (and its write then overwrites the newer one). A server's
 * cache goes with its memory.
 */
class HybridStore implements SessionStore {
  readonly queued: boolean;
  readonly sessionBytes: number;
  readonly #shared: SharedStore;
  readonly #entries: number;
  readonly #lru: boolean;
  readonly #context: StoreContext;
  /** Per server: session slot → the write stamp of the copy it caches, in eviction order; and the memory epoch it was filled in. */
  readonly #caches: Map<number, number>[];
  readonly #cacheEpoch: Int32Array;
  /** Writes so far: every write gets the next stamp, so a copy's stamp says which version it is. */
  #stamp = 0;
  /** Per session: the stamp of its latest write, of its creation (older cached copies belong to an earlier session), and when it was last used. */
  #version = new Float64Array(1024);
  #born = new Float64Array(1024);
  #lastUse = new Float64Array(1024);
  readonly #held: Int32Array;
  /** The current request: answered from the cache, and whether that copy is out of date. */
  #hit = false;
  #stale = false;
  #lookups = 0;
  #hits = 0;
  #staleReads = 0;

  constructor(shared: SharedStore, cache: CacheOptions, sessionBytes: number, context: StoreContext) {
    this.#shared = shared;
    this.queued = shared.queued;
    this.sessionBytes = sessionBytes;
    this.#entries = cache.entries;
    this.#lru = cache.policy === "lru";
    this.#context = context;
    this.#caches = Array.from({ length: context.capacity }, () => new Map<number, number>());
    this.#cacheEpoch = new Int32Array(context.capacity);
    this.#held = new Int32Array(context.capacity);
  }

  get failed(): boolean {
    return this.#shared.failed;
  }

  access(slot: number, now: number, uid: number, n: number, server: number): number {
    if (slot >= this.#version.length) this.#grow(slot);
    const cache = this.#cache(server);
    const copy = cache.get(slot);
    // A copy of the user's current session; one that idled out (or belongs to an earlier session) is a different key.
    this.#hit = copy !== undefined && copy >= this.#born[slot] && now - this.#lastUse[slot] <= this.#context.idleTimeout;
    this.#stale = this.#hit && copy !== this.#version[slot];
    const seconds = this.#shared.access(slot, now, uid, n, server, !this.#hit);
    if (!this.#shared.failed) this.#put(cache, slot);
    this.#lastUse[slot] = now;
    return seconds;
  }

  write(slot: number, now: number, uid: number, n: number): number {
    return this.#shared.write(slot, now, uid, n);
  }

  created(slot: number, server: number, now: number): void {
    this.#shared.created(slot);
    if (slot >= this.#version.length) this.#grow(slot);
    this.#born[slot] = this.#version[slot] = ++this.#stamp;
    this.#lastUse[slot] = now;
    this.#put(this.#cache(server), slot);
  }

  readFailure(slot: number, server: number, now: number): LostCause | null {
    if (now >= this.#context.measureFrom) {
      this.#lookups++;
      if (this.#hit) this.#hits++;
      if (this.#stale) this.#staleReads++;
    }
    return this.#hit ? null : this.#shared.readFailure();
  }

  heldLocally(): boolean {
    return this.#hit;
  }

  /** Copies of the ended session stay in caches until evicted, but belong to another key than the slot's next session. */
  ended(slot: number): void {
    if (slot < this.#born.length) this.#born[slot] = ++this.#stamp;
  }

  lostBy(): number {
    return this.#shared.lostBy();
  }

  outage(seconds: number, now: number): void {
    this.#shared.outage(seconds, now);
  }

  restart(seconds: number, now: number, event: number, node?: string, host = false): void {
    this.#shared.restart(seconds, now, event, node, host);
  }

  /** Sessions each server's cache holds (copies of expired sessions too, until evicted: the cache never expires them). */
  held(): Int32Array {
    const size = this.#context.members.size;
    for (let s = 0; s < size; s++) this.#held[s] = this.#cache(s).size;
    return this.#held;
  }

  operations(): number {
    return this.#shared.operations();
  }

  figures(): Partial<StoreFigures> {
    return { cacheHitRate: this.#lookups > 0 ? this.#hits / this.#lookups : null, staleReads: this.#staleReads };
  }

  /** The server's cache, emptied if its memory was lost since it was filled. */
  #cache(server: number): Map<number, number> {
    const cache = this.#caches[server], epoch = this.#context.epoch[server];
    if (this.#cacheEpoch[server] !== epoch) {
      cache.clear();
      this.#cacheEpoch[server] = epoch;
    }
    return cache;
  }

  /** The request wrote the session: a new version, in the store and in this server's cache. */
  #put(cache: Map<number, number>, slot: number): void {
    const stamp = (this.#version[slot] = ++this.#stamp);
    if (this.#lru) cache.delete(slot);
    cache.set(slot, stamp);
    if (cache.size > this.#entries) cache.delete(cache.keys().next().value!);
  }

  #grow(slot: number): void {
    const n = grownLength(this.#version.length, slot);
    this.#version = grown(this.#version, n);
    this.#born = grown(this.#born, n);
    this.#lastUse = grown(this.#lastUse, n);
  }
}

const cacheOptions = z
  .strictObject({
    entries: count(1e8).default(1000).describe("Sessions each server's cache holds (the HybridSessionStore pattern's maxCacheSize, default 1,000)."),
    policy: z.enum(["lru", "fifo"]).default("lru").describe("Which session goes when the cache is full: lru the least recently used, fifo the first inserted (a Map that deletes its first key)."),
  })
  .prefault({});

export const hybridStore = defineStore({
  kind: "hybrid",
  title: "cache + shared store",
  summary: "A cache of sessions in each server's memory in front of a shared store: hits skip the round trip, every write goes through; a copy another server changed is read stale.",
  canFail: true,
  options: { ...sharedOptions, cache: cacheOptions.describe("The cache in each server's memory.") },
  create: (options, context) => new HybridStore(createSharedStore(options, context), options.cache as CacheOptions, options.sessionBytes as number, context),
});

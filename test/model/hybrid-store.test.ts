import { describe, expect, it } from "vitest";
import type { LostCause } from "../../sim/metrics/causes.js";
import type { StoreContext } from "../../sim/model/stores/define.js";
import { hybridStore } from "../../sim/model/stores/hybrid.js";
import type { SessionStore } from "../../sim/model/stores/session-store.js";
import { store as storeSchema } from "../../sim/scenario/schema.js";

/** One round trip to the store (constant): a miss costs a read and a write, a hit only the write. */
const TRIP = 0.005;

interface Cluster {
  context: StoreContext;
  store: SessionStore;
}

function cluster(options: Record<string, unknown> = {}, opts: { size?: number; idleTimeout?: number; measureFrom?: number } = {}): Cluster {
  const size = opts.size ?? 4;
  const context: StoreContext = {
    epoch: new Int32Array(size),
    memoryLostBy: Array.from({ length: size }, (): LostCause => "serverCrash"),
    memoryLostByEvent: new Int32Array(size).fill(-1),
    capacity: size,
    idleTimeout: opts.idleTimeout ?? 1800,
    cleanupEvery: 60,
    members: { size, running: new Uint8Array(size).fill(1), runningCount: size },
    measureFrom: opts.measureFrom ?? 0,
    measureUntil: 3600,
    seed: 1,
    purpose: (name) => `rep0:${name}`,
  };
  const store = hybridStore.create(storeSchema.parse({ kind: "hybrid", latency: `${TRIP * 1000}ms`, ...options }) as never, context);
  return { context, store };
}

/** What a request does to the store, as Requests and Sessions ask it: access, then created (a new session) or heldLocally and readFailure. */
interface Served {
  seconds: number;
  failure: LostCause | null;
  hit: boolean;
}

let n = 0;

function create(c: Cluster, slot: number, server: number, now: number): Served {
  const seconds = c.store.access(slot, now, slot, n++, server);
  c.store.created(slot, server, now);
  return { seconds, failure: null, hit: false };
}

function read(c: Cluster, slot: number, server: number, now: number): Served {
  const seconds = c.store.access(slot, now, slot, n++, server);
  const held = c.store.heldLocally(slot, server);
  const failure = c.store.readFailure(slot, server, now);
  return { seconds, failure, hit: failure === null && held };
}

const figures = (c: Cluster) => c.store.figures!();

describe("a cache in front of the shared store", () => {
  it("a server that cached the session answers from its cache (a hit); another server misses, then caches it", () => {
    const c = cluster();
    expect(create(c, 0, 0, 0).seconds).toBeCloseTo(2 * TRIP, 12);
    expect(read(c, 0, 0, 10)).toEqual({ seconds: expect.closeTo(TRIP, 12), failure: null, hit: true });
    expect(read(c, 0, 1, 20)).toEqual({ seconds: expect.closeTo(2 * TRIP, 12), failure: null, hit: false });
    expect(read(c, 0, 1, 30)).toEqual({ seconds: expect.closeTo(TRIP, 12), failure: null, hit: true });
    // Both now cache it: s0 (written at 10) and s1.
    expect(Array.from(c.store.held!(40))).toEqual([1, 1, 0, 0]);
    // Reads of existing sessions: 3, of which 2 hits.
    expect(figures(c).cacheHitRate).toBeCloseTo(2 / 3, 12);
  });

  it("a hit skips the read's round trip, not the write's: one latency instead of two, with any latency", () => {
    for (const ms of [1, 3]) {
      const c = cluster({ latency: `${ms}ms` });
      create(c, 0, 0, 0);
      expect(read(c, 0, 0, 10).seconds).toBeCloseTo(ms / 1000, 12);
      expect(read(c, 0, 2, 20).seconds).toBeCloseTo((2 * ms) / 1000, 12);
    }
    // The write goes to the store even on a hit: one operation, where a miss makes two.
    const c = cluster();
    create(c, 0, 0, 0);
    const before = c.store.operations!();
    read(c, 0, 0, 10);
    expect(c.store.operations!() - before).toBe(1);
    read(c, 0, 1, 20);
    expect(c.store.operations!() - before).toBe(3);
  });

  it("a hit on a copy older than another server's write is a stale read", () => {
    const c = cluster();
    create(c, 0, 0, 0); // s0 caches version 1
    read(c, 0, 1, 10); // s1 misses, reads the store and writes version 2
    expect(figures(c).staleReads).toBe(0);
    expect(read(c, 0, 0, 20).hit).toBe(true); // s0's copy is version 1: stale
    expect(figures(c).staleReads).toBe(1);
    read(c, 0, 0, 30); // s0 wrote it at 20: its copy is the latest
    expect(figures(c).staleReads).toBe(1);
    read(c, 0, 1, 40); // s1's copy (10) is older than s0's writes
    expect(figures(c).staleReads).toBe(2);
    // Another session's writes do not make this one's copies stale.
    create(c, 1, 2, 50);
    read(c, 0, 1, 60);
    expect(figures(c).staleReads).toBe(2);
  });

  it("the cache holds at most `entries` sessions (default 1,000)", () => {
    const c = cluster();
    for (let slot = 0; slot < 1200; slot++) create(c, slot, 0, slot);
    expect(Array.from(c.store.held!(1200))).toEqual([1000, 0, 0, 0]);
    // The first 200 were evicted, the last 1,000 are there (probed oldest first: a miss inserts and evicts the oldest).
    expect(read(c, 200, 0, 1300).hit).toBe(true);
    expect(read(c, 199, 0, 1300).hit).toBe(false);
    expect(c.store.held!(1300)[0]).toBe(1000);
  });
});

describe("eviction from a full cache of 2", () => {
  /** Sessions A, B created on s0, A read again, then C created: the cache is full at C. */
  function filled(policy: "lru" | "fifo"): Cluster {
    const c = cluster({ cache: { entries: 2, policy } });
    create(c, 0, 0, 0); // A
    create(c, 1, 0, 1); // B
    expect(read(c, 0, 0, 2).hit).toBe(true); // A, just read
    create(c, 2, 0, 3); // C: one of A, B goes
    expect(c.store.held!(3)[0]).toBe(2);
    return c;
  }

  /** Which of A, B, C a fresh copy of the filled cache still holds, each probed on its own copy (a miss inserts, evicting another). */
  const held = (policy: "lru" | "fifo") => [0, 1, 2].map((slot) => read(filled(policy), slot, 0, 10).hit);

  it("FIFO (a Map deleting its first key) evicts the first inserted, A, even though it was just read: setting it again kept its place", () => {
    expect(held("fifo")).toEqual([false, true, true]);
  });

  it("LRU evicts the least recently used, B", () => {
    expect(held("lru")).toEqual([true, false, true]);
  });

  it("the default policy is LRU", () => {
    const c = cluster({ cache: { entries: 2 } });
    create(c, 0, 0, 0);
    create(c, 1, 0, 1);
    read(c, 0, 0, 2);
    create(c, 2, 0, 3);
    expect(read(c, 1, 0, 10).hit).toBe(false);
  });
});

describe("what a cache does not answer", () => {
  it("a server whose memory epoch changed (a crash, a stop) has an empty cache; the others keep theirs, and the store has the session", () => {
    const c = cluster();
    create(c, 0, 0, 0);
    read(c, 0, 1, 10);
    expect(Array.from(c.store.held!(10))).toEqual([1, 1, 0, 0]);
    c.context.epoch[0]++;
    expect(Array.from(c.store.held!(20))).toEqual([0, 1, 0, 0]);
    expect(read(c, 0, 0, 30)).toEqual({ seconds: expect.closeTo(2 * TRIP, 12), failure: null, hit: false });
    // Cached again once read, in the new epoch.
    expect(read(c, 0, 0, 40).hit).toBe(true);
    expect(read(c, 0, 1, 50).hit).toBe(true);
  });

  it("a session idle past the timeout is a miss: its next request starts a new session, reading the store", () => {
    const c = cluster({}, { idleTimeout: 60 });
    create(c, 0, 0, 0);
    expect(read(c, 0, 0, 59).hit).toBe(true);
    // Idle 61 s: the application starts a new session (Sessions.read), after an access that found no current copy.
    expect(create(c, 0, 0, 120).seconds).toBeCloseTo(2 * TRIP, 12);
    expect(read(c, 0, 0, 130).hit).toBe(true);
  });

  it("a copy of the slot's earlier session is not the current session", () => {
    const c = cluster({}, { idleTimeout: 60 });
    create(c, 0, 0, 0);
    read(c, 0, 1, 10); // s1 caches the first session
    create(c, 0, 0, 100); // idled out: a new session on s0
    const r = read(c, 0, 1, 110);
    expect(r.hit).toBe(false);
    expect(r.seconds).toBeCloseTo(2 * TRIP, 12);
    expect(figures(c).staleReads).toBe(0);
  });
});

describe("cache figures", () => {
  it("count only reads from measureFrom: hits over reads of existing sessions, and stale reads", () => {
    const c = cluster({}, { measureFrom: 100 });
    create(c, 0, 0, 0);
    read(c, 0, 1, 10); // a miss
    read(c, 0, 0, 20); // a stale hit
    expect(figures(c)).toEqual({ cacheHitRate: null, staleReads: 0 });
    read(c, 0, 0, 110); // a hit, current (s0 wrote at 20)
    read(c, 0, 1, 120); // a stale hit (s1's copy is from 10)
    read(c, 0, 2, 130); // a miss
    create(c, 1, 3, 140); // a new session: not a read of an existing one
    expect(figures(c)).toEqual({ cacheHitRate: 2 / 3, staleReads: 1 });
  });
});

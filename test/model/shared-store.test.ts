import { beforeAll, describe, expect, it } from "vitest";
import type { StrategyResult } from "../../sim/metrics/result.js";
import { simulate } from "../../sim/model/simulation.js";
import { runScenario } from "../../sim/run.js";
import { scenario } from "../helpers.js";

const sum = (xs: number[], from = 0, to = xs.length) => xs.slice(from, to).reduce((a, b) => a + b, 0);

/**
 * One user who arrives almost at once and sends a request every second (think 1 s, no work, the
 * store's default 1 ms round trip twice: a cycle of 1.002 s) for the whole run; windows of 1 s.
 * The store is unreachable from 30 s to 150 s. The first request at or after 30 s is sent at
 * 30 + δ, δ in [0, 1.002).
 */
function oneUserOutage(store: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const s = scenario({
    duration: "4m",
    replications: 1,
    clients: { count: 1, visitsPerSecond: 1000, requestsPerVisit: 1000, think: "1s" },
    servers: { count: 2, workers: 1, service: "0s" },
    metrics: { window: "1s" },
    strategies: [{ id: "round-robin", store: { kind: "shared", ...store } }],
    events: [{ at: "30s", storeOutage: "2m" }],
    ...extra,
  });
  return simulate(s, s.strategies[0], 0);
}

/** Indices of the windows with failures, each checked to hold exactly one. */
function failureWindows(failed: number[]): number[] {
  const at: number[] = [];
  failed.forEach((f, i) => {
    if (f > 0) at.push(i);
    expect(f).toBeLessThanOrEqual(1);
  });
  return at;
}

describe("a store outage, one user", () => {
  it("node-redis waits for the store: the request sent in the outage is answered when it returns, nothing fails or is lost", () => {
    const r = oneUserOutage({});
    expect(r.metrics.failedRequests).toBe(0);
    expect(r.metrics.lostSessions).toBe(0);
    // The request at 30 + δ holds until 150 s, so it is the only one sent in [30, 151).
    expect(sum(r.timeline.requests, 30, 151)).toBe(1);
    // Every other request takes 2 ms; that one 150 − (30 + δ) s + 2 ms, so the latencies add up
    // to 2 ms per request plus between 119 and 120 s.
    const total = r.metrics.latencyMs.mean! * r.metrics.requests, extra = total - 2 * r.metrics.requests;
    expect(extra).toBeGreaterThan(118_990);
    expect(extra).toBeLessThanOrEqual(120_000 + 1e-6);
  });

  it("ioredis rejects its queue at its flushes, 10.5 s, 43 s and 85 s into the outage: a request fails at the next one, until Redis is back before it", () => {
    // Flushes at 30 + 10.5 = 40.5 s, 30 + 43 = 73 s and 30 + 85 = 115 s (the next, at 157 s, comes
    // after the outage). The request at 30 + δ fails at 40.5 s whatever δ; the user's next, at
    // 41.5 s, fails at 73 s; the next, at 74 s, at 115 s; the one at 116 s waits for the store,
    // back at 150 s before the next flush, and is served. 3 failures, 4 requests sent in [30, 151).
    const r = oneUserOutage({ client: "ioredis" });
    expect(r.metrics.failedRequests).toBe(3);
    expect(r.metrics.lostSessions).toBe(0);
    expect(sum(r.timeline.requests, 30, 151)).toBe(4);
    // By when they fail; 73 s and 115 s are window boundaries, which rounding may put either side of.
    const at = failureWindows(r.timeline.failedRequests);
    expect(at).toHaveLength(3);
    expect(at[0]).toBe(40);
    expect([72, 73]).toContain(at[1]);
    expect([114, 115]).toContain(at[2]);
  });

  it("a timeout shorter than node-redis's patience fails requests after it: every 5.5 s with a 4.5 s timeout", () => {
    // Requests at 30 + δ + 5.5 k fail while 150 − (30 + δ + 5.5 k) > 4.5: k = 0..20, 21 failures.
    const r = oneUserOutage({ timeout: "4.5s" });
    expect(r.metrics.failedRequests).toBe(21);
    const at = failureWindows(r.timeline.failedRequests);
    expect([34, 35]).toContain(at[0]);
    for (let i = 1; i < at.length; i++) expect([5, 6]).toContain(at[i] - at[i - 1]);
    expect(at[at.length - 1]).toBeLessThan(150);
  });

  it("with newSession, ioredis's failed reads start new sessions that cannot be saved: each request in the outage loses one, and the first after it", () => {
    // The same timing as with errors (no work, so a failed request and one served with a new
    // session both answer at the flush): the 3 requests given up each lose the session (the first
    // the user's real one, then the unsaved ones; without a capacity the write goes with the read
    // and fails with it), and the request that waits for the store reads the last unsaved one:
    // lost too. 4 losses, 5 sessions, no failure.
    const r = oneUserOutage({ client: "ioredis", onOutage: "newSession" });
    expect(r.metrics.failedRequests).toBe(0);
    expect(r.metrics.lostByCause.storeOutage).toBe(4);
    expect(r.metrics.lostSessions).toBe(4);
    expect(r.metrics.sessions).toBe(5);
    // The outage is charged with the one session live when it began.
    expect(r.events[0]).toMatchObject({ action: "storeOutage", activeSessions: 1, lostSessions: 1 });
    expect(r.events[0].lostByCause.storeOutage).toBe(1);
    // A loss is counted when its request starts service (the read is issued): at 30 + δ, 41.5 s,
    // 74 s and 116 s (the request that waits); 74 s and 116 s are window boundaries.
    const lostAt = failureWindows(r.timeline.lostSessions);
    expect(lostAt).toHaveLength(4);
    expect([30, 31]).toContain(lostAt[0]);
    expect(lostAt[1]).toBe(41);
    expect([73, 74]).toContain(lostAt[2]);
    expect([115, 116]).toContain(lostAt[3]);
  });

  it("node-redis with newSession never gives up, so never starts a new session", () => {
    const r = oneUserOutage({ onOutage: "newSession" });
    expect(r.metrics.lostSessions).toBe(0);
    expect(r.metrics.failedRequests).toBe(0);
  });
});

/**
 * 300 users, all arrived within the first minute or so (10 a second), each sending a request every
 * 5 s for the whole run; 400 workers, so every request waiting for the store has one. The store
 * is unreachable from 240 s to 360 s; windows of 60 s (window 4 is [240, 300), window 5 [300, 360)).
 */
function manyUsersOutage(stores: Record<string, Record<string, unknown>>, service = "10ms") {
  const s = scenario({
    seed: 4,
    duration: "8m",
    replications: 1,
    clients: { count: 300, visitsPerSecond: 10, requestsPerVisit: 1000, think: "5s" },
    servers: { count: 2, workers: 200, service },
    strategies: Object.entries(stores).map(([label, store]) => ({ id: "round-robin", label, store: { kind: "shared", ...store } })),
    events: [{ at: "4m", storeOutage: "2m" }],
  });
  return Object.fromEntries(runScenario(s).results.map((r) => [r.strategy, r])) as Record<string, StrategyResult>;
}

describe("a 2 min store outage, 300 users", () => {
  it("node-redis with a 60 s timeout fails each user's first request in it, in the outage's second minute, and loses no session", () => {
    const { r } = manyUsersOutage({ r: { timeout: "60s" } });
    // A request beginning service in [240, 300) would wait more than 60 s: it fails at 60 s, in
    // [300, 360). The user's next request, 5 s later, waits less than 60 s for the store and is
    // served. Every user has exactly one request in [240, 300).
    expect(r.metrics.failedRequests).toBe(300);
    expect(r.timeline.failedRequests).toEqual([0, 0, 0, 0, 0, 300, 0, 0]);
    expect(r.metrics.lostSessions).toBe(0);
    expect(r.events[0]).toMatchObject({ action: "storeOutage", activeSessions: 300, returnedSessions: 300, lostSessions: 0 });
  });

  it("with ioredis, requests fail at its flushes, 10.5 s, 43 s and 85 s into the outage: three per user", () => {
    const { r } = manyUsersOutage({ r: { client: "ioredis" } }, "0s");
    // Flushes at 250.5 s, 283 s and 325 s (the next, at 367 s, comes after the outage). Every
    // user's first request in the outage, sent in [240, 245), fails at 250.5 s; its next, 5 s
    // later, at 283 s; the next, at 288 s, at 325 s; the one at 330 s waits for the store and is
    // served. Three failures each, by when they fail: two in window 4, one in window 5.
    expect(r.metrics.failedRequests).toBe(3 * 300);
    expect(r.metrics.lostSessions).toBe(0);
    expect(r.timeline.failedRequests).toEqual([0, 0, 0, 0, 600, 300, 0, 0]);
  });

  it("with newSession no request fails, and every session live at the outage is lost, charged to it", () => {
    // No work, so both runs keep the same time: each request that gives up in the error run is,
    // in the newSession run, a read that found no store and started a new, unsaved session.
    const { error, fresh } = manyUsersOutage({ error: { client: "ioredis" }, fresh: { client: "ioredis", onOutage: "newSession" } }, "0s");
    expect(fresh.metrics.failedRequests).toBe(0);
    // Every such read loses the session it had, and the first read after the last flush, which
    // waits for the store, loses the last unsaved one: 3 + 1 a user.
    expect(fresh.metrics.lostByCause.storeOutage).toBe(error.metrics.failedRequests + 300);
    expect(fresh.metrics.lostSessions).toBe(4 * 300);
    // The outage is charged once per session live at it: all 300.
    expect(fresh.events[0]).toMatchObject({ activeSessions: 300, lostSessions: 300 });
    expect(fresh.events[0].lostByCause.storeOutage).toBe(300);
    // Losses are counted as requests start service: at [240, 245), 255.5 s and 288 s (window 4),
    // and at 330 s (window 5), the request that waits.
    expect(fresh.timeline.lostSessions).toEqual([0, 0, 0, 0, 900, 300, 0, 0]);
  });

  it("with a queued store, a write issued in the outage waits (node-redis) or is given up (ioredis): neither loses a session the store held", () => {
    // 200 ms of work: about 300 × 0.2 / 5.2 ≈ 12 requests are between their read and their write
    // when the store goes away. node-redis holds their writes until it is back.
    const { waits, gives } = manyUsersOutage({ waits: { capacity: { opTime: "10us" } }, gives: { capacity: { opTime: "10us" }, client: "ioredis" } }, "200ms");
    expect(waits.metrics.failedRequests).toBe(0);
    expect(waits.metrics.lostSessions).toBe(0);
    // ioredis gives those writes up at the first flush, 250.5 s; the sessions were created long
    // before, so the store still has their last copy and none is lost.
    expect(gives.metrics.lostSessions).toBe(0);
    // Reads fail as with no work, three per user, except that a user whose write was given up
    // got its answer (a success) at 250.5 s instead of a failure: its reads fail at 283 s and 325 s.
    expect(gives.metrics.failedRequests).toBeLessThan(3 * 300);
    expect(gives.metrics.failedRequests).toBeGreaterThan(3 * 300 - 30);
  });
});

/**
 * One user who arrives almost at once (at a, a few ms) and sends a request every second, 1 s of
 * work each, to a store with a capacity (operations 1 ms at the store, 1 ms round trips), so each
 * request's write is issued when its work is done: the read at a + 2.004 k s, the write at
 * a + 2.004 k + 1.002 s, the response 2 ms later; windows of 1 s.
 */
function oneUserQueued(store: Record<string, unknown>, event: Record<string, unknown>) {
  const s = scenario({
    duration: "4m",
    replications: 1,
    clients: { count: 1, visitsPerSecond: 1000, requestsPerVisit: 1000, think: "1s" },
    servers: { count: 2, workers: 1, service: "1s" },
    metrics: { window: "1s" },
    strategies: [{ id: "round-robin", store: { kind: "shared", capacity: { opTime: "1ms" }, ...store } }],
    events: [event],
  });
  return simulate(s, s.strategies[0], 0);
}

describe("a write that fails", () => {
  it("loses the session only when the request that made it created it: the store keeps an older session's last copy", () => {
    // The store is unreachable for 2 min from 0.5 s, during the first request's work: the write of
    // the session it created, at a + 1.002 s, is given up by ioredis at the first flush, 11 s
    // (answered then, a success), so that session is not in the store. The next requests, at 12 s
    // and 44.5 s, fail at the flushes at 43.5 s and 85.5 s; the one at 86.5 s waits for the store
    // (back at 120.5 s, before the flush at 127.5 s) and finds no session: lost.
    const first = oneUserQueued({ client: "ioredis" }, { at: "0.5s", storeOutage: "2m" });
    expect(first.metrics.failedRequests).toBe(2);
    expect(first.metrics.lostByCause.storeOutage).toBe(1);
    expect(first.metrics.lostSessions).toBe(1);
    expect(first.events[0].lostByCause.storeOutage).toBe(1);
    expect(failureWindows(first.timeline.failedRequests)).toEqual([43, 85]);
    expect(failureWindows(first.timeline.lostSessions)).toEqual([86]);
    // From 2.5 s the outage comes during the second request's work: its write, at a + 3.006 s, is
    // given up at 13 s, but the session was written by the first request. The same two failures
    // (at 45.5 s and 87.5 s), and the request at 88.5 s, which waits until 122.5 s, finds it.
    const later = oneUserQueued({ client: "ioredis" }, { at: "2.5s", storeOutage: "2m" });
    expect(later.metrics.failedRequests).toBe(2);
    expect(later.metrics.lostSessions).toBe(0);
    expect(failureWindows(later.timeline.failedRequests)).toEqual([45, 87]);
  });

  it("a new session started because the store was unreachable is saved by a write that waits for its return", () => {
    // Unreachable from 3.5 s to 23.5 s, while the user thinks after its second request. Its third,
    // at a + 4.008 s, finds no store, and ioredis gives the read up at the first flush, 14 s: the
    // session is lost and a new one started (newSession). Its write, issued at about 15 s, would
    // wait until the next flush, 46.5 s, and the store is back before, at 23.5 s: it waits and the
    // new session is saved, so the next request, at about 24.5 s, reads it. One loss.
    const r = oneUserQueued({ client: "ioredis", onOutage: "newSession" }, { at: "3.5s", storeOutage: "20s" });
    expect(r.metrics.failedRequests).toBe(0);
    expect(r.metrics.lostByCause.storeOutage).toBe(1);
    expect(r.metrics.lostSessions).toBe(1);
    expect(r.metrics.sessions).toBe(2);
    expect(failureWindows(r.timeline.lostSessions)).toEqual([4]);
  });
});

/**
 * Users arrive at 2 a second and send a request every 5 s for the whole run (no work); the store
 * restarts at `at`, down 5 s. Each label runs with its own persistence; users and their times
 * are the same in every one until the restart. Every session created by then is read again
 * after it (the request in the 5 s down waits for the store), and without a capacity a request's
 * write goes with its read, so that read comes before any write since the restart: a restart
 * loses exactly the sessions first written after what its persistence kept.
 */
function restartAt(at: number, persistences: Record<string, Record<string, unknown>>, restart: true | { host: boolean } = true) {
  const s = scenario({
    seed: 4,
    duration: "8m",
    replications: 1,
    clients: { visitsPerSecond: 2, requestsPerVisit: 1000, think: "5s" },
    servers: { count: 2, workers: 50, service: "0s" },
    strategies: Object.entries(persistences).map(([label, persistence]) => ({ id: "round-robin", label, store: { kind: "shared", persistence } })),
    events: [{ at, storeRestart: restart }],
  });
  return Object.fromEntries(runScenario(s).results.map((r) => [r.strategy, r])) as Record<string, StrategyResult>;
}

describe("a store restart", () => {
  let at350: Record<string, StrategyResult>, processAt350: Record<string, StrategyResult>, by349 = 0, by320 = 0, by300 = 0;
  beforeAll(() => {
    // The machine goes down with the store: the AOF loses what appendfsync had not synced.
    at350 = restartAt(350, { none: { mode: "none" }, always: { mode: "aof", fsync: "always" }, everysec: { mode: "aof" }, no: { mode: "aof", fsync: "no" }, rdb: { save: [[100, 1]] } }, { host: true });
    processAt350 = restartAt(350, { everysec: { mode: "aof" }, no: { mode: "aof", fsync: "no" } });
    // Without persistence, restarts earlier: the sessions created by 349, 320 and 300 s.
    const none = (at: number) => restartAt(at, { none: { mode: "none" } }).none.events[0].lostByCause.storeDataLoss;
    [by349, by320, by300] = [none(349), none(320), none(300)];
  });

  it("without persistence loses every session in the store, charged to the restart", () => {
    const r = at350.none;
    expect(r.events[0].activeSessions).toBeGreaterThan(600); // about 2 × 350
    expect(r.events[0].lostByCause.storeDataLoss).toBe(r.events[0].activeSessions);
    expect(r.metrics.lostByCause.storeDataLoss).toBe(r.events[0].activeSessions);
    expect(r.metrics.lostSessions).toBe(r.metrics.lostByCause.storeDataLoss);
    expect(r.metrics.failedRequests).toBe(0); // node-redis waited out the 5 s
    // All lost in the first 60 s window after it ([300, 360) holds 350 to 355 s).
    expect(r.timeline.lostSessions[5]).toBe(r.metrics.lostSessions);
  });

  it("with AOF always loses nothing", () => {
    expect(at350.always.metrics.lostSessions).toBe(0);
    expect(at350.always.events[0].activeSessions).toBe(at350.none.events[0].activeSessions);
  });

  it("a restart of the process alone loses nothing with AOF, whatever appendfsync (the file is written before each reply)", () => {
    for (const fsync of ["everysec", "no"]) {
      expect(processAt350[fsync].events[0].activeSessions).toBe(at350.none.events[0].activeSessions);
      expect(processAt350[fsync].metrics.lostSessions).toBe(0);
    }
  });

  it("with AOF everysec loses only the sessions first written in the last second", () => {
    const lost = at350.everysec.events[0].lostByCause.storeDataLoss;
    expect(lost).toBe(at350.none.events[0].lostByCause.storeDataLoss - by349);
    expect(lost).toBeLessThan(10); // a few: 2 new users a second
    expect(at350.everysec.metrics.lostByCause.storeDataLoss).toBe(lost);
  });

  it("with AOF fsync no loses the last 30 s", () => {
    const lost = at350.no.events[0].lostByCause.storeDataLoss;
    expect(lost).toBe(at350.none.events[0].lostByCause.storeDataLoss - by320);
    expect(lost).toBeGreaterThan(30);
    expect(lost).toBeLessThan(100);
  });

  it("with RDB loses the sessions first written since the last snapshot (at 300 s with a point of 100 s and 1 change)", () => {
    const lost = at350.rdb.events[0].lostByCause.storeDataLoss;
    expect(lost).toBe(at350.none.events[0].lostByCause.storeDataLoss - by300);
    expect(lost).toBeGreaterThan(60);
    expect(at350.rdb.metrics.lostByCause.storeDataLoss).toBe(lost);
  });

  it("with Redis's default save points, a quiet store is snapshotted by the hour's point though nothing is written then", () => {
    // 50 users arrive in the first seconds and come back once, after 70 min; the sessions idle
    // out after 2 h. Their 50 changes are under the 300 s point's 100, so only the hour's single
    // change point applies: the snapshot is due at 3600 s. A restart at 65 min keeps all 50; one
    // at 50 min keeps none (no snapshot yet).
    const quiet = (at: string) => {
      const s = scenario({
        duration: "2h",
        replications: 1,
        clients: { count: 50, visitsPerSecond: 10, requestsPerVisit: 2, think: "70m" },
        servers: { count: 2, workers: 8, service: "0s" },
        strategies: [{ id: "round-robin", store: { kind: "shared", idleTimeout: "2h" } }],
        events: [{ at, storeRestart: true }],
      });
      return simulate(s, s.strategies[0], 0);
    };
    expect(quiet("65m").metrics.lostSessions).toBe(0);
    const early = quiet("50m");
    expect(early.metrics.lostByCause.storeDataLoss).toBe(50);
    expect(early.events[0].lostByCause.storeDataLoss).toBe(50);
  });

  it("keeps a session whose request read it before the restart and wrote it after: written since, it is whole again", () => {
    // Without persistence, one user as in "a write that fails". A restart at 2.5 s (down until
    // 7.5 s) comes during the second request's work: it read the session at a + 2.004 s, before,
    // and its write, issued at a + 3.006 s, waits for the store and puts the whole session back.
    // The third request, at about 8.5 s, finds it.
    const across = oneUserQueued({ persistence: { mode: "none" } }, { at: "2.5s", storeRestart: true });
    expect(across.metrics.lostSessions).toBe(0);
    expect(across.metrics.sessions).toBe(1);
    // At 3.5 s the restart comes after that write: the third request, at a + 4.008 s, waits until
    // 8.5 s and finds the store empty (storeDataLoss, charged to the restart).
    const after = oneUserQueued({ persistence: { mode: "none" } }, { at: "3.5s", storeRestart: true });
    expect(after.metrics.lostByCause.storeDataLoss).toBe(1);
    expect(after.metrics.lostSessions).toBe(1);
    expect(after.events[0].lostByCause.storeDataLoss).toBe(1);
    expect(failureWindows(after.timeline.lostSessions)).toEqual([4]);
  });
});

describe("a store with a capacity", () => {
  /** One user, a request a second, 10 ms of work, 1 ms round trips, one connection whose operations take `opTime`. */
  const oneUser = (store: Record<string, unknown>) => {
    const s = scenario({
      duration: "1m",
      replications: 1,
      clients: { count: 1, visitsPerSecond: 1000, requestsPerVisit: 20, think: "1s" },
      servers: { count: 2, workers: 1, service: "10ms" },
      strategies: [{ id: "round-robin", store: { kind: "shared", ...store } }],
    });
    return simulate(s, s.strategies[0], 0).metrics;
  };

  it("adds its operation time to the read and to the write even when idle", () => {
    // 10 ms + 2 × (1 ms round trip + 30 ms at the store).
    const m = oneUser({ capacity: { opTime: "30ms" } });
    expect(m.requests).toBe(20);
    expect(m.latencyMs.mean).toBeCloseTo(72, 9);
    expect(m.latencyMs.p50).toBeCloseTo(72, 9);
    expect(m.latencyMs.p99).toBeCloseTo(72, 9);
  });

  it("fails the request when the read takes longer than the timeout, and not when it does not", () => {
    // The read takes 31 ms: a 25 ms timeout fails every request (after 25 ms), a 40 ms one none.
    const short = oneUser({ capacity: { opTime: "30ms" }, timeout: "25ms" });
    expect(short.failedRequests).toBe(20);
    expect(short.sessions).toBe(0);
    const long = oneUser({ capacity: { opTime: "30ms" }, timeout: "40ms" });
    expect(long.failedRequests).toBe(0);
    expect(long.latencyMs.p99).toBeCloseTo(72, 9);
  });

  /**
   * About 400 users in visits (20 a second, 20 requests, think exponential with mean 1 s), 10 ms
   * of work: about 400 requests a second, 800 store operations. Strategy ip-hash, so a user's
   * requests go where its address hashes whatever the timing.
   */
  function loaded(stores: Record<string, Record<string, unknown>>, clients: Record<string, unknown> = {}) {
    const s = scenario({
      seed: 4,
      duration: "5m",
      warmStart: true,
      replications: 1,
      clients: { visitsPerSecond: 20, requestsPerVisit: 20, think: { dist: "exponential", mean: "1s" }, ...clients },
      servers: { count: 4, workers: 50, service: "10ms" },
      strategies: Object.entries(stores).map(([label, store]) => ({ id: "nginx-ip-hash", label, store: { kind: "shared", ...store } })),
    });
    return Object.fromEntries(runScenario(s).results.map((r) => [r.strategy, r])) as Record<string, StrategyResult>;
  }

  it("near saturation queues operations: latency rises as M/D/1 says, the balancing does not change", () => {
    const { free, queued } = loaded({ free: {}, queued: { capacity: { opTime: "1ms" } } });
    // Without a capacity every request takes 10 + 2 × 1 ms.
    expect(free.metrics.latencyMs.p50).toBeCloseTo(12, 6);
    expect(free.metrics.latencyMs.p99).toBeCloseTo(12, 6);
    // With one: each operation takes 1 ms at the store plus its wait. The store's load ρ is two
    // operations per answered request times 1 ms (about 0.8); arrivals from many users thinking
    // exponentially are nearly Poisson, so each operation waits about M/D/1's ρD / (2(1 − ρ)).
    const D = 1, m = queued.metrics, rho = (2 * m.answeredPerSecond * D) / 1000;
    expect(rho).toBeGreaterThan(0.75);
    expect(rho).toBeLessThan(0.85);
    const expected = 12 + 2 * (D + (rho * D) / (2 * (1 - rho)));
    expect(m.latencyMs.mean! / expected).toBeGreaterThan(0.9);
    expect(m.latencyMs.mean! / expected).toBeLessThan(1.1);
    expect(m.latencyMs.p50).toBeGreaterThan(12 + 2 * D);
    expect(m.latencyMs.p99).toBeGreaterThan(2 * m.latencyMs.p50!);
    expect(m.failedRequests).toBe(0);
    expect(m.lostSessions).toBe(0);
    // The same users reach the same servers: each server's share of the requests is the same to 0.1%.
    const share = (r: StrategyResult) => r.servers.requests.map((x) => x / sum(r.servers.requests));
    share(queued).forEach((x, i) => expect(Math.abs(x - share(free)[i])).toBeLessThan(1e-3));
    expect(queued.metrics.loadSkew).toBeCloseTo(free.metrics.loadSkew!, 2);
  });

  it("does not change which server serves which user: with every visit complete, the servers' requests are identical", () => {
    // 1,000 users, every visit over before the end: each sends its 20 requests to the server its address hashes to.
    const s = scenario({
      seed: 6,
      duration: "3m",
      replications: 1,
      clients: { count: 1000, visitsPerSecond: 20, requestsPerVisit: 20, think: "1s" },
      servers: { count: 4, workers: 50, service: "10ms" },
      strategies: [
        { id: "nginx-ip-hash", label: "free", store: { kind: "shared" } },
        { id: "nginx-ip-hash", label: "queued", store: { kind: "shared", capacity: { opTime: "1ms" } } },
      ],
    });
    const [free, queued] = runScenario(s).results;
    expect(free.metrics.requests).toBe(20_000);
    expect(queued.servers.requests).toEqual(free.servers.requests);
    expect(queued.metrics.latencyMs.p99).toBeGreaterThan(free.metrics.latencyMs.p99!);
  });

  it("past saturation, a timeout bounds what a served request waits and fails the rest", () => {
    // 1.5 ms per operation: ρ ≈ 1.2, the queue grows without end. With a 50 ms timeout a served
    // request waited at most 50 ms for its read and 50 ms for its write: 10 + 50 + 50 ms at most.
    const { bounded, unbounded } = loaded({ bounded: { capacity: { opTime: "1.5ms" }, timeout: "50ms" }, unbounded: { capacity: { opTime: "1.5ms" } } });
    expect(bounded.metrics.failedRequests).toBeGreaterThan(0.1 * bounded.metrics.requests);
    expect(bounded.metrics.latencyMs.p99).toBeLessThanOrEqual(110 * 1.005);
    expect(unbounded.metrics.failedRequests).toBe(0);
    expect(unbounded.metrics.latencyMs.p99).toBeGreaterThan(1000);
    // Two connections carry the same load at ρ ≈ 0.6 each: no request fails.
    const { pooled } = loaded({ pooled: { capacity: { opTime: "1.5ms", connections: 2 }, timeout: "50ms" } });
    expect(pooled.metrics.failedRequests).toBe(0);
  });
});

describe("a store with a constant round trip and no capacity", () => {
  it("adds exactly two round trips to every request, as before capacities existed", () => {
    const run = (store: Record<string, unknown>) => {
      const s = scenario({
        seed: 9,
        duration: "3m",
        warmStart: true,
        replications: 1,
        clients: { visitsPerSecond: 20, requestsPerVisit: 10, think: "2s" },
        servers: { count: 3, workers: 100, service: "25ms" },
        strategies: [{ id: "round-robin", store: { kind: "shared", ...store } }],
      });
      return simulate(s, s.strategies[0], 0).metrics;
    };
    const byDefault = run({}), explicit = run({ latency: "1ms" }), slower = run({ latency: "4ms" });
    for (const m of [byDefault, explicit]) {
      expect(m.latencyMs.mean).toBeCloseTo(27, 9);
      expect(m.latencyMs.p50).toBeCloseTo(27, 9);
      expect(m.latencyMs.p99).toBeCloseTo(27, 9);
    }
    expect(explicit).toEqual(byDefault);
    expect(slower.latencyMs.mean).toBeCloseTo(33, 9);
    expect(slower.latencyMs.p99).toBeCloseTo(33, 9);
  });

  it("draws each round trip from a latency distribution: two uniform 0.5–1.5 ms trips add 2 ms on average, 2.86 ms at the 99th percentile", () => {
    // The sum of two uniforms on [0.5, 1.5] is triangular on [1, 3]: P(sum > s) = (3 − s)² / 2, so
    // its 99th percentile is 3 − √0.02 = 2.859.
    const s = scenario({
      seed: 9,
      duration: "3m",
      warmStart: true,
      replications: 1,
      clients: { visitsPerSecond: 20, requestsPerVisit: 10, think: "2s" },
      servers: { count: 3, workers: 100, service: "25ms" },
      strategies: [{ id: "round-robin", store: { kind: "shared", latency: { dist: "uniform", min: "0.5ms", max: "1.5ms" } } }],
    });
    const m = simulate(s, s.strategies[0], 0).metrics;
    expect(m.latencyMs.mean).toBeCloseTo(27, 1);
    expect(m.latencyMs.p99! - 25).toBeCloseTo(3 - Math.sqrt(0.02), 1);
    expect(m.latencyMs.p50! - 25).toBeCloseTo(2, 1);
  });
});

import { beforeAll, describe, expect, it } from "vitest";
import type { Result, StrategyResult } from "../sim/index.js";
import { runBundled as run, strategy } from "./bundled.js";

// The headline each bundled shared-store scenario's description states, checked on a full run of
// the file as shipped (its own seed and replications), so a description cannot drift from what
// the model shows. Each file runs in about a second or two.


/** Start of the first and of the last timeline window (first replication) in which `series` is non-zero. */
function span(s: StrategyResult, series: "failedRequests" | "lostSessions"): [number, number] {
  const t = s.timeline.t.filter((_, i) => s.timeline[series][i] > 0);
  return [t[0], t[t.length - 1]];
}

describe("redis-outage.json", () => {
  // Redis is unreachable from 180 s to 300 s; the timeline's windows are 10 s and count a failure
  // when the request fails (not when it was sent).
  const OUTAGE = 180;
  let result: Result;
  beforeAll(() => {
    result = run("redis-outage.json");
  });

  it("answering an error, requests fail and no session is lost", () => {
    for (const label of ["Redis, error, node-redis", "Redis, error, ioredis"]) {
      const m = strategy(result, label).metrics;
      expect(m.failedRequests).toBeGreaterThan(800);
      expect(m.lostSessions).toBe(0);
      expect(m.disruptedVisitRate).toBe(0);
      expect(strategy(result, label).events[0].lostSessions).toBe(0);
    }
  });

  it("node-redis hangs until the 60 s timeout; ioredis rejects its queue 10.5 s, 43 s and 85 s in, so more requests fail, sooner", () => {
    const nodeRedis = strategy(result, "Redis, error, node-redis"), ioredis = strategy(result, "Redis, error, ioredis");
    // node-redis: each user's request waits out the timeout, so failures start a minute in and
    // end with the outage; those sent in its last minute wait for Redis and are answered late.
    expect(span(nodeRedis, "failedRequests")).toEqual([OUTAGE + 60, 290]);
    expect(nodeRedis.metrics.failedRequests).toBeLessThan(1600);
    expect(nodeRedis.metrics.latencyMs.p99).toBeGreaterThan(20_000);
    // ioredis: every request waiting fails at a flush, at 190.5 s, 223 s and 265 s (windows 190,
    // 220 and 260); Redis is back at 300 s, before the next, at 307 s. A user fails once at each
    // flush it has a request waiting for, up to three times, where node-redis fails it once (the
    // request that waits out the timeout in the outage's first minute).
    expect(span(ioredis, "failedRequests")).toEqual([OUTAGE + 10, OUTAGE + 80]);
    expect(ioredis.metrics.failedRequests).toBeGreaterThan(2 * nodeRedis.metrics.failedRequests);
    // Requests sent after the last flush wait for Redis, at most 35 s (node-redis: up to 60 s).
    expect(ioredis.metrics.latencyMs.p99).toBeGreaterThan(10_000);
    expect(ioredis.metrics.latencyMs.p99).toBeLessThan(36_000);
    expect(ioredis.metrics.latencyMs.p99).toBeLessThan(nodeRedis.metrics.latencyMs.p99!);
  });

  it("starting a new session, no request fails but nearly every session in use is lost, to the outage", () => {
    for (const label of ["Redis, newSession, node-redis", "Redis, newSession, ioredis"]) {
      const s = strategy(result, label), m = s.metrics, outage = s.events[0];
      expect(m.failedRequests).toBe(0);
      expect(m.lostByCause.storeOutage).toBe(m.lostSessions);
      expect(outage.action).toBe("storeOutage");
      expect(outage.activeSessions).toBeGreaterThan(800);
      expect(outage.lostFraction).toBeGreaterThan(0.95);
      expect(outage.lostByCause.storeOutage).toBe(outage.lostSessions);
      // Sessions started during the outage could not be saved and are lost again.
      expect(m.lostSessions).toBeGreaterThan(1.5 * outage.activeSessions);
      expect(span(s, "lostSessions")[0]).toBe(OUTAGE);
    }
    // The read waits as long as the client does before the new session: 60 s with node-redis;
    // with ioredis until the next flush, up to 10.5 s, 32.5 s or 42 s, and after the last one
    // until Redis is back, up to 35 s.
    const nodeRedis = strategy(result, "Redis, newSession, node-redis").metrics;
    expect(nodeRedis.latencyMs.p99).toBeGreaterThan(55_000);
    const ioredis = strategy(result, "Redis, newSession, ioredis").metrics;
    expect(ioredis.latencyMs.p99).toBeGreaterThan(10_000);
    expect(ioredis.latencyMs.p99).toBeLessThan(43_000);
    // node-redis loses a user's session at most twice (the read that times out in the outage's
    // first minute, then the next, which waits for Redis and finds the unsaved one); ioredis up to
    // four times (at each of its three flushes, then at the read that waits for Redis).
    expect(ioredis.lostSessions).toBeGreaterThan(1.5 * nodeRedis.lostSessions);
  });

  it("sticky cookies with sessions in local memory do not notice", () => {
    const m = strategy(result, "cookie-insert + local memory").metrics;
    expect(m.failedRequests).toBe(0);
    expect(m.lostSessions).toBe(0);
    expect(m.latencyMs.p99).toBeLessThan(1000);
  });
});

describe("redis-saturation.json", () => {
  let result: Result;
  beforeAll(() => {
    result = run("redis-saturation.json");
  });

  it("a store 90% busy makes responses slower: the median about doubles and so does p99", () => {
    const busy = strategy(result, "Redis at 90% of capacity").metrics, free = strategy(result, "Redis without a capacity").metrics;
    expect(free.latencyMs.p50).toBeLessThan(12);
    expect(busy.latencyMs.p50).toBeGreaterThan(1.7 * free.latencyMs.p50!);
    expect(busy.latencyMs.p99).toBeGreaterThan(1.6 * free.latencyMs.p99!);
  });

  it("past the 25 ms timeout requests fail, and new sessions whose first write timed out are lost (storeOutage)", () => {
    const busy = strategy(result, "Redis at 90% of capacity").metrics, free = strategy(result, "Redis without a capacity").metrics;
    const failedShare = busy.failedRequests / busy.requests;
    expect(failedShare).toBeGreaterThan(0.003);
    expect(failedShare).toBeLessThan(0.02);
    expect(busy.lostSessions).toBeGreaterThan(0);
    expect(busy.lostByCause.storeOutage).toBe(busy.lostSessions);
    // A SET that times out loses the session only when it was the session's first (a later one
    // leaves the previous copy in Redis). Writes queue about as reads do (counted on this run:
    // 0.56% of writes time out, 0.70% of reads), and 9 visits in 10 have a next request to find
    // the session gone (geometric, mean 10): about 0.5% of visits, fewer than requests fail.
    expect(busy.disruptedVisitRate).toBeGreaterThan(0.002);
    expect(busy.disruptedVisitRate).toBeLessThan(0.01);
    expect(busy.disruptedVisitRate).toBeLessThan(failedShare);
    expect(free.failedRequests).toBe(0);
    expect(free.lostSessions).toBe(0);
  });

  it("the servers are far from busy: their own work is about 15% of their time, waiting for the store brings it to about a third", () => {
    const busy = strategy(result, "Redis at 90% of capacity").metrics, free = strategy(result, "Redis without a capacity").metrics;
    expect(free.utilisation).toBeGreaterThan(0.1);
    expect(free.utilisation).toBeLessThan(0.2);
    expect(busy.utilisation).toBeGreaterThan(free.utilisation);
    expect(busy.utilisation).toBeLessThan(0.4);
  });
});

import { beforeAll, describe, expect, it } from "vitest";
import type { Result, StrategyResult } from "../sim/index.js";
import { event, runBundled as run, strategy } from "./bundled.js";

// The headlines session-replication.json and hybrid-cache.json state in their descriptions,
// checked on a full run of each file as shipped (its own seed and replications), so a description
// cannot drift from what the model shows. Each file runs in about a second and a half.
//
// Both files have the same traffic: 2 visits a second of N requests, N geometric with mean 10
// (after each request the visit goes on with probability q = 0.9), 30 s of thinking (exponential)
// between them, measured from 10m to 1h (3,000 s), on 4 servers far from busy.

/** Lost sessions charged to the two crashes at 30m, over the sessions active then (each event counts every live session). */
function crashLoss(s: StrategyResult): number {
  const s3 = event(s, "crash", 0), s4 = event(s, "crash", 1);
  expect(s3.activeSessions).toBe(s4.activeSessions);
  expect(s3.activeSessions).toBeGreaterThan(300);
  return (s3.lostSessions + s4.lostSessions) / s3.activeSessions;
}

describe("session-replication.json", () => {
  const LOCAL = "sticky + local memory", BACKUP = "sticky + backup", ALL = "sticky + all-to-all", SHARED = "round-robin + shared store";
  let result: Result;
  beforeAll(() => {
    result = run("session-replication.json");
  });

  it("s3 and s4 crash together: local memory loses about half of the sessions in use, a backup about a sixth, all-to-all and a shared store none", () => {
    // Sticky cookies spread new sessions evenly: s3 and s4 hold half of them. Nearly every session
    // in use at the crash comes back (its visit goes on with probability 0.9) and finds it gone.
    const local = crashLoss(strategy(result, LOCAL));
    expect(local).toBeGreaterThan(0.4);
    expect(local).toBeLessThan(0.6);
    // A backup loses the sessions whose primary and backup were s3 and s4: of s3's quarter, the
    // third s3 backs up on s4 (round robin over s1, s2, s4), and the same of s4's: 2 × 1/4 × 1/3 = 1/6.
    const backup = crashLoss(strategy(result, BACKUP));
    expect(backup).toBeGreaterThan(0.1);
    expect(backup).toBeLessThan(0.22);
    expect(backup / local).toBeGreaterThan(0.2);
    expect(backup / local).toBeLessThan(0.45);
    for (const label of [LOCAL, BACKUP]) {
      const m = strategy(result, label).metrics;
      expect(m.lostByCause.serverCrash).toBe(m.lostSessions);
    }
    for (const label of [ALL, SHARED]) {
      const s = strategy(result, label);
      expect(s.metrics.lostSessions).toBe(0);
      expect(crashLoss(s)).toBe(0);
    }
  });

  it("all-to-all sends about two and a half times a single backup's replication traffic", () => {
    const backup = strategy(result, BACKUP).metrics, all = strategy(result, ALL).metrics;
    // Every change goes to the 3 other servers instead of one backup, except in the 10 of the 50
    // measured minutes when only s1 and s2 run (1 copy each way): (40 × 3 + 10 × 1) / 50 = 2.6,
    // a little less for the whole sessions a backup also copies (new backups, fetches).
    const ratio = all.replicationBytesPerSecond! / backup.replicationBytesPerSecond!;
    expect(ratio).toBeGreaterThan(2.2);
    expect(ratio).toBeLessThan(3);
    expect(all.peakReplicationBytesPerSecond!).toBeGreaterThanOrEqual(all.replicationBytesPerSecond!);
  });

  it("a backup's traffic is about one 2,048-byte copy per request, over 3,000 s and 4 servers", () => {
    const m = strategy(result, BACKUP).metrics;
    // Each request (the one that creates a session too) sends its change, the whole session
    // (changeBytes defaults to sessionBytes, 2,048), to the one backup, whether 4 or 2 servers
    // run. The mean over servers is the total over 4, per measured second (60m − 10m = 3,000 s).
    // The whole-session copies on top (a new backup for each session the crash touched, a fetch
    // for each sticky request that landed elsewhere) are a few hundred against some 60,000 changes;
    // the requests that fail at the crash and send nothing, a few dozen.
    const expected = (m.requests * 2048) / 3000 / 4;
    expect(Math.abs(m.replicationBytesPerSecond! / expected - 1)).toBeLessThan(0.15);
    expect(m.replicationBytesPerSecond!).toBeGreaterThanOrEqual(expected * 0.99);
  });

  it("the shared store and local memory replicate nothing: null replication figures; the shared store pays a read and a write a request", () => {
    for (const label of [SHARED, LOCAL]) {
      const m = strategy(result, label).metrics;
      expect(m.replicationBytesPerSecond).toBeNull();
      expect(m.peakReplicationBytesPerSecond).toBeNull();
      expect(m.staleReads).toBeNull();
    }
    // Two 1 ms round trips on every request, on the same service times (keyed by user and request).
    const shared = strategy(result, SHARED).metrics.latencyMs.p50!, local = strategy(result, LOCAL).metrics.latencyMs.p50!;
    expect(shared - local).toBeGreaterThan(1.5);
    expect(shared - local).toBeLessThan(2.5);
  });
});

describe("hybrid-cache.json", () => {
  const STICKY = "sticky + cache", RR = "round-robin + cache", LRU = "sticky + small LRU cache", FIFO = "sticky + small FIFO cache", REDIS = "round-robin + Redis only";
  let result: Result;
  beforeAll(() => {
    result = run("hybrid-cache.json");
  });

  /**
   * Reads of existing sessions while measuring, what cacheHitRate divides by: every request but
   * those that start a session (nothing is lost or fails here, so no request starts one twice).
   */
  function reads(label: string): number {
    const m = strategy(result, label).metrics;
    expect(m.lostSessions).toBe(0);
    expect(m.failedRequests).toBe(0);
    return m.requests - m.sessions;
  }

  it("with sticky cookies nearly every read is a cache hit, and none is stale", () => {
    // Only the session's own server reads and writes it, and 1,000 entries hold all it has.
    const m = strategy(result, STICKY).metrics;
    expect(m.cacheHitRate!).toBeGreaterThan(0.99);
    expect(m.staleReads).toBe(0);
    expect(m.peakSessionsHeld!).toBeLessThan(1000);
  });

  it("with round robin about three reads in four hit, but most hits are stale", () => {
    const m = strategy(result, RR).metrics;
    // The k-th request of a visit hits when one of the k − 1 before it went to the same server
    // (round robin between two requests 30 s apart is as good as a uniform pick): 1 − (3/4)^(k−1).
    // Over the reads, with P(N ≥ k) = q^(k−1): Σ_{j≥1} q^j (1 − 0.75^j) / Σ_{j≥1} q^j
    // = (9 − 0.675 / 0.325) / 9 ≈ 0.77.
    expect(m.cacheHitRate!).toBeGreaterThan(0.65);
    expect(m.cacheHitRate!).toBeLessThan(0.85);
    // A hit is current only when the same server served the request before (1 in 4 of the reads);
    // the rest of the hits, about (0.77 − 0.25) / 0.77 ≈ two thirds, are stale.
    const hits = m.cacheHitRate! * reads(RR);
    expect(m.staleReads!).toBeGreaterThan(0.5 * hits);
    const current = (hits - m.staleReads!) / reads(RR);
    expect(current).toBeGreaterThan(0.22);
    expect(current).toBeLessThan(0.28);
  });

  it("a cache of 200 shows the policy: LRU answers nearly every read, FIFO misses about one in twenty", () => {
    const lru = strategy(result, LRU).metrics, fifo = strategy(result, FIFO).metrics;
    expect(lru.cacheHitRate!).toBeGreaterThan(0.98);
    expect(lru.cacheHitRate! - fifo.cacheHitRate!).toBeGreaterThanOrEqual(0.03);
    expect(1 - fifo.cacheHitRate!).toBeGreaterThan(0.025);
    expect(1 - fifo.cacheHitRate!).toBeLessThan(0.1);
    // Each server sees more sessions than that (the 1,000-entry cache holds more than 200), so the small caches are full.
    expect(strategy(result, STICKY).metrics.peakSessionsHeld!).toBeGreaterThan(200);
    expect(lru.peakSessionsHeld).toBe(200);
    expect(fifo.peakSessionsHeld).toBe(200);
    for (const m of [lru, fifo]) expect(m.staleReads).toBe(0);
  });

  it("a hit saves the read's round trip: the median response of sticky + cache is about 1 ms below round-robin + Redis only", () => {
    // Redis alone: a read and a write of 1 ms on every request; sticky + cache: the write only, on
    // the same service times (keyed by user and request), so the distribution moves by 1 ms.
    const cached = strategy(result, STICKY).metrics.latencyMs.p50!, redis = strategy(result, REDIS).metrics.latencyMs.p50!;
    expect(redis - cached).toBeGreaterThan(0.8);
    expect(redis - cached).toBeLessThan(1.2);
    expect(strategy(result, REDIS).metrics.cacheHitRate).toBeNull();
    expect(strategy(result, REDIS).metrics.staleReads).toBeNull();
  });
});

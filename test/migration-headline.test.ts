import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { parseScenario, runScenario, type Result, type StrategyResult } from "../sim/index.js";
import type { PhaseResult } from "../sim/metrics/result.js";
import { event, runBundled, strategy } from "./bundled.js";

// The headline sticky-to-shared-migration.json's description states, step by step, checked on a
// full run of the file as shipped (its own seed and replications). The file's steps: local memory
// with sticky cookies on 4 servers; s1 crashes at 20m (back at 25m); a shared store is dual-written
// from 30m; s2 crashes at 45m (back at 50m), 15 minutes into the dual write; s3 crashes at 65m (back
// at 70m), 35 minutes in, more than the 30-minute idle timeout; reads go to the shared store only
// from 75m; round robin replaces the cookies at 95m. Measured from 10m to 2h. Each run takes about 2 s.

const FILE = "sticky-to-shared-migration.json";
const LABEL = "sticky, then shared";

/** Requests sent per second in a phase. */
const rate = (p: PhaseResult) => p.requests / (p.to - p.from);
/** Store operations per request sent, in a phase. */
const perRequest = (p: PhaseResult) => (p.storeOperationsPerSecond as number) / rate(p);

/** The bundled file with some of its events left out, run as shipped otherwise. */
function without(drop: (e: Record<string, unknown>) => boolean): StrategyResult {
  const raw = JSON.parse(readFileSync(new URL(`../scenarios/${FILE}`, import.meta.url), "utf8")) as { events: Record<string, unknown>[] };
  return runScenario(parseScenario(JSON.stringify({ ...raw, events: raw.events.filter((e) => !drop(e)) }), FILE)).results[0];
}

describe(FILE, () => {
  let result: Result;
  let s: StrategyResult;
  beforeAll(() => {
    result = runBundled(FILE);
    s = strategy(result, LABEL);
  });

  it("has one strategy, and enough traffic to judge it", () => {
    expect(result.results).toHaveLength(1);
    expect(result.replications).toBe(3);
    expect(s.metrics.visits).toBeGreaterThan(10_000);
    expect(event(s, "crash", 0).activeSessions).toBeGreaterThan(1000);
  });

  it("the crash of s1 with sessions in local memory only loses more than a tenth of the sessions active at it, all to the crash", () => {
    const crash = event(s, "crash", 0);
    expect(crash.server).toBe("s1");
    expect(crash.at).toBe(1200);
    // Sticky cookies spread sessions over 4 servers: s1 holds about a quarter of the active sessions,
    // and each of those that comes back is lost. No more than about a quarter can be.
    expect(crash.lostFraction).toBeGreaterThan(0.1);
    expect(crash.lostFraction).toBeLessThan(0.3);
    expect(crash.lostSessions).toBeGreaterThan(0);
    expect(crash.lostByCause.serverCrash).toBe(crash.lostSessions);
  });

  it("a crash 15 minutes into the dual write loses only sessions idle since before it began, never copied", () => {
    const crash = event(s, "crash", 1);
    expect(crash.server).toBe("s2");
    expect(crash.at).toBe(2700);
    expect(crash.activeSessions).toBeGreaterThan(1000);
    // A quarter of the live sessions are on s2; those used since 30m are in the shared store too.
    // Only the ones idle since before 30m (live: idle less than 30 minutes) are lost: a few percent.
    expect(crash.lostSessions).toBeGreaterThan(0);
    expect(crash.lostByCause.serverCrash).toBe(crash.lostSessions);
    expect(crash.lostFraction).toBeLessThan(event(s, "crash", 0).lostFraction! / 4);
  });

  it("a crash more than one idle timeout into the dual write loses no session: every live one is in the shared store", () => {
    const crash = event(s, "crash", 2);
    expect(crash.server).toBe("s3");
    expect(crash.at).toBe(3900);
    expect(crash.activeSessions).toBeGreaterThan(1000);
    expect(crash.lostSessions).toBe(0);
    // The crash did happen: the requests in service on s3 failed, in its phase.
    const phase = s.phases.find((p) => p.startedBy === "crash s3") as PhaseResult;
    expect(phase.failedRequests).toBeGreaterThan(0);
    expect(phase.lostSessions).toBe(0);
  });

  it("the switch to the shared store, 45 minutes into the dual write, loses nothing", () => {
    const dual = event(s, "store", 0), change = event(s, "store", 1);
    expect(dual.at).toBe(1800);
    expect(dual.lostSessions).toBe(0);
    expect(change.at).toBe(4500);
    expect(change.activeSessions).toBeGreaterThan(1000);
    expect(change.lostSessions).toBe(0);
    expect(s.metrics.lostByCause.storeSwitched).toBe(0);
  });

  it("switched after only 20 minutes of dual write, the sessions idle since before it began are lost, all storeSwitched", () => {
    const raw = JSON.parse(readFileSync(new URL(`../scenarios/${FILE}`, import.meta.url), "utf8")) as { events: Record<string, unknown>[] };
    const early = raw.events.map((e) => (e.store === "shared" ? { ...e, at: "50m" } : e)).filter((e) => !(e.at === "65m" || e.at === "70m"));
    const r = runScenario(parseScenario(JSON.stringify({ ...raw, events: early }), FILE)).results[0];
    const change = event(r, "store", 1);
    expect(change.at).toBe(3000);
    expect(change.lostSessions).toBeGreaterThan(0);
    expect(change.lostByCause.storeSwitched).toBe(change.lostSessions);
    expect(change.lostFraction).toBeLessThan(0.1);
  });

  it("removing stickiness at 95m loses nothing, though round robin moves about three sessions in four", () => {
    const change = event(s, "strategy");
    expect(change.at).toBe(5700);
    expect(change.lostSessions).toBe(0);
    expect(s.phases.at(-1)?.lostSessions).toBe(0);
    // Round robin over 4 servers sends a session's next request elsewhere 3 times in 4.
    expect(change.remapFraction).toBeGreaterThan(0.65);
    expect(change.remapFraction).toBeLessThan(0.85);
  });

  it("the phase table has one phase per distinct event time, and the first", () => {
    const times = new Set(JSON.parse(readFileSync(new URL(`../scenarios/${FILE}`, import.meta.url), "utf8")).events.map((e: { at: string }) => e.at));
    expect(times.size).toBe(9);
    expect(s.phases).toHaveLength(times.size + 1);
    expect(s.phases.map((p) => p.startedBy)).toEqual(["start", "crash s1", "recover s1", "store shared (dual write)", "crash s2", "recover s2", "crash s3", "recover s3", "store shared", "strategy round-robin"]);
    expect(s.phases.map((p) => p.from)).toEqual([600, 1200, 1500, 1800, 2700, 3000, 3900, 4200, 4500, 5700]);
    expect(s.phases.at(-1)?.to).toBe(7200);
    // The phases add up to the run (means over the replications).
    const sum = (f: (p: PhaseResult) => number) => s.phases.reduce((a, p) => a + f(p), 0);
    expect(sum((p) => p.requests)).toBeCloseTo(s.metrics.requests, 6);
    expect(sum((p) => p.lostSessions)).toBeCloseTo(s.metrics.lostSessions, 6);
    expect(sum((p) => p.failedRequests)).toBeCloseTo(s.metrics.failedRequests, 6);
  });

  it("store operations: none before the dual write, about one a request during it, two after the switch", () => {
    const [start, crash1, recover1, dual, crash2, recover2, crash3, recover3, shared, roundRobin] = s.phases;
    // Local memory: the migrating store counts 0 operations (not null: it counts once a store that does is added).
    for (const p of [start, crash1, recover1]) expect(p.storeOperationsPerSecond).toBe(0);
    // Dual write: every request writes the shared store; a session its server does not hold (a new
    // one, one moved by a crash) is read from it too: a little more than one operation a request.
    for (const p of [dual, crash2, recover2, crash3, recover3]) {
      expect(perRequest(p)).toBeGreaterThan(1);
      expect(perRequest(p)).toBeLessThan(1.3);
    }
    // After the switch every request reads and writes it.
    for (const p of [shared, roundRobin]) {
      expect(perRequest(p)).toBeGreaterThan(1.8);
      expect(perRequest(p)).toBeLessThan(2.2);
    }
  });

  it("the shared store's round trips (1 ms each, read and write) show in the median latency after the switch", () => {
    const before = s.phases[0].latencyMs.p50 as number, after = s.phases[8].latencyMs.p50 as number;
    expect(after - before).toBeGreaterThan(1);
    expect(after - before).toBeLessThan(3);
  });

  describe("affinity", () => {
    // The phases have no affinity figure, so the totals of runs of the same file with steps left
    // out are compared. A shared store holds no session in a server's memory: from the switch at
    // 75m on no request is an affinity hit, with cookies or without.
    let noStrategy: StrategyResult, noSwitch: StrategyResult;
    beforeAll(() => {
      noStrategy = without((e) => "strategy" in e);
      noSwitch = without((e) => "strategy" in e || e.store === "shared");
    });

    it("hits fall at the switch to the shared store, not at the strategy change: hits only before 75m", () => {
      // Dual-writing to the end, sticky sessions are nearly all hits.
      expect(noSwitch.metrics.affinityHitRate).toBeGreaterThan(0.95);
      // With the switch, the hits are those of the requests before 75m: about that share of the run's requests.
      const before = s.phases.filter((p) => p.from < 4500).reduce((a, p) => a + p.requests, 0) / s.metrics.requests;
      expect(before).toBeGreaterThan(0.3);
      expect(before).toBeLessThan(0.6);
      const expected = before * (noSwitch.metrics.affinityHitRate as number);
      expect(Math.abs((s.metrics.affinityHitRate as number) / expected - 1)).toBeLessThan(0.05);
      // The strategy change costs no hit: there are none left after 75m.
      expect(s.metrics.affinityHitRate).toBeCloseTo(noStrategy.metrics.affinityHitRate as number, 6);
    });

    it("the strategy change shows as sessions moving: the remap rate rises from next to none", () => {
      expect(noStrategy.metrics.remapRate).toBeLessThan(0.02);
      // About 3 in 4 of the continuing requests after 95m (about a fifth of the run's) move.
      const after = (s.phases.at(-1) as PhaseResult).requests / s.metrics.requests;
      expect(s.metrics.remapRate).toBeGreaterThan((noStrategy.metrics.remapRate as number) + 0.6 * after);
      expect(s.metrics.remapRate).toBeLessThan((noStrategy.metrics.remapRate as number) + 0.85 * after);
    });
  });
});

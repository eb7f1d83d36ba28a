import { beforeAll, describe, expect, it } from "vitest";
import type { Result, StrategyResult } from "../sim/index.js";
import { event, runBundled as run, strategy } from "./bundled.js";

// The headline node-cluster.json states in its description, checked on a full run of the file as
// shipped (its own seed and replications). Four workers s1..s4, forked in that order; s2 (index 1
// of the workers array) crashes at 20m and its replacement, a new worker pushed at the end of the
// array, is up 2 s later. The file runs in about four seconds.

/** Sessions lost to the crash and to the replacement, over the sessions in use at the crash. */
function lostToBoth(s: StrategyResult): number {
  const crash = event(s, "crash"), back = event(s, "recover");
  return (crash.lostSessions + back.lostSessions) / crash.activeSessions;
}

describe("node-cluster.json", () => {
  let result: Result;
  beforeAll(() => {
    result = run("node-cluster.json");
  });

  it("judges the crash on about 1,100 sessions in use", () => {
    for (const s of result.results) expect(event(s, "crash").activeSessions).toBeGreaterThan(900);
  });

  it("the session-id and address maps lose about a quarter, s2's own, and move nothing back to the replacement", () => {
    for (const label of ["session map", "address map"]) {
      const s = strategy(result, label), crash = event(s, "crash"), back = event(s, "recover");
      expect(crash.lostFraction).toBeGreaterThan(0.2);
      expect(crash.lostFraction).toBeLessThan(0.32);
      expect(crash.lostByCause.serverCrash).toBe(crash.lostSessions);
      // Only s2's sessions moved; the map keeps every other one with its worker, the replacement included.
      expect(crash.remapFraction).toBeCloseTo(crash.minimumFraction!, 10);
      expect(back.lostSessions).toBe(0);
      expect(s.metrics.lostSessions).toBe(crash.lostSessions);
    }
  });

  it("the ring loses s2's keys at the crash, and about a fifth more when the replacement's new points take keys from every worker", () => {
    const s = strategy(result, "ring"), crash = event(s, "crash"), back = event(s, "recover");
    expect(crash.lostFraction).toBeGreaterThan(0.15);
    expect(crash.lostFraction).toBeLessThan(0.3);
    expect(crash.lostByCause.serverCrash).toBe(crash.lostSessions);
    // A new worker id puts 150 new points on the ring: about a quarter of the keys, three quarters of them from the survivors.
    expect(back.lostFraction).toBeGreaterThan(0.12);
    expect(back.lostFraction).toBeLessThan(0.25);
    expect(back.lostByCause.remapped).toBe(back.lostSessions);
    expect(lostToBoth(s)).toBeGreaterThan(0.32);
    expect(lostToBoth(s)).toBeLessThan(0.48);
  });

  it("the sticky-session module loses about three quarters: the clients of s2's slot and of every slot after it", () => {
    // The dead worker was at index i = 1 of n = 4: a fraction (n − i)/n = 3/4 of the clients move,
    // plus those that came back in the 2 s with three workers (hash mod 3) and moved twice.
    const s = strategy(result, "sticky-session"), crash = event(s, "crash"), back = event(s, "recover");
    expect(lostToBoth(s)).toBeGreaterThan(0.68);
    expect(lostToBoth(s)).toBeLessThan(0.88);
    expect(crash.remapFraction).toBeGreaterThan(0.6);
    expect(back.lostFraction).toBeGreaterThan(0.4);
    expect(back.lostByCause.remapped).toBe(back.lostSessions);
  });

  it("round robin finds the worker holding the session at about one request in four, crash or not", () => {
    const m = strategy(result, "round-robin").metrics;
    expect(m.affinityHitRate).toBeGreaterThan(0.22);
    expect(m.affinityHitRate).toBeLessThan(0.28);
    expect(m.lostSessionRate).toBeGreaterThan(0.75);
    expect(m.lostByCause.remapped).toBeGreaterThan(0.95 * m.lostSessions);
  });
});

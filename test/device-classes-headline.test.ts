import { beforeAll, describe, expect, it } from "vitest";
import type { ClassMetrics, Result, StrategyResult } from "../sim/metrics/result.js";
import { runBundled, strategy } from "./bundled.js";

// The headline of scenarios/device-classes.json, checked on a full run of the file as shipped: a
// mobile balancer with cookie stickiness and a PC balancer without one, in front of the same instances.

const STICKY = "elb-lb-cookie";
const SPLIT = "least-connections (mobile: elb-lb-cookie)";
const SPLIT_SHARED = "least-connections (mobile: elb-lb-cookie) + shared store";

const of = (s: StrategyResult, name: "mobile" | "desktop"): ClassMetrics => s.metrics.byClass?.[name] as ClassMetrics;

describe("device-classes.json", () => {
  let result: Result;
  beforeAll(() => {
    result = runBundled("device-classes.json");
  });

  it("routes each class through its own balancer", () => {
    expect(result.classes).toEqual([
      { name: "mobile", fraction: 0.4 },
      { name: "desktop", fraction: 0.6 },
    ]);
    expect(strategy(result, SPLIT).classes).toEqual({ mobile: "elb-lb-cookie", desktop: "least-connections" });
    // 40% of the users, and so of the requests, are mobile.
    const split = strategy(result, SPLIT);
    expect(of(split, "mobile").requests / split.metrics.requests).toBeCloseTo(0.4, 1);
  });

  it("with stickiness for everyone, each class loses only the sessions on s2 at the crash", () => {
    for (const name of ["mobile", "desktop"] as const) {
      const c = of(strategy(result, STICKY), name);
      expect(c.disruptedVisitRate).toBeLessThan(0.02);
      expect(c.lostByCause.serverCrash).toBe(c.lostSessions);
      expect(c.remapRate).toBeLessThan(0.002);
    }
  });

  it("without stickiness for PC users and sessions in memory, they lose theirs in 9 visits of 10; the mobile users do not notice the split", () => {
    const split = strategy(result, SPLIT), sticky = strategy(result, STICKY);
    const desktop = of(split, "desktop"), mobile = of(split, "mobile");
    expect(desktop.disruptedVisitRate).toBeGreaterThan(0.85);
    // Four instances: a request lands where the previous one did about one time in four.
    expect(desktop.remapRate).toBeGreaterThan(0.7);
    expect(desktop.remapRate).toBeLessThan(0.78);
    expect(desktop.lostByCause.remapped).toBeGreaterThan(0.99 * desktop.lostSessions);
    expect(Math.abs((mobile.disruptedVisitRate as number) - (of(sticky, "mobile").disruptedVisitRate as number))).toBeLessThan(0.005);
    expect(mobile.lostByCause.serverCrash).toBe(mobile.lostSessions);
  });

  it("with a shared store nobody loses a session; the PC users' requests spread, the mobile users' stay", () => {
    const shared = strategy(result, SPLIT_SHARED);
    for (const name of ["mobile", "desktop"] as const) expect(of(shared, name).lostSessions).toBe(0);
    expect(of(shared, "desktop").remapRate).toBeGreaterThan(0.7);
    expect(of(shared, "mobile").remapRate).toBeLessThan(0.002);
  });

  it("least connections sends more PC requests to the crashed instance before it is detected than stickiness does", () => {
    expect(of(strategy(result, SPLIT), "desktop").failedRequests).toBeGreaterThan(1.5 * of(strategy(result, STICKY), "desktop").failedRequests);
    expect(of(strategy(result, SPLIT_SHARED), "desktop").failedRequests).toBeGreaterThan(1.5 * of(strategy(result, STICKY), "desktop").failedRequests);
  });
});

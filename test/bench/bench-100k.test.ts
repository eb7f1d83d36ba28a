import { describe, expect, it } from "vitest";
import { estimate } from "../../sim/budget.js";
import { loadScenarioFile } from "../../sim/index.js";
import { compileDistribution } from "../../sim/model/distributions.js";
import type { DistributionSpec } from "../../sim/scenario/fields.js";

/** The benchmark model: 20 single-worker servers at 70% utilisation, about 100,000 sessions at once. */
const s = loadScenarioFile(new URL("../../scenarios/bench-100k.json", import.meta.url).pathname);
const e = estimate(s);
const mean = (spec: DistributionSpec) => compileDistribution(spec).mean;

describe("the bench-100k scenario", () => {
  it("offers its 20 single-worker servers about 70% of what they can answer", () => {
    expect([s.servers.list.length, s.servers.workers]).toEqual([20, 1]);
    expect(e.offeredPerSecond / e.capacityPerSecond).toBeCloseTo(0.7, 2);
  });

  it("has about 100,000 sessions in progress (Little's law: visits a second × a visit of about 600 s)", () => {
    expect(e.visitSeconds).toBeGreaterThan(590);
    expect(e.visitSeconds).toBeLessThan(610);
    expect(e.liveUsers).toBeGreaterThan(99_000);
    expect(e.liveUsers).toBeLessThan(101_000);
    expect(s.warmStart).toBe(true);
  });

  it("keeps the servers unsaturated when a shared store's two round trips hold the worker too", () => {
    const shared = s.strategies.filter((entry) => entry.store.kind === "shared");
    expect(shared.length).toBeGreaterThan(0);
    for (const entry of shared) {
      const busy = mean(s.servers.service) + 2 * mean(entry.store.latency as DistributionSpec);
      expect((e.offeredPerSecond * busy) / s.servers.list.length).toBeLessThan(0.85);
    }
  });
});

import { describe, expect, it } from "vitest";
import { runScenario } from "../../sim/run.js";
import { scenario } from "../helpers.js";

describe("a weight event", () => {
  it("shifts round robin's share to the new weights from its time on, and normalises load skew by them", () => {
    const s = scenario({
      seed: 2,
      duration: "20m",
      replications: 1,
      clients: { visitsPerSecond: 20, requestsPerVisit: 5, think: "2s" },
      servers: { count: 3, workers: 16, service: "5ms" },
      metrics: { window: "60s" },
      strategies: ["round-robin"],
      events: [{ at: "10m", weight: { s1: 3 } }],
    });
    const r = runScenario(s).results[0];
    const share = (i: number) => r.timeline.serverRequests[i][0] / r.timeline.serverRequests[i].reduce((a, b) => a + b, 0);
    // Windows before the change: a third each; after it, s1 takes 3 of 5.
    expect(share(3)).toBeCloseTo(1 / 3, 2);
    expect(share(15)).toBeCloseTo(3 / 5, 2);
    // Per unit of weight the load stays even, so skew stays near 1 on both sides of the change.
    expect(r.timeline.loadSkew[3] as number).toBeLessThan(1.02);
    expect(r.timeline.loadSkew[15] as number).toBeLessThan(1.02);
    expect(r.events[0]).toMatchObject({ action: "weight", server: "s1" });
  });
});

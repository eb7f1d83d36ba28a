import { describe, expect, it } from "vitest";
import { runScenario } from "../../sim/run.js";
import { scenario } from "../helpers.js";

/**
 * Visits of one request each, so the requests counted in a window are the new users that arrived
 * in it: a Poisson count. A count with mean m is checked within 4 standard deviations (4 √m).
 */
function arrivals(duration: string, events: unknown[]) {
  const s = scenario({
    seed: 6,
    duration,
    replications: 1,
    clients: { visitsPerSecond: 5, requestsPerVisit: 1 },
    servers: { count: 2, workers: 8, service: "0s" },
    metrics: { window: "60s" },
    strategies: ["round-robin"],
    events,
  });
  const r = runScenario(s).results[0];
  const between = (from: number, to: number) => r.timeline.requests.slice(from / 60, to / 60).reduce((a, b) => a + b, 0);
  return { r, between };
}

function expectPoisson(count: number, mean: number): void {
  expect(Math.abs(count - mean), `${count} arrivals where ${mean} were expected`).toBeLessThan(4 * Math.sqrt(mean));
}

describe("a traffic event", () => {
  it("multiply: 3 from half-way triples the arrivals of the second half", () => {
    const { r, between } = arrivals("20m", [{ at: "10m", traffic: { multiply: 3 } }]);
    expectPoisson(between(0, 600), 5 * 600);
    expectPoisson(between(600, 1200), 15 * 600);
    expect(r.metrics.visits).toBe(r.metrics.requests);
    expect(r.events[0]).toMatchObject({ action: "traffic", server: "" });
  });

  it("a ramp moves the rate linearly to its target over `over`, then holds it", () => {
    // 5/s until 300 s, a ramp to 15/s until 600 s (10/s on average), then 15/s.
    const { between } = arrivals("15m", [{ at: "5m", traffic: { multiply: 3, over: "5m" } }]);
    expectPoisson(between(0, 300), 5 * 300);
    expectPoisson(between(300, 420), 120 * 7); // first 2 minutes of the ramp: from 5 to 9/s, 7/s on average
    expectPoisson(between(300, 600), 300 * 10);
    expectPoisson(between(600, 900), 15 * 300);
    // Window by window the ramp rises (expected 360, 480, 600, 720 and 840 arrivals, sd 19 to 29).
    const ramp = [300, 360, 420, 480, 540].map((t) => between(t, t + 60));
    for (let i = 1; i < ramp.length; i++) expect(ramp[i]).toBeGreaterThan(ramp[i - 1]);
  });

  it("visitsPerSecond: 0 stops new arrivals, and a later change starts them again", () => {
    const { r, between } = arrivals("15m", [
      { at: "5m", traffic: { visitsPerSecond: 0 } },
      { at: "10m", traffic: { visitsPerSecond: 10 } },
    ]);
    expectPoisson(between(0, 300), 5 * 300);
    expect(between(300, 600)).toBe(0);
    expectPoisson(between(600, 900), 10 * 300);
    expect(r.timeline.requests.slice(5, 10)).toEqual([0, 0, 0, 0, 0]);
  });
});

import { describe, expect, it } from "vitest";
import { estimate } from "../../sim/budget.js";
import { simulate } from "../../sim/model/simulation.js";
import { scenario } from "../helpers.js";

/** Visits of 20 requests 10 s apart (about 200 s), a third of them followed by a return after about 10 min. */
const base = {
  duration: "30m",
  replications: 1,
  clients: { visitsPerSecond: 5, requestsPerVisit: { dist: "geometric", mean: 20 }, think: "10s", returning: { fraction: 0.3, after: { dist: "exponential", mean: "10m" } } },
  servers: { count: 4 },
  metrics: { window: "60s" },
  strategies: ["round-robin"],
};

function firstWindows(warmStart: boolean) {
  const s = scenario({ ...base, warmStart });
  const run = simulate(s, s.strategies[0], 0);
  return { s, requests: run.timeline.requests, inUse: run.timeline.serverSessions.map((row) => row.reduce((a, b) => a + b, 0)) };
}

describe("warm start", () => {
  it("begins at the steady-state request rate instead of ramping up to it", () => {
    const cold = firstWindows(false), warm = firstWindows(true);
    const steady = estimate(warm.s).offeredPerSecond * 60; // requests per one-minute window
    // The first window of a warm run is within 10% of steady state; a cold one has barely begun.
    expect(Math.abs(warm.requests[0] - steady) / steady).toBeLessThan(0.1);
    expect(cold.requests[0]).toBeLessThan(0.5 * steady);
    // And it stays there: the mean of the first ten windows is steady too.
    const firstTen = warm.requests.slice(0, 10).reduce((a, b) => a + b, 0) / 10;
    expect(Math.abs(firstTen - steady) / steady).toBeLessThan(0.05);
  });

  it("starts with the users a long run would have in a visit (Little's law: rate × visit length)", () => {
    const warm = firstWindows(true), cold = firstWindows(false);
    // Visits in progress: new ones at 5/s and returns at 5 × 0.3 / (1 − 0.3) per second, each ~190 s (20 requests, 19 pauses of 10 s).
    const visitsPerSecond = 5 / (1 - 0.3);
    const expected = visitsPerSecond * 19 * 10;
    expect(Math.abs(warm.inUse[0] - expected) / expected).toBeLessThan(0.12);
    expect(cold.inUse[0]).toBeLessThan(0.5 * expected);
  });

  it("gives the same run twice, warm or cold", () => {
    const a = firstWindows(true), b = firstWindows(true);
    expect(a.requests).toEqual(b.requests);
    expect(firstWindows(false).requests).toEqual(firstWindows(false).requests);
  });
});

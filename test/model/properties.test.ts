import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Metrics, Result } from "../../sim/metrics/result.js";
import { runScenario } from "../../sim/run.js";
import { strategies } from "../../sim/strategies/index.js";
import { renderCsv, renderJson } from "../../reports/index.js";
import { scenario } from "../helpers.js";

/** A small random valid scenario: a few servers, minutes of traffic, every client behaviour and store kind. */
const scenarios = fc
  .record({
    seed: fc.nat(1000),
    servers: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 5 }),
    workers: fc.integer({ min: 1, max: 4 }),
    duration: fc.integer({ min: 60, max: 400 }),
    warmup: fc.integer({ min: 0, max: 50 }),
    visitsPerSecond: fc.double({ min: 0.2, max: 4, noNaN: true }),
    requestsPerVisit: fc.integer({ min: 1, max: 12 }),
    think: fc.double({ min: 0.2, max: 8, noNaN: true }),
    service: fc.double({ min: 0.001, max: 0.3, noNaN: true }),
    returning: fc.double({ min: 0, max: 0.6, noNaN: true }),
    nat: fc.double({ min: 0, max: 0.5, noNaN: true }),
    mobile: fc.double({ min: 0, max: 0.5, noNaN: true }),
    disabled: fc.double({ min: 0, max: 0.2, noNaN: true }),
    clear: fc.double({ min: 0, max: 0.3, noNaN: true }),
    store: fc.constantFrom("local", "shared", "token"),
    idleTimeout: fc.integer({ min: 5, max: 300 }),
    ids: fc.shuffledSubarray(
      strategies.map((s) => s.id),
      { minLength: 2, maxLength: 3 },
    ),
    crashes: fc.array(
      fc.record({ server: fc.nat(4), at: fc.double({ min: 0, max: 1, noNaN: true }), back: fc.double({ min: 0, max: 1, noNaN: true }), planned: fc.boolean() }),
      { maxLength: 2 },
    ),
    weights: fc.option(fc.record({ server: fc.nat(4), at: fc.double({ min: 0, max: 1, noNaN: true }), weight: fc.integer({ min: 1, max: 8 }) })),
  })
  .map((p) => {
    const names = p.servers.map((_, i) => `s${i + 1}`);
    // Crash-recover pairs on distinct servers, so every event changes its server's state.
    const used = new Set<number>();
    const events = p.crashes.flatMap((c) => {
      const server = c.server % names.length;
      if (used.has(server)) return [];
      used.add(server);
      const at = Math.round(c.at * p.duration);
      const back = at + Math.round(c.back * (p.duration - at));
      // A crash and recovery, or a planned stop and start.
      const [down, up] = c.planned ? ["stop", "start"] : ["crash", "recover"];
      return back > at ? [{ at, [down]: names[server] }, { at: back, [up]: names[server] }] : [{ at, [down]: names[server] }];
    });
    if (p.weights) events.push({ at: Math.round(p.weights.at * p.duration), weight: { [names[p.weights.server % names.length]]: p.weights.weight } } as never);
    return {
      seed: p.seed,
      duration: p.duration,
      warmup: Math.min(p.warmup, p.duration - 1),
      replications: 2,
      clients: {
        visitsPerSecond: p.visitsPerSecond,
        requestsPerVisit: { dist: "geometric", mean: p.requestsPerVisit },
        think: { dist: "exponential", mean: p.think },
        returning: { fraction: p.returning, after: { dist: "exponential", mean: 30 } },
        nat: { fraction: p.nat, groupSize: { dist: "uniform", min: 2, max: 20 } },
        mobile: { fraction: p.mobile, addressChangeEvery: { dist: "exponential", mean: 40 } },
        cookies: { disabledFraction: p.disabled, clearPerVisit: p.clear },
      },
      servers: { list: p.servers.map((weight, i) => ({ name: names[i], weight })), workers: p.workers, service: { dist: "exponential", mean: p.service } },
      store: { kind: p.store, idleTimeout: p.idleTimeout },
      metrics: { window: 20 },
      strategies: p.ids,
      events,
    };
  });

const RATES = ["disruptedVisitRate", "lostSessionRate", "remapRate", "affinityHitRate"] as const;

function checkRun(m: Metrics): void {
  // Every session that lived during the measured interval either expired, was lost, or is still live.
  expect(m.sessions + m.liveSessionsAtStart).toBe(m.expiredSessions + m.lostSessions + m.liveSessionsAtEnd);
  expect(Object.values(m.lostByCause).reduce((a, b) => a + b, 0)).toBe(m.lostSessions);
  // A visit is disrupted by its first loss: never more disrupted visits than visits or losses.
  expect(m.disruptedVisits).toBeLessThanOrEqual(Math.min(m.visits, m.lostSessions));
  for (const rate of RATES) {
    if (m[rate] === null) continue;
    expect(m[rate]).toBeGreaterThanOrEqual(0);
    expect(m[rate]).toBeLessThanOrEqual(1);
  }
  if (m.loadSkew !== null) {
    expect(m.loadSkew).toBeGreaterThanOrEqual(1 - 1e-12);
    expect(m.peakLoadSkew).toBeGreaterThanOrEqual(m.loadSkew - 1e-12);
  }
  const { p50, p95, p99 } = m.latencyMs;
  if (p50 !== null) {
    expect(p50).toBeLessThanOrEqual(p95 as number);
    expect(p95).toBeLessThanOrEqual(p99 as number);
  }
  expect(m.failedRequests).toBeLessThanOrEqual(m.requests);
}

/** Per-strategy results, keyed by label, without what depends on the order of strategies. */
function byLabel(result: Result): Record<string, unknown> {
  return Object.fromEntries(result.results.map((r) => [r.strategy, r]));
}

describe("properties of every run (random valid scenarios)", () => {
  it("conserves sessions, keeps rates and percentiles in range; no request is served by a down server", () => {
    fc.assert(
      fc.property(scenarios, (raw) => {
        // A request starting service on a down server throws InvariantError inside the run.
        const result = runScenario(scenario(raw));
        for (const r of result.results) r.replications.forEach(checkRun);
      }),
      { numRuns: 200, seed: 12 },
    );
  });

  it("gives the same bytes for the same seed, and the same numbers whatever the order of strategies", () => {
    fc.assert(
      fc.property(scenarios, (raw) => {
        const first = runScenario(scenario(raw));
        const again = runScenario(scenario(raw));
        expect(renderJson(again)).toBe(renderJson(first));
        expect(renderCsv(again)).toBe(renderCsv(first));
        // Compared with the same baseline, the differences do not depend on the order either.
        const reversed = runScenario(scenario({ ...raw, strategies: [...raw.strategies].reverse() }), { baseline: first.baseline });
        expect(byLabel(reversed)).toEqual(byLabel(first));
      }),
      { numRuns: 50, seed: 34 },
    );
  });
});

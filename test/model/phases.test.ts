import { describe, expect, it } from "vitest";
import { lostCauses } from "../../sim/metrics/causes.js";
import { Collector } from "../../sim/metrics/collector.js";
import { MAX_PHASES, PhaseCollector } from "../../sim/metrics/phases.js";
import { simulate } from "../../sim/model/simulation.js";
import { runScenario } from "../../sim/run.js";
import { scenario } from "../helpers.js";

/** A run measured from 100 s to 400 s and its phases, cut at 200 s and 300 s. */
function collector(): { run: Collector; phases: PhaseCollector } {
  const run = new Collector(100, 400, new Int32Array([1]), 1, 1);
  return { run, phases: new PhaseCollector(run, 100, 400, [200, 300], ["crash s1", "store shared (dual write)"]) };
}

/** Takes the boundaries in time order, running `during[k]` in phase k (the engine runs a boundary before anything else at its time). */
function play(c: ReturnType<typeof collector>, during: (() => void)[], operations: (number | null)[] = [null, null, null, null]): void {
  c.phases.boundary(0, operations[0]);
  during.forEach((work, k) => {
    work();
    c.phases.boundary(k + 1, operations[k + 1]);
  });
}

describe("PhaseCollector", () => {
  it("spans the measured interval: the first phase from its start, each next from its cut, the last to the run's end", () => {
    const c = collector();
    play(c, [() => {}, () => {}, () => {}]);
    expect(c.phases.results().map((p) => [p.from, p.to, p.startedBy])).toEqual([
      [100, 200, "start"],
      [200, 300, "crash s1"],
      [300, 400, "store shared (dual write)"],
    ]);
    expect(c.phases.cuts).toEqual([200, 300]);
  });

  it("counts a request sent exactly at a cut in the later phase, one just before it in the earlier", () => {
    const c = collector();
    const send = (...times: number[]) => () => times.forEach((t) => c.run.request(t));
    // [100, 200): 100 and 199.999; [200, 300): 200, 250, 299.999999; [300, 400]: 300, 300, 399.9 and 400 (the run's end, in the last phase).
    play(c, [send(100, 199.999), send(200, 250, 299.999999), send(300, 300, 399.9, 400)]);
    expect(c.phases.results().map((p) => p.requests)).toEqual([2, 3, 4]);
  });

  it("counts failures, losses and disrupted visits by when they happened, visits by start", () => {
    const c = collector(), m = c.run;
    play(c, [
      () => {
        m.failed(150);
        m.lost(199, "serverCrash");
        m.visitStarted(100);
      },
      () => {
        m.failed(200);
        m.failed(200);
        m.lost(200, "serverCrash");
        m.visitStarted(299);
      },
      () => {
        m.lost(300, "storeSwitched");
        m.lost(350, "remapped");
        m.visitStarted(300);
        m.visitDisrupted();
      },
    ]);
    const r = c.phases.results();
    expect(r.map((p) => p.failedRequests)).toEqual([1, 2, 0]);
    expect(r.map((p) => p.lostSessions)).toEqual([1, 1, 2]);
    expect(r.map((p) => p.visits)).toEqual([1, 1, 1]);
    expect(r.map((p) => p.disruptedVisits)).toEqual([0, 0, 1]);
    expect(r[0].lostByCause.serverCrash).toBe(1);
    expect(r[1].lostByCause.serverCrash).toBe(1);
    expect(r[2].lostByCause).toMatchObject({ storeSwitched: 1, remapped: 1, serverCrash: 0 });
    // Every cause has an entry, so a phase's causes add up to its losses.
    for (const p of r) {
      expect(Object.keys(p.lostByCause).sort()).toEqual([...lostCauses].sort());
      expect(Object.values(p.lostByCause).reduce((a, b) => a + b, 0)).toBe(p.lostSessions);
    }
  });

  it("gives each phase the latency of the requests answered in it, null where none was", () => {
    const c = collector(), m = c.run;
    play(c, [
      () => {
        // 98 requests of 10 ms and 2 of 1000 ms: p50 and p95 are 10 ms, p99 1000 ms (the 99th of 100 ordered).
        for (let i = 0; i < 98; i++) m.served(150, 150.01);
        m.served(198, 199);
        m.served(198, 199);
      },
      () => m.served(200, 200.04),
      () => {},
    ]);
    const [first, second, third] = c.phases.results();
    // The histogram keeps 0.5 % relative error.
    expect(first.latencyMs.p50).toBeCloseTo(10, 0);
    expect(Math.abs(first.latencyMs.p50! / 10 - 1)).toBeLessThan(0.01);
    expect(Math.abs(first.latencyMs.p95! / 10 - 1)).toBeLessThan(0.01);
    expect(Math.abs(first.latencyMs.p99! / 1000 - 1)).toBeLessThan(0.01);
    expect(Math.abs(second.latencyMs.p50! / 40 - 1)).toBeLessThan(0.01);
    expect(third.latencyMs).toEqual({ p50: null, p95: null, p99: null });
  });

  it("turns the store's operation counts at the boundaries into operations per second", () => {
    const c = collector();
    // 0 at the start, 500 at 200 s, 2500 at 300 s, 8500 at the end (400 s): 500 / 100 s, 2000 / 100 s, 6000 / 100 s.
    play(c, [() => {}, () => {}, () => {}], [0, 500, 2500, 8500]);
    expect(c.phases.results().map((p) => p.storeOperationsPerSecond)).toEqual([5, 20, 60]);
  });

  it("gives null store operations when the store does not count them", () => {
    const c = collector();
    play(c, [() => {}, () => {}, () => {}]);
    expect(c.phases.results().map((p) => p.storeOperationsPerSecond)).toEqual([null, null, null]);
  });

  it("with no cut is one phase over the whole interval", () => {
    const run = new Collector(0, 60, new Int32Array([1]), 1, 1);
    const c = new PhaseCollector(run, 0, 60, [], []);
    c.boundary(0, 0);
    run.request(59);
    c.boundary(1, 120);
    expect(c.results()).toMatchObject([{ from: 0, to: 60, startedBy: "start", requests: 1, storeOperationsPerSecond: 2 }]);
  });
});

/**
 * Two servers with sticky cookies and sessions in memory: s1 crashes at 4 min and recovers at 6,
 * measured from 1 min to 10. The crash fails the requests on s1 and loses its sessions.
 */
const crashRun = (extra: Record<string, unknown> = {}) =>
  scenario({
    seed: 5,
    duration: "10m",
    warmup: "1m",
    replications: 2,
    clients: { visitsPerSecond: 4, requestsPerVisit: 20, think: "5s" },
    servers: { count: 2, workers: 4, service: { dist: "exponential", mean: "40ms" } },
    strategies: ["cookie-insert"],
    events: [
      { at: "4m", crash: "s1" },
      { at: "6m", recover: "s1" },
    ],
    ...extra,
  });

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe("phases of a run", () => {
  it("cut the measured interval at the two event times; their counts add up to the run's", () => {
    const s = crashRun();
    const run = simulate(s, s.strategies[0], 0);
    expect(run.phases.map((p) => [p.from, p.to, p.startedBy])).toEqual([
      [60, 240, "start"],
      [240, 360, "crash s1"],
      [360, 600, "recover s1"],
    ]);
    const m = run.metrics;
    // Something to add up: the crash fails requests and loses sessions, all in its phase or later.
    expect(m.failedRequests).toBeGreaterThan(0);
    expect(m.lostSessions).toBeGreaterThan(10);
    expect(run.phases[0].lostSessions).toBe(0);
    expect(run.phases[0].failedRequests).toBe(0);
    expect(sum(run.phases.map((p) => p.requests))).toBe(m.requests);
    expect(sum(run.phases.map((p) => p.failedRequests))).toBe(m.failedRequests);
    expect(sum(run.phases.map((p) => p.lostSessions))).toBe(m.lostSessions);
    expect(sum(run.phases.map((p) => p.visits))).toBe(m.visits);
    expect(sum(run.phases.map((p) => p.disruptedVisits))).toBe(m.disruptedVisits);
    for (const cause of lostCauses) expect(sum(run.phases.map((p) => p.lostByCause[cause]))).toBe(m.lostByCause[cause]);
    // Local memory counts no store operations.
    expect(run.phases.map((p) => p.storeOperationsPerSecond)).toEqual([null, null, null]);
    // Every phase answered requests.
    for (const p of run.phases) expect(p.latencyMs.p50).toBeGreaterThan(0);
  });

  it("in results are the means over replications, adding up to the mean metrics", () => {
    const r = runScenario(crashRun()).results[0];
    expect(r.replications).toHaveLength(2);
    expect(r.phases.map((p) => p.startedBy)).toEqual(["start", "crash s1", "recover s1"]);
    expect(sum(r.phases.map((p) => p.requests))).toBeCloseTo(r.metrics.requests, 6);
    expect(sum(r.phases.map((p) => p.failedRequests))).toBeCloseTo(r.metrics.failedRequests, 6);
    expect(sum(r.phases.map((p) => p.lostSessions))).toBeCloseTo(r.metrics.lostSessions, 6);
    expect(r.metrics.lostSessions).toBeGreaterThan(10);
  });

  it("count a shared store's operations: two a request (read and write)", () => {
    const s = crashRun({ store: { kind: "shared", latency: "1ms" }, replications: 1 });
    const run = simulate(s, s.strategies[0], 0);
    for (const p of run.phases) {
      // Operations are counted when issued (at service), requests when sent: nearly the same
      // requests, a few in flight at each boundary.
      const ratio = p.storeOperationsPerSecond! / (p.requests / (p.to - p.from));
      expect(ratio).toBeGreaterThan(1.95);
      expect(ratio).toBeLessThan(2.05);
    }
  });

  it("join events at the same time into one phase, and leave out times in the warmup or at the end", () => {
    const s = crashRun({
      replications: 1,
      events: [
        { at: "30s", crash: "s2" },
        { at: "50s", recover: "s2" },
        { at: "4m", crash: "s1" },
        { at: "4m", traffic: { multiply: 2 } },
        { at: "6m", recover: "s1" },
        { at: "10m", traffic: { multiply: 1 } },
      ],
    });
    const run = simulate(s, s.strategies[0], 0);
    expect(run.phases.map((p) => [p.from, p.startedBy])).toEqual([
      [60, "start"],
      [240, "crash s1 + traffic"],
      [360, "recover s1"],
    ]);
  });

  it(`are none without events, or with ${MAX_PHASES} event times or more`, () => {
    const none = crashRun({ events: [] });
    expect(runScenario(none).results[0].phases).toEqual([]);
    expect(simulate(none, none.strategies[0], 0).phases).toEqual([]);
    // Event times only in the warmup: no cut inside the measured interval.
    const early = crashRun({ replications: 1, events: [{ at: "20s", crash: "s2" }, { at: "40s", recover: "s2" }] });
    expect(simulate(early, early.strategies[0], 0).phases).toEqual([]);
    // 20 distinct times inside the interval (weight changes every 20 s from 2 min): too many to tabulate; 19 are tabulated.
    const weights = (n: number) => Array.from({ length: n }, (_, i) => ({ at: 120 + 20 * i, weight: { s1: 1 + (i % 3) } }));
    const many = crashRun({ replications: 1, events: weights(MAX_PHASES) });
    expect(simulate(many, many.strategies[0], 0).phases).toEqual([]);
    const most = crashRun({ replications: 1, events: weights(MAX_PHASES - 1) });
    expect(simulate(most, most.strategies[0], 0).phases).toHaveLength(MAX_PHASES);
  });
});

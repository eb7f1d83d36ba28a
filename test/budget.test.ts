import { describe, expect, it } from "vitest";
import { BudgetError, DEFAULT_BUDGET, estimate, overBudget, scenarioWarnings } from "../sim/budget.js";
import { InputError } from "../sim/scenario/errors.js";
import { loadScenarioFile } from "../sim/scenario/load.js";
import { runScenario } from "../sim/run.js";
import { scenario } from "./helpers.js";
import { renderCsv, renderJson, renderTable, runFiles } from "../reports/index.js";

const base = { servers: { count: 4 }, strategies: ["round-robin"], replications: 1 };

describe("estimates and budgets before a run", () => {
  it("keeps every bundled scenario well within the default budget", () => {
    for (const file of ["quickstart", "affinity-compare", "seed-demo"]) {
      const e = estimate(loadScenarioFile(new URL(`../scenarios/${file}.json`, import.meta.url).pathname));
      expect(overBudget(e, DEFAULT_BUDGET)).toEqual([]);
      expect(e.events).toBeLessThan(DEFAULT_BUDGET.maxEvents / 10);
    }
  });

  it("estimates the quickstart's requests within a factor of two of what it sends", () => {
    const s = loadScenarioFile(new URL("../scenarios/quickstart.json", import.meta.url).pathname);
    s.strategies = s.strategies.slice(0, 1);
    s.replications = 1;
    const sent = runScenario(s).results[0].metrics.requests * (s.duration / (s.duration - s.warmup));
    const e = estimate(s);
    expect(e.requestsPerRun / sent).toBeGreaterThan(0.5);
    expect(e.requestsPerRun / sent).toBeLessThan(2);
  });

  it("counts the users a warm start walks and holds: visits of 53-hour think times are refused before the walk", () => {
    // 10 visits a second of 10 requests 53 h apart: 19 million users are in a visit at time 0.
    const s = scenario({ ...base, duration: "1h", warmStart: true, clients: { visitsPerSecond: 10, think: "53h" } });
    const e = estimate(s);
    expect(e.liveUsers).toBeGreaterThan(1.8e7);
    // Refused by the estimate, before the walk (which would take minutes).
    expect(() => runScenario(s)).toThrow(/19\.1 million users at once/);
    // The same users without a warm start arrive only over the hour.
    expect(estimate(scenario({ ...base, duration: "1h", clients: { visitsPerSecond: 10, think: "53h" } })).liveUsers).toBe(36_000);
  });

  it("refuses ten million visits a second for memory, naming the flag", () => {
    const s = scenario({ ...base, clients: { visitsPerSecond: 1e6 } });
    expect(() => runScenario(s)).toThrow(BudgetError);
    expect(() => runScenario(s)).toThrow(/memory .* more than --max-memory 4 GiB/);
  });

  it("estimates at least the bytes every output file takes, and at most twice that beyond the report's 4 MiB allowance for its scripts", () => {
    const written = (s: ReturnType<typeof scenario>) => Object.values(runFiles(runScenario(s))).reduce((n, text) => n + Buffer.byteLength(text!), 0);
    // Many windows of many servers (timeline.csv and the series in results.json lead), then many replications (replications.csv leads).
    const windows = scenario({ ...base, name: "many-windows", duration: "20m", warmup: "1m", replications: 2, metrics: { window: "1s" }, servers: { count: 6 }, strategies: ["round-robin", "cookie-insert"], events: [{ at: "10m", crash: "s2" }] });
    const replications = scenario({ ...base, name: "many-replications", duration: "5m", warmup: "1m", replications: 40, servers: { count: 3 }, clients: { visitsPerSecond: 2 }, strategies: ["round-robin", "random"] });
    for (const s of [windows, replications]) {
      const bytes = written(s);
      expect(estimate(s).output, s.name).toBeGreaterThanOrEqual(bytes);
      expect(estimate(s).output, s.name).toBeLessThanOrEqual(2 * bytes + 4 * 2 ** 20);
    }
  });

  it("refuses a half-millisecond load window over an hour for its output", () => {
    expect(() => runScenario(scenario({ ...base, metrics: { window: "0.5ms" } }))).toThrow(/of output .*more than --max-output 256 MiB/);
  });

  it("refuses a year of traffic for its events", () => {
    expect(() => runScenario(scenario({ ...base, duration: "365d", replications: 3 }))).toThrow(/events .*more than --max-events 2 billion/);
  });

  it("stops a run whose memory passes the budget between slices, and says when", () => {
    // Enough events for several slices; the estimate fits the budget, the (reported) use does not.
    const s = scenario({ ...base, duration: "30m", servers: { count: 8 }, clients: { visitsPerSecond: 300 } });
    const budget = { ...DEFAULT_BUDGET, maxMemory: estimate(s).memory };
    let checks = 0;
    const memoryInUse = () => (++checks < 3 ? 0 : budget.maxMemory + 1);
    expect(() => runScenario(s, { budget, memoryInUse })).toThrow(/the run's memory passed --max-memory .* at \d+ s of run 1 of 1; nothing was written/);
    expect(checks).toBe(3);
  });
});

describe("tables a strategy would build count in the memory estimate", () => {
  const heavy = { list: Array.from({ length: 20_000 }, (_, i) => ({ name: `s${i + 1}`, weight: 256 })) };

  it("refuses nginx-hash-consistent over 20,000 servers of weight 256 (819 million ring points)", () => {
    const s = scenario({ ...base, servers: heavy, strategies: ["nginx-hash-consistent"] });
    expect(() => runScenario(s)).toThrow(/needs about \d+(\.\d+)? GiB of memory .* more than --max-memory/);
  });

  it("counts ring-hash's virtual nodes, Maglev's table size and nothing for round robin", () => {
    const weights = { list: [{ name: "a", weight: 100 }, { name: "b", weight: 156 }] };
    const memory = (strategies: unknown[]) => estimate(scenario({ ...base, servers: weights, strategies })).memory;
    expect(memory([{ id: "ring-hash", virtualNodes: 1000 }]) - memory(["round-robin"])).toBe(256 * 1000 * 40);
    expect(memory([{ id: "maglev", tableSize: 65537 }]) - memory(["round-robin"])).toBe(65537 * 40);
  });
});

describe("metrics that are undefined", () => {
  it("a run shorter than one load window has no load skew: null, not 0", () => {
    const result = runScenario(scenario({ ...base, duration: "30s", metrics: { window: "60s" } }));
    const m = result.results[0].metrics;
    expect(m.requests).toBeGreaterThan(0);
    expect([m.loadSkew, m.peakLoadSkew, m.loadCov]).toEqual([null, null, null]);
    expect(result.results[0].estimates.loadSkew).toEqual({ mean: null, sd: null, ci95: null });
    // The summary says n/a; the CSV leaves the cell empty.
    expect(renderTable(result).split("\n")[2]).toMatch(/^round-robin\s+local\s+\S+.*\s+n\/a\s/);
    const [header, row] = renderCsv(result).trim().split("\n").map((line) => line.split(","));
    expect(row[header.indexOf("loadSkew")]).toBe("");
    expect(renderJson(result)).toContain('"loadSkew": null');
  });

  it("a run in which every server is down from the start answers nothing: latency and rates are null", () => {
    const result = runScenario(scenario({ ...base, duration: "2m", servers: { count: 1 }, events: [{ at: 0, crash: "s1" }] }));
    const m = result.results[0].metrics;
    expect(m.requests).toBeGreaterThan(0);
    expect(m.failedRequests).toBe(m.requests);
    expect(m.latencyMs).toEqual({ mean: null, p50: null, p95: null, p99: null });
    expect(m.remapRate).toBeNull();
  });
});

describe("warnings about what a scenario measures", () => {
  it("warns when the warmup is shorter than a visit or the return gap, and when load exceeds capacity", () => {
    const short = scenario({ ...base, warmup: "1m", clients: { requestsPerVisit: 20, think: "10s", returning: { fraction: 0.5, after: "10m" } } });
    expect(scenarioWarnings(short, estimate(short))).toEqual([
      expect.stringMatching(/^the warmup \(60 s\) is shorter than the 13\.3 min the users need to reach steady state \(a visit lasts about 3\.35 min and users return after about 10 min\)/),
    ]);
    const long = scenario({ ...base, warmup: "20m", clients: { requestsPerVisit: 20, think: "10s", returning: { fraction: 0.5, after: "10m" } } });
    expect(scenarioWarnings(long, estimate(long))).toEqual([]);
    const busy = scenario({ ...base, warmup: "5m", servers: { count: 1, workers: 1, service: "1s" }, clients: { visitsPerSecond: 5, requestsPerVisit: 1 } });
    expect(scenarioWarnings(busy, estimate(busy))).toEqual([expect.stringMatching(/^the users offer about 5 requests\/s, more than the 1 the servers can answer/)]);
  });
});

describe("runs that cannot advance simulated time", () => {
  it("zero think time, zero service and an immediate return stop with a message, not a hang", () => {
    const s = scenario({ ...base, duration: "1m", clients: { think: 0, returning: { fraction: 1, after: 0 } }, servers: { count: 2, service: 0 } });
    // The estimate already sees endless returns; past it, the engine notices the clock standing still.
    expect(() => runScenario(s)).toThrow(BudgetError);
    const unbounded = { budget: { ...DEFAULT_BUDGET, maxEvents: Infinity } };
    expect(() => runScenario(s, unbounded)).toThrow(InputError);
    expect(() => runScenario(s, unbounded)).toThrow(/simulated time stopped advancing at \d+(\.\d+)? s .*positive mean/);
  });
});

describe("the session store's load before a run", () => {
  // 10 visits/s of 20 requests, 10 s apart: 10 × 20 = 200 requests/s in steady state, two store operations each.
  const base = { clients: { visitsPerSecond: 10, requestsPerVisit: { dist: "geometric", mean: 20 }, think: "10s" }, servers: { count: 4 }, strategies: ["round-robin"] };

  it("is the share of the busiest store's capacity the offered requests use", () => {
    const s = scenario({ ...base, store: { kind: "shared", capacity: { connections: 2, opTime: "4ms" } } });
    // 400 operations/s against 2 / 4 ms = 500/s.
    expect(estimate(s).storeUtilisation).toBeCloseTo(0.8, 6);
    expect(scenarioWarnings(s, estimate(s)).some((w) => /session store/.test(w))).toBe(false);
  });

  it("warns when the store cannot keep up, and is null without a store capacity", () => {
    const s = scenario({ ...base, store: { kind: "shared", capacity: { connections: 1, opTime: "3ms" } } });
    expect(estimate(s).storeUtilisation).toBeCloseTo(1.2, 6);
    expect(scenarioWarnings(s, estimate(s))).toContainEqual(expect.stringMatching(/120% of what the busiest session store can do/));
    expect(estimate(scenario({ ...base, store: { kind: "shared" } })).storeUtilisation).toBeNull();
  });
});

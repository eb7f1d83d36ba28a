import { describe, expect, it } from "vitest";
import { BudgetError, DEFAULT_BUDGET, estimate, overBudget } from "../sim/budget.js";
import { InputError } from "../sim/scenario/errors.js";
import { loadScenarioFile } from "../sim/scenario/load.js";
import { runScenario } from "../sim/run.js";
import { scenario } from "./helpers.js";

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

  it("refuses ten million visits a second for memory, naming the flag", () => {
    const s = scenario({ ...base, clients: { visitsPerSecond: 1e6 } });
    expect(() => runScenario(s)).toThrow(BudgetError);
    expect(() => runScenario(s)).toThrow(/memory .* more than --max-memory 4 GiB/);
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

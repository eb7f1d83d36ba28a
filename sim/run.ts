import type { Result, StrategyResult } from "./metrics/result.js";
import { estimates, meanEvents, meanMetrics } from "./metrics/summary.js";
import { simulate, type RunOutput } from "./model/simulation.js";
import type { Scenario, StrategyEntry } from "./scenario/scenario.js";

export interface RunOptions {
  /** Called after each finished replication, for progress display. */
  onProgress?(done: number, total: number): void;
}

/** Runs every strategy of the scenario for every replication and summarises them. */
export function runScenario(scenario: Scenario, options: RunOptions = {}): Result {
  const total = scenario.strategies.length * scenario.replications;
  let done = 0;
  const results = scenario.strategies.map((entry) => {
    const runs: RunOutput[] = [];
    for (let r = 0; r < scenario.replications; r++) {
      runs.push(simulate(scenario, entry, r));
      options.onProgress?.(++done, total);
    }
    return summarise(entry, runs);
  });
  return {
    scenario: scenario.name,
    description: scenario.description,
    seed: scenario.seed,
    replications: scenario.replications,
    duration: scenario.duration,
    warmup: scenario.warmup,
    servers: scenario.servers.list.map((s) => s.name),
    results,
  };
}

function summarise(entry: StrategyEntry, runs: RunOutput[]): StrategyResult {
  const metrics = runs.map((r) => r.metrics);
  return {
    strategy: entry.label,
    id: entry.id,
    store: entry.store.kind,
    metrics: meanMetrics(metrics),
    estimates: estimates(metrics),
    events: meanEvents(runs.map((r) => r.events)),
    replications: metrics,
    timeline: runs[0].timeline,
  };
}

import { BudgetError, BUDGET_FLAGS, bytes, count, DEFAULT_BUDGET, estimate, overBudget, type Budget } from "./budget.js";
import { StalledError } from "./engine/invariant.js";
import { baselineLabel, withBaseline, type UnpairedStrategyResult } from "./metrics/paired.js";
import type { Result } from "./metrics/result.js";
import { estimates, meanEvents, meanMetrics, meanPhases } from "./metrics/summary.js";
import { simulate, type RunMonitor, type RunOutput } from "./model/simulation.js";
import { InputError } from "./scenario/errors.js";
import type { Scenario, StrategyEntry } from "./scenario/scenario.js";

export interface RunOptions {
  /** Called now and then with the share of the work done, from 0 to 1, for progress display. */
  onProgress?(done: number): void;
  /** Limits the run must stay within (default DEFAULT_BUDGET). */
  budget?: Budget;
  /** Bytes of memory in use now, checked against the budget between slices (default: the process's resident set). */
  memoryInUse?(): number;
  /** The label of the strategy the others are compared with (default the first); InputError when no strategy has it. */
  baseline?: string;
}

/** Events between looks at progress and memory: a few hundredths of a second of simulation. */
const SLICE = 1 << 20;

/**
 * Runs every strategy of the scenario for every replication and summarises them. Throws
 * BudgetError, before anything runs, when the scenario's estimate exceeds the budget, or as
 * soon as a run passes it.
 */
export function runScenario(scenario: Scenario, options: RunOptions = {}): Result {
  const baseline = baselineLabel(scenario.strategies.map((e) => e.label), options.baseline);
  const budget = options.budget ?? DEFAULT_BUDGET;
  const over = overBudget(estimate(scenario), budget);
  if (over.length > 0) throw new BudgetError(`${scenario.name}: the run ${over.join("; it ")}. Raise the limit if this machine can take it.`);
  const memoryInUse = options.memoryInUse ?? process.memoryUsage.rss;
  const total = scenario.strategies.length * scenario.replications;
  let done = 0, eventsBefore = 0;
  const results = scenario.strategies.map((entry) => {
    const runs: RunOutput[] = [];
    for (let r = 0; r < scenario.replications; r++) {
      const monitor: RunMonitor = {
        slice: SLICE,
        check(processed, now) {
          if (eventsBefore + processed > budget.maxEvents)
            throw new BudgetError(`${scenario.name}: the run passed ${BUDGET_FLAGS.maxEvents} ${count(budget.maxEvents)} events at ${now.toFixed(0)} s of run ${done + 1} of ${total}; nothing was written`);
          const rss = memoryInUse();
          if (rss > budget.maxMemory)
            throw new BudgetError(`${scenario.name}: the run's memory passed ${BUDGET_FLAGS.maxMemory} ${bytes(budget.maxMemory)} (${bytes(rss)}) at ${now.toFixed(0)} s of run ${done + 1} of ${total}; nothing was written`);
          options.onProgress?.((done + now / scenario.duration) / total);
        },
      };
      const run = simulateOne(scenario, entry, r, monitor);
      eventsBefore += run.processedEvents;
      runs.push(run);
      options.onProgress?.(++done / total);
    }
    return summarise(scenario, entry, runs);
  });
  const classes = scenario.clients.classes;
  return withBaseline(baseline, {
    scenario: scenario.name,
    description: scenario.description,
    seed: scenario.seed,
    replications: scenario.replications,
    duration: scenario.duration,
    warmup: scenario.warmup,
    servers: [...new Set(results.flatMap((r) => r.servers.names))],
    ...(classes ? { classes: classes.map(({ name, fraction }) => ({ name, fraction })) } : {}),
    results,
  });
}

/** One run; a clock that stops advancing is the scenario's doing (nothing takes any time), so it is reported as bad input. */
function simulateOne(scenario: Scenario, entry: StrategyEntry, replication: number, monitor: RunMonitor): RunOutput {
  try {
    return simulate(scenario, entry, replication, monitor);
  } catch (error) {
    if (!(error instanceof StalledError)) throw error;
    throw new InputError(
      `${scenario.name}: simulated time stopped advancing at ${error.time} s (${entry.label}, replication ${replication + 1}): ` +
        "requests, visits or returns follow each other without any time passing; give think time, service time or returning.after a positive mean",
    );
  }
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * Per-server figures by name over the replications, in the order servers first appear (the
 * order they were created can differ between replications when random failures delay a deploy);
 * a server a replication never had counts 0 there.
 */
function perServer(runs: readonly RunOutput[], key: "requests" | "utilisation"): { names: string[]; values: number[] } {
  const names = [...new Set(runs.flatMap((r) => r.servers.names))];
  const values = names.map((name) => mean(runs.map((r) => r.servers[key][r.servers.names.indexOf(name)] ?? 0)));
  return { names, values };
}

/** The strategy id each device class is routed by in this entry (null without classes). */
function classIds(scenario: Scenario, entry: StrategyEntry): Record<string, string> | null {
  const classes = scenario.clients.classes;
  if (!classes) return null;
  return Object.fromEntries(classes.map(({ name }) => [name, entry.classes?.find((c) => c.deviceClass === name)?.id ?? entry.id]));
}

function summarise(scenario: Scenario, entry: StrategyEntry, runs: RunOutput[]): UnpairedStrategyResult {
  const metrics = runs.map((r) => r.metrics);
  const requests = perServer(runs, "requests");
  const classes = classIds(scenario, entry);
  return {
    strategy: entry.label,
    id: entry.id,
    store: entry.store.kind,
    ...(classes ? { classes } : {}),
    metrics: meanMetrics(metrics),
    estimates: estimates(metrics),
    events: meanEvents(runs.map((r) => r.events)),
    phases: meanPhases(runs.map((r) => r.phases)),
    servers: { names: requests.names, requests: requests.values, utilisation: perServer(runs, "utilisation").values },
    replications: metrics,
    timeline: { ...runs[0].timeline, servers: runs[0].servers.names },
  };
}

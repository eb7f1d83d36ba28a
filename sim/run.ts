import { BudgetError, DEFAULT_BUDGET, estimate, overBudget, type Budget } from "./budget.js";
import { baselineLabel, withBaseline, type UnpairedStrategyResult } from "./metrics/paired.js";
import type { Result } from "./metrics/result.js";
import { estimates, meanEvents, meanMetrics, meanPhases } from "./metrics/summary.js";
import type { RunOutput } from "./model/simulation.js";
import { runJobs, type Job } from "./parallel/run-jobs.js";
import { outputOf, runTask } from "./parallel/run-task.js";
import { scenarioDocument } from "./scenario/document.js";
import type { Scenario, StrategyEntry } from "./scenario/scenario.js";
import { lbsimVersion } from "./version.js";

export interface RunOptions {
  /** Called now and then with the share of the work done, from 0 to 1, for progress display. */
  onProgress?(done: number): void;
  /** Limits the run must stay within (default DEFAULT_BUDGET). */
  budget?: Budget;
  /** Bytes of memory in use now, checked against the budget between slices (default: the process's resident set). */
  memoryInUse?(): number;
  /**
   * The label of the strategy the others are compared with (default: the results file's being
   * reproduced, when it is among the strategies run, else the first); InputError when no strategy has it.
   */
  baseline?: string;
}

export interface BatchOptions extends Omit<RunOptions, "memoryInUse"> {
  /** Worker threads (default: the machine's cores; 1: all in this thread). */
  workers?: number;
  /** Aborting stops the runs under way (Ctrl-C); the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called as each run finishes, with its job and output, in the order runs finish. */
  onJobDone?(job: Job, output: RunOutput): void;
  /** The output of a job already run (kept by an interrupted batch), which is then not run again; undefined runs it. */
  known?(job: Job): RunOutput | undefined;
}

/** Every strategy of the scenario for every replication, in the order their results are listed. */
export function jobsOf(scenario: Scenario, point = 0): Job[] {
  return scenario.strategies.flatMap((_, entry) => Array.from({ length: scenario.replications }, (_, replication) => ({ point, entry, replication })));
}

/** Throws BudgetError, before anything runs, when the scenario's estimate exceeds the budget. */
function checkBudget(scenario: Scenario, budget: Budget): void {
  const over = overBudget(estimate(scenario), budget);
  if (over.length > 0) throw new BudgetError(`${scenario.name}: the run ${over.join("; it ")}. Raise the limit if this machine can take it.`);
}

/**
 * Runs every strategy of the scenario for every replication, in this thread, and summarises
 * them. Throws BudgetError, before anything runs, when the scenario's estimate exceeds the
 * budget, or as soon as a run passes it.
 */
export function runScenario(scenario: Scenario, options: RunOptions = {}): Result {
  baselineOf(scenario, options.baseline);
  const budget = options.budget ?? DEFAULT_BUDGET;
  checkBudget(scenario, budget);
  const jobs = jobsOf(scenario);
  let events = 0;
  const outputs = jobs.map(({ entry, replication }, i) => {
    const task = { scenario, entry, replication, maxEvents: budget.maxEvents, maxMemory: budget.maxMemory, eventsBefore: events, ordinal: i + 1, total: jobs.length };
    const output = outputOf(runTask(task, (done) => options.onProgress?.((i + done) / jobs.length), options.memoryInUse));
    events += output.processedEvents;
    options.onProgress?.((i + 1) / jobs.length);
    return output;
  });
  return resultOf(scenario, outputs, options.baseline);
}

/**
 * Runs every strategy of each scenario (a sweep's grid points) for every replication, on worker
 * threads, and summarises each scenario. The results are the same, to the byte, whatever the
 * number of workers: every run depends only on its scenario, strategy and replication.
 */
export async function runScenarios(scenarios: readonly Scenario[], options: BatchOptions = {}): Promise<Result[]> {
  const budget = options.budget ?? DEFAULT_BUDGET;
  for (const scenario of scenarios) {
    baselineOf(scenario, options.baseline);
    checkBudget(scenario, budget);
  }
  const jobs = scenarios.flatMap((scenario, point) => jobsOf(scenario, point));
  const outputs = jobs.map((job) => options.known?.(job));
  const pending = jobs.filter((_, i) => outputs[i] === undefined);
  const ran = await runJobs(scenarios, pending, { ...options, budget, onJobDone: options.onJobDone && ((i, output) => options.onJobDone!(pending[i], output)) });
  for (let i = 0, next = 0; i < jobs.length; i++) outputs[i] ??= ran[next++];
  let at = 0;
  return scenarios.map((scenario) => {
    const runs = scenario.strategies.length * scenario.replications;
    at += runs;
    return resultOf(scenario, outputs.slice(at - runs, at) as RunOutput[], options.baseline);
  });
}

/** The label of the strategy the scenario's others are compared with: `requested`, else a reproduced results file's where it was run, else the first. */
function baselineOf(scenario: Scenario, requested?: string): string {
  const labels = scenario.strategies.map((e) => e.label);
  const reproduced = scenario.reproduces?.baseline;
  return baselineLabel(labels, requested ?? (reproduced !== undefined && labels.includes(reproduced) ? reproduced : undefined));
}

/** The scenario's result from its runs' outputs, in `jobsOf` order, each strategy compared with `baseline` (default as `baselineOf`). */
export function resultOf(scenario: Scenario, outputs: readonly RunOutput[], baseline?: string): Result {
  const results = scenario.strategies.map((entry, e) => summarise(scenario, entry, outputs.slice(e * scenario.replications, (e + 1) * scenario.replications)));
  const classes = scenario.clients.classes;
  const compared = withBaseline(baselineOf(scenario, baseline), {
    lbsim: { version: lbsimVersion() },
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
  return { ...compared, scenarioDocument: scenarioDocument(scenario) };
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

function summarise(scenario: Scenario, entry: StrategyEntry, runs: readonly RunOutput[]): UnpairedStrategyResult {
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

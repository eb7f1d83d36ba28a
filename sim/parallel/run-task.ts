import { BudgetError, BUDGET_FLAGS, bytes, count } from "../budget.js";
import { StalledError } from "../engine/invariant.js";
import { simulate, type RunOutput } from "../model/simulation.js";
import { InputError } from "../scenario/errors.js";
import type { Scenario } from "../scenario/scenario.js";

/** Events between looks at progress and memory: a few hundredths of a second of simulation. */
export const SLICE = 1 << 20;

/** One replication of one strategy of one scenario: what a worker is given. */
export interface RunTask {
  scenario: Scenario;
  entry: number;
  replication: number;
  /** The budget's limits, and the events runs finished before this one started handled (they count against `maxEvents`). */
  maxEvents: number;
  maxMemory: number;
  eventsBefore: number;
  /** Which run this is, and of how many, for messages. */
  ordinal: number;
  total: number;
}

/** A run's output, or the user's mistake (or a passed budget) that stopped it, as plain data a worker can post back. */
export type RunTaskResult = { output: RunOutput } | { error: { name: "InputError" | "BudgetError"; message: string } };

/**
 * Runs the task, reporting the share of its simulated time done now and then. A clock that stops
 * advancing is the scenario's doing (nothing takes any time), so it is reported as bad input.
 */
export function runTask(task: RunTask, progress: (done: number) => void, memoryInUse: () => number = process.memoryUsage.rss): RunTaskResult {
  const { scenario, ordinal, total } = task;
  const entry = scenario.strategies[task.entry];
  try {
    const output = simulate(scenario, entry, task.replication, {
      slice: SLICE,
      check(processed, now) {
        if (task.eventsBefore + processed > task.maxEvents)
          throw new BudgetError(`${scenario.name}: the run passed ${BUDGET_FLAGS.maxEvents} ${count(task.maxEvents)} events at ${now.toFixed(0)} s of run ${ordinal} of ${total}; nothing was written`);
        const rss = memoryInUse();
        if (rss > task.maxMemory)
          throw new BudgetError(`${scenario.name}: the run's memory passed ${BUDGET_FLAGS.maxMemory} ${bytes(task.maxMemory)} (${bytes(rss)}) at ${now.toFixed(0)} s of run ${ordinal} of ${total}; nothing was written`);
        progress(now / scenario.duration);
      },
    });
    return { output };
  } catch (error) {
    if (error instanceof BudgetError || error instanceof InputError) return { error: { name: error.name, message: error.message } };
    if (!(error instanceof StalledError)) throw error;
    const message =
      `${scenario.name}: simulated time stopped advancing at ${error.time} s (${entry.label}, replication ${task.replication + 1}): ` +
      "requests, visits or returns follow each other without any time passing; give think time, service time or returning.after a positive mean";
    return { error: { name: "InputError", message } };
  }
}

/** The output, or the error the task's result carries, thrown as the class it was. */
export function outputOf(result: RunTaskResult): RunOutput {
  if ("output" in result) return result.output;
  throw result.error.name === "InputError" ? new InputError(result.error.message) : new BudgetError(result.error.message);
}

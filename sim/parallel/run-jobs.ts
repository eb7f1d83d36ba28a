import { availableParallelism } from "node:os";
import { MessageChannel } from "node:worker_threads";
import { Piscina } from "piscina";
import type { Budget } from "../budget.js";
import type { RunOutput } from "../model/simulation.js";
import type { Scenario } from "../scenario/scenario.js";
import { outputOf, runTask, type RunTask, type RunTaskResult } from "./run-task.js";

/** One run of a batch: the scenario (a sweep's grid point), the strategy entry and the replication. */
export interface Job {
  point: number;
  entry: number;
  replication: number;
}

export interface JobOptions {
  /** Worker threads (default: the machine's cores); 1 runs everything in this thread. */
  workers?: number;
  budget: Budget;
  /** Called now and then with the share of the batch done, from 0 to 1. */
  onProgress?(done: number): void;
  /** Called as each job finishes, with its index and output (in whatever order they finish). */
  onJobDone?(index: number, output: RunOutput): void;
  /** Aborting stops the runs under way and rejects with the signal's reason; finished jobs were reported. */
  signal?: AbortSignal;
}

/** The threads a batch of `jobs` runs gets: the flag, or the cores, never more than there are jobs. */
export function workerCount(jobs: number, workers: number = availableParallelism()): number {
  return Math.max(1, Math.min(workers, jobs));
}

/** Where the worker module is: beside this one once built; from the sources (tests), in the build. */
function workerFile(): string {
  const url = import.meta.url;
  return url.endsWith(".ts") ? new URL("../../dist/sim/parallel/run-worker.js", url).href : new URL("./run-worker.js", url).href;
}

/**
 * Runs the jobs, each a deterministic function of its scenario, entry and replication, and returns
 * their outputs in job order, so the batch's results are the same whatever the number of workers.
 * Runs that finish before a job starts count against the budget's events.
 */
export async function runJobs(scenarios: readonly Scenario[], jobs: readonly Job[], options: JobOptions): Promise<RunOutput[]> {
  const outputs: RunOutput[] = new Array(jobs.length);
  // The share done of each run under way, and their sum, kept as they change (a sweep may have thousands of runs).
  const share = new Float64Array(jobs.length);
  let finished = 0, events = 0, underway = 0;
  const progress = () => options.onProgress?.((finished + underway) / jobs.length);
  const advance = (i: number, d: number) => {
    underway += d - share[i];
    share[i] = d;
    progress();
  };
  const task = (i: number): RunTask => {
    const { point, entry, replication } = jobs[i];
    return { scenario: scenarios[point], entry, replication, maxEvents: options.budget.maxEvents, maxMemory: options.budget.maxMemory, eventsBefore: events, ordinal: i + 1, total: jobs.length };
  };
  const done = (i: number, result: RunTaskResult) => {
    const output = outputOf(result);
    outputs[i] = output;
    events += output.processedEvents;
    underway -= share[i];
    share[i] = 0;
    finished++;
    options.onJobDone?.(i, output);
    progress();
  };
  const workers = workerCount(jobs.length, options.workers);
  if (workers === 1) {
    for (let i = 0; i < jobs.length; i++) {
      // A turn of the event loop between runs, so a signal's handler can abort the batch.
      await new Promise((resolve) => setImmediate(resolve));
      options.signal?.throwIfAborted();
      done(i, runTask(task(i), (d) => advance(i, d)));
    }
    return outputs;
  }
  const pool = new Piscina({ filename: workerFile(), minThreads: workers, maxThreads: workers, idleTimeout: Infinity });
  // Each lane keeps one worker busy, taking the next job when its run ends, so a run's budget knows the runs before it.
  let next = 0, failed = false;
  const lane = async () => {
    while (next < jobs.length && !failed) {
      const i = next++;
      const { port1, port2 } = new MessageChannel();
      port1.on("message", (d: number) => advance(i, d));
      try {
        done(i, await pool.run({ task: task(i), port: port2 }, { transferList: [port2], signal: options.signal }));
      } catch (error) {
        failed = true;
        throw error;
      } finally {
        port1.close();
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: workers }, lane));
  } finally {
    await pool.destroy();
  }
  return outputs;
}

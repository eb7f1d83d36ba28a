import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fsReason, isFsError } from "../reports/output-dir.js";
import { Interrupted, interruptGuard, type StopSignal } from "../reports/interrupt.js";
import type { Budget, Job, Result, Scenario } from "../sim/index.js";
import { InputError } from "../sim/scenario/errors.js";
import { describeShard, type Shard } from "../sim/sweep/shard.js";
import { parsePartialFile, renderPartialFile, type FinishedRun, type PartialFile } from "./partial-file.js";
import { version } from "./package.js";

/** The runs of one `lbsim run` or `lbsim sweep` (or one shard of a sweep), and where they go. */
export interface Batch {
  command: "run" | "sweep";
  /** `batchFingerprint` of the whole run or sweep. */
  fingerprint: string;
  shard: Shard | null;
  /** The scenarios to run, and the grid point of each (a run's one is point 0). */
  scenarios: readonly Scenario[];
  points: readonly number[];
  out: string;
  /** `--resume`: take the finished runs from the partial.json in `out`. */
  resume: boolean;
}

export interface BatchOptions {
  workers?: number;
  baseline?: string;
  budget: Budget;
  onProgress?(done: number): void;
}

const PARTIAL = "partial.json";

const key = (run: Job) => `${run.point}/${run.entry}/${run.replication}`;

/**
 * Runs the batch and hands its results to `complete`, which renders and writes the outputs. The
 * first SIGINT or SIGTERM (until `complete` has written) stops the workers; the runs finished by
 * then are written, atomically, as partial.json in place of the outputs, and `Interrupted` says
 * how to resume. With `resume`, the runs a partial.json kept are not run again, so the outputs
 * are those of an uninterrupted batch, byte for byte; writing them replaces the partial.json.
 */
export async function runBatch<T>(batch: Batch, options: BatchOptions, complete: (results: Result[]) => Promise<T>): Promise<T> {
  const { runScenarios } = await import("../sim/index.js");
  const { writeOutputSet } = await import("../reports/write.js");
  const runs = batch.scenarios.reduce((n, s) => n + s.strategies.length * s.replications, 0);
  const finished = new Map<string, FinishedRun>();
  const partial = readPartial(batch.out, batch.resume);
  if (partial && batch.resume) {
    checkSameBatch(batch, partial, runs);
    for (const run of partial.finished) finished.set(key(run), run);
  } else if (partial) {
    process.stderr.write(`lbsim: warning: ${join(batch.out, PARTIAL)} holds an interrupted ${partial.command}; starting over replaces it (add --resume to finish that one instead)\n`);
  }
  const global = (job: Job): Job => ({ point: batch.points[job.point], entry: job.entry, replication: job.replication });

  const keep = async (signal: StopSignal): Promise<Interrupted> => {
    if (finished.size === 0) return new Interrupted(signal, `interrupted (${signal}) before any run finished; nothing was written`);
    const file: PartialFile = { lbsim: version, command: batch.command, fingerprint: batch.fingerprint, shard: batch.shard, runs, finished: [...finished.values()].sort(byJob) };
    await writeOutputSet(batch.out, { [PARTIAL]: renderPartialFile(file) });
    return new Interrupted(
      signal,
      `interrupted (${signal}) after ${finished.size} of ${runs} runs; kept them in ${join(batch.out, PARTIAL)}. To finish, run the same command with --resume:\n  ${resumeCommand()}`,
    );
  };

  const guard = interruptGuard();
  try {
    let results: Result[] | undefined;
    try {
      results = await runScenarios(batch.scenarios, {
        ...options,
        signal: guard.signal,
        known: (job) => finished.get(key(global(job)))?.output,
        onJobDone: (job, output) => finished.set(key(global(job)), { ...global(job), output }),
      });
    } catch (error) {
      // Aborting rejects with the signal's reason; a signal that came with another failure still stops here.
      if (!guard.received) throw error;
    }
    const signal = guard.received;
    if (signal) throw await keep(signal);
    try {
      return await complete(results as Result[]);
    } catch (error) {
      // A signal while the outputs were being written: they were not, so the finished runs are kept.
      if (error instanceof Interrupted) throw await keep(error.signal);
      throw error;
    }
  } finally {
    guard.dispose();
  }
}

function byJob(a: Job, b: Job): number {
  return a.point - b.point || a.entry - b.entry || a.replication - b.replication;
}

/** The partial.json in `out`; with `--resume`, its absence or a broken one is the user's mistake. */
function readPartial(out: string, resume: boolean): PartialFile | undefined {
  const path = join(out, PARTIAL);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if (!isFsError(error)) throw error;
    if (!resume) return undefined;
    if (error.code === "ENOENT" || error.code === "ENOTDIR")
      throw new InputError(`--resume: nothing to resume: ${out} holds no interrupted run (no ${PARTIAL}); run the command without --resume`);
    throw new InputError(`--resume: cannot read ${path}: ${fsReason(error)}`);
  }
  const parsed = parsePartialFile(text);
  if (!("problem" in parsed)) return parsed;
  if (!resume) return undefined;
  throw new InputError(`--resume: ${path} is not an interrupted run's partial output (${parsed.problem})`);
}

/** Refuses to resume from the partial output of another batch: other scenario, flags, grid, shard or version. */
function checkSameBatch(batch: Batch, partial: PartialFile, runs: number): void {
  const path = join(batch.out, PARTIAL);
  if (partial.command !== batch.command) throw new InputError(`--resume: ${path} is of an interrupted lbsim ${partial.command}, not lbsim ${batch.command}`);
  if (partial.fingerprint !== batch.fingerprint) {
    const versions = partial.lbsim === version ? "" : ` It was written by lbsim ${partial.lbsim}; this is lbsim ${version}.`;
    throw new InputError(
      `--resume: ${path} is of another ${batch.command}: the scenario, a flag that changes it (--set, --vary, --strategies, --seed, --replications) or the lbsim version differs from the interrupted command's.${versions} ` +
        "Give the same command line, or run without --resume to start over.",
    );
  }
  const shard = (s: Shard | null) => (s ? `shard ${describeShard(s)}` : "the whole sweep");
  if (shard(partial.shard) !== shard(batch.shard)) throw new InputError(`--resume: ${path} is of ${shard(partial.shard)}, not ${shard(batch.shard)}`);
  const jobs = new Set(batch.scenarios.flatMap((s, i) => s.strategies.flatMap((_, entry) => Array.from({ length: s.replications }, (_, replication) => key({ point: batch.points[i], entry, replication })))));
  if (partial.runs !== runs || partial.finished.some((run) => !jobs.has(key(run))))
    throw new InputError(`--resume: ${path} holds runs that are not of this ${batch.command}; was it edited? Run without --resume to start over.`);
}

/** The command line that was run, with --resume: what the interrupted message tells the user to run. */
function resumeCommand(): string {
  const args = process.argv.slice(2).filter((a) => a !== "--resume");
  const quote = (a: string) => (/^[\w./:,=@%+^-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`);
  return ["lbsim", ...args, "--resume"].map(quote).join(" ");
}

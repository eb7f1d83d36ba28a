import { join } from "node:path";
import { budget, type BudgetFlags } from "./flags.js";
import { loadWithFlags, sweepSetup, type ScenarioFlags } from "./load.js";

export interface SweepFlags extends BudgetFlags, ScenarioFlags {
  /** Absent: the grid of the sweep.json given as the scenario. */
  vary?: string[];
  baseline?: string;
  out?: string;
  json?: boolean;
  quiet?: boolean;
  workers?: number;
}

/**
 * `lbsim sweep`: the scenario at every point of the grid the `--vary` flags span, each point
 * checked by the schema like a file, all runs (points × strategies × replications) on worker
 * threads; writes sweep.csv, sweep.json and report.html.
 */
export async function sweep(file: string, flags: SweepFlags): Promise<void> {
  const { InputError, runScenarios } = await import("../sim/index.js");
  const { parseVary, gridPoints, pointOverrides, describePoint, sweepResult } = await import("../sim/sweep/index.js");
  const { sweepFiles, renderSweepTable, checkOutputDir, writeOutputSet, progressReporter } = await import("../reports/index.js");
  const setup = await sweepSetup(file, flags);
  flags = setup.flags;
  const varies = setup.flags.vary.map(parseVary);
  const points = gridPoints(varies);
  const scenarios = [];
  for (const point of points) {
    try {
      scenarios.push(await loadWithFlags(file, flags, pointOverrides(varies, point)));
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      throw new InputError(`grid point ${point.index + 1} of ${points.length} (${describePoint(point)}): ${error.message}`);
    }
  }
  const out = flags.out ?? join("lbsim-out", `${scenarios[0].name}-sweep`);
  checkOutputDir(out);
  const runs = scenarios.reduce((n, s) => n + s.strategies.length * s.replications, 0);
  const started = performance.now();
  const progress = flags.quiet || flags.json ? undefined : progressReporter(process.stderr, `${points.length} points, ${runs} runs`);
  let results;
  try {
    results = await runScenarios(scenarios, { onProgress: progress?.update, budget: await budget(flags), workers: flags.workers, baseline: flags.baseline });
  } finally {
    progress?.stop();
  }
  const result = sweepResult(scenarios[0], varies, points, results, setup.base);
  const files = sweepFiles(result);
  const json = files["sweep.json"]!;
  const written = await writeOutputSet(out, files);
  const summary = `${renderSweepTable(result)}\n${((performance.now() - started) / 1000).toFixed(1)} s; wrote ${written.join(", ")}\n`;
  if (flags.json) {
    process.stderr.write(summary);
    process.stdout.write(json);
  } else {
    process.stdout.write(summary);
  }
}

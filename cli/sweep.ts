import { join } from "node:path";
import type { Scenario } from "../sim/index.js";
import type { Shard } from "../sim/sweep/shard.js";
import { runBatch } from "./batch.js";
import { budget, type BudgetFlags } from "./flags.js";
import { loadWithFlags, sweepSetup, type ScenarioFlags } from "./load.js";
import { version } from "./package.js";

export interface SweepFlags extends BudgetFlags, ScenarioFlags {
  /** Absent: the grid of the sweep.json given as the scenario. */
  vary?: string[];
  baseline?: string;
  /** `--shard K/N`, or `auto` to take K and N from the batch engine's environment. */
  shard?: Shard | "auto";
  resume?: boolean;
  out?: string;
  json?: boolean;
  quiet?: boolean;
  workers?: number;
}

/**
 * `lbsim sweep`: the scenario at every point of the grid the `--vary` flags span, each point
 * checked by the schema like a file, all runs (points × strategies × replications) on worker
 * threads; writes sweep.csv, sweep.json and report.html. With `--shard K/N` it runs the points
 * of shard K (`shardOf`) and writes shard.json for `lbsim merge`. Interrupted, it keeps the
 * finished runs for `--resume`.
 */
export async function sweep(file: string, flags: SweepFlags): Promise<void> {
  const { InputError } = await import("../sim/index.js");
  const { parseVary, gridPoints, pointOverrides, describePoint, sweepResult, shardPoints, describeShard, batchFingerprint } = await import("../sim/sweep/index.js");
  const { sweepFiles, renderSweepTable, checkOutputDir, writeOutputSet, progressReporter, renderShardFile } = await import("../reports/index.js");
  const setup = await sweepSetup(file, flags);
  flags = setup.flags;
  const varies = setup.flags.vary.map(parseVary);
  const points = gridPoints(varies);
  const shard = await chosenShard(flags.shard);
  // Every point is loaded, also by a shard: the fingerprint covers the whole sweep.
  const scenarios: Scenario[] = [];
  for (const point of points) {
    try {
      scenarios.push(await loadWithFlags(file, flags, pointOverrides(varies, point)));
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      throw new InputError(`grid point ${point.index + 1} of ${points.length} (${describePoint(point)}): ${error.message}`);
    }
  }
  const selected = shard ? shardPoints(points, shard) : points;
  const name = `${scenarios[0].name}-sweep${shard ? `-shard-${shard.index}-of-${shard.count}` : ""}`;
  const out = flags.out ?? join("lbsim-out", name);
  checkOutputDir(out);
  const fingerprint = batchFingerprint({ command: "sweep", version, scenarios, vary: varies, baseline: flags.baseline });
  const batch = {
    command: "sweep",
    fingerprint,
    shard: shard ?? null,
    scenarios: selected.map((p) => scenarios[p.index]),
    points: selected.map((p) => p.index),
    out,
    resume: flags.resume === true,
  } as const;
  const runs = batch.scenarios.reduce((n, s) => n + s.strategies.length * s.replications, 0);
  const what = `${shard ? `shard ${describeShard(shard)}: ${selected.length} of ${points.length}` : points.length} points, ${runs} runs`;
  const started = performance.now();
  const progress = flags.quiet || flags.json ? undefined : progressReporter(process.stderr, what);
  try {
    await runBatch(batch, { onProgress: progress?.update, budget: await budget(flags), workers: flags.workers, baseline: flags.baseline }, async (results) => {
      progress?.stop();
      const result = sweepResult(scenarios[0], varies, selected, results, setup.base);
      const files = shard ? { "shard.json": renderShardFile({ lbsim: version, fingerprint, shard, points: points.length, sweep: result }) } : sweepFiles(result);
      const written = await writeOutputSet(out, files);
      const table = selected.length > 0 ? renderSweepTable(result) : `no grid point falls to shard ${describeShard(shard as Shard)} (the grid has ${points.length})\n`;
      const summary = `${table}\n${((performance.now() - started) / 1000).toFixed(1)} s; wrote ${written.join(", ")}\n`;
      if (flags.json) {
        process.stderr.write(summary);
        process.stdout.write(shard ? files["shard.json"]! : files["sweep.json"]!);
      } else {
        process.stdout.write(summary);
      }
    });
  } finally {
    progress?.stop();
  }
}

/** The shard `--shard` names; `auto` reads it from the batch engine's environment and says where from. */
async function chosenShard(flag: Shard | "auto" | undefined): Promise<Shard | undefined> {
  if (flag !== "auto") return flag;
  const { shardFromEnvironment } = await import("./shard-env.js");
  const { shard, source } = shardFromEnvironment(process.env);
  process.stderr.write(`lbsim: shard ${shard.index}/${shard.count} from ${source}
`);
  return shard;
}

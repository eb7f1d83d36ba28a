import { join } from "node:path";
import { runBatch } from "./batch.js";
import { budget, type BudgetFlags } from "./flags.js";
import { loadWithFlags, type ScenarioFlags } from "./load.js";
import { version } from "./package.js";

export interface RunFlags extends BudgetFlags, ScenarioFlags {
  baseline?: string;
  out?: string;
  json?: boolean;
  quiet?: boolean;
  workers?: number;
  resume?: boolean;
}

/**
 * `lbsim run`: simulates the scenario's strategies and replications on worker threads, writes the
 * output set, prints the summary. Interrupted, it keeps the finished runs for `--resume`.
 */
export async function run(file: string, flags: RunFlags): Promise<void> {
  const { scenarioWarnings, estimate } = await import("../sim/index.js");
  const { batchFingerprint } = await import("../sim/sweep/index.js");
  const { runFiles, renderTable, checkOutputDir, writeOutputSet, progressReporter } = await import("../reports/index.js");
  const scenario = await loadWithFlags(file, flags);
  // Checked before simulating so a bad --out fails at once, not after a long run.
  const out = flags.out ?? join("lbsim-out", scenario.name);
  checkOutputDir(out);
  for (const warning of scenarioWarnings(scenario, estimate(scenario))) process.stderr.write(`lbsim: warning: ${warning}\n`);
  const fingerprint = batchFingerprint({ command: "run", version, scenarios: [scenario], vary: [], baseline: flags.baseline });
  const batch = { command: "run", fingerprint, shard: null, scenarios: [scenario], points: [0], out, resume: flags.resume === true } as const;
  const started = performance.now();
  const progress = flags.quiet || flags.json ? undefined : progressReporter(process.stderr, `${scenario.strategies.length * scenario.replications} runs`);
  try {
    await runBatch(batch, { onProgress: progress?.update, budget: await budget(flags), workers: flags.workers, baseline: flags.baseline }, async ([result]) => {
      progress?.stop();
      const files = runFiles(result);
      const written = await writeOutputSet(out, files);
      const summary = `${renderTable(result)}\n${((performance.now() - started) / 1000).toFixed(1)} s; wrote ${written.join(", ")}\n`;
      if (flags.json) {
        process.stderr.write(summary);
        process.stdout.write(files["results.json"]!);
      } else {
        process.stdout.write(summary);
      }
    });
  } finally {
    progress?.stop();
  }
}

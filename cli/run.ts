import { join } from "node:path";
import { budget, type BudgetFlags } from "./flags.js";
import { loadWithFlags, type ScenarioFlags } from "./load.js";

export interface RunFlags extends BudgetFlags, ScenarioFlags {
  baseline?: string;
  out?: string;
  json?: boolean;
  quiet?: boolean;
  workers?: number;
}

/** `lbsim run`: simulates the scenario's strategies and replications on worker threads, writes the output set, prints the summary. */
export async function run(file: string, flags: RunFlags): Promise<void> {
  const { runScenarios, scenarioWarnings, estimate } = await import("../sim/index.js");
  const { runFiles, renderTable, checkOutputDir, writeOutputSet, progressReporter } = await import("../reports/index.js");
  const scenario = await loadWithFlags(file, flags);
  // Checked before simulating so a bad --out fails at once, not after a long run.
  const out = flags.out ?? join("lbsim-out", scenario.name);
  checkOutputDir(out);
  for (const warning of scenarioWarnings(scenario, estimate(scenario))) process.stderr.write(`lbsim: warning: ${warning}\n`);
  const started = performance.now();
  const progress = flags.quiet || flags.json ? undefined : progressReporter(process.stderr, `${scenario.strategies.length * scenario.replications} runs`);
  let result;
  try {
    [result] = await runScenarios([scenario], { onProgress: progress?.update, budget: await budget(flags), workers: flags.workers, baseline: flags.baseline });
  } finally {
    progress?.stop();
  }
  const files = runFiles(result);
  const json = files["results.json"]!;
  const written = await writeOutputSet(out, files);
  const summary = `${renderTable(result)}\n${((performance.now() - started) / 1000).toFixed(1)} s; wrote ${written.join(", ")}\n`;
  if (flags.json) {
    process.stderr.write(summary);
    process.stdout.write(json);
  } else {
    process.stdout.write(summary);
  }
}

import { availableParallelism } from "node:os";
import { loadScenarioFile, runScenarios } from "../sim/index.js";
import { repoFile } from "./root.js";
import { spread } from "./spread.js";

/** The sweep the bench times: bench/large.json cut to 8 simulated minutes, one strategy, over 8 server counts. */
function sweepScenarios() {
  const base = [
    { path: ["duration"], value: "8m", flag: "bench" },
    { path: ["strategies"], value: ["cookie-insert"], flag: "bench" },
    { path: ["events"], value: [], flag: "bench" },
  ];
  return [18, 19, 20, 21, 22, 23, 24, 25].map((count) => loadScenarioFile(repoFile("bench/large.json"), [...base, { path: ["servers", "count"], value: count, flag: "bench" }]));
}

/**
 * Wall-clock seconds of the sweep on 1 worker and on 2, interleaved (1, 2, 1, 2, ...), `runs`
 * times each: the Markdown row with the median of each and of the speed-up, with its range; a row
 * saying why instead when the process may use fewer than 2 `cores`.
 */
export async function sweepSpeedupRow(runs: number, cores = availableParallelism()): Promise<string> {
  // A process pinned to one core (taskset) pins its worker threads too: two workers would share it.
  if (cores < 2) return `| sweep of 8 points (bench-large, 8 min each), 1 worker against 2 | not run: this process may use ${cores} core | | |`;
  const scenarios = sweepScenarios();
  const seconds: Record<1 | 2, number[]> = { 1: [], 2: [] };
  for (let i = 0; i < runs; i++) {
    for (const workers of [1, 2] as const) {
      const started = performance.now();
      await runScenarios(scenarios, { workers });
      seconds[workers].push((performance.now() - started) / 1000);
    }
  }
  const ratio = spread(seconds[1].map((s, i) => s / seconds[2][i]));
  const one = spread(seconds[1]).median, two = spread(seconds[2]).median;
  return `| sweep of 8 points (bench-large, 8 min each), 1 worker against 2 | ${ratio.median.toFixed(2)}× faster on 2 (${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)}) | ${one.toFixed(1)} s on 1 worker, ${two.toFixed(1)} s on 2 | |`;
}

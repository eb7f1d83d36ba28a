import { stringify } from "csv-stringify/sync";
import type { Result } from "../sim/metrics/result.js";
import { metricAt } from "../sim/metrics/per-metric.js";
import { flatten } from "../sim/metrics/summary.js";

/**
 * One row per strategy: every metric (means over replications, nested names dotted) followed
 * by the 95% confidence half-width of each (`<metric>.ci95`, empty with one replication); then
 * the baseline's label and, per metric, the strategy's mean difference to the baseline paired
 * by replication (`<metric>.diff`, 0 in the baseline's own row), its 95% half-width
 * (`<metric>.diff.ci95`) and the half-width the same difference would have without pairing
 * (`<metric>.diff.unpairedCi95`); half-widths are empty with one replication.
 */
export function renderCsv(result: Result): string {
  const { header, rows } = strategyColumns(result);
  return stringify([header, ...rows]);
}

/** Every metric's dotted name over these results, in the order first met (a sweep's points may differ: connections only where users hold them). */
export function metricNames(results: readonly Result[]): string[] {
  return [...new Set(results.flatMap((result) => result.results.flatMap((r) => Object.keys(flatten(r.metrics)))))];
}

/** The columns of results.csv for these metrics and the rows under them, one per strategy; a metric a strategy lacks is empty. */
export function strategyColumns(result: Result, names: readonly string[] = metricNames([result])): { header: string[]; rows: unknown[][] } {
  const suffixed = (suffix: string) => names.map((n) => `${n}${suffix}`);
  const header = ["strategy", "id", "store", "replications", ...names, ...suffixed(".ci95"), "baseline", ...suffixed(".diff"), ...suffixed(".diff.ci95"), ...suffixed(".diff.unpairedCi95")];
  const rows = result.results.map((r) => {
    const values = flatten(r.metrics);
    const diff = (field: "mean" | "ci95" | "unpairedCi95") => names.map((n) => metricAt(r.vsBaseline, n)?.[field] ?? "");
    return [r.strategy, r.id, r.store, result.replications, ...names.map((n) => values[n] ?? ""), ...names.map((n) => metricAt(r.estimates, n)?.ci95 ?? ""), result.baseline, ...diff("mean"), ...diff("ci95"), ...diff("unpairedCi95")];
  });
  return { header, rows };
}

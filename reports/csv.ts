import { stringify } from "csv-stringify/sync";
import type { Result } from "../sim/metrics/result.js";
import { flatten } from "../sim/metrics/summary.js";

/**
 * One row per strategy: every metric (means over replications, nested names dotted) followed
 * by the 95% confidence half-width of each (`<metric>.ci95`, empty with one replication).
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
  const header = ["strategy", "id", "store", "replications", ...names, ...names.map((n) => `${n}.ci95`)];
  const rows = result.results.map((r) => {
    const values = flatten(r.metrics);
    return [r.strategy, r.id, r.store, result.replications, ...names.map((n) => values[n] ?? ""), ...names.map((n) => r.estimates[n]?.ci95 ?? "")];
  });
  return { header, rows };
}

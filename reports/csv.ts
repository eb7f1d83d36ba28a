import { stringify } from "csv-stringify/sync";
import type { Result } from "../sim/metrics/result.js";
import { flatten } from "../sim/metrics/summary.js";

/**
 * One row per strategy: every metric (means over replications, nested names dotted) followed
 * by the 95% confidence half-width of each (`<metric>.ci95`, empty with one replication).
 */
export function renderCsv(result: Result): string {
  const names = Object.keys(flatten(result.results[0].metrics));
  const header = ["strategy", "id", "store", "replications", ...names, ...names.map((n) => `${n}.ci95`)];
  const rows = result.results.map((r) => {
    const values = flatten(r.metrics);
    return [r.strategy, r.id, r.store, result.replications, ...names.map((n) => values[n]), ...names.map((n) => r.estimates[n]?.ci95 ?? "")];
  });
  return stringify([header, ...rows]);
}

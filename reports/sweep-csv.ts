import { stringify } from "csv-stringify/sync";
import { valueText } from "../sim/sweep/grid.js";
import type { SweepResult } from "../sim/sweep/sweep-result.js";
import { metricNames, strategyColumns } from "./csv.js";

/**
 * sweep.csv: one row per grid point and strategy: the scenario's name and seed, the value of
 * each varied path (a column each, named by the path), then the columns of results.csv.
 */
export function renderSweepCsv(sweep: SweepResult): string {
  const paths = sweep.vary.map((v) => v.path);
  const names = metricNames(sweep.points.map((p) => p.result));
  const rows = sweep.points.flatMap((point) => {
    const { rows } = strategyColumns(point.result, names);
    const values = paths.map((p) => cell(point.values[p]));
    return rows.map((row) => [point.result.scenario, point.result.seed, ...values, ...row]);
  });
  return stringify([["scenario", "seed", ...paths, ...strategyColumns(sweep.points[0].result, names).header], ...rows]);
}

/** A varied value as a CSV cell: numbers and text as they are, anything else as JSON. */
export function cell(value: unknown): string | number | boolean {
  return typeof value === "number" || typeof value === "string" || typeof value === "boolean" ? value : valueText(value);
}

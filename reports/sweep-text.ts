import type { SweepResult } from "../sim/sweep/sweep-result.js";
import { renderTable } from "./table.js";

/** sweep.json: the sweep's result as pretty JSON. Deterministic: same scenario, grid and seed, same bytes. */
export function renderSweepJson(sweep: SweepResult): string {
  return JSON.stringify(sweep, null, 2) + "\n";
}

/** The summary printed after a sweep: each grid point's summary table under its values. */
export function renderSweepTable(sweep: SweepResult): string {
  return sweep.points.map((p) => `${p.label}\n${renderTable(p.result)}`).join("\n");
}

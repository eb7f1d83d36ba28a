import type { Result } from "../sim/metrics/result.js";

/** results.json: the Result as pretty JSON. Deterministic: same scenario and seed, same bytes. */
export function renderJson(result: Result): string {
  return JSON.stringify(result, null, 2) + "\n";
}

import { loadScenarioFile, runScenario, type Result, type StrategyResult } from "../sim/index.js";
import type { TopologyEventResult } from "../sim/metrics/result.js";

/** Helpers for the tests that check each bundled scenario's headline on a full run of the file as shipped. */

const dir = new URL("../scenarios/", import.meta.url);

/** Runs a bundled scenario with its own seed and replications. */
export function runBundled(file: string): Result {
  return runScenario(loadScenarioFile(new URL(file, dir).pathname));
}

/** The result of the strategy entry with this label. */
export function strategy(result: Result, label: string): StrategyResult {
  const found = result.results.find((r) => r.strategy === label);
  if (!found) throw new Error(`no strategy ${label} in ${result.scenario}`);
  return found;
}

/** The `nth` topology event of this action in a strategy's results. */
export function event(s: StrategyResult, action: string, nth = 0): TopologyEventResult {
  const found = s.events.filter((e) => e.action === action)[nth];
  if (!found) throw new Error(`no ${action} event #${nth} for ${s.strategy}`);
  return found;
}

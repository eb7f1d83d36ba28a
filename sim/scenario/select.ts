import { storeFor, type Scenario, type StrategyEntry } from "./scenario.js";
import { findStrategy, unknownStrategy } from "../strategies/index.js";

/**
 * The strategies a run should compare when the user names some (`--strategies a,b`): each name
 * picks the scenario's entries with that label or id, or else adds that strategy with default
 * options and its implied store, else the scenario's. Returns an error message for a name that is neither.
 */
export function selectStrategies(scenario: Scenario, names: readonly string[]): { entries: StrategyEntry[] } | { error: string } {
  const entries: StrategyEntry[] = [];
  for (const name of names) {
    const matches = scenario.strategies.filter((e) => e.label === name || e.id === name);
    if (matches.length > 0) {
      entries.push(...matches.filter((m) => !entries.includes(m)));
      continue;
    }
    const def = findStrategy(name);
    if (!def) return { error: unknownStrategy(name) };
    entries.push({ label: name, id: name, options: def.options.parse({}), store: storeFor(def, scenario.store) });
  }
  return { entries };
}

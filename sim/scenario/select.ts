import { storeFor, type Scenario, type StrategyEntry } from "./scenario.js";
import { findStrategy } from "../strategies/index.js";
import { unknownStrategy } from "./suggest.js";

/**
 * The strategies a run should compare when the user names some (`--strategies a,b`), in the
 * order named. Each name picks exactly one entry: the entry with that label (labels are unique),
 * else the only entry with that id, else that strategy with default options and its implied
 * store (else the scenario's). Returns an error message for a name that is none of these, one
 * that matches several entries by id, or one named twice.
 */
export function selectStrategies(scenario: Scenario, names: readonly string[]): { entries: StrategyEntry[] } | { error: string } {
  const entries: StrategyEntry[] = [];
  for (const name of names) {
    const entry = pick(scenario, name);
    if (typeof entry === "string") return { error: entry };
    if (entries.some((e) => e.label === entry.label)) return { error: `${JSON.stringify(entry.label)} is named twice` };
    entries.push(entry);
  }
  return { entries };
}

function pick(scenario: Scenario, name: string): StrategyEntry | string {
  const labelled = scenario.strategies.find((e) => e.label === name);
  if (labelled) return labelled;
  const byId = scenario.strategies.filter((e) => e.id === name);
  if (byId.length === 1) return byId[0];
  if (byId.length > 1) return `${JSON.stringify(name)} matches ${byId.length} entries of the scenario (${byId.map((e) => JSON.stringify(e.label)).join(", ")}); name one by its label`;
  const def = findStrategy(name);
  if (!def) return unknownStrategy(name);
  return { label: name, id: name, options: def.options.parse({}), store: storeFor(def, scenario.store), written: name };
}

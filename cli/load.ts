import type { Override } from "../sim/scenario/load.js";
import type { Scenario } from "../sim/index.js";
import type { SweepBase } from "../sim/sweep/index.js";

/** Flags that change the scenario a command runs, shared by `run` and `sweep`. */
export interface ScenarioFlags {
  strategies?: string;
  seed?: number;
  replications?: number;
  /** `--set PATH=VALUE`, in the order given. */
  set?: string[];
}

/** The overrides the flags make: `--seed`, `--replications`, then each `--set PATH=VALUE`, checked by the scenario's schema like the file's own values. */
export async function flagOverrides(flags: ScenarioFlags): Promise<Override[]> {
  const { parsePath, parseValue, splitAssignment } = await import("../sim/scenario/set-flag.js");
  const sets = (flags.set ?? []).map((text) => {
    const { path, value } = splitAssignment(text, "--set");
    return { path: parsePath(path, "--set"), value: parseValue(value), flag: `--set ${path}` };
  });
  return [
    ...(flags.seed === undefined ? [] : [{ path: ["seed"], value: flags.seed, flag: "--seed" }]),
    ...(flags.replications === undefined ? [] : [{ path: ["replications"], value: flags.replications, flag: "--replications" }]),
    ...sets,
  ];
}

/**
 * A sweep's flags and what its points share. Without `--vary`, `file` must be a sweep.json lbsim
 * wrote: its grid and, unless given, its `--strategies` are run again (a point's baseline is its own).
 */
export async function sweepSetup<F extends ScenarioFlags & { vary?: string[] }>(file: string, flags: F): Promise<{ flags: F & { vary: string[] }; base: SweepBase }> {
  const { InputError, loadScenarioDocument } = await import("../sim/index.js");
  const { document, reproduces } = loadScenarioDocument(file, await flagOverrides(flags));
  let { vary = [], strategies } = flags;
  if (vary.length === 0) {
    if (reproduces?.kind !== "sweep" || !reproduces.vary) throw new InputError("--vary: give at least one PATH=VALUES, e.g. --vary servers.count=2,4,8 (or a sweep.json lbsim wrote, to run its grid again)");
    vary = reproduces.vary.map((v) => `${v.path}=${v.values.map((value) => JSON.stringify(value)).join(",")}`);
    strategies ??= reproduces.strategies?.join(",");
  }
  const names = strategies?.split(",").map((s) => s.trim()).filter(Boolean);
  return { flags: { ...flags, vary, strategies }, base: { document, ...(names ? { strategies: names } : {}) } };
}

/** The scenario in `file` with the flags' overrides (and `more`) applied and checked, and the strategies `--strategies` selects. */
export async function loadWithFlags(file: string, flags: ScenarioFlags, more: readonly Override[] = []): Promise<Scenario> {
  const { loadScenarioFile, InputError, selectStrategies } = await import("../sim/index.js");
  const scenario = loadScenarioFile(file, [...(await flagOverrides(flags)), ...more]);
  if (flags.strategies !== undefined) {
    const selected = selectStrategies(scenario, flags.strategies.split(",").map((s) => s.trim()).filter(Boolean));
    if ("error" in selected) throw new InputError(`--strategies: ${selected.error}`);
    scenario.strategies = selected.entries;
  }
  return scenario;
}

/**
 * What a results.json or sweep.json says about the runs that wrote it, for running them again: the
 * lbsim version, and the baseline a run compared with, or a sweep's grid and `--strategies` names.
 */
export interface Reproduced {
  kind: "results" | "sweep";
  version: string;
  baseline?: string;
  vary?: { path: string; values: unknown[] }[];
  strategies?: string[];
}

/** Where a scenario sits in a file lbsim wrote, and what else that file says; absent for a scenario file. */
export interface Embedded {
  path: ["scenarioDocument"];
  document: unknown;
  reproduced: Reproduced;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Recognises lbsim's results.json (a Result) and sweep.json (a SweepResult) by their `lbsim` and
 * `scenarioDocument` keys; a scenario file may have neither. Returns a message for a results file
 * written before results embedded their scenario.
 */
export function embeddedScenario(value: unknown): Embedded | { problem: string } | undefined {
  if (!isObject(value) || typeof value.scenario !== "string") return undefined;
  const kind = Array.isArray(value.results) ? "results" : Array.isArray(value.points) && Array.isArray(value.vary) ? "sweep" : undefined;
  if (kind === undefined) return undefined;
  const lbsim = value.lbsim;
  if (!isObject(value.scenarioDocument) || !isObject(lbsim) || typeof lbsim.version !== "string")
    return { problem: `this is lbsim's ${kind}.json from a version that did not record the scenario it ran; run the scenario file itself` };
  const reproduced: Reproduced = { kind, version: lbsim.version };
  // A sweep's points share one baseline (`--baseline`, else each point's first strategy).
  const baseline = kind === "results" ? value.baseline : (value.points as { result?: { baseline?: unknown } }[])[0]?.result?.baseline;
  if (typeof baseline === "string") reproduced.baseline = baseline;
  if (kind === "sweep") {
    reproduced.vary = value.vary as Reproduced["vary"];
    if (Array.isArray(value.strategies)) reproduced.strategies = value.strategies as string[];
  }
  return { path: ["scenarioDocument"], document: value.scenarioDocument, reproduced };
}

import type { Result } from "../metrics/result.js";
import { withName } from "../scenario/document.js";
import type { Scenario } from "../scenario/scenario.js";
import { lbsimVersion } from "../version.js";
import { describePoint, type GridPoint, type Vary } from "./grid.js";

/** A sweep's results: the grid it ran and each point's Result, in grid order. */
export interface SweepResult {
  /** The lbsim that wrote it. */
  lbsim: { version: string };
  scenario: string;
  description: string;
  seed: number;
  replications: number;
  /** The varied paths and their values, in the order the `--vary` flags were given. */
  vary: { path: string; values: unknown[] }[];
  /** The `--strategies` names each point selected its strategies by, when given (each point's result has the entries run). */
  strategies?: string[];
  points: SweepPoint[];
  /**
   * What every point ran before its own values were set: the scenario file's JSON with the
   * `--seed`, `--replications` and `--set` overrides and its name written out, with all its
   * strategy entries (see `strategies`). Each point's `result.scenarioDocument` is the point's own.
   */
  scenarioDocument: Record<string, unknown>;
}

export interface SweepPoint {
  index: number;
  /** `servers.count=4, clients.nat.fraction=0.2`. */
  label: string;
  values: Record<string, unknown>;
  result: Result;
}

/** What the points of a sweep share: the scenario document with the flags' overrides, and the `--strategies` names. */
export interface SweepBase {
  document: Record<string, unknown>;
  strategies?: string[];
}

/** The sweep's result from its base scenario (the first point's, for name and seed), its grid and each point's Result. */
export function sweepResult(first: Scenario, varies: readonly Vary[], points: readonly GridPoint[], results: readonly Result[], base: SweepBase): SweepResult {
  return {
    lbsim: { version: lbsimVersion() },
    scenario: first.name,
    description: first.description,
    seed: first.seed,
    replications: first.replications,
    vary: varies.map((v) => ({ path: v.path, values: v.values })),
    ...(base.strategies ? { strategies: base.strategies } : {}),
    points: points.map((p, i) => ({ index: p.index, label: describePoint(p), values: p.values, result: results[i] })),
    scenarioDocument: withName(base.document, first.name),
  };
}

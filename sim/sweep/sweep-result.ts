import type { Result } from "../metrics/result.js";
import type { Scenario } from "../scenario/scenario.js";
import { describePoint, type GridPoint, type Vary } from "./grid.js";

/** A sweep's results: the grid it ran and each point's Result, in grid order. */
export interface SweepResult {
  scenario: string;
  description: string;
  seed: number;
  replications: number;
  /** The varied paths and their values, in the order the `--vary` flags were given. */
  vary: { path: string; values: unknown[] }[];
  points: SweepPoint[];
}

export interface SweepPoint {
  index: number;
  /** `servers.count=4, clients.nat.fraction=0.2`. */
  label: string;
  values: Record<string, unknown>;
  result: Result;
}

/** The sweep's result from its base scenario (the first point's, for name and seed), its grid and each point's Result. */
export function sweepResult(first: Scenario, varies: readonly Vary[], points: readonly GridPoint[], results: readonly Result[]): SweepResult {
  return {
    scenario: first.name,
    description: first.description,
    seed: first.seed,
    replications: first.replications,
    vary: varies.map((v) => ({ path: v.path, values: v.values })),
    points: points.map((p, i) => ({ index: p.index, label: describePoint(p), values: p.values, result: results[i] })),
  };
}

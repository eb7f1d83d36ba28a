import { InputError } from "../scenario/errors.js";
import { nest } from "./per-metric.js";
import type { Metrics, PairedDifference, PerMetric, Result, StrategyResult } from "./result.js";
import { estimate, flatten, tCritical95 } from "./summary.js";

/** A strategy's and a run's results before the strategies are compared with the baseline. */
export type UnpairedStrategyResult = Omit<StrategyResult, "vsBaseline">;
export type UnpairedResult = Omit<Result, "baseline" | "results" | "scenarioDocument"> & { results: UnpairedStrategyResult[] };

/** Differences within this share of the values compared are rounding (sums taken in another order), not a difference. */
const ROUNDING = 1e-9;

/**
 * The difference `values` − `base`, replication by replication, over the replications where
 * both are defined, with its Student-t 95% half-width and, for comparison, the Welch half-width
 * the same difference of means would have if the two series had been run independently.
 */
export function pairedDifference(values: readonly (number | null | undefined)[], base: readonly (number | null | undefined)[]): PairedDifference {
  const x: number[] = [], y: number[] = [];
  values.forEach((v, r) => {
    const b = base[r];
    if (v === null || v === undefined || b === null || b === undefined) return;
    x.push(v);
    y.push(b);
  });
  const n = x.length;
  const d = estimate(x.map((v, r) => v - y[r]));
  const unpairedCi95 = n < 2 ? null : welchHalfWidth(estimate(x).sd as number, estimate(y).sd as number, n);
  const scale = Math.max(0, ...x.map(Math.abs), ...y.map(Math.abs));
  const distinguishable = d.ci95 !== null && Math.abs(d.mean as number) > Math.max(d.ci95, ROUNDING * scale);
  return { n, ...d, unpairedCi95, pairedToUnpaired: d.ci95 !== null && unpairedCi95 ? d.ci95 / unpairedCi95 : null, distinguishable };
}

/**
 * Welch's half-width for a difference of two means of `n` values each with spreads `sx` and
 * `sy`: t · √(sx²/n + sy²/n), with the Welch–Satterthwaite degrees of freedom rounded down
 * (the wider interval). Welch, "The generalization of 'Student's' problem when several different
 * population variances are involved", Biometrika 34 (1947).
 */
function welchHalfWidth(sx: number, sy: number, n: number): number {
  const vx = (sx * sx) / n, vy = (sy * sy) / n;
  if (vx + vy === 0) return 0;
  const df = (vx + vy) ** 2 / ((vx * vx + vy * vy) / (n - 1));
  return tCritical95(Math.max(1, Math.floor(df))) * Math.sqrt(vx + vy);
}

/** Every metric of `runs` minus the same metric of `base`, paired by replication, nested as the metrics are. */
export function pairedDifferences(runs: readonly Metrics[], base: readonly Metrics[]): PerMetric<PairedDifference> {
  const flat = runs.map((m) => flatten(m));
  const flatBase = base.map((m) => flatten(m));
  return nest(Object.fromEntries(Object.keys(flat[0]).map((name) => [name, pairedDifference(flat.map((f) => f[name]), flatBase.map((f) => f[name]))])));
}

/** A strategy against itself: exactly 0, with no spread, whatever the replications did. */
function itself(runs: readonly Metrics[]): PerMetric<PairedDifference> {
  const flat = runs.map((m) => flatten(m));
  const zero = (name: string): PairedDifference => {
    const n = flat.filter((f) => f[name] !== null && f[name] !== undefined).length;
    const half = n < 2 ? null : 0;
    return { n, mean: n ? 0 : null, sd: n ? 0 : null, ci95: half, unpairedCi95: half, pairedToUnpaired: null, distinguishable: false };
  };
  return nest(Object.fromEntries(Object.keys(flat[0]).map((name) => [name, zero(name)])));
}

/** The label of the baseline strategy: `requested`, else the first; a label that is none of the strategies' is the user's mistake. */
export function baselineLabel(labels: readonly string[], requested?: string): string {
  if (requested === undefined) return labels[0];
  if (labels.includes(requested)) return requested;
  throw new InputError(`--baseline: ${JSON.stringify(requested)} is not one of the strategies run; their labels are ${labels.map((l) => JSON.stringify(l)).join(", ")}`);
}

/** The result with every strategy compared with the baseline (a label `baselineLabel` accepted), metric by metric. */
export function withBaseline(baseline: string, { results, ...run }: UnpairedResult): Omit<Result, "scenarioDocument"> {
  const base = results.find((r) => r.strategy === baseline)!;
  const paired = results.map((r) => ({ ...r, vsBaseline: r === base ? itself(r.replications) : pairedDifferences(r.replications, base.replications) }));
  return { ...run, baseline, results: paired };
}

import type { TopologyCause } from "./causes.js";
import { nest } from "./per-metric.js";
import { EVENT_FIGURES, type Estimate, type EventIntervals, type Metrics, type PerMetric, type PhaseResult, type TopologyEventResult } from "./result.js";

/** Two-sided 95% Student-t critical values for 1..30 degrees of freedom (standard tables). */
const T95 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** The t critical value for `df` degrees of freedom; beyond the table, the normal value with a 1/df correction. */
export function tCritical95(df: number): number {
  return df <= 30 ? T95[df - 1] : 1.96 + 2.4 / df;
}

/** The estimate over the values that are defined; all null when none is. */
export function estimate(all: readonly (number | null)[]): Estimate {
  const values = all.filter((v): v is number => v !== null);
  const n = values.length;
  if (n === 0) return { mean: null, sd: null, ci95: null };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, sd: 0, ci95: null };
  const sd = Math.sqrt(values.reduce((acc, v) => acc + (v - mean) ** 2, 0) / (n - 1));
  return { mean, sd, ci95: (tCritical95(n - 1) * sd) / Math.sqrt(n) };
}

/** Numeric (or undefined: null) leaves of a metrics object under dotted names (`latencyMs.p99`, `lostByCause.remapped`). */
export function flatten(value: object, prefix = ""): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === "number" || v === null) out[prefix + key] = v;
    else if (v && typeof v === "object") Object.assign(out, flatten(v, `${prefix}${key}.`));
  }
  return out;
}

/** Per-metric estimates over replications, nested as the metrics are. */
export function estimates(runs: readonly Metrics[]): PerMetric<Estimate> {
  const flat = runs.map((m) => flatten(m));
  return nest(Object.fromEntries(Object.keys(flat[0]).map((name) => [name, estimate(flat.map((f) => f[name]))])));
}

/** The mean of each metric over the replications where it is defined (null where it is in none), in the same shape. */
export function meanMetrics(runs: readonly Metrics[]): Metrics {
  return meanOf(runs) as Metrics;
}

/**
 * Topology events averaged over replications (every replication has the same events), each
 * with the 95% half-width of every figure and of each cause's losses (null with one
 * replication, or where undefined).
 */
export function meanEvents(runs: readonly TopologyEventResult[][]): TopologyEventResult[] {
  return runs[0].map((first, i) => {
    const column = runs.map((r) => r[i]);
    const half = (values: (number | null)[]) => estimate(values).ci95;
    const causes = Object.keys(first.lostByCause) as TopologyCause[];
    const ci95: EventIntervals = {
      ...Object.fromEntries(EVENT_FIGURES.map((key) => [key, half(column.map((e) => e[key]))])),
      lostByCause: Object.fromEntries(causes.map((cause) => [cause, half(column.map((e) => e.lostByCause[cause]))])) as Record<TopologyCause, number | null>,
    };
    const mean = meanOf(column) as TopologyEventResult;
    // A drain that left sessions at its deadline in any replication did not empty: no time to average.
    if (column.some((e) => e.emptiedAfter === null)) mean.emptiedAfter = null;
    return { ...mean, at: first.at, action: first.action, server: first.server, ci95 };
  });
}

/** Phases averaged over replications (every replication has the same phases). */
export function meanPhases(runs: readonly PhaseResult[][]): PhaseResult[] {
  return runs[0].map((first, i) => ({ ...(meanOf(runs.map((r) => r[i])) as PhaseResult), startedBy: first.startedBy }));
}

function meanOf(items: readonly object[]): unknown {
  const first = items[0] as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(first)) {
    const column = items.map((item) => (item as Record<string, unknown>)[key]);
    if (typeof v === "number" || v === null) out[key] = estimate(column as (number | null)[]).mean;
    else if (typeof v === "object") out[key] = meanOf(column as object[]);
    else out[key] = v;
  }
  return out;
}

import { stringify } from "csv-stringify/sync";
import { isCount, isCountSeries } from "../sim/metrics/counts.js";
import { metricAt } from "../sim/metrics/per-metric.js";
import { EVENT_FIGURES, type Result, type StrategyResult, type TopologyEventResult } from "../sim/metrics/result.js";
import { flatten } from "../sim/metrics/summary.js";
import { cell } from "./sweep-csv.js";

/** One Result of an output set and the values of the varied paths it ran with (none for `lbsim run`). */
export interface TidyPoint {
  result: Result;
  values: Record<string, unknown>;
}

export type TidyFile = "metrics.csv" | "replications.csv" | "events.csv" | "timeline.csv";

type Row = unknown[];

/**
 * The long-format CSVs of an output set (one row per observation, for notebooks): every row
 * starts with the scenario's name, its seed and the value of each varied path, then the strategy.
 * A null (undefined) value is an empty cell; counts in a replication are written as integers.
 */
export function tidyFiles(points: readonly TidyPoint[], varied: readonly string[]): Record<TidyFile, string> {
  // A varied seed is the seed column already.
  const paths = varied.filter((p) => p !== "seed");
  const lead = ["scenario", "seed", ...paths, "strategy"];
  const csv = (columns: string[], rows: (point: TidyPoint, r: StrategyResult) => Row[]) =>
    stringify(
      [
        [...lead, ...columns],
        ...points.flatMap((point) => point.result.results.flatMap((r) => rows(point, r).map((row) => [point.result.scenario, point.result.seed, ...paths.map((p) => cell(point.values[p])), r.strategy, ...row]))),
      ],
      { cast: { boolean: (b) => (b ? "true" : "false") } },
    );
  return {
    "metrics.csv": csv(["metric", "mean", "sd", "ci95", "n", "baseline", "diff", "diffCi95", "diffUnpairedCi95", "distinguishable"], metricRows),
    "replications.csv": csv(["replication", "metric", "value"], (_, r) => replicationRows(r)),
    "events.csv": csv(["event", "at", "action", "server", "figure", "mean", "ci95"], (_, r) => r.events.flatMap(eventRows)),
    "timeline.csv": csv(["t", "server", "series", "value"], (_, r) => timelineRows(r)),
  };
}

/** Each metric's mean over the replications with its spread, interval and the replications where it is defined, then its paired difference to the baseline. */
function metricRows({ result }: TidyPoint, r: StrategyResult): Row[] {
  const replications = r.replications.map((m) => flatten(m));
  return Object.keys(flatten(r.metrics)).map((name) => {
    const e = metricAt(r.estimates, name);
    const d = metricAt(r.vsBaseline, name);
    const n = replications.filter((m) => m[name] !== null && m[name] !== undefined).length;
    return [name, e?.mean, e?.sd, e?.ci95, n, result.baseline, d?.mean, d?.ci95, d?.unpairedCi95, d?.distinguishable];
  });
}

/** A count as the integer it is (sums of doubles can leave it a hair off); null stays null. */
function whole(value: number | null | undefined): number | null | undefined {
  return typeof value === "number" ? Math.round(value) : value;
}

function replicationRows(r: StrategyResult): Row[] {
  return r.replications.flatMap((m, i) => Object.entries(flatten(m)).map(([name, value]) => [i + 1, name, isCount(name) ? whole(value) : value]));
}

/** Per topology event (numbered from 1 in the result's order), each figure's mean over replications and its 95% half-width, the losses by cause with theirs. */
function eventRows(e: TopologyEventResult, i: number): Row[] {
  const row = (figure: string, mean: number | null, ci95: number | null | undefined) => [i + 1, e.at, e.action, e.server, figure, mean, ci95];
  return [
    ...EVENT_FIGURES.map((figure) => row(figure, e[figure], e.ci95?.[figure])),
    ...Object.entries(e.lostByCause).map(([cause, n]) => row(`lostByCause.${cause}`, n, e.ci95?.lostByCause?.[cause as keyof TopologyEventResult["lostByCause"]])),
  ];
}

/** The first replication's per-window series: run-wide ones with an empty server, per-server ones a row per server the window had. */
function timelineRows(r: StrategyResult): Row[] {
  const { t, servers, ...series } = r.timeline;
  const names = servers ?? r.servers.names;
  return Object.entries(series).flatMap(([name, windows]) => {
    const value = isCountSeries(name) ? whole : (x: number | null) => x;
    return (windows as (number | null | number[])[]).flatMap((w, i) => (Array.isArray(w) ? w.map((x, k) => [t[i], names[k], name, value(x)]) : [[t[i], "", name, value(w)]]));
  });
}

import { metricAt } from "../sim/metrics/per-metric.js";
import type { Result, StrategyResult } from "../sim/metrics/result.js";

interface Column {
  title: string;
  cell(r: StrategyResult): string;
}

/** Undefined measures (nothing to divide by, no complete window, no answered request) read "n/a". */
const defined = (f: (x: number) => string) => (x: number | null | undefined) => (x === null || x === undefined ? "n/a" : f(x));
const percent = defined((x) => `${(100 * x).toFixed(x < 0.001 && x > 0 ? 3 : 1)}%`);
/** Whole numbers from 100 on (with separators), three significant digits below. */
const amount = defined((x) => (x >= 100 ? Math.round(x).toLocaleString("en-US") : `${+x.toPrecision(3)}`));
const fixed = (digits: number) => defined((x) => x.toFixed(digits));
const withCi = (r: StrategyResult, name: string, format: (x: number | null) => string) => {
  const e = metricAt(r.estimates, name);
  return e?.ci95 === null || e?.ci95 === undefined ? format(e?.mean ?? null) : `${format(e.mean)} ±${format(e.ci95)}`;
};

const columns: Column[] = [
  { title: "strategy", cell: (r) => r.strategy },
  { title: "store", cell: (r) => r.store },
  { title: "disrupted visits", cell: (r) => withCi(r, "disruptedVisitRate", percent) },
  { title: "lost sessions", cell: (r) => percent(r.metrics.lostSessionRate) },
  { title: "remap", cell: (r) => percent(r.metrics.remapRate) },
  { title: "load skew", cell: (r) => (r.metrics.loadSkew === null ? "n/a" : `${fixed(2)(r.metrics.loadSkew)} (peak ${fixed(2)(r.metrics.peakLoadSkew)})`) },
  { title: "p99 ms", cell: (r) => fixed(0)(r.metrics.latencyMs.p99) },
  { title: "failed", cell: (r) => Math.round(r.metrics.failedRequests).toLocaleString("en-US") },
  { title: "affinity hits", cell: (r) => percent(r.metrics.affinityHitRate) },
  { title: "answered/s", cell: (r) => amount(r.metrics.answeredPerSecond) },
  { title: "sessions in use", cell: (r) => amount(r.metrics.sessionsInUse) },
  { title: "utilisation", cell: (r) => `${percent(r.metrics.utilisation)} (busiest ${percent(r.metrics.peakUtilisation)})` },
];

/** With WebSockets, a second table: what the connections went through. */
const connectionColumns: Column[] = [
  { title: "strategy", cell: (r) => r.strategy },
  { title: "connections", cell: (r) => amount(r.metrics.connections?.meanOpen) },
  { title: "connection skew", cell: (r) => withCi(r, "connections.skew", fixed(2)) },
  { title: "dropped", cell: (r) => amount(r.metrics.connections?.dropped) },
  { title: "reconnect peak/s", cell: (r) => amount(r.metrics.connections?.peakReconnectsPerSecond) },
  { title: "refused", cell: (r) => amount(r.metrics.connections?.refused) },
  { title: "gave up", cell: (r) => amount(r.metrics.connections?.gaveUp) },
  { title: "skewed after return s", cell: (r) => withCi(r, "connections.skewAfterReturnSeconds", fixed(0)) },
];

/** Where messages were simulated one by one: their latency. */
const messageColumns: Column[] = [
  { title: "message p99 ms", cell: (r) => withCi(r, "connections.messageLatencyMs.p99", fixed(1)) },
  { title: "messages dropped", cell: (r) => amount(r.metrics.connections?.messagesDropped) },
];

/**
 * A difference to the baseline and its paired half-width; "≈ 0" and the half-width alone where
 * the interval holds 0 (which side of 0 it falls on is not established; the CSV has the mean),
 * "0" where every replication gave the same value, the mean alone with one replication.
 */
const difference = (name: string, format: (x: number | null) => string) => (r: StrategyResult) => {
  const d = metricAt(r.vsBaseline, name);
  if (d?.mean === null || d?.mean === undefined) return "n/a";
  if (d.mean === 0 && d.sd === 0) return "0";
  const signed = `${d.mean > 0 ? "+" : ""}${format(d.mean)}`;
  if (d.ci95 === null) return signed;
  return d.distinguishable ? `${signed} ±${format(d.ci95)}` : `≈ 0 ±${format(d.ci95)}`;
};

/** The headline figures against the baseline: few enough columns for a 120-column terminal. */
const differenceColumns: Column[] = [
  { title: "strategy", cell: (r) => r.strategy },
  { title: "disrupted visits", cell: difference("disruptedVisitRate", percent) },
  { title: "lost sessions", cell: difference("lostSessionRate", percent) },
  { title: "load skew", cell: difference("loadSkew", fixed(2)) },
  { title: "p99 ms", cell: difference("latencyMs.p99", fixed(0)) },
  { title: "failed", cell: difference("failedRequests", fixed(0)) },
  { title: "affinity hits", cell: difference("affinityHitRate", percent) },
];

/** Rows of cells as aligned lines: the first `left` columns left-aligned, the others right-aligned. */
function aligned(rows: readonly string[][], left: number): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) => row.map((cell, i) => (i < left ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ").trimEnd());
}

/** A table's title row and one row per strategy. */
const cells = (table: Column[], results: readonly StrategyResult[]) => [table.map((c) => c.title), ...results.map((r) => table.map((c) => c.cell(r)))];

/** With WebSockets: a row per strategy, what its connections went through. */
function connectionRows(result: Result): string[] {
  const withConnections = result.results.filter((r) => r.metrics.connections);
  if (withConnections.length === 0) return [];
  const columns = withConnections.some((r) => r.metrics.connections!.messageLatencyMs) ? [...connectionColumns, ...messageColumns] : connectionColumns;
  return ["", ...aligned(cells(columns, withConnections), 1)];
}

/** With more than one strategy: each other strategy minus the baseline, replication by replication. */
function differenceRows(result: Result): string[] {
  const others = result.results.filter((r) => r.strategy !== result.baseline);
  if (others.length === 0) return [];
  const how = result.replications < 2 ? "one replication, so no interval" : "paired by replication: mean ±95% half-width; ≈ 0: not distinguishable from zero";
  return ["", `vs ${result.baseline} (${how})`, ...aligned(cells(differenceColumns, others), 1)];
}

/** With device classes: a row per strategy and class, the class's own figures and the strategy that routed it. */
function classRows(result: Result): string[] {
  if (!result.classes) return [];
  const head = ["strategy", "class", "routed by", "disrupted visits", "lost sessions", "remap", "p99 ms", "failed", "affinity hits"];
  const rows = result.results.flatMap((r) =>
    (result.classes ?? []).map(({ name }) => {
      const m = r.metrics.byClass?.[name];
      return [r.strategy, name, r.classes?.[name] ?? r.id, percent(m?.disruptedVisitRate), percent(m?.lostSessionRate), percent(m?.remapRate), fixed(0)(m?.latencyMs.p99), Math.round(m?.failedRequests ?? 0).toLocaleString("en-US"), percent(m?.affinityHitRate)];
    }),
  );
  return ["", "by device class", ...aligned([head, ...rows], 3)];
}

/**
 * The summary printed after a run: one aligned row per strategy, then each other strategy's
 * difference to the baseline (then, with WebSockets, one row per strategy for its connections;
 * with device classes, one per strategy and class).
 */
export function renderTable(result: Result): string {
  const title = `${result.scenario}: seed ${result.seed}, ${result.replications} replication${result.replications === 1 ? "" : "s"} (± is the 95% confidence half-width)`;
  return [title, ...aligned(cells(columns, result.results), 2), ...differenceRows(result), ...connectionRows(result), ...classRows(result)].join("\n") + "\n";
}

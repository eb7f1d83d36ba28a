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
  const ci = r.estimates[name]?.ci95;
  return ci === null || ci === undefined ? format(r.estimates[name]?.mean) : `${format(r.estimates[name].mean)} ±${format(ci)}`;
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

/** Rows aligned under their titles: the first column left, the rest right. */
function aligned(table: Column[], results: readonly StrategyResult[]): string[] {
  const rows = [table.map((c) => c.title), ...results.map((r) => table.map((c) => c.cell(r)))];
  const widths = table.map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const left = table === columns ? 2 : 1;
  return rows.map((row) => row.map((cell, i) => (i < left ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ").trimEnd());
}

/** The summary printed after a run: one aligned row per strategy (and one per strategy for its connections, when users hold them). */
export function renderTable(result: Result): string {
  const title = `${result.scenario}: seed ${result.seed}, ${result.replications} replication${result.replications === 1 ? "" : "s"} (± is the 95% confidence half-width)`;
  const lines = [title, ...aligned(columns, result.results)];
  const withConnections = result.results.filter((r) => r.metrics.connections);
  if (withConnections.length > 0) lines.push("", ...aligned(connectionColumns, withConnections));
  return lines.join("\n") + "\n";
}

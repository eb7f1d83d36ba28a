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

/** The summary printed after a run: one aligned row per strategy. */
export function renderTable(result: Result): string {
  const rows = [columns.map((c) => c.title), ...result.results.map((r) => columns.map((c) => c.cell(r)))];
  const widths = columns.map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const line = (row: string[]) => row.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ").trimEnd();
  const title = `${result.scenario}: seed ${result.seed}, ${result.replications} replication${result.replications === 1 ? "" : "s"} (± is the 95% confidence half-width)`;
  return [title, line(rows[0]), ...rows.slice(1).map(line)].join("\n") + "\n";
}

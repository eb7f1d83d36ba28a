import type { TopLevelSpec } from "vega-lite";
import { metricAt } from "../sim/metrics/per-metric.js";
import { valueText } from "../sim/sweep/grid.js";
import type { SweepResult } from "../sim/sweep/sweep-result.js";
import { type ChartSpec, config } from "./charts.js";

/** Width of the whole chart, and of one small multiple when the chart has several. */
const WIDE = 1040;
const MIN_PANEL = 220;
const MAX_TICKS = 16;
/** Max over min beyond which a chart's y axis is logarithmic. */
const LOG_SPAN = 20;

/** The metrics charted against the varied parameter: dotted name, title, d3 format. */
const SWEEP_METRICS: [name: string, title: string, format: string][] = [
  ["disruptedVisitRate", "Disrupted visits", ".3~%"],
  ["lostSessionRate", "Lost session rate", ".3~%"],
  ["remapRate", "Remap rate", ".3~%"],
  ["loadSkew", "Load skew", ",.3~r"],
  ["latencyMs.p99", "p99 latency (ms)", ",.3~r"],
  ["failedRequests", "Failed requests", ",.3~r"],
  ["affinityHitRate", "Affinity hit rate", ".3~%"],
  ["connections.skew", "Connection skew", ",.3~r"],
];

interface SweepRow {
  x: unknown;
  panel: string;
  strategy: string;
  value: number;
  lo: number | null;
  hi: number | null;
}

/**
 * One chart per metric against the first varied path: a line per strategy through the points'
 * means, a band for each 95% interval, and the other varied paths (if any) as small multiples.
 * A metric no point defines is left out.
 */
export function sweepCharts(sweep: SweepResult): ChartSpec[] {
  const [axis, ...others] = sweep.vary;
  const numeric = axis.values.every((v) => typeof v === "number");
  const panels = new Set(sweep.points.map((p) => panelOf(p.values, others)));
  const columns = Math.max(1, Math.min(panels.size, Math.floor(WIDE / MIN_PANEL)));
  const width = panels.size > 1 ? Math.floor(WIDE / columns) - 40 : WIDE - 160;
  const strategies = [...new Set(sweep.points.flatMap((p) => p.result.results.map((r) => r.strategy)))];
  return SWEEP_METRICS.flatMap(([name, title, format]) => {
    const rows = sweep.points.flatMap((point) =>
      point.result.results.flatMap((r): SweepRow[] => {
        const e = metricAt(r.estimates, name);
        if (!e || e.mean === null) return [];
        const half = e.ci95;
        const at = point.values[axis.path];
        return [{ x: numeric ? at : valueText(at), panel: panelOf(point.values, others), strategy: r.strategy, value: e.mean, lo: half === null ? null : e.mean - half, hi: half === null ? null : e.mean + half }];
      }),
    );
    if (rows.length === 0) return [];
    // Ticks at the values swept, when there are few enough to label.
    const ticks = axis.values.length <= MAX_TICKS ? { axis: { values: axis.values } } : {};
    const x = { field: "x", type: numeric ? "quantitative" : "ordinal", title: axis.path, ...(numeric ? { scale: { zero: false }, ...ticks } : { sort: axis.values.map(valueText) }) } as const;
    // A quantity spanning orders of magnitude (p99 of an overloaded point against healthy ones) reads on a log scale; shares stay linear.
    const positive = rows.map((r) => r.value).filter((v) => v > 0);
    const log = !format.endsWith("%") && positive.length === rows.length && Math.max(...positive) / Math.min(...positive) > LOG_SPAN;
    const y = { field: "value", type: "quantitative", title: log ? `${title}, log scale` : title, axis: { format }, ...(log ? { scale: { type: "log" } } : {}) } as const;
    const color = { field: "strategy", type: "nominal", title: "strategy", scale: { domain: strategies, scheme: "tableau10" } } as const;
    const layer = [
      {
        // A band below zero means nothing on a log scale: it is clipped to the positive part.
        transform: [{ filter: log ? "datum.lo != null && datum.lo > 0" : "datum.lo != null" }],
        mark: { type: "area", opacity: 0.18 },
        encoding: { x, y: { field: "lo", type: "quantitative", ...(log ? { scale: { type: "log" } } : {}) }, y2: { field: "hi" }, color: { ...color, legend: null } },
      },
      { mark: { type: "line", point: true, tooltip: true }, encoding: { x, y, color } },
    ];
    const spec = (panels.size > 1
      ? { facet: { field: "panel", type: "nominal", title: others.map((o) => o.path).join(", "), sort: [...panels] }, columns, spec: { width, height: 180, layer } }
      : { width, height: 260, layer }) as unknown as TopLevelSpec;
    return [
      {
        id: `sweep-${name.replace(/\W/g, "-")}`,
        title: `${title} against ${axis.path}`,
        caption: `Means over ${sweep.replications} replication${sweep.replications === 1 ? "" : "s"}; the band is each point's 95% interval${panels.size > 1 ? "; one panel per value of the other varied paths" : ""}.`,
        layout: "wide",
        spec: { ...spec, data: { values: rows }, config } as TopLevelSpec,
      },
    ];
  });
}

function panelOf(values: Record<string, unknown>, others: SweepResult["vary"]): string {
  return others.map((o) => `${o.path}=${valueText(values[o.path])}`).join(", ");
}

import type { TopLevelSpec } from "vega-lite";
import { causeInfo, lostCauses } from "../sim/metrics/causes.js";
import { metricAt } from "../sim/metrics/per-metric.js";
import type { Result, StrategyResult } from "../sim/metrics/result.js";

/** One chart of the HTML report: where it goes, what it is called, and its Vega-Lite spec. */
export interface ChartSpec {
  id: string;
  title: string;
  caption: string;
  /** Half-width charts sit two to a row on screen. */
  layout: "half" | "wide";
  spec: TopLevelSpec;
}

interface BarRow {
  strategy: string;
  group?: string;
  /** Null where the metric is undefined for that strategy: no bar is drawn. */
  value: number | null;
  lo: number | null;
  hi: number | null;
}

const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";
const WIDE = 1040;
const HALF = 500;
/** d3-format strings; the scorecard uses the same precision (3 significant digits). */
const PERCENT = ".3~%";
const NUMBER = ",.3~r";

export const config = {
  font: FONT,
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: 500, gridColor: "#e6e6e6" },
  legend: { labelFontSize: 11, titleFontSize: 11 },
} as const;

/** Every chart of the report, in page order. */
export function reportCharts(result: Result): ChartSpec[] {
  return [
    metricChart(result, "disruptedVisitRate", "Disrupted visits", "Visits in which the user lost a session at least once.", PERCENT),
    metricChart(result, "lostSessionRate", "Lost session rate", "Losses / sessions that lived while measuring; a user who loses on every request counts every time.", PERCENT),
    metricChart(result, "remapRate", "Remap rate", "Requests of existing sessions sent to a different server than the previous one.", PERCENT),
    metricChart(result, "loadSkew", "Load skew", "Busiest server's load over the mean, averaged over windows (1 = perfectly even).", NUMBER),
    latencyChart(result),
    lostByCauseChart(result),
    timelineChart(result),
    ...perServerChart(result, SESSIONS_SERIES),
    ...perServerChart(result, CONNECTIONS_SERIES),
  ];
}

/** Bar charts get a fixed height per strategy: with a "step" height Vega-Lite warns that it drops "fit". */
function barsHeight(result: Result, perStrategy: number): number {
  return result.results.length * perStrategy;
}

/** Consistent colours: each strategy keeps its colour in every chart. */
function strategyColor(result: Result) {
  return { domain: result.results.map((r) => r.strategy), scheme: "tableau10" as const };
}

function ci(r: StrategyResult, key: string, value: number | null): Pick<BarRow, "lo" | "hi"> {
  const half = metricAt(r.estimates, key)?.ci95;
  return half == null || value === null ? { lo: null, hi: null } : { lo: value - half, hi: value + half };
}

type ChartedMetric = "disruptedVisitRate" | "lostSessionRate" | "remapRate" | "loadSkew";

function metricRows(result: Result, key: ChartedMetric): BarRow[] {
  return result.results.map((r) => {
    const value = r.metrics[key];
    return { strategy: r.strategy, value, ...ci(r, key, value) };
  });
}

function metricChart(
  result: Result,
  key: ChartedMetric,
  title: string,
  caption: string,
  format: string,
): ChartSpec {
  const y = { field: "strategy", type: "nominal", title: null, sort: null } as const;
  const rows = metricRows(result, key);
  // Room on the right for the value labels, which sit past the end of the bar or its error bar.
  const domainMax = Math.max(0, ...rows.map((r) => Math.max(r.value ?? 0, r.hi ?? 0))) * 1.18 || 1;
  const x = {
    field: "value",
    type: "quantitative",
    title,
    scale: { domainMax, nice: false },
    axis: { format, tickCount: 5 },
  } as const;
  return {
    id: key,
    title,
    caption,
    layout: "half",
    spec: {
      width: HALF,
      height: barsHeight(result, 26),
      autosize: { type: "fit-x", contains: "padding" },
      config,
      data: { values: rows },
      layer: [
        {
          mark: { type: "bar", tooltip: true },
          encoding: { y, x, color: { field: "strategy", scale: strategyColor(result), legend: null } },
        },
        errorBars(y, undefined),
        {
          mark: { type: "text", align: "left", dx: 5, fontSize: 11 },
          encoding: {
            y,
            x: { field: "labelAt", type: "quantitative" },
            text: { field: "value", type: "quantitative", format },
          },
          transform: [{ calculate: "datum.hi == null ? datum.value : max(datum.value, datum.hi)", as: "labelAt" }],
        },
      ],
    },
  };
}

/** A thin rule from lo to hi: the 95% confidence interval, drawn only where one exists. */
function errorBars<Y, O>(y: Y, yOffset: O | undefined) {
  return {
    transform: [{ filter: "datum.lo != null" }],
    mark: { type: "rule" as const, color: "#222", strokeWidth: 1.5 },
    encoding: {
      y,
      ...(yOffset ? { yOffset } : {}),
      x: { field: "lo", type: "quantitative" as const },
      x2: { field: "hi" },
    },
  };
}

const PERCENTILES = ["p50", "p95", "p99"] as const;

function latencyRows(result: Result): BarRow[] {
  return result.results.flatMap((r) =>
    PERCENTILES.map((p) => {
      const value = r.metrics.latencyMs[p];
      return { strategy: r.strategy, group: p, value, ...ci(r, `latencyMs.${p}`, value) };
    }),
  );
}

function latencyChart(result: Result): ChartSpec {
  const y = { field: "strategy", type: "nominal", title: null, sort: null } as const;
  const yOffset = { field: "group", type: "nominal", sort: [...PERCENTILES] } as const;
  return {
    id: "latency",
    title: "Latency",
    caption: "Response time percentiles (queueing + service + store trips), milliseconds.",
    layout: "half",
    spec: {
      width: HALF,
      height: barsHeight(result, 54),
      autosize: { type: "fit-x", contains: "padding" },
      config,
      data: { values: latencyRows(result) },
      layer: [
        {
          mark: { type: "bar", tooltip: true },
          encoding: {
            y,
            yOffset,
            x: { field: "value", type: "quantitative", title: "milliseconds", axis: { format: NUMBER } },
            color: {
              field: "group",
              type: "nominal",
              title: "Percentile",
              sort: [...PERCENTILES],
              scale: { range: ["#9ecae1", "#4292c6", "#08519c"] },
              legend: { orient: "top", direction: "horizontal" },
            },
          },
        },
        errorBars(y, yOffset),
      ],
    },
  };
}

function lostByCauseRows(result: Result) {
  return result.results.flatMap((r) =>
    lostCauses.map((cause, order) => ({
      strategy: r.strategy,
      cause: causeInfo[cause].title,
      description: causeInfo[cause].description,
      order,
      lost: r.metrics.lostByCause[cause],
    })),
  );
}

function lostByCauseChart(result: Result): ChartSpec {
  const titles = lostCauses.map((c) => causeInfo[c].title);
  return {
    id: "lostByCause",
    title: "Lost sessions by cause",
    caption: "Lost sessions per run (mean over replications), split by why the state could not be read.",
    layout: "wide",
    spec: {
      width: WIDE,
      height: barsHeight(result, 26),
      autosize: { type: "fit-x", contains: "padding" },
      config,
      data: { values: lostByCauseRows(result) },
      mark: { type: "bar" },
      encoding: {
        y: { field: "strategy", type: "nominal", title: null, sort: null },
        x: { field: "lost", type: "quantitative", stack: "zero", title: "lost sessions", axis: { format: ",~r" } },
        color: {
          field: "cause",
          type: "nominal",
          title: "Cause",
          scale: { domain: titles, scheme: "set2" },
          legend: { orient: "top", direction: "horizontal", columns: 4 },
        },
        order: { field: "order", type: "quantitative" },
        tooltip: [
          { field: "strategy", type: "nominal" },
          { field: "cause", type: "nominal" },
          { field: "lost", type: "quantitative", format: ",.4~r" },
          { field: "description", type: "nominal" },
        ],
      },
    },
  };
}

/** Time axis in minutes unless the run is short. */
function timeUnit(result: Result): { divisor: number; label: string } {
  return result.duration >= 600 ? { divisor: 60, label: "minutes" } : { divisor: 1, label: "seconds" };
}

function timelineRows(result: Result, divisor: number) {
  return result.results.flatMap((r) =>
    r.timeline.t.map((t, i) => ({ strategy: r.strategy, t: t / divisor, loadSkew: r.timeline.loadSkew[i] ?? null })),
  );
}

/** Topology events are the same for every strategy (common random numbers): one rule per distinct event. */
function eventRows(result: Result, divisor: number) {
  const seen = new Map<string, { t: number; label: string }>();
  for (const r of result.results) {
    for (const e of r.events) {
      const label = `${e.action} ${e.server}`;
      seen.set(`${e.at}|${label}`, { t: e.at / divisor, label });
    }
  }
  return [...seen.values()].sort((a, b) => a.t - b.t);
}

function timelineChart(result: Result): ChartSpec {
  const { divisor, label } = timeUnit(result);
  const x = { field: "t", type: "quantitative", title: `window start (${label})`, scale: { nice: false } } as const;
  return {
    id: "timeline",
    title: "Load skew over time",
    caption: "Per-window load skew of the first replication; dashed lines mark topology events.",
    layout: "wide",
    spec: {
      width: WIDE,
      height: 260,
      autosize: { type: "fit-x", contains: "padding" },
      config,
      layer: [
        {
          data: { values: timelineRows(result, divisor) },
          mark: { type: "line", strokeWidth: 1.8, point: false, tooltip: true },
          encoding: {
            x,
            y: { field: "loadSkew", type: "quantitative", title: "load skew (max / mean)", scale: { zero: false } },
            color: { field: "strategy", type: "nominal", title: "Strategy", scale: strategyColor(result), legend: { orient: "top" } },
          },
        },
        {
          data: { values: eventRows(result, divisor) },
          layer: [
            { mark: { type: "rule", strokeDash: [4, 3], color: "#555" }, encoding: { x: { field: "t", type: "quantitative" } } },
            {
              mark: { type: "text", align: "left", baseline: "top", dx: 4, y: 2, fontSize: 10, color: "#333" },
              encoding: { x: { field: "t", type: "quantitative" }, text: { field: "label", type: "nominal" } },
            },
          ],
        },
      ],
    },
  };
}

/** Panels (strategies) and points the per-server chart may draw before it shows fewer of them. */
const SERIES_PANELS = 6;
const SERIES_POINTS = 12_000;
/** More servers than this make a hairball of lines: the chart is left out. */
const SERIES_SERVERS = 50;

/** The names of a strategy's server columns: its timeline's, else its server list's. */
function serverColumns(r: StrategyResult): string[] {
  return r.timeline.servers ?? r.servers.names;
}

interface SeriesPlan {
  shown: StrategyResult[];
  /** Every `stride`-th window is drawn (and the last). */
  stride: number;
}

/** A per-server series of the timeline and how its chart reads. */
interface PerServerSeries {
  key: "serverSessions" | "serverConnections";
  id: string;
  title: string;
  yTitle: string;
  /** The caption, given which strategies are drawn and whether windows were thinned. */
  caption(which: string, thinned: string): string;
}

const SESSIONS_SERIES: PerServerSeries = {
  key: "serverSessions",
  id: "serverSessions",
  title: "Sessions in use per server",
  yTitle: "sessions in use",
  caption: (which, thinned) =>
    `Sessions in use on each server at the end of every load window${thinned}, first replication, ${which}; dashed lines mark topology events. A drained server's line falls to zero as its users leave; a new server's line starts when it joins.`,
};

const CONNECTIONS_SERIES: PerServerSeries = {
  key: "serverConnections",
  id: "serverConnections",
  title: "Open connections per server",
  yTitle: "open connections",
  caption: (which, thinned) =>
    `WebSocket connections open on each server at the end of every load window${thinned}, first replication, ${which}; dashed lines mark topology events. Connections do not move back by themselves: a server that returns fills only as new connections (new visits, reconnects) are routed to it.`,
};

/** Which strategies and windows to draw, within the point budget: fewer panels first, then fewer windows. */
function seriesPlan(result: Result, key: PerServerSeries["key"]): SeriesPlan | undefined {
  const first = result.results[0];
  if (!first || first.timeline.t.length === 0 || !first.timeline[key]) return undefined;
  const servers = Math.max(...result.results.map((r) => serverColumns(r).length));
  const hasEvents = result.results.some((r) => r.events.length > 0);
  if (servers > SERIES_SERVERS || (servers < 2 && !hasEvents)) return undefined;
  const points = (r: StrategyResult) => (r.timeline[key] ?? []).reduce((n, row) => n + row.length, 0);
  const panels = result.results.slice(0, SERIES_PANELS);
  const shown = panels.reduce((n, r) => n + points(r), 0) <= SERIES_POINTS ? panels : [first];
  return { shown, stride: Math.max(1, Math.ceil(shown.reduce((n, r) => n + points(r), 0) / SERIES_POINTS)) };
}

/**
 * One row per window and server that existed at the window's end (rows are ragged: a server
 * added later is missing before). Short keys: these are the bulk of the report's chart data.
 */
function perServerRows(r: StrategyResult, key: PerServerSeries["key"], divisor: number, stride: number) {
  const { t } = r.timeline, series = r.timeline[key] ?? [];
  const names = serverColumns(r);
  // Sessions are counted at each window's end.
  const width = t.length > 1 ? t[1] - t[0] : 0;
  const rows: { t: number; s: string; n: number }[] = [];
  for (let i = 0; i < t.length; i++) {
    if (i % stride !== 0 && i !== t.length - 1) continue;
    const row = series[i] ?? [];
    const at = +((t[i] + width) / divisor).toPrecision(6);
    row.forEach((n, k) => rows.push({ t: at, s: names[k] ?? `server ${k + 1}`, n }));
  }
  return rows;
}

/**
 * A per-server count over time (sessions in use, open connections), one panel per strategy (the
 * first few, or only the first when that is all the budget allows): a drained server emptying
 * and a new one filling.
 */
function perServerChart(result: Result, series: PerServerSeries): ChartSpec[] {
  const plan = seriesPlan(result, series.key);
  if (!plan) return [];
  const { divisor, label } = timeUnit(result);
  const servers = [...new Set(plan.shown.flatMap(serverColumns))];
  const color = {
    field: "s",
    type: "nominal",
    title: "Server",
    scale: { domain: servers, scheme: servers.length <= 10 ? "tableau10" : "tableau20" },
    legend: servers.length <= 20 ? { orient: "top", direction: "horizontal", columns: 10 } : null,
  } as const;
  const events = eventRows(result, divisor);
  const panel = (r: StrategyResult, last: boolean) => {
    const x = {
      field: "t",
      type: "quantitative",
      title: last ? `time (${label})` : null,
      scale: { nice: false },
      axis: last ? {} : { labels: false, ticks: false },
    } as const;
    return {
      title: { text: r.strategy, anchor: "start" as const, fontSize: 12, fontWeight: 600 as const },
      width: WIDE - 80,
      height: 110,
      layer: [
        {
          data: { values: perServerRows(r, series.key, divisor, plan.stride) },
          // A line needs two windows to show; with fewer than three, points show them too.
          mark: { type: "line" as const, strokeWidth: 1.5, point: r.timeline.t.length < 3 },
          encoding: {
            x,
            y: { field: "n", type: "quantitative" as const, title: series.yTitle, axis: { format: ",~r", tickCount: 4 } },
            color,
            // A line's tooltip shows one of its points, so it names the server only.
            tooltip: { field: "s", type: "nominal" as const, title: "server" },
          },
        },
        ...(events.length
          ? [
              {
                data: { values: events },
                mark: { type: "rule" as const, strokeDash: [4, 3], color: "#555" },
                encoding: { x: { field: "t", type: "quantitative" as const }, tooltip: { field: "label", type: "nominal" as const, title: "event" } },
              },
            ]
          : []),
      ],
    };
  };
  const some = plan.shown.length < result.results.length;
  const which = plan.shown.length === 1 ? `for ${some ? "the first strategy" : "the strategy"}` : some ? `for the first ${plan.shown.length} strategies` : "per strategy";
  const thinned = plan.stride > 1 ? ` (one window in ${plan.stride})` : "";
  return [
    {
      id: series.id,
      title: series.title,
      caption: series.caption(which, thinned),
      layout: "wide",
      spec: {
        config,
        vconcat: plan.shown.map((r, i) => panel(r, i === plan.shown.length - 1)),
        spacing: 14,
        resolve: { scale: { x: "shared", y: "shared", color: "shared" } },
      },
    },
  ];
}

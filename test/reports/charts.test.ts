import { describe, expect, it } from "vitest";
import { type ChartSpec, reportCharts } from "../../reports/charts.js";
import type { Result, StrategyResult } from "../../sim/metrics/result.js";
import { sampleResult } from "./sample-result.js";

interface SessionRow {
  t: number;
  s: string;
  n: number;
}

interface Panel {
  title: { text: string };
  layer: { data: { values: unknown[] } }[];
}

const sessionsChart = (result: Result): ChartSpec | undefined => reportCharts(result).find((c) => c.id === "serverSessions");

function panels(chart: ChartSpec): Panel[] {
  return (chart.spec as unknown as { vconcat: Panel[] }).vconcat;
}

const rowsOf = (panel: Panel) => panel.layer[0].data.values as SessionRow[];

/** A strategy's timeline stretched to `windows` one-minute windows of `servers` servers, all in use. */
function stretched(r: StrategyResult, windows: number, servers: number): StrategyResult {
  const t = Array.from({ length: windows }, (_, i) => 300 + 60 * i);
  const row = () => Array.from({ length: servers }, () => 10);
  return {
    ...r,
    timeline: {
      ...r.timeline,
      t,
      loadSkew: t.map(() => 1),
      requests: t.map(() => 100),
      failedRequests: t.map(() => 0),
      lostSessions: t.map(() => 0),
      serverRequests: t.map(row),
      serverUtilisation: t.map(row),
      serverSessions: t.map(row),
      servers: Array.from({ length: servers }, (_, k) => `s${k + 1}`),
    },
  };
}

describe("sessions in use per server chart", () => {
  const chart = sessionsChart(sampleResult())!;

  it("comes after the load skew timeline, wide, one panel per strategy", () => {
    const ids = reportCharts(sampleResult()).map((c) => c.id);
    expect(ids.slice(-2)).toEqual(["timeline", "serverSessions"]);
    expect(chart.layout).toBe("wide");
    expect(panels(chart).map((p) => p.title.text)).toEqual(sampleResult().results.map((r) => r.strategy));
    expect(chart.caption).toMatch(/per strategy; dashed lines mark topology events/);
  });

  it("draws each window's end, and a server only from the window it existed in (ragged rows)", () => {
    const result = sampleResult();
    const rows = rowsOf(panels(chart)[0]);
    const { serverSessions } = result.results[0].timeline;
    expect(rows).toHaveLength(serverSessions.reduce((n, row) => n + row.length, 0));
    // One-hour run: minutes; the first window starts at 5 min and ends at 6.
    expect(rows[0]).toEqual({ t: 6, s: "s1", n: serverSessions[0][0] });
    const s5 = rows.filter((r) => r.s === "s5");
    expect(Math.min(...s5.map((r) => r.t))).toBeGreaterThan(52); // added at 52 min
    expect(s5.at(-1)!.n).toBeGreaterThan(0);
    expect(rows.filter((r) => r.t === 52).map((r) => r.s)).toEqual(["s1", "s2", "s3", "s4"]);
  });

  it("shows a drained server emptying: at once with a shared store, by the deadline with cookies", () => {
    const [shared, , cookie] = panels(chart).map(rowsOf);
    const s4 = (rows: SessionRow[], t: number) => rows.find((r) => r.s === "s4" && r.t === t)!.n;
    expect(s4(shared, 45)).toBeGreaterThan(0); // drain at 45 min
    expect(s4(shared, 46)).toBe(0);
    expect(s4(cookie, 47)).toBeGreaterThan(0);
    expect(s4(cookie, 50)).toBe(0); // the 5-minute deadline
  });

  it("marks the topology events in every panel", () => {
    for (const panel of panels(chart)) {
      expect(panel.layer[1].data.values).toEqual([
        { t: 30, label: "crash s2" },
        { t: 40, label: "recover s2" },
        { t: 45, label: "drain s4" },
        { t: 52, label: "add s5" },
      ]);
    }
  });

  it("is left out for a single server without events, and for a pool too large to read", () => {
    const single = sampleResult();
    single.results = single.results.map((r) => ({ ...stretched(r, 10, 1), events: [] }));
    expect(sessionsChart(single)).toBeUndefined();
    // One server that crashes: worth a chart.
    single.results[0].events = sampleResult().results[0].events.slice(0, 1);
    expect(sessionsChart(single)).toBeDefined();
    const large = sampleResult();
    large.results = large.results.map((r) => stretched(r, 10, 51));
    expect(sessionsChart(large)).toBeUndefined();
  });

  it("stays within its budget: the first six strategies, then the first only, then fewer windows", () => {
    const many = sampleResult();
    many.results = Array.from({ length: 8 }, (_, i) => ({ ...many.results[i % 3], strategy: `strategy ${i}` }));
    const six = sessionsChart(many)!;
    expect(panels(six)).toHaveLength(6);
    expect(six.caption).toContain("for the first 6 strategies");

    const long = sampleResult();
    long.results = long.results.map((r) => stretched(r, 1000, 5)); // 3 × 5,000 points
    const first = sessionsChart(long)!;
    expect(panels(first).map((p) => p.title.text)).toEqual([long.results[0].strategy]);
    expect(rowsOf(panels(first)[0])).toHaveLength(5000);
    expect(first.caption).toContain("for the first strategy");

    const longer = sampleResult();
    longer.results = longer.results.map((r) => stretched(r, 5000, 5)); // 25,000 points for one
    const thinned = sessionsChart(longer)!;
    const rows = rowsOf(panels(thinned)[0]);
    expect(rows.length).toBeLessThanOrEqual(12_000 + 5);
    expect(thinned.caption).toContain("(one window in 3)");
    expect(rows.at(-1)!.t).toBeCloseTo((300 + 60 * 4999 + 60) / 60); // the last window is kept
  });
});

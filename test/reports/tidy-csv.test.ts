import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { runFiles, sweepFiles } from "../../reports/index.js";
import { metricAt } from "../../sim/metrics/per-metric.js";
import { EVENT_FIGURES, type Result } from "../../sim/metrics/result.js";
import { flatten } from "../../sim/metrics/summary.js";
import { runScenario } from "../../sim/run.js";
import { gridPoints, parseVary } from "../../sim/sweep/grid.js";
import { sweepResult } from "../../sim/sweep/sweep-result.js";
import { scenario } from "../helpers.js";

type Row = Record<string, string>;

/** Six minutes on three servers with a crash, a recovery and a drain; device classes; sessions in memory; three replications. */
const SCENARIO = {
  name: "tidy",
  seed: 3,
  duration: "6m",
  warmup: "1m",
  warmStart: true,
  replications: 3,
  clients: { visitsPerSecond: 3, think: { dist: "exponential", mean: "5s" }, classes: [{ name: "phone", fraction: 0.5 }, { name: "pc", fraction: 0.5 }] },
  servers: { count: 3 },
  metrics: { window: "30s" },
  strategies: ["round-robin", "cookie-insert"],
  events: [
    { at: "2m", crash: "s2" },
    { at: "3m", recover: "s2" },
    { at: "4m", drain: "s3", deadline: "30s" },
  ],
};

const result = runScenario(scenario(SCENARIO));
const files = runFiles(result);
const table = (name: "metrics.csv" | "replications.csv" | "events.csv" | "timeline.csv", text = files[name]!): Row[] => parse(text, { columns: true });
/** A cell as the JSON value it stands for: empty for null. */
const value = (cell: string): number | null => (cell === "" ? null : Number(cell));
const strategy = (label: string) => result.results.find((r) => r.strategy === label)!;

describe("metrics.csv", () => {
  const rows = table("metrics.csv");

  it("has a row per strategy and metric, after the scenario and seed", () => {
    expect(Object.keys(rows[0])).toEqual(["scenario", "seed", "strategy", "metric", "mean", "sd", "ci95", "n", "baseline", "diff", "diffCi95", "diffUnpairedCi95", "distinguishable"]);
    expect(rows).toHaveLength(result.results.reduce((n, r) => n + Object.keys(flatten(r.metrics)).length, 0));
    expect(new Set(rows.map((r) => `${r.scenario}/${r.seed}`))).toEqual(new Set(["tidy/3"]));
    expect(rows.map((r) => r.metric)).toContain("byClass.phone.lostByCause.serverCrash");
  });

  it("holds exactly the estimates and paired differences of results.json", () => {
    for (const row of rows) {
      const r = strategy(row.strategy);
      const e = metricAt(r.estimates, row.metric)!;
      const d = metricAt(r.vsBaseline, row.metric)!;
      expect([value(row.mean), value(row.sd), value(row.ci95)], row.metric).toEqual([e.mean, e.sd, e.ci95]);
      expect([value(row.diff), value(row.diffCi95), value(row.diffUnpairedCi95)], row.metric).toEqual([d.mean, d.ci95, d.unpairedCi95]);
      expect(row.distinguishable).toBe(String(d.distinguishable));
      expect(row.baseline).toBe(result.baseline);
    }
  });

  it("counts the replications where a metric is defined: all three, or none for a figure this store has not", () => {
    const of = (label: string, metric: string) => rows.find((r) => r.strategy === label && r.metric === metric)!;
    expect(of("round-robin", "requests").n).toBe("3");
    expect(of("round-robin", "cacheHitRate")).toMatchObject({ n: "0", mean: "", ci95: "" });
    // Cookie insertion beats round robin on losses, and says so.
    expect(of("cookie-insert", "lostSessions")).toMatchObject({ distinguishable: "true" });
    expect(value(of("cookie-insert", "lostSessions").diff)).toBeLessThan(0);
  });
});

describe("replications.csv", () => {
  const rows = table("replications.csv");

  it("has every metric of every replication, numbered from 1, equal to results.json's", () => {
    expect(Object.keys(rows[0])).toEqual(["scenario", "seed", "strategy", "replication", "metric", "value"]);
    expect(rows).toHaveLength(result.results.reduce((n, r) => n + r.replications.length * Object.keys(flatten(r.metrics)).length, 0));
    expect(new Set(rows.map((r) => r.replication))).toEqual(new Set(["1", "2", "3"]));
    for (const row of rows) expect(value(row.value), `${row.strategy} ${row.replication} ${row.metric}`).toBe(flatten(strategy(row.strategy).replications[Number(row.replication) - 1])[row.metric]);
  });

  it("writes counts as integers, and ratios as they are", () => {
    const cells = (metric: string) => rows.filter((r) => r.metric === metric).map((r) => r.value);
    for (const count of ["requests", "sessions", "lostSessions", "lostByCause.remapped", "visits", "liveSessionsAtEnd", "byClass.pc.requests", "byClass.phone.lostByCause.serverCrash", "peakSessionsHeld"]) {
      expect(cells(count).length, count).toBeGreaterThan(0);
      for (const cell of cells(count)) expect(cell, count).toMatch(/^\d+$/);
    }
    expect(cells("utilisation").every((cell) => /^0\.\d+$/.test(cell))).toBe(true);
  });
});

describe("events.csv", () => {
  const rows = table("events.csv");

  it("has each figure of each topology event with its 95% half-width, as results.json has them", () => {
    expect(Object.keys(rows[0])).toEqual(["scenario", "seed", "strategy", "event", "at", "action", "server", "figure", "mean", "ci95"]);
    const causes = Object.keys(result.results[0].events[0].lostByCause);
    expect(rows).toHaveLength(result.results.reduce((n, r) => n + r.events.length * (EVENT_FIGURES.length + causes.length), 0));
    for (const row of rows) {
      const e = strategy(row.strategy).events[Number(row.event) - 1];
      expect([Number(row.at), row.action, row.server]).toEqual([e.at, e.action, e.server]);
      const cause = row.figure.startsWith("lostByCause.") ? (row.figure.slice("lostByCause.".length) as keyof typeof e.lostByCause) : undefined;
      const mean = cause ? e.lostByCause[cause] : e[row.figure as (typeof EVENT_FIGURES)[number]];
      const ci95 = cause ? e.ci95!.lostByCause![cause] : e.ci95![row.figure as (typeof EVENT_FIGURES)[number]];
      expect([value(row.mean), value(row.ci95)], `${row.event} ${row.figure}`).toEqual([mean, ci95]);
    }
    expect(rows.filter((r) => r.figure === "activeSessions").map((r) => `${r.at} ${r.action} ${r.server}`)).toEqual(["120 crash s2", "180 recover s2", "240 drain s3", "120 crash s2", "180 recover s2", "240 drain s3"]);
    // Three replications give every count an interval.
    expect(rows.filter((r) => r.figure === "activeSessions").every((r) => Number(r.ci95) > 0)).toBe(true);
  });
});

describe("timeline.csv", () => {
  const rows = table("timeline.csv");

  it("has the first replication's series window by window, per server where they are per server", () => {
    expect(Object.keys(rows[0])).toEqual(["scenario", "seed", "strategy", "t", "server", "series", "value"]);
    for (const r of result.results) {
      const { t, servers, ...series } = r.timeline;
      const mine = rows.filter((row) => row.strategy === r.strategy);
      for (const [name, windows] of Object.entries(series)) {
        const expected = (windows as (number | null | number[])[]).flatMap((w, i) => (Array.isArray(w) ? w.map((x, k) => [t[i], servers![k], x]) : [[t[i], "", w]]));
        const written = mine.filter((row) => row.series === name).map((row) => [Number(row.t), row.server, value(row.value)]);
        expect(written, `${r.strategy} ${name}`).toEqual(expected);
      }
    }
    expect(new Set(rows.map((r) => r.series))).toEqual(new Set(["loadSkew", "requests", "failedRequests", "lostSessions", "serverRequests", "serverUtilisation", "serverSessions", "serverSessionsHeld"]));
    for (const row of rows.filter((r) => ["requests", "serverRequests", "serverSessions"].includes(r.series))) expect(row.value).toMatch(/^\d+$/);
  });
});

describe("the long-format CSVs of a sweep", () => {
  const varies = [parseVary("servers.count=2,3"), parseVary("seed=3,4")];
  const points = gridPoints(varies);
  const scenarios = points.map((p) => scenario({ ...SCENARIO, replications: 2, events: [], servers: { count: p.values["servers.count"] }, seed: p.values.seed }));
  const results: Result[] = scenarios.map((s) => runScenario(s));
  const sweep = sweepFiles(sweepResult(scenarios[0], varies, points, results, { document: scenarios[0].document }));

  it("have a column per varied path (a varied seed is the seed column) and rows for every point, equal to the point's result", () => {
    const rows = table("metrics.csv", sweep["metrics.csv"]);
    expect(Object.keys(rows[0]).slice(0, 5)).toEqual(["scenario", "seed", "servers.count", "strategy", "metric"]);
    expect(rows.map((r) => `${r["servers.count"]}/${r.seed}`).filter((p, i, all) => all.indexOf(p) === i)).toEqual(["2/3", "2/4", "3/3", "3/4"]);
    for (const row of rows) {
      const point = results[points.findIndex((p) => String(p.values["servers.count"]) === row["servers.count"] && String(p.values.seed) === row.seed)];
      expect(value(row.mean), row.metric).toBe(metricAt(point.results.find((r) => r.strategy === row.strategy)!.estimates, row.metric)!.mean);
    }
    const timeline = table("timeline.csv", sweep["timeline.csv"]);
    expect(new Set(timeline.map((r) => r["servers.count"]))).toEqual(new Set(["2", "3"]));
  });
});

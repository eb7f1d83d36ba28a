import { describe, expect, it } from "vitest";
import { pairedDifference } from "../../sim/metrics/paired.js";
import { metricAt } from "../../sim/metrics/per-metric.js";
import type { Result, StrategyResult } from "../../sim/metrics/result.js";
import { flatten } from "../../sim/metrics/summary.js";
import { renderCsv, renderHtml, renderJson, renderTable } from "../../reports/index.js";
import { lightRun } from "../model/light-fixture.js";

const light = (strategies: unknown[]): Result => lightRun(strategies);

/** The scorecard's body rows: each strategy's cells, in column order. */
function scorecard(html: string): Map<string, string[]> {
  const table = /<table class="scorecard">([\s\S]*?)<\/table>/.exec(html)![1];
  const body = table.slice(table.indexOf("<tbody>"));
  const rows = [...body.matchAll(/<tr><th scope="row" class="name">([^<]*)<span[\s\S]*?<\/th>([\s\S]*?)<\/tr>/g)];
  return new Map(rows.map(([, name, cells]) => [name, [...cells.matchAll(/<td[^>]*>[\s\S]*?<\/td>/g)].map((m) => m[0])]));
}

/** Scored scorecard columns, in order, with their names in `estimates`. */
const SCORED = ["disruptedVisitRate", "lostSessionRate", "remapRate", "loadSkew", "peakLoadSkew", "loadCov", "latencyMs.p50", "latencyMs.p95", "latencyMs.p99", "failedRequests", "affinityHitRate"];

const series = (r: StrategyResult, name: string) => r.replications.map((m) => flatten(m)[name]);

/** The columns in which the best mean belongs to one strategy alone: what a plain "best value" rule would crown. */
function uniqueBests(result: Result): string[] {
  return SCORED.filter((name) => {
    const values = result.results.map((r) => metricAt(r.estimates, name)!.mean);
    return values.every((v) => v !== null) && new Set(values).size === values.length;
  });
}

describe("the HTML report does not crown noise", () => {
  it("highlights nothing when the same strategy runs twice: every difference between them is chance", () => {
    // The copy has a stream of its own (streams are named by label), so its random picks differ.
    const result = light(["random", { id: "random", label: "random again" }]);
    expect(uniqueBests(result)).toEqual(["remapRate", "loadSkew", "peakLoadSkew", "loadCov", "failedRequests"]);
    expect(renderHtml(result)).not.toContain('class="best"');
  });

  it("highlights a best value only where it differs from the runner-up beyond noise", () => {
    const result = light(["round-robin", "random"]);
    const [roundRobin, random] = result.results;
    const cells = scorecard(renderHtml(result));
    const crowned = (label: string) => SCORED.filter((_, i) => cells.get(label)![i].startsWith('<td class="best"'));
    // Round robin spreads the load evenly, random picks do not; the rest of the lead is chance.
    expect(crowned("round-robin")).toEqual(["loadSkew", "peakLoadSkew", "loadCov"]);
    expect(crowned("random")).toEqual([]);
    expect(uniqueBests(result)).toEqual(expect.arrayContaining(["remapRate", "latencyMs.p95", "failedRequests"]));
    for (const name of ["loadSkew", "latencyMs.p95", "failedRequests"])
      expect(pairedDifference(series(random, name), series(roundRobin, name)).distinguishable, name).toBe(name === "loadSkew");
  });

  it("shows every interval in the scorecard's cells as text, not only on hover", () => {
    const html = renderHtml(light(["round-robin", "random"]));
    const cells = [...scorecard(html).values()].flat();
    expect(cells).toHaveLength(2 * 13);
    for (const cell of cells) expect(cell).toMatch(/<span class="ci">± [\d.,]+%?<\/span><\/td>$/);
    expect(/<table class="scorecard">[\s\S]*?<\/table>/.exec(html)![0]).not.toContain("title=");
  });

  it("has a table of differences to the baseline with the paired interval, the unpaired one and how much narrower", () => {
    const result = light(["round-robin", "random"]);
    const html = renderHtml(result);
    const section = /<section id="differences">([\s\S]*?)<\/section>/.exec(html)![1];
    expect(section).toContain("<h2>Differences to round-robin</h2>");
    const rows = [...section.matchAll(/<tr><th scope="row" class="name">([^<]*)</g)].map((m) => m[1]);
    expect(rows).toEqual(["random"]);
    const cells = [...section.matchAll(/<td[^>]*>[\s\S]*?<\/td>/g)].map((m) => m[0]);
    expect(cells).toHaveLength(SCORED.length);
    const cell = (name: string) => cells[SCORED.indexOf(name)];
    const skew = result.results[1].vsBaseline.loadSkew;
    expect(cell("loadSkew")).toMatch(new RegExp(`^<td>\\+0\\.0\\d+ <span class="ci">± 0\\.00\\d+</span><span class="detail">unpaired ± 0\\.00\\d+ · (as wide|[\\d.]+× (narrower|wider))</span></td>$`));
    expect(skew.distinguishable).toBe(true);
    // Failed requests: the same crash for both, so pairing narrows the interval; it still holds 0.
    expect(cell("failedRequests")).toMatch(/^<td class="same">≈ 0: [−+]?[\d.]+ <span class="ci">± [\d.]+<\/span><span class="detail">unpaired ± [\d.]+ · [\d.]+× narrower<\/span><\/td>$/);
    // Both strategies have the same p50 in every replication (latency is measured in histogram buckets).
    expect(cell("latencyMs.p50")).toBe('<td class="same">0<span class="detail">the same in every replication</span></td>');
  });
});

describe("the other outputs carry the differences", () => {
  const result = light(["round-robin", "random"]);

  it("the summary table adds a block of differences to the baseline, within 120 columns", () => {
    const lines = renderTable(result).trimEnd().split("\n");
    const at = lines.indexOf("vs round-robin (paired by replication: mean ±95% half-width; ≈ 0: not distinguishable from zero)");
    expect(at).toBe(5); // after the title, the header, two rows and a blank line
    expect(lines[at + 1]).toMatch(/^strategy\s+disrupted visits\s+lost sessions\s+load skew\s+p99 ms\s+failed\s+affinity hits$/);
    const cells = lines[at + 2].split(/\s{2,}/);
    expect(cells[0]).toBe("random");
    expect(cells[3]).toMatch(/^\+0\.0\d ±0\.0\d$/); // load skew: distinguishable
    expect(cells[5]).toMatch(/^≈ 0 ±\d+$/); // failed: not
    expect(lines.slice(at).every((l) => l.length <= 120)).toBe(true);
  });

  it("results.csv has the baseline and, per metric, the difference, its paired and its unpaired half-width", () => {
    const [header, ...rows] = renderCsv(result).trimEnd().split("\n").map((line) => line.split(","));
    const column = (name: string) => rows.map((row) => row[header.indexOf(name)]);
    expect(column("baseline")).toEqual(["round-robin", "round-robin"]);
    const skew = result.results[1].vsBaseline.loadSkew;
    expect(column("loadSkew.diff")).toEqual(["0", String(skew.mean)]);
    expect(column("loadSkew.diff.ci95")).toEqual(["0", String(skew.ci95)]);
    expect(column("loadSkew.diff.unpairedCi95")).toEqual(["0", String(skew.unpairedCi95)]);
    // An undefined metric (no token lifetime here) has empty cells.
    expect(column("revocationSeconds.diff")).toEqual(["", ""]);
  });

  it("results.json has the baseline's label and every strategy's differences", () => {
    const json = JSON.parse(renderJson(result));
    expect(json.baseline).toBe("round-robin");
    expect(json.results[1].vsBaseline.latencyMs.p95).toEqual(result.results[1].vsBaseline.latencyMs.p95);
  });
});

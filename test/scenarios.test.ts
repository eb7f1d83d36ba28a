import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadScenarioFile, runScenario, type StrategyResult } from "../sim/index.js";
import { metricAt } from "../sim/metrics/per-metric.js";
import { flatten } from "../sim/metrics/summary.js";
import { renderTable } from "../reports/table.js";

/** The dotted names of a tree's leaves, a leaf being an object with a `ci95` (an estimate or a paired difference). */
function leafNames(tree: object, prefix = ""): string[] {
  return Object.entries(tree).flatMap(([key, value]) => ("ci95" in value ? [prefix + key] : leafNames(value, `${prefix}${key}.`)));
}

/** `estimates` and `vsBaseline` nest key for key as `metrics` does, each estimate's mean being the metric's. */
function expectNestedLikeMetrics(r: StrategyResult): void {
  const metrics = flatten(r.metrics);
  expect(leafNames(r.estimates), r.strategy).toEqual(Object.keys(metrics));
  expect(leafNames(r.vsBaseline), r.strategy).toEqual(Object.keys(metrics));
  for (const [name, value] of Object.entries(metrics)) {
    expect(Object.keys(metricAt(r.estimates, name)!), name).toEqual(["mean", "sd", "ci95"]);
    expect(metricAt(r.estimates, name)!.mean, name).toBe(value);
    expect(metricAt(r.vsBaseline, name)!.n, name).toBeGreaterThanOrEqual(0);
  }
}

const dir = new URL("../scenarios/", import.meta.url);
const bundled = readdirSync(dir).filter((f) => f.endsWith(".json") && f !== "lbsim.schema.json");

describe("bundled scenarios", () => {
  // Each example runs and its summary is compared with the checked-in expected output, so an
  // example cannot rot and any change to the model's numbers shows up as a reviewed diff.
  for (const file of bundled) {
    it(`${file} gives its expected summary`, async () => {
      const result = runScenario(loadScenarioFile(new URL(file, dir).pathname));
      await expect(renderTable(result)).toMatchFileSnapshot(`./expected/${file.replace(/\.json$/, ".txt")}`);
      result.results.forEach(expectNestedLikeMetrics);
    });
  }

  it("seed-demo reproduces the shared-session demo: one address, all requests on one server, no session lost", () => {
    const result = runScenario(loadScenarioFile(new URL("seed-demo.json", dir).pathname));
    const [ipHash, roundRobin] = result.results;
    expect(ipHash.strategy).toBe("nginx-ip-hash");
    expect(ipHash.metrics.requests).toBe(15); // 3 users × 5 requests
    expect(ipHash.metrics.sessions).toBe(3);
    expect(ipHash.metrics.lostSessions).toBe(0);
    expect(ipHash.metrics.loadSkew).toBe(2); // everything on one of two servers
    expect(ipHash.metrics.remapRate).toBe(0);
    // Round robin moves users between servers (their requests interleave, so not every time),
    // and the shared store still keeps every session.
    expect(roundRobin.metrics.remapRate).toBeGreaterThan(0.3);
    expect(roundRobin.metrics.lostSessions).toBe(0);
  });
});

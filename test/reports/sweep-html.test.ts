import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runScenario } from "../../sim/run.js";
import { gridPoints, parseVary } from "../../sim/sweep/grid.js";
import { sweepResult, type SweepResult } from "../../sim/sweep/sweep-result.js";
import { sweepCharts } from "../../reports/sweep-charts.js";
import { renderSweepHtml } from "../../reports/sweep-html.js";
import { scenario } from "../helpers.js";
import { launchBrowser, openPage, renderedCharts } from "./browser.js";

/** A sweep over servers.count (3 values) and, as small multiples, NAT share (2 values), for two strategies, with two replications each. */
function smallSweep(varyNat: boolean): SweepResult {
  const varies = [parseVary("servers.count=2,3,4"), ...(varyNat ? [parseVary("clients.nat.fraction=0,0.5")] : [])];
  const points = gridPoints(varies);
  const scenarios = points.map((p) =>
    scenario({
      name: "sweep-report",
      seed: 2,
      duration: "3m",
      warmup: "30s",
      warmStart: true,
      replications: 2,
      clients: { visitsPerSecond: 2, nat: { fraction: (p.values["clients.nat.fraction"] as number | undefined) ?? 0 } },
      servers: { count: p.values["servers.count"] },
      strategies: ["nginx-ip-hash", "cookie-insert"],
    }),
  );
  return sweepResult(scenarios[0], varies, points, scenarios.map((s) => runScenario(s)), { document: scenarios[0].document });
}

describe("the sweep report", () => {
  let browser: Browser, dir: string;
  beforeAll(async () => ({ browser, dir } = await launchBrowser()));
  afterAll(async () => browser?.close());

  it("charts each metric against the first varied path, a line and a band per strategy", () => {
    const sweep = smallSweep(false);
    const charts = sweepCharts(sweep);
    const p99 = charts.find((c) => c.id === "sweep-latencyMs-p99")!;
    expect(p99.title).toBe("p99 latency (ms) against servers.count");
    const rows = (p99.spec as { data: { values: { x: number; strategy: string; value: number; lo: number; hi: number }[] } }).data.values;
    expect(rows.map((r) => `${r.x}/${r.strategy}`)).toEqual(["2/nginx-ip-hash", "2/cookie-insert", "3/nginx-ip-hash", "3/cookie-insert", "4/nginx-ip-hash", "4/cookie-insert"]);
    const est = sweep.points[1].result.results[0].estimates.latencyMs.p99;
    expect(rows[2]).toMatchObject({ value: est.mean, lo: est.mean! - est.ci95!, hi: est.mean! + est.ci95! });
    expect(p99.spec).not.toHaveProperty("layer.1.encoding.y.scale.type", "log");
    // Connections are charted only where users hold them.
    expect(charts.some((c) => c.id === "sweep-connections-skew")).toBe(false);
  });

  it("lists every grid point's figures with their intervals", () => {
    const sweep = smallSweep(false);
    const html = renderSweepHtml(sweep);
    expect(html).toContain("<h2>Grid points</h2>");
    for (const p of sweep.points) expect(html).toContain(`rowspan="2" class="name">${p.label}</th>`);
    const p99 = sweep.points[2].result.results[1].estimates.latencyMs.p99;
    expect(html).toContain(`${new Intl.NumberFormat("en-US", { maximumSignificantDigits: 3 }).format(p99.mean!)} <span class="ci">±`);
  });

  it("renders every chart offline, with the other varied paths as small multiples", async () => {
    const sweep = smallSweep(true);
    const { page, context, blocked, problems } = await openPage(browser, dir, renderSweepHtml(sweep), "sweep");
    const { containers, rendered } = await renderedCharts(page);
    expect(containers).toBe(sweepCharts(sweep).length);
    expect(rendered).toBe(containers);
    // Two panels per chart: NAT 0 and 0.5.
    await page.screenshot({ path: `${dir}/sweep.png`, fullPage: true });
    console.log(`sweep report screenshot: ${dir}/sweep.png`);
    const labels = await page.evaluate(() => Array.from(document.querySelectorAll("#chart-sweep-remapRate text")).map((t) => t.textContent));
    expect(labels).toEqual(expect.arrayContaining(["clients.nat.fraction=0", "clients.nat.fraction=0.5"]));
    expect(blocked).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});

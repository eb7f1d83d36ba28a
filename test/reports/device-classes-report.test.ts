import { beforeAll, describe, expect, it } from "vitest";
import type { Result } from "../../sim/metrics/result.js";
import { runScenario } from "../../sim/run.js";
import { renderCsv, renderHtml, renderTable } from "../../reports/index.js";
import { scenario } from "../helpers.js";

/** A short run of two entries, one routing the mobile class apart; without `classes`, the same scenario with none. */
function run(classes: boolean, strategies: unknown[]): Result {
  return runScenario(
    scenario({
      seed: 3,
      duration: "10m",
      warmup: "1m",
      replications: 2,
      clients: { visitsPerSecond: 2, ...(classes ? { classes: [{ name: "mobile", fraction: 0.3 }, { name: "desktop", fraction: 0.7 }] } : {}) },
      servers: { count: 3 },
      strategies,
      events: [{ at: "5m", crash: "s1" }],
    }),
  );
}

describe("reports of a scenario with device classes", () => {
  let result: Result;
  beforeAll(() => {
    result = run(true, ["round-robin", { id: "round-robin", classes: { mobile: "cookie-insert" } }]);
  });

  it("have a By device class table in the HTML report: a row per strategy and class, with the strategy that routed it", () => {
    const html = renderHtml(result);
    const table = /<h3>By device class<\/h3>([\s\S]*?)<\/table>/.exec(html)?.[1] ?? "";
    expect(table.match(/<td class="class">/g)).toHaveLength(4);
    expect(table).toContain("mobile<span class=\"detail\">30% of users · cookie-insert</span>");
    expect(table).toContain("desktop<span class=\"detail\">70% of users · round-robin</span>");
    expect(table).toContain('rowspan="2" class="name">round-robin (mobile: cookie-insert)</th>');
    expect(html).toContain("<dt>Device classes</dt>");
  });

  it("print the classes under the terminal summary", () => {
    const lines = renderTable(result).trimEnd().split("\n");
    const at = lines.indexOf("by device class");
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toMatch(/^strategy\s+class\s+routed by\s+disrupted visits/);
    expect(lines.slice(at + 2).map((l) => l.split(/\s{2,}/).slice(0, 3))).toEqual([
      ["round-robin", "mobile", "round-robin"],
      ["round-robin", "desktop", "round-robin"],
      ["round-robin (mobile: cookie-insert)", "mobile", "cookie-insert"],
      ["round-robin (mobile: cookie-insert)", "desktop", "round-robin"],
    ]);
  });

  it("add the per-class columns to the CSV and leave every other column as a run without classes writes it", () => {
    const plain = run(false, ["round-robin", "cookie-insert"]);
    // The same entries, none routing a class apart: only the per-class figures are new.
    const withClasses = run(true, ["round-robin", "cookie-insert"]);
    // No label or value here has a comma or a quote, so a line splits at its commas.
    const rows = (csv: string) => csv.trimEnd().split("\n").map((line) => line.split(","));
    const [header, ...body] = rows(renderCsv(withClasses));
    const kept = header.map((name, i) => [name, i] as const).filter(([name]) => !name.startsWith("byClass."));
    expect(kept.length).toBeLessThan(header.length);
    expect([kept.map(([name]) => name), ...body.map((row) => kept.map(([, i]) => row[i]))]).toEqual(rows(renderCsv(plain)));
    expect(header).toContain("byClass.mobile.lostSessionRate");
  });

  it("and none of it without classes", () => {
    const plain = run(false, ["round-robin"]);
    expect(renderHtml(plain)).not.toContain("By device class");
    expect(renderTable(plain)).not.toContain("by device class");
    expect(renderCsv(plain)).not.toContain("byClass");
  });
});

import { describe, expect, it } from "vitest";
import { renderTable } from "../../reports/table.js";
import { sampleResult } from "./sample-result.js";

/** The main table's cells under `title`, one per strategy (the blocks below it start after a blank line). */
function column(table: string, title: string): string[] {
  const [, header, ...rows] = table.split("\n\n")[0].split("\n");
  const end = header.indexOf(title) + title.length;
  // Numeric columns are right-aligned: a cell ends where its title ends and starts after two spaces.
  return rows.map((row) => row.slice(0, end).split(/\s{2,}/).at(-1)!.trim());
}

describe("renderTable", () => {
  it("has a sessions-in-use column between answered/s and utilisation", () => {
    const table = renderTable(sampleResult());
    const header = table.split("\n")[1];
    expect(header).toMatch(/answered\/s\s+sessions in use\s+utilisation$/);
    // 640 × the mean jitter (0.95, 1.01, 1.04): 640 sessions in use at once.
    expect(column(table, "sessions in use")).toEqual(["640", "640", "640"]);
  });

  it("reads a small count with three significant digits, and an undefined one n/a", () => {
    const result = sampleResult();
    result.results[0].metrics.sessionsInUse = 2.456;
    result.results[1].metrics.sessionsInUse = null;
    result.results[2].metrics.sessionsInUse = 12_345.6;
    expect(column(renderTable(result), "sessions in use")).toEqual(["2.46", "n/a", "12,346"]);
  });
});

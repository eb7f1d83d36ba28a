import { beforeAll, describe, expect, it } from "vitest";
import { crashesAndRecoveries, HASHING_STRATEGIES, REFERENCE_STRATEGIES, scalingModel, scalingReport, type ScalingPlan } from "../../bench/scaling.js";
import { estimate } from "../../sim/budget.js";
import { strategies } from "../../sim/index.js";

/** A few simulated seconds of each table, on small pools: the shape of the report, not its figures. */
const tiny: ScalingPlan = {
  runs: 1,
  strategies: ["ring-hash", "cookie-insert"],
  servers: [2, 8],
  serverSeconds: 20,
  requestStrategies: ["cookie-insert"],
  requestSeconds: 10,
  eventStrategies: ["cookie-insert"],
  sessions: [
    { visitsPerSecond: 1, servers: 4 },
    { visitsPerSecond: 2, servers: 4 },
  ],
  eventSeconds: 90,
  events: 4,
};

/** The data rows of the Markdown table that follows `heading` (a line starting with it). */
function tableAfter(report: string, heading: string): string[][] {
  const blocks = report.split("\n\n");
  const at = blocks.findIndex((b) => b.startsWith(heading));
  expect(at, `no "${heading}" line`).toBeGreaterThanOrEqual(0);
  const lines = blocks[at + 1].trimEnd().split("\n");
  expect(lines[1]).toMatch(/^\|(---\|)+$/);
  return lines.slice(2).map((line) => line.split("|").slice(1, -1).map((cell) => cell.trim()));
}

const number = (cell: string) => Number(cell.replace(/[,×]/g, ""));

describe("the scaling bench (npm run bench -- --scaling)", () => {
  let report = "";
  beforeAll(() => {
    report = scalingReport(tiny);
  });

  it("prints ns per request at each server count, the last count's against the first, and the increase", () => {
    const rows = tableAfter(report, "Servers:");
    expect(rows.map((r) => r[0])).toEqual(["ring-hash", "cookie-insert"]);
    for (const [, requests, few, many, ratio, increase, ...rest] of rows) {
      expect(rest).toEqual([]);
      expect(number(requests)).toBeGreaterThan(0);
      expect(number(few)).toBeGreaterThan(0);
      expect(number(many)).toBeGreaterThan(0);
      expect(number(ratio)).toBeCloseTo(number(many) / number(few), 1);
      expect(Math.abs(number(increase.replace("−", "-")) - (number(many) - number(few)))).toBeLessThanOrEqual(1);
    }
  });

  it("prints a short run against one four times as long, which has more requests", () => {
    const [row] = tableAfter(report, "Requests:");
    expect(row[0]).toBe("cookie-insert");
    const [short, shortNs, long, longNs] = row.slice(1, 5).map(number);
    expect(long).toBeGreaterThan(short);
    expect(shortNs).toBeGreaterThan(0);
    expect(longNs).toBeGreaterThan(0);
  });

  it("prints each events row with the sessions it held and its events touched", () => {
    const rows = tableAfter(report, "Topology events:");
    expect(rows.map((r) => r.slice(0, 2))).toEqual([
      ["cookie-insert", "4"],
      ["cookie-insert", "4"],
    ]);
    for (const [, , sessions, events, touched, seconds, perEvent, perSession] of rows) {
      expect(number(sessions)).toBeGreaterThan(0);
      expect(number(events)).toBe(4);
      expect(number(touched)).toBeGreaterThan(0);
      for (const s of seconds.split(" / ")) expect(number(s)).toBeGreaterThan(0);
      // A difference of two noisy timings: a number, of either sign.
      expect(Number.isFinite(number(perEvent)) && Number.isFinite(number(perSession))).toBe(true);
    }
    // Twice the visits a second hold about twice the sessions (Little's law).
    const [small, large] = rows.map((r) => number(r[2]));
    expect(large / small).toBeGreaterThan(1.6);
    expect(large / small).toBeLessThan(2.4);
  });
});

describe("the scaling bench's model", () => {
  it("keeps the servers about 70% busy at every size, as bench-100k's 20 are", () => {
    for (const [servers, visitsPerSecond] of [
      [10, 166.7],
      [1000, 166.7],
      [20, 16.67],
      [200, 166.7],
    ]) {
      const e = estimate(scalingModel({ strategy: "round-robin", servers, visitsPerSecond, seconds: 60, warmStart: false }));
      expect(e.offeredPerSecond / e.capacityPerSecond).toBeCloseTo(0.7, 2);
    }
  });

  it("names only strategies lbsim knows", () => {
    const known = strategies.map((s) => s.id);
    for (const id of [...HASHING_STRATEGIES, ...REFERENCE_STRATEGIES]) expect(known).toContain(id);
  });

  it("crashes a server and recovers it before the next crash, over the run", () => {
    const events = crashesAndRecoveries(6, 120, 2) as { at: number; crash?: string; recover?: string }[];
    expect(events.map((e) => e.crash ?? e.recover)).toEqual(["s1", "s1", "s2", "s2", "s1", "s1"]);
    expect(events.map((e) => ("crash" in e ? "crash" : "recover"))).toEqual(["crash", "recover", "crash", "recover", "crash", "recover"]);
    for (let i = 1; i < events.length; i++) expect(events[i].at).toBeGreaterThan(events[i - 1].at);
    expect(events[0].at).toBeGreaterThan(0);
    expect(events.at(-1)?.at).toBeLessThan(120);
  });
});

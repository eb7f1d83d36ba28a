import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, it } from "vitest";
import { lbsim } from "./cli-run.js";

/** A small scenario: 5 minutes, two strategies, two replications. */
const SCENARIO = {
  name: "sweep-test",
  seed: 4,
  duration: "5m",
  warmup: "1m",
  warmStart: true,
  replications: 2,
  clients: { visitsPerSecond: 3, think: { dist: "exponential", mean: "10s" }, nat: { fraction: 0.2 } },
  servers: { count: 3 },
  strategies: ["nginx-ip-hash", { id: "ring-hash", virtualNodes: 100 }],
};

let dir = "";
let file = "";
const read = (out: string, name: string) => readFileSync(join(out, name), "utf8");

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "lbsim-sweep-"));
  file = join(dir, "scenario.json");
  writeFileSync(file, JSON.stringify(SCENARIO));
});

describe("lbsim sweep", () => {
  const grid = ["--vary", "servers.count=2..4", "--vary", "clients.nat.fraction=0,0.5"];

  it("runs every grid point and writes sweep.csv, sweep.json and report.html, the same whatever the number of workers", () => {
    const outs = [1, 2, 4].map((workers) => {
      const out = join(dir, `sweep-${workers}`);
      const r = lbsim(["sweep", file, ...grid, "--workers", String(workers), "--out", out, "--quiet"]);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^servers\.count=2, clients\.nat\.fraction=0\n/);
      return out;
    });
    for (const name of ["sweep.json", "sweep.csv", "report.html"]) {
      expect(read(outs[1], name)).toBe(read(outs[0], name));
      expect(read(outs[2], name)).toBe(read(outs[0], name));
    }
    const sweep = JSON.parse(read(outs[0], "sweep.json"));
    expect(sweep.vary).toEqual([
      { path: "servers.count", values: [2, 3, 4] },
      { path: "clients.nat.fraction", values: [0, 0.5] },
    ]);
    expect(sweep.points.map((p: { label: string }) => p.label)).toEqual([
      "servers.count=2, clients.nat.fraction=0",
      "servers.count=2, clients.nat.fraction=0.5",
      "servers.count=3, clients.nat.fraction=0",
      "servers.count=3, clients.nat.fraction=0.5",
      "servers.count=4, clients.nat.fraction=0",
      "servers.count=4, clients.nat.fraction=0.5",
    ]);
    const rows = parse(read(outs[0], "sweep.csv"), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(6 * 2);
    expect(Object.keys(rows[0]).slice(0, 6)).toEqual(["scenario", "seed", "servers.count", "clients.nat.fraction", "strategy", "id"]);
    expect(rows.map((r) => `${r["servers.count"]}/${r["clients.nat.fraction"]}/${r.strategy}`).slice(0, 4)).toEqual(["2/0/nginx-ip-hash", "2/0/ring-hash", "2/0.5/nginx-ip-hash", "2/0.5/ring-hash"]);
    rows.forEach((row, i) => {
      const point = sweep.points[Math.floor(i / 2)].result.results[i % 2];
      expect(Number(row.requests)).toBe(point.metrics.requests);
      expect(Number(row["latencyMs.p99.ci95"])).toBeCloseTo(point.estimates.latencyMs.p99.ci95, 10);
    });
  });

  it("gives each point the result lbsim run gives the scenario with those values set", () => {
    const sweepOut = join(dir, "one-point");
    expect(lbsim(["sweep", file, "--vary", "servers.count=4", "--set", "clients.nat.fraction=0.5", "--out", sweepOut, "--quiet"]).status).toBe(0);
    const runOut = join(dir, "run-set");
    expect(lbsim(["run", file, "--set", "servers.count=4", "--set", "clients.nat.fraction=0.5", "--out", runOut, "--quiet"]).status).toBe(0);
    const point = JSON.parse(read(sweepOut, "sweep.json")).points[0].result;
    expect(point).toEqual(JSON.parse(read(runOut, "results.json")));
  });

  it.each([
    [["--vary", "servers.cuont=2,3"], 'lbsim: grid point 1 of 2 (servers.cuont=2): --vary servers.cuont: unknown key "cuont"; did you mean "count"?\n'],
    [["--vary", "servers.count=3,0"], "lbsim: grid point 2 of 2 (servers.count=0): --vary servers.count: expected a number >= 1, got 0\n"],
    [["--vary", "servers.count=5..2"], "lbsim: --vary servers.count: the range 5..2 is empty; write the smaller end first\n"],
    [["--vary", "strategies[2].virtualNodes=10,20"], "lbsim: grid point 1 of 2 (strategies[2].virtualNodes=10): --vary strategies[2].virtualNodes: strategies has 2 entries ([0] to [1]); there is no [2]\n"],
    [["--vary", "servers..count=1"], 'lbsim: --vary: "servers..count" is not a scenario path; write it as the file nests it, e.g. clients.nat.fraction or strategies[2].virtualNodes\n'],
    [["--vary", "strategies[1].virtualNodes=0,10"], /^lbsim: grid point 1 of 2 \(strategies\[1\]\.virtualNodes=0\): --vary strategies\[1\]\.virtualNodes: /],
  ])("refuses %j with exit 2 and writes nothing", (args, expected) => {
    const out = join(dir, "refused");
    const r = lbsim(["sweep", file, ...args, "--out", out]);
    expect(r.status).toBe(2);
    if (typeof expected === "string") expect(r.stderr).toBe(expected);
    else expect(r.stderr).toMatch(expected);
    expect(existsSync(out)).toBe(false);
  });

  it("sets an option of a strategy written as its id alone", () => {
    const out = join(dir, "option");
    expect(lbsim(["sweep", file, "--vary", "strategies[0].id=round-robin,random", "--out", out, "--quiet"]).status).toBe(0);
    const sweep = JSON.parse(read(out, "sweep.json"));
    expect(sweep.points.map((p: { result: { results: { id: string }[] } }) => p.result.results[0].id)).toEqual(["round-robin", "random"]);
  });
});

describe("lbsim run on worker threads", () => {
  it("writes the same bytes with 1, 2 and 4 workers", () => {
    const outs = [1, 2, 4].map((workers) => {
      const out = join(dir, `run-${workers}`);
      expect(lbsim(["run", file, "--replications", "3", "--workers", String(workers), "--out", out, "--quiet"]).status).toBe(0);
      return out;
    });
    for (const name of ["results.json", "results.csv", "report.html"]) for (const out of outs.slice(1)) expect(read(out, name)).toBe(read(outs[0], name));
  });

  it.each(["0", "two", "1.5"])("refuses --workers %s", (n) => {
    const r = lbsim(["run", file, "--workers", n]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--workers expects a whole number from 1 to 1024");
  });
});

import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { lbsim } from "../cli-run.js";
import { NO_BATCH_ENGINE, expectNothingAt, expectSameFiles, smallScenario, tmp } from "./sweep-fixture.js";

// Shards run by hand with explicit K/N, merged, compared with the sweep run whole. The Slurm test
// (test/slurm/) does the same through a real job array.
let dir: string, scenario: string, whole: string;
const GRID = ["--vary", "servers.count=2..5"];
// One worker thread for the shards (quicker to start); the whole sweep on two, which gives the same bytes.
const sweep = (...args: string[]) => lbsim(["sweep", scenario, ...GRID, "--quiet", "--workers", "1", ...args], { env: NO_BATCH_ENGINE });
const shardDir = (k: number, n: number) => join(dir, `shard-${k}-of-${n}`);

/** Runs shard k of n once (tests share them) and returns its folder. */
const shards = new Map<string, string>();
function shard(k: number, n: number): string {
  const out = shardDir(k, n);
  if (!shards.has(out)) {
    const r = sweep("--shard", `${k}/${n}`, "--out", out);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    shards.set(out, out);
  }
  return out;
}

beforeAll(() => {
  dir = tmp();
  scenario = smallScenario(dir);
  whole = join(dir, "whole");
  const r = sweep("--out", whole, "--workers", "2");
  expect(r.status).toBe(0);
});

describe("lbsim sweep --shard and lbsim merge", () => {
  it("a shard writes shard.json holding its K/N, the sweep's fingerprint and its points only", () => {
    const json = JSON.parse(readFileSync(join(shard(2, 3), "shard.json"), "utf8"));
    expect(json).toMatchObject({ format: "lbsim shard", shard: { index: 2, count: 3 }, points: 4 });
    expect(json.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    // Points 1 of 0..3 (i mod 3 = 1): servers.count=3.
    expect(json.sweep.points.map((p: { label: string }) => p.label)).toEqual(["servers.count=3"]);
    expect(JSON.parse(readFileSync(join(shard(1, 3), "shard.json"), "utf8")).fingerprint).toBe(json.fingerprint);
  });

  it.each([
    [3, [3, 1, 2]],
    [2, [1, 2]],
    [1, [1]],
    // More shards than points: shard 5 has none and still merges.
    [5, [5, 4, 3, 2, 1]],
  ])("merging the %i shards (given in the order %j) writes the unsharded sweep's files byte for byte", (n, order) => {
    const out = join(dir, `merged-${n}`);
    const r = lbsim(["merge", ...order.map((k) => shard(k, n)), "--out", out]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`merged ${n} shard${n === 1 ? "" : "s"}; wrote ${out}/report.html, ${out}/sweep.csv, ${out}/sweep.json`);
    expectSameFiles(whole, out);
  });

  it("refuses shards of different sweeps: another seed, grid or strategy list", () => {
    const other = (name: string, ...args: string[]) => {
      const out = join(dir, name);
      expect(sweep("--shard", "2/2", "--out", out, ...args).status).toBe(0);
      return out;
    };
    for (const [name, args] of [
      ["seed", ["--seed", "6"]],
      ["strategies", ["--strategies", "round-robin"]],
      ["set", ["--set", "servers.workers=4"]],
    ] as const) {
      const out = join(dir, `refused-${name}`);
      const r = lbsim(["merge", shard(1, 2), other(`other-${name}`, ...args), "--out", out]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^lbsim: merge: the folders hold shards of 2 different sweeps: .*shard-1-of-2 \(small, seed 5, .*other-/);
      expectNothingAt(out);
    }
    // Another grid: a differently varied path gives another sweep even with the same point count.
    const grid = join(dir, "other-grid");
    expect(lbsim(["sweep", scenario, "--vary", "servers.count=3..6", "--quiet", "--workers", "1", "--shard", "2/2", "--out", grid], { env: NO_BATCH_ENGINE }).status).toBe(0);
    const r = lbsim(["merge", shard(1, 2), grid, "--out", join(dir, "refused-grid")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("different sweeps");
  });

  it("refuses an incomplete set, naming the missing shards, and a shard given twice", () => {
    const out = join(dir, "refused");
    let r = lbsim(["merge", shard(3, 5), shard(1, 5), "--out", out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("lbsim: merge: 3 of the 5 shards are missing: 2, 4, 5 (of 1 to 5)\n");
    const copy = join(dir, "copy-of-1-of-2");
    cpSync(shard(1, 2), copy, { recursive: true });
    r = lbsim(["merge", shard(1, 2), shard(2, 2), copy, "--out", out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`lbsim: merge: shard 1/2 is given 2 times: ${shard(1, 2)} and ${copy}\n`);
    r = lbsim(["merge", shard(1, 2), shard(1, 3), "--out", out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^lbsim: merge: the shards split the sweep different ways: .* is 1\/2, .* is 1\/3/);
    expectNothingAt(out);
  });

  it("refuses a folder that is not a shard output", () => {
    const empty = join(dir, "empty");
    mkdirSync(empty, { recursive: true });
    const forged = join(dir, "forged");
    mkdirSync(forged, { recursive: true });
    writeFileSync(join(forged, "shard.json"), '{"format":"lbsim shard","lbsim":"0.1.0"}');
    const out = join(dir, "refused-folders");
    for (const [folder, reason] of [
      [empty, "it holds no shard.json"],
      [whole, "it holds the outputs of a whole sweep (sweep.json), not of a shard"],
      [join(dir, "nowhere"), "no such folder"],
      [scenario, "it is not a folder"],
      [forged, "its shard.json is not one lbsim wrote (fingerprint:"],
    ]) {
      const r = lbsim(["merge", shard(1, 2), folder, "--out", out]);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`lbsim: merge: ${folder} is not a shard output of lbsim sweep --shard K/N: ${reason}`);
    }
    // Writing the merge over a shard would destroy it.
    const r = lbsim(["merge", shard(1, 2), shard(2, 2), "--out", shard(2, 2)]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("is the shard folder");
    expectNothingAt(out);
  });

  it.each([
    ["0/3", "shard 0/3 does not exist; K runs from 1 to 3"],
    ["4/3", "shard 4/3 does not exist; K runs from 1 to 3"],
    ["3", "--shard expects K/N"],
    ["1/3/2", "--shard expects K/N"],
  ])("refuses --shard %s before simulating", (value, message) => {
    const out = join(dir, `bad-${value.replaceAll("/", "-")}`);
    const r = sweep("--shard", value, "--out", out);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expectNothingAt(out);
  });

  it("--shard auto outside a batch engine names the variables it looked for", () => {
    const out = join(dir, "auto-nowhere");
    const r = sweep("--shard", "auto", "--out", out);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^lbsim: --shard auto: not running as a task of a batch array job; looked for SLURM_ARRAY_TASK_ID .*JOB_COMPLETION_INDEX .*AWS_BATCH_JOB_ARRAY_INDEX/);
    expectNothingAt(out);
  });

  it.each([
    ["Slurm", { SLURM_ARRAY_TASK_ID: "3", SLURM_ARRAY_TASK_MIN: "2", SLURM_ARRAY_TASK_MAX: "4", SLURM_ARRAY_TASK_STEP: "1", SLURM_ARRAY_TASK_COUNT: "3" }, "SLURM_ARRAY_TASK_ID=3 (min 2, count 3)"],
    ["Kubernetes", { JOB_COMPLETION_INDEX: "1", LBSIM_SHARD_COUNT: "3" }, "JOB_COMPLETION_INDEX=1 (Kubernetes Indexed Job, counted from 0; count from LBSIM_SHARD_COUNT=3)"],
    ["AWS Batch", { AWS_BATCH_JOB_ARRAY_INDEX: "1", AWS_BATCH_JOB_ARRAY_SIZE: "3" }, "AWS_BATCH_JOB_ARRAY_INDEX=1 (AWS Batch array job, counted from 0; size from AWS_BATCH_JOB_ARRAY_SIZE=3)"],
  ])("--shard auto under %s runs the shard its variables give and says so", (engine, vars, source) => {
    const out = join(dir, `auto-${engine}`);
    const r = lbsim(["sweep", scenario, ...GRID, "--quiet", "--workers", "1", "--shard", "auto", "--out", out], { env: { ...NO_BATCH_ENGINE, ...vars } });
    expect(r.stderr).toBe(`lbsim: shard 2/3 from ${source}\n`);
    expect(r.status).toBe(0);
    expectSameFiles(shard(2, 3), out);
  });
});

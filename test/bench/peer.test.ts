import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { modelArguments, PEER_SCENARIO, peerModel, PYTHON, SIMPY_MODEL, simpyVersion, type PeerModel } from "../../bench/peer.js";
import { repoFile } from "../../bench/root.js";
import { estimate } from "../../sim/budget.js";
import { loadScenarioFile } from "../../sim/index.js";
import { scenario } from "../helpers.js";

const bench100k = loadScenarioFile(repoFile(PEER_SCENARIO));

/** Runs the SimPy model with these flags and returns the JSON line it prints. */
function runSimPy(args: string[]): { requests: number; cpuSeconds: number; setupCpuSeconds: number; model: PeerModel } {
  const found = simpyVersion();
  if ("problem" in found) throw new Error(`the SimPy peer model (${SIMPY_MODEL}) cannot run: ${found.problem} (.ci/run installs it)`);
  const child = spawnSync(PYTHON, [repoFile(SIMPY_MODEL), ...args], { encoding: "utf8" });
  expect(child.status, child.stderr).toBe(0);
  return JSON.parse(child.stdout.trim().split("\n").at(-1) as string);
}

describe("the SimPy peer model (bench/peer/sessions.py)", () => {
  it("runs 20 s of the bench-100k model, answering what the scenario's users offer from the first second", () => {
    const report = runSimPy(["--duration", "20"]);
    expect(report.requests).toBeGreaterThan(0);
    // Started in steady state, it answers the offered rate (visits a second × requests a visit) all along.
    const expected = estimate(bench100k).offeredPerSecond * 20;
    expect(Math.abs(report.requests - expected) / expected).toBeLessThan(0.03);
    expect(report.setupCpuSeconds).toBeLessThan(report.cpuSeconds);
    // Its defaults are the scenario's model, so running the script by hand runs what the bench runs.
    expect(report.model).toEqual({ ...peerModel(bench100k), duration: 20 });
  });

  it("takes every parameter the bench passes under the flag the bench gives it", () => {
    const model: PeerModel = { duration: 5, seed: 3, servers: 2, service: 0.01, think: 2, requestsPerVisit: 5, visitsPerSecond: 4 };
    const report = runSimPy(modelArguments(model));
    expect(report.model).toEqual(model);
    expect(report.requests).toBeGreaterThan(0);
  });
});

describe("the scenarios the SimPy model can express", () => {
  it("are bench-100k's shape and nothing else: one worker a server, exponential times, geometric visits, a warm start", () => {
    expect(peerModel(bench100k)).toMatchObject({ servers: 20, think: 10, requestsPerVisit: 60 });
    const base = { duration: "1m", warmStart: true, servers: { count: 2, workers: 1, service: { dist: "exponential", mean: "5ms" } }, strategies: ["cookie-insert"] };
    const shapeOf = { clients: { requestsPerVisit: { dist: "geometric", mean: 10 }, think: { dist: "exponential", mean: "5s" } } };
    expect(() => peerModel(scenario({ ...base, ...shapeOf }))).not.toThrow();
    expect(() => peerModel(scenario({ ...base, ...shapeOf, servers: { ...base.servers, workers: 8 } }))).toThrow(/servers.workers is not 1/);
    expect(() => peerModel(scenario({ ...base, clients: { ...shapeOf.clients, think: "5s" } }))).toThrow(/think time is not exponential/);
    expect(() => peerModel(scenario({ ...base, ...shapeOf, warmStart: false }))).toThrow(/warmStart is off/);
  });
});

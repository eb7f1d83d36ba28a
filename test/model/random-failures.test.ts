import { afterEach, describe, expect, it, vi } from "vitest";
import { ServerLifecycle } from "../../sim/model/lifecycle.js";
import { ServerState } from "../../sim/model/servers.js";
import { simulate } from "../../sim/model/simulation.js";
import { runScenario } from "../../sim/run.js";
import { scenario } from "../helpers.js";
import { watchServers } from "./watch-servers.js";

afterEach(() => {
  vi.restoreAllMocks();
});

const failing = (extra: Record<string, unknown> = {}, failures: Record<string, unknown> = { mtbf: { dist: "exponential", mean: "3m" }, mttr: { dist: "exponential", mean: "30s" } }) =>
  scenario({
    seed: 8,
    duration: "20m",
    replications: 1,
    clients: { visitsPerSecond: 3, requestsPerVisit: 10, think: "3s" },
    servers: { count: 3, workers: 8, service: "20ms", failures },
    strategies: ["round-robin", "cookie-insert", "least-connections", { id: "random", store: { kind: "shared" } }],
    ...extra,
  });

/** The (time, server) of every crash and every recovery in one run of each strategy. */
function outages(s: ReturnType<typeof failing>) {
  const crash = vi.spyOn(ServerLifecycle.prototype, "crash");
  const recover = vi.spyOn(ServerLifecycle.prototype, "recover");
  return s.strategies.map((entry) => {
    crash.mockClear();
    recover.mockClear();
    simulate(s, entry, 0);
    return { crashes: crash.mock.calls.map(([server, now]) => [now, server]), recoveries: recover.mock.calls.map(([server, now]) => [now, server]) };
  });
}

describe("servers.failures", () => {
  it("gives every strategy the same failures and repairs at the same times", () => {
    const [first, ...others] = outages(failing());
    // 20 minutes of 3 servers failing every 3 minutes on average: about 18 failures.
    expect(first.crashes.length).toBeGreaterThan(8);
    for (const o of others) expect(o).toEqual(first);
    // Each server fails and is repaired in turn: crash, recover, crash, ...
    for (const server of [0, 1, 2]) {
      const mine = [...first.crashes.filter(([, s]) => s === server).map(([t]) => [t, "crash"] as const), ...first.recoveries.filter(([, s]) => s === server).map(([t]) => [t, "recover"] as const)];
      mine.sort((a, b) => a[0] - b[0]);
      mine.forEach(([, what], i) => expect(what).toBe(i % 2 === 0 ? "crash" : "recover"));
    }
    // Another seed draws other failures.
    const [reseeded] = outages(failing({ seed: 9 }));
    expect(reseeded.crashes).not.toEqual(first.crashes);
  });

  it("draws the repair time from mttr: a constant 30 s repair brings each server back 30 s after it failed", () => {
    const [o] = outages(failing({ strategies: ["round-robin"] }, { mtbf: { dist: "exponential", mean: "3m" }, mttr: "30s" }));
    expect(o.crashes.length).toBeGreaterThan(3);
    const expected = o.crashes.map(([t, s]) => [t + 30, s]).filter(([t]) => t <= 1200);
    expect(o.recoveries).toEqual(expected);
  });

  it("is deterministic: the same seed gives identical results", () => {
    const s = failing();
    expect(JSON.stringify(runScenario(s))).toBe(JSON.stringify(runScenario(s)));
  });
});

describe("a random failure of a draining server", () => {
  // Every server fails 100 to 110 s after it starts and is repaired 10 s later.
  const failures = { mtbf: { dist: "uniform", min: "100s", max: "110s" }, mttr: "10s" };
  const small = (strategy: string, events: unknown[]) =>
    scenario({
      seed: 3,
      duration: "10m",
      replications: 1,
      clients: { visitsPerSecond: 2, requestsPerVisit: 5, think: "2s" },
      servers: { count: 3, workers: 8, service: "10ms", failures },
      metrics: { window: "60s" },
      strategies: [strategy],
      events,
    });

  // Found by these tests: the repair brought the server back into service, undrained, and the
  // drain's deadline (made stale by the crash) never stopped or removed it.
  it("ends the drain: a server being removed is removed, not repaired back into service", () => {
    const out = watchServers(small("round-robin", [{ at: "60s", remove: "s1", deadline: "2m" }]), () => {});
    expect(out.pool.state[0]).toBe(ServerState.Removed);
    out.timeline.serverRequests.slice(1).forEach((w) => expect(w[0]).toBe(0));
    // The others keep failing and being repaired, and serve to the end.
    const last = out.timeline.serverRequests.at(-1) as number[];
    expect(last[1] + last[2]).toBeGreaterThan(0);
  });

  it("ends the drain: a drained server stays down, as it would have at its deadline", () => {
    // The deadline (660 s) is past the end of the run; s3 fails at 100 to 110 s while draining.
    const out = watchServers(small("cookie-insert", [{ at: "60s", drain: "s3", deadline: "10m" }]), () => {});
    expect(out.pool.state[2]).toBe(ServerState.Down);
    out.timeline.serverRequests.slice(2).forEach((w) => expect(w[2]).toBe(0));
  });

  it("lets a rolling deploy remove every old server", () => {
    const s = small("round-robin", [{ at: "60s", rollingDeploy: { drain: "60s" } }]);
    const out = watchServers(s, () => {});
    for (const name of ["s1", "s2", "s3"]) expect(out.pool.state[out.pool.indexOf(name)], name).toBe(ServerState.Removed);
    expect(out.servers.names).toEqual(["s1", "s2", "s3", "s1-v2", "s2-v2", "s3-v2"]);
    const last = out.timeline.serverRequests.at(-1) as number[];
    expect(last.slice(0, 3)).toEqual([0, 0, 0]);
  });
});

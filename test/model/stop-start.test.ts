import { describe, expect, it } from "vitest";
import { runScenario } from "../../sim/run.js";
import { scenario } from "../helpers.js";

/** Two servers, cookie stickiness, sessions in memory; s1 stopped or crashed at 10 minutes, back at 15. */
function run(action: "stop" | "crash") {
  const s = scenario({
    seed: 9,
    duration: "20m",
    replications: 2,
    clients: { visitsPerSecond: 5, requestsPerVisit: 30, think: "4s" },
    servers: { count: 2, workers: 4, service: { dist: "exponential", mean: "50ms" } },
    strategies: ["cookie-insert"],
    events: [{ at: "10m", [action]: "s1" }, { at: "15m", [action === "stop" ? "start" : "recover"]: "s1" }],
  });
  return runScenario(s).results[0];
}

describe("a planned stop", () => {
  it("answers what the server had accepted, loses its sessions as serverStopped, and its start brings it back", () => {
    const stopped = run("stop");
    const crashed = run("crash");
    // Both lose the sessions that lived on s1, each with its own cause.
    expect(stopped.metrics.lostByCause.serverStopped).toBeGreaterThan(20);
    expect(stopped.metrics.lostByCause.serverCrash).toBe(0);
    expect(crashed.metrics.lostByCause.serverCrash).toBeGreaterThan(20);
    expect(crashed.metrics.lostByCause.serverStopped).toBe(0);
    // A crash also fails the requests in service or queued on s1; a stop finishes them, so it
    // fails only the connections refused before health checks notice.
    expect(stopped.metrics.failedRequests).toBeLessThan(crashed.metrics.failedRequests);
    expect(stopped.events.map((e) => e.action)).toEqual(["stop", "start"]);
    // Two replications: every per-event figure has a 95% half-width.
    for (const key of ["activeSessions", "returnedSessions", "movedSessions", "remapFraction", "minimumFraction"] as const)
      expect(stopped.events[0].ci95?.[key]).toBeGreaterThanOrEqual(0);
    // s1 serves again after its start.
    const late = stopped.timeline.serverRequests.at(-1) as number[];
    expect(late[0]).toBeGreaterThan(0);
  });
});

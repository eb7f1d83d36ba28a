import { describe, expect, it } from "vitest";
import { runScenario } from "../../sim/run.js";
import { scenario } from "../helpers.js";

describe("a disaster", () => {
  // Three servers, checked every 2 s (first checks at 0, 2/3 and 4/3 s), fall 3, rise 2. The site is
  // lost at 100.5 s; recovery servers dr1 and dr2 join at once, accept connections 19 s later
  // (119.5 s) and are checked at 102.5 + 2k s: passed at 120.5 and 122.5, eligible from 122.5 s.
  // The balancer has seen all three old servers fail three checks by 105.33 s. No connection
  // retries, so a request fails the moment it is sent and counts in the same 1 s window. Visits
  // of 40 requests 1 s apart outlast the outage, so sessions live at the disaster come back.
  const s = scenario({
    seed: 5,
    duration: "3m",
    replications: 1,
    clients: { visitsPerSecond: 10, requestsPerVisit: 40, think: "1s" },
    servers: { count: 3, workers: 8, service: "0s" },
    balancer: { healthCheck: { interval: "2s", fall: 3, rise: 2 }, retries: 0 },
    metrics: { window: "1s" },
    strategies: ["cookie-insert"],
    events: [{ at: "100.5s", disaster: { recovery: { servers: ["dr1", "dr2"] }, after: "19s" } }],
  });
  const res = runScenario(s);
  const r = res.results[0];
  const tl = r.timeline;
  const routed = (w: number, server: number) => tl.serverRequests[w][server] ?? 0;

  it("crashes every server and brings in the recovery pool", () => {
    expect(s.events[0]).toMatchObject({ action: "disaster", servers: ["s1", "s2", "s3", "dr1", "dr2"] });
    expect(s.servers.capacity).toBe(5);
    expect(res.servers).toEqual(["s1", "s2", "s3", "dr1", "dr2"]);
    const event = r.events[0];
    // Every session that came back found its server's memory gone and had to move.
    expect(event.returnedSessions).toBeGreaterThan(0);
    expect(event.lostByCause.serverCrash).toBe(event.returnedSessions);
    expect(event.minimumFraction).toBe(1);
    expect(event.remapFraction).toBe(1);
  });

  it("serves nothing until the recovery servers are up and have passed their health checks", () => {
    for (let w = 101; w <= 121; w++) {
      expect(tl.requests[w]).toBeGreaterThan(0);
      expect(tl.failedRequests[w]).toBe(tl.requests[w]); // every request sent in these windows failed
      expect(routed(w, 3) + routed(w, 4)).toBe(0); // none went to a recovery server yet
    }
  });

  it("then serves every request, on the recovery servers only", () => {
    for (let w = 106; w < tl.t.length; w++) for (const old of [0, 1, 2]) expect(routed(w, old)).toBe(0);
    for (let w = 123; w < tl.t.length; w++) {
      expect(tl.failedRequests[w]).toBe(0);
      expect(routed(w, 3)).toBeGreaterThan(0);
      expect(routed(w, 4)).toBeGreaterThan(0);
    }
    // Before the disaster the old servers served and nothing failed.
    for (let w = 0; w < 100; w++) expect(tl.failedRequests[w]).toBe(0);
  });
});

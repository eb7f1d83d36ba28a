import { describe, expect, it } from "vitest";
import { runScenario } from "../../sim/run.js";
import { scenario } from "../helpers.js";

describe("a remove event", () => {
  // Four servers, cookie stickiness, sessions in memory; visits of 30 requests 5 s apart (145 s).
  // s1 is removed at once at 2 minutes; s2 and s3 are removed at 3 minutes after draining for one.
  // Windows of 60 s, so each event falls on a window boundary.
  const s = scenario({
    seed: 3,
    duration: "8m",
    replications: 1,
    clients: { visitsPerSecond: 3, requestsPerVisit: 30, think: "5s" },
    servers: { count: 4, workers: 8, service: "10ms" },
    metrics: { window: "60s" },
    strategies: ["cookie-insert"],
    events: [
      { at: "2m", remove: "s1" },
      { at: "3m", remove: ["s2", "s3"], deadline: "1m" },
    ],
  });
  const res = runScenario(s);
  const r = res.results[0];
  const requests = (server: number) => r.timeline.serverRequests.map((w) => w[server]);

  it("compiles with and without a deadline", () => {
    expect(s.events.map((e) => [e.action, e.servers, e.options.deadline])).toEqual([
      ["remove", ["s1"], undefined],
      ["remove", ["s2", "s3"], 60],
    ]);
  });

  it("without a deadline, the server gets no request from the event on; its sessions are lost as serverStopped", () => {
    expect(requests(0)[1]).toBeGreaterThan(0);
    for (let w = 2; w < r.timeline.t.length; w++) expect(requests(0)[w]).toBe(0);
    const event = r.events[0];
    expect(event).toMatchObject({ action: "remove", server: "s1" });
    // It answered what it had accepted, then stopped with the sessions in its memory.
    expect(event.lostByCause.serverStopped).toBeGreaterThan(0);
    expect(event.lostByCause.drainDeadline).toBe(0);
    // Cookie stickiness moves exactly the sessions whose server went away.
    expect(event.minimumFraction).toBeGreaterThan(0);
    expect(event.remapFraction).toBe(event.minimumFraction);
    expect(event.emptiedAfter).toBeNull(); // no drain
  });

  it("with a deadline, bound clients keep reaching the servers until it and none after; sessions left on them are lost as drainDeadline", () => {
    for (const server of [1, 2]) {
      expect(requests(server)[3]).toBeGreaterThan(0); // [180 s, 240 s): draining
      for (let w = 4; w < r.timeline.t.length; w++) expect(requests(server)[w]).toBe(0);
    }
    const event = r.events[1];
    expect(event).toMatchObject({ action: "remove", server: "s2, s3" });
    // Visits (145 s) outlast the 60 s deadline: some sessions were still on s2 or s3 at it.
    expect(event.lostByCause.drainDeadline).toBeGreaterThan(0);
    expect(event.lostByCause.serverStopped).toBe(0);
    expect(event.emptiedAfter).toBeNull();
    // s4 alone is left and takes everything.
    expect(requests(3).slice(4).every((n) => n > 0)).toBe(true);
  });

  it("keeps every server, removed ones included, in the per-server results", () => {
    expect(res.servers).toEqual(["s1", "s2", "s3", "s4"]);
    expect(r.servers.names).toEqual(["s1", "s2", "s3", "s4"]);
    expect(r.timeline.servers).toEqual(["s1", "s2", "s3", "s4"]);
    for (const n of r.servers.requests) expect(n).toBeGreaterThan(0);
    // Every window lists all four.
    for (const w of r.timeline.serverRequests) expect(w).toHaveLength(4);
  });
});

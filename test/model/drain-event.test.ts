import { describe, expect, it } from "vitest";
import { runScenario } from "../../sim/run.js";
import { scenario } from "../helpers.js";

/**
 * Three servers; s3 is drained at 4 minutes (the end of window 3, windows of 60 s). Every visit is
 * exactly 40 requests 5 s apart with no service time, so a visit lasts 39 × 5 = 195 s and a user
 * counted "in use" on a server always has another request to send.
 */
function drained(strategy: string, deadline: string) {
  const s = scenario({
    seed: 3,
    duration: "10m",
    replications: 1,
    clients: { visitsPerSecond: 2, requestsPerVisit: 40, think: "5s" },
    servers: { count: 3, workers: 8, service: "0s" },
    metrics: { window: "60s" },
    strategies: [strategy],
    events: [{ at: "4m", drain: "s3", deadline }],
  });
  const r = runScenario(s).results[0];
  const s3 = (series: number[][]) => series.map((w) => w[2]);
  return { r, event: r.events[0], requests: s3(r.timeline.serverRequests), inUse: s3(r.timeline.serverSessions) };
}

describe("a drain", () => {
  it("defaults its deadline to AWS's deregistration delay of 300 s", () => {
    const s = scenario({ servers: { count: 2 }, strategies: ["round-robin"], events: [{ at: 60, drain: "s1" }] });
    expect(s.events[0]).toMatchObject({ action: "drain", servers: ["s1"], options: { deadline: 300 } });
  });

  it("with cookie-insert, bound clients keep reaching the draining server while new sessions avoid it, and it empties before a long deadline", () => {
    // Deadline at 540 s, after the last bound visit has ended (240 + 195 = 435 s).
    const { r, event, requests, inUse } = drained("cookie-insert", "5m");
    expect(inUse[3]).toBeGreaterThan(50); // sessions in use on s3 at the drain (window 3 ends at 240 s)
    // Bound clients still reach s3 in the windows after the drain (HAProxy drain keeps persistent clients)...
    for (const w of [4, 5, 6]) expect(requests[w]).toBeGreaterThan(0);
    // ...but no session joins it: its sessions in use only fall, to none once the last bound visit has ended.
    for (let w = 4; w < inUse.length; w++) expect(inUse[w]).toBeLessThanOrEqual(inUse[w - 1]);
    for (let w = 7; w < inUse.length; w++) expect(inUse[w]).toBe(0);
    for (let w = 8; w < requests.length; w++) expect(requests[w]).toBe(0);
    // Nobody was moved or lost; the drain emptied s3 within one visit length of starting.
    expect(r.metrics.lostSessions).toBe(0);
    expect(event).toMatchObject({ action: "drain", server: "s3", lostSessions: 0 });
    expect(event.lostByCause).toEqual({ remapped: 0, serverCrash: 0, serverStopped: 0, drainDeadline: 0, storeOutage: 0, storeDataLoss: 0, storeSwitched: 0 });
    expect(event.emptiedAfter).toBeGreaterThan(0);
    expect(event.emptiedAfter).toBeLessThanOrEqual(195);
    // s3's share of weight went to the two others: each grew from 1/3 to 1/2.
    expect(event.balancedFraction).toBeCloseTo(1 / 3, 12);
  });

  it.each(["alb-lb-cookie", "nginx-ip-hash"])("with %s, bound clients leave the draining server at once", (strategy) => {
    const { r, event, requests, inUse } = drained(strategy, "5m");
    expect(inUse[3]).toBeGreaterThan(50);
    // From the drain on, s3 gets no request at all.
    for (let w = 4; w < requests.length; w++) expect(requests[w]).toBe(0);
    for (let w = 4; w < inUse.length; w++) expect(inUse[w]).toBe(0);
    // Every session in use on s3 at the drain comes back (each has a request left) to another
    // server, which does not hold it: each is lost as remapped, charged to the drain (once per
    // session). The run may count a few more losses: nginx falls back to round robin for an
    // address whose 21 hash candidates all land on s3, and such a user loses its session again.
    expect(event.lostByCause.remapped).toBe(inUse[3]);
    expect(r.metrics.lostByCause.remapped).toBeGreaterThanOrEqual(inUse[3]);
    expect(r.metrics.lostByCause.remapped).toBeLessThan(inUse[3] * 1.1);
    expect(event.lostByCause.drainDeadline).toBe(0);
    // Each bound user's next request comes within one think time (5 s): s3 is empty by then.
    expect(event.emptiedAfter).toBeGreaterThan(0);
    expect(event.emptiedAfter).toBeLessThanOrEqual(5);
  });

  it("stops the server at its deadline; sessions still on it are lost as drainDeadline and emptiedAfter is null", () => {
    // Deadline at 300 s, while the bound visits begun before 240 s are still going.
    const { r, event, requests, inUse } = drained("cookie-insert", "1m");
    const atDeadline = inUse[4]; // window 4 ends at 300 s, the deadline
    expect(atDeadline).toBeGreaterThan(20);
    expect(requests[4]).toBeGreaterThan(0); // bound clients kept coming until the deadline
    // Every drainDeadline loss is a session that was on s3 at the deadline, so the drain's own
    // figure is the run's. Each such user sends another request; only one whose last request
    // met the stopped server before health checks noticed (≤ 6 s) escapes the loss.
    expect(r.metrics.lostByCause.drainDeadline).toBeGreaterThanOrEqual(Math.ceil(0.8 * atDeadline));
    expect(r.metrics.lostByCause.drainDeadline).toBeLessThanOrEqual(atDeadline);
    expect(event.lostByCause.drainDeadline).toBe(r.metrics.lostByCause.drainDeadline);
    expect(event.lostByCause.remapped).toBe(0);
    expect(event.emptiedAfter).toBeNull();
    // Those users come back (5 s think) to other servers: none is in use on s3 at the next window
    // end, and once the health checks have noticed, nothing is routed to it.
    for (let w = 5; w < inUse.length; w++) expect(inUse[w]).toBe(0);
    for (let w = 6; w < requests.length; w++) expect(requests[w]).toBe(0);
    // The drain takes effect at once (the balancer gives s3 no new sessions); the sessions judged
    // then need not move, and cookie-insert keeps them on s3: nothing moved, although the deadline
    // later loses those still there, and those losses are the drain's.
    expect(event.minimumFraction).toBe(0);
    expect(event.remapFraction).toBe(0);
  });
});

import { describe, expect, it } from "vitest";
import { simulate } from "../../sim/model/simulation.js";
import { scenario } from "../helpers.js";

/**
 * Tiny runs whose every metric is worked out by hand. One user arrives almost at once
 * (1,000 visits/s, at most one user) and sends `requests` requests with a constant think time.
 */
function oneUser(strategy: unknown, extra: Record<string, unknown> = {}, requests = 4) {
  const s = scenario({
    duration: "1m",
    replications: 1,
    clients: { count: 1, visitsPerSecond: 1000, requestsPerVisit: requests, think: "1s" },
    servers: { count: 2, workers: 1, service: "10ms" },
    strategies: [strategy],
    ...extra,
  });
  return simulate(s, s.strategies[0], 0);
}

describe("metric definitions on hand-worked runs", () => {
  it("round robin with local sessions: every later request lands on the other server and loses the session", () => {
    const { metrics: m } = oneUser("round-robin");
    // Requests alternate s1, s2, s1, s2: 1 new session, then 3 losses each starting a new one.
    expect(m.requests).toBe(4);
    expect(m.sessions).toBe(4);
    expect(m.lostSessions).toBe(3);
    expect(m.lostByCause).toEqual({ serverCrash: 0, remapped: 3, addressChanged: 0, cookieCleared: 0, tokenTooLarge: 0, serverStopped: 0, drainDeadline: 0, storeOutage: 0, storeDataLoss: 0, tokenExpired: 0, evicted: 0, storeFull: 0, storeTtl: 0, storeSwitched: 0 });
    expect(m.lostSessionRate).toBe(0.75); // 3 / 4
    expect(m.remapRate).toBe(1); // 3 of 3 continuing requests moved
    expect(m.affinityHitRate).toBe(0);
    // One 60 s window: 2 requests per server, max / mean = 1, no spread.
    expect(m.loadSkew).toBe(1);
    expect(m.peakLoadSkew).toBe(1);
    expect(m.loadCov).toBe(0);
    expect(m.failedRequests).toBe(0);
  });

  it("cookie stickiness keeps the session on one server: no loss, every continuing request an affinity hit", () => {
    const { metrics: m } = oneUser("cookie-insert");
    expect(m.sessions).toBe(1);
    expect(m.lostSessions).toBe(0);
    expect(m.remapRate).toBe(0);
    expect(m.affinityHitRate).toBe(1);
    // All 4 requests on s1: loads (4, 0), mean 2, max / mean = 2, CoV = sd / mean = 2 / 2 = 1.
    expect(m.loadSkew).toBe(2);
    expect(m.loadCov).toBe(1);
  });

  it("a shared store never loses a remapped session but adds a read and a write round trip", () => {
    const { metrics: m } = oneUser({ id: "round-robin", store: { kind: "shared", latency: "1ms" } });
    expect(m.sessions).toBe(1);
    expect(m.lostSessions).toBe(0);
    expect(m.remapRate).toBe(1);
    expect(m.affinityHitRate).toBe(0); // no server holds it in its own memory
    // 10 ms of work + 2 × 1 ms: every percentile is 12 ms (clamped to the values seen).
    expect(m.latencyMs.p50).toBeCloseTo(12, 9);
    expect(m.latencyMs.p99).toBeCloseTo(12, 9);
    expect(m.latencyMs.mean).toBeCloseTo(12, 9);
  });

  it("a crash fails the request in service, loses the session held in memory, and is measured per event", () => {
    // Request 1 (t≈0) runs 5 s on s1; s1 crashes at 2 s: that request fails. Checks every 1 s with fall 1
    // take s1 out by 3 s. Request 2 (t≈12) is re-dispatched to s2 with a new cookie: the session is lost
    // (server crash) and started again. Request 3 (t≈27) follows the new cookie to s2: an affinity hit.
    const { metrics: m, events } = oneUser(
      "cookie-insert",
      { servers: { count: 2, workers: 1, service: "5s" }, clients: { count: 1, visitsPerSecond: 1000, requestsPerVisit: 3, think: "10s" }, balancer: { healthCheck: { interval: "1s", fall: 1 } }, events: [{ at: "2s", crash: "s1" }] },
    );
    expect(m.requests).toBe(3);
    expect(m.failedRequests).toBe(1);
    expect(m.sessions).toBe(2);
    expect(m.lostSessions).toBe(1);
    expect(m.lostByCause.serverCrash).toBe(1);
    expect(m.lostSessionRate).toBe(0.5);
    expect(m.remapRate).toBe(0.5); // request 2 moved, request 3 did not
    expect(m.affinityHitRate).toBe(0.5); // request 3 only
    expect(m.latencyMs.p50).toBeCloseTo(5000, 6);
    expect(events).toEqual([
      {
        at: 2,
        action: "crash",
        server: "s1",
        activeSessions: 1,
        returnedSessions: 1,
        movedSessions: 1,
        remapFraction: 1,
        minimumFraction: 1,
        // s1 was half the weight; the crash (taking effect at 3 s) gave s2 all of it.
        balancedFraction: 1,
        lostSessions: 1,
        lostFraction: 1,
        lostByCause: { remapped: 0, serverCrash: 1, serverStopped: 0, drainDeadline: 0, storeOutage: 0, storeDataLoss: 0, storeSwitched: 0 },
        emptiedAfter: null,
      },
    ]);
  });

  it("requests keep going to a crashed server until health checks notice, each failing after the retries", () => {
    // s1's checks run at 0, 10, 20, 30 s (first checks staggered over the interval); it crashes at 5.5 s
    // and fails checks at 10, 20 and 30 s: fall 3 takes it out at 30 s. The user sends a request a
    // second (t0 + k, t0 ≈ 0). From t0 + 6 each request meets a refused connection, is retried 3 times
    // 1 s apart and fails after 3 s; the next follows 1 s later: requests at t0 + 6, 10, 14, 18, 22, 26
    // fail (6 in all), and the one at t0 + 30 goes to s2.
    const { metrics: m } = oneUser(
      "cookie-insert",
      { servers: { count: 2, workers: 1, service: "0s" }, balancer: { healthCheck: { interval: "10s", fall: 3 } }, events: [{ at: "5.5s", crash: "s1" }] },
      40,
    );
    expect(m.requests).toBe(40);
    expect(m.failedRequests).toBe(6);
    expect(m.lostByCause.serverCrash).toBe(1);
    expect(m.sessions).toBe(2);
  });

  it("with redispatch the last retry goes to another server, 2 s later, with a new cookie", () => {
    // Same crash; now the request at t0 + 6 is redispatched to s2 at t0 + 8 (retries at +1 and +2 s on
    // s1, the third goes elsewhere without waiting). Its response takes 2 s, and the new cookie keeps
    // the user on s2: nothing fails, one session is lost to the crash.
    const { metrics: m } = oneUser(
      { id: "cookie-insert", redispatch: true },
      { servers: { count: 2, workers: 1, service: "0s" }, balancer: { healthCheck: { interval: "10s", fall: 3 } }, events: [{ at: "5.5s", crash: "s1" }] },
      40,
    );
    expect(m.failedRequests).toBe(0);
    expect(m.lostByCause.serverCrash).toBe(1);
    expect(m.remapRate).toBeCloseTo(1 / 39, 12); // one move among 39 continuing requests
    expect(m.latencyMs.p99).toBeCloseTo(2000, 6);
  });

  it("with no retries a refused connection fails at once", () => {
    const { metrics: m } = oneUser(
      "cookie-insert",
      { servers: { count: 2, workers: 1, service: "0s" }, balancer: { healthCheck: { interval: "10s", fall: 3 }, retries: 0 }, events: [{ at: "5.5s", crash: "s1" }] },
      40,
    );
    expect(m.failedRequests).toBe(24); // requests at t0 + 6 .. t0 + 29
  });

  it("a visit that starts with cleared cookies loses the live session (cause cookieCleared)", () => {
    // Visit 1 at t≈0 (2 requests, nothing to lose: the first visit has no cookies yet); the user
    // returns 100 s after each visit ends, so visit 2 starts at t≈101 s with its cookies cleared while
    // the session is still live (30 min idle timeout): 1 loss, a new session. Visit 3 would start after
    // the 150 s run.
    const { metrics: m } = oneUser(
      "cookie-insert",
      { duration: "150s", clients: { count: 1, visitsPerSecond: 1000, requestsPerVisit: 2, think: "1s", returning: { fraction: 1, after: "100s" }, cookies: { clearPerVisit: 1 } } },
    );
    expect(m.requests).toBe(4);
    expect(m.sessions).toBe(2);
    expect(m.lostSessions).toBe(1);
    expect(m.lostByCause.cookieCleared).toBe(1);
    // The balancer cookie went too, but the next request starts a new session, so it is not a
    // remap; each session then stays on the server its cookie names.
    expect(m.remapRate).toBe(0);
  });

  it("a session remapped right after the client's address changed is lost to addressChanged, not remapped", () => {
    // Mobile users get a new address every 2.5 s; with ip_hash over 64 servers almost every change
    // moves the user. Without crashes, every loss must be attributed to the address change.
    const { metrics: m } = oneUser(
      "nginx-ip-hash",
      { servers: { count: 64, workers: 1, service: "10ms" }, clients: { count: 1, visitsPerSecond: 1000, requestsPerVisit: 10, think: "1s", mobile: { fraction: 1, addressChangeEvery: "2.5s" } } },
    );
    expect(m.lostSessions).toBeGreaterThanOrEqual(2);
    expect(m.lostByCause.addressChanged).toBe(m.lostSessions);
    expect(m.lostByCause.remapped).toBe(0);
  });

  it("client-side tokens survive remapping; a token too large to carry is lost on every request", () => {
    const fits = oneUser("client-token").metrics;
    expect(fits.sessions).toBe(1);
    expect(fits.lostSessions).toBe(0);
    expect(fits.remapRate).toBe(1); // round robin alternates the two servers
    const tooLarge = oneUser({ id: "client-token", store: { kind: "token", sessionBytes: 5000 } }).metrics;
    // 4 requests: 1 new session, then every later one finds no token: 3 losses, 4 sessions.
    expect(tooLarge.lostByCause.tokenTooLarge).toBe(3);
    expect(tooLarge.sessions).toBe(4);
  });

  it("shared-store implies a shared store unless the entry names another", () => {
    expect(oneUser("shared-store").metrics.latencyMs.p50).toBeCloseTo(12, 9); // 10 ms + 2 × 1 ms
    expect(oneUser({ id: "shared-store", store: { kind: "local" } }).metrics.lostSessions).toBe(3);
  });

  it("hashing the session id keeps a new session on the server that created it", () => {
    // The first request has no session yet: it is hashed by the id its session will get (the
    // balancer-generated hash cookie), so the session is created where later requests hash to.
    for (const id of ["jump-hash", "ring-hash", "maglev", "rendezvous"]) {
      const { metrics: m } = oneUser(id, { servers: { count: 8, workers: 1, service: "10ms" } }, 10);
      expect(m.sessions, id).toBe(1);
      expect(m.lostSessions, id).toBe(0);
      expect(m.remapRate, id).toBe(0);
    }
  });

  it("after a crash a session hashed by id restarts once, under the same key, and stays", () => {
    // Request 1 (t≈0, 5 s of work) creates the session on the server its id hashes to. Every server
    // crashes at 2 s (request 1 fails) and comes back at 2.5 s with empty memory. Request 2 (t≈12)
    // hashes to the same server: lost once (server crash) and restarted there under the same key;
    // requests 3 to 6 find it. A fresh key would hash elsewhere 7 times in 8 and lose it again.
    const servers = Array.from({ length: 8 }, (_, i) => `s${i + 1}`);
    const { metrics: m } = oneUser(
      "jump-hash",
      {
        servers: { count: 8, workers: 1, service: "5s" },
        clients: { count: 1, visitsPerSecond: 1000, requestsPerVisit: 6, think: "10s" },
        duration: "2m",
        events: [...servers.map((name) => ({ at: "2s", crash: name })), ...servers.map((name) => ({ at: "2.5s", recover: name }))],
      },
    );
    expect(m.failedRequests).toBe(1);
    expect(m.lostSessions).toBe(1);
    expect(m.lostByCause.serverCrash).toBe(1);
    expect(m.sessions).toBe(2);
    expect(m.remapRate).toBe(0);
    expect(m.affinityHitRate).toBe(0.8); // requests 3 to 6 of the 5 continuing ones
  });

  it("warmup excludes what happens before it", () => {
    const { metrics: m } = oneUser("round-robin", { warmup: "1.5s" });
    // Requests at t≈0 and t≈1 are before the warmup; the 2 after it are each a loss.
    expect(m.requests).toBe(2);
    expect(m.lostSessions).toBe(2);
    expect(m.sessions).toBe(2);
  });

  it("NAT puts many users behind one address, so address hashing sends them all to one server", () => {
    const s = scenario({
      duration: "5m",
      replications: 1,
      clients: { count: 50, visitsPerSecond: 5, requestsPerVisit: 10, think: "2s", nat: { fraction: 1, groupSize: 50 } },
      servers: { count: 4 },
      strategies: ["nginx-ip-hash", "round-robin"],
    });
    const ipHash = simulate(s, s.strategies[0], 0).metrics, rr = simulate(s, s.strategies[1], 0).metrics;
    expect(ipHash.requests).toBe(500);
    expect(ipHash.loadSkew).toBe(4); // all load on 1 of 4 servers: max / mean = 4
    expect(rr.loadSkew).toBeLessThan(1.1);
  });
});

import { beforeAll, describe, expect, it } from "vitest";
import type { Result } from "../sim/index.js";
import { event, runBundled as run, strategy } from "./bundled.js";

// The headline each bundled topology scenario's description states, checked on a full run of the
// file as shipped (its own seed and replications), so a description cannot drift from what the
// model shows. Each file runs in a few seconds.



const SHARED = "round-robin + shared store";

describe("crash-failover.json", () => {
  let result: Result;
  beforeAll(() => {
    result = run("crash-failover.json");
  });

  it("with local memory about a quarter of the sessions active at the crash are lost, all to the crash", () => {
    for (const label of ["cookie-insert", "ring-hash"]) {
      const crash = event(strategy(result, label), "crash");
      expect(crash.activeSessions).toBeGreaterThan(400);
      expect(crash.lostFraction).toBeGreaterThan(0.18);
      expect(crash.lostFraction).toBeLessThan(0.32);
      expect(crash.lostByCause.serverCrash).toBe(crash.lostSessions);
      // Exactly the sessions that had to leave s3 moved: nothing else was disturbed.
      expect(crash.remapFraction).toBeCloseTo(crash.minimumFraction!, 10);
    }
  });

  it("cookies leave the sessions where they are when s3 returns; the ring takes s3's keys back and loses them", () => {
    const cookieBack = event(strategy(result, "cookie-insert"), "recover");
    expect(cookieBack.remapFraction).toBe(0);
    expect(cookieBack.lostSessions).toBe(0);
    const ringBack = event(strategy(result, "ring-hash"), "recover");
    expect(ringBack.remapFraction).toBeGreaterThan(0.18);
    expect(ringBack.lostFraction).toBeGreaterThan(0.18);
    expect(ringBack.lostByCause.remapped).toBe(ringBack.lostSessions);
  });

  it("a shared store loses no session, though round robin moves most of them", () => {
    const shared = strategy(result, SHARED);
    const crash = event(shared, "crash");
    expect(crash.lostSessions).toBe(0);
    expect(crash.remapFraction).toBeGreaterThan(0.5);
    expect(shared.metrics.lostSessions).toBe(0);
    expect(shared.metrics.disruptedVisitRate).toBe(0);
  });
});

describe("rolling-deploy.json", () => {
  let result: Result;
  beforeAll(() => {
    result = run("rolling-deploy.json");
  });

  it("with cookies, the short drain (1 min) cuts sessions off at its deadline; the long one (15 min) loses almost none", () => {
    const cookie = strategy(result, "cookie-insert");
    const short = event(cookie, "rollingDeploy", 0), long = event(cookie, "rollingDeploy", 1);
    expect(short.activeSessions).toBeGreaterThan(400);
    expect(long.activeSessions).toBeGreaterThan(400);
    expect(short.lostFraction).toBeGreaterThan(0.4);
    expect(short.lostByCause.drainDeadline).toBeGreaterThan(0.95 * short.lostSessions);
    expect(long.lostFraction).toBeLessThan(0.01);
    // Over the whole run, the losses are the deploys' drain deadlines (the first deploy's).
    expect(cookie.metrics.lostByCause.drainDeadline).toBeGreaterThan(0.95 * cookie.metrics.lostSessions);
    // The first replication's timeline: nothing lost from the start of the long-drain deploy on.
    const { t, lostSessions } = cookie.timeline;
    const longStart = long.at;
    expect(lostSessions.filter((_, i) => t[i] >= longStart).reduce((a, b) => a + b, 0)).toBe(0);
  });

  it("a hash ring loses sessions at every replacement whatever the drain, moved off by the ring", () => {
    const ring = strategy(result, "ring-hash");
    const short = event(ring, "rollingDeploy", 0), long = event(ring, "rollingDeploy", 1);
    expect(short.lostFraction).toBeGreaterThan(0.5);
    expect(long.lostFraction).toBeGreaterThan(0.5);
    expect(long.lostByCause.remapped).toBe(long.lostSessions);
    expect(short.lostByCause.remapped).toBeGreaterThan(0.8 * short.lostSessions);
    // The long drain does not help it: it loses at least as many as the short one.
    expect(long.lostSessions).toBeGreaterThan(0.9 * short.lostSessions);
  });

  it("a shared store loses none", () => {
    const shared = strategy(result, SHARED);
    for (const e of shared.events) expect(e.lostSessions).toBe(0);
    expect(shared.metrics.lostSessions).toBe(0);
  });
});

describe("scale-out.json", () => {
  let result: Result;
  beforeAll(() => {
    result = run("scale-out.json");
  });

  it("judges the addition on thousands of returning sessions", () => {
    for (const s of result.results) {
      const add = event(s, "add");
      expect(add.returnedSessions).toBeGreaterThan(2000);
      expect(add.balancedFraction).toBeCloseTo(0.2, 10);
      expect(add.minimumFraction).toBe(0);
    }
  });

  it("8 → 10: cookies move no active session, ring hash and Maglev about a fifth, nginx hash about four fifths", () => {
    expect(event(strategy(result, "cookie-insert"), "add").remapFraction).toBe(0);
    expect(event(strategy(result, "cookie-insert"), "add").lostSessions).toBe(0);
    for (const label of ["ring-hash", "maglev"]) {
      const add = event(strategy(result, label), "add");
      expect(add.remapFraction).toBeGreaterThan(0.17);
      expect(add.remapFraction).toBeLessThan(0.24);
    }
    const modulo = event(strategy(result, "nginx-hash"), "add");
    expect(modulo.remapFraction).toBeGreaterThan(0.75);
    expect(modulo.remapFraction).toBeLessThan(0.85);
  });
});

describe("disaster-recovery.json", () => {
  let result: Result;
  beforeAll(() => {
    result = run("disaster-recovery.json");
  });

  const LOCAL = ["cookie-insert", "nginx-ip-hash", "k8s-client-ip"];

  it("every request in the outage fails, whatever the strategy", () => {
    const failed = result.results.map((s) => s.metrics.failedRequests);
    // About 10 minutes of about 30 requests a second (visits plus returns) get no answer.
    for (const f of failed) expect(f).toBeGreaterThan(15_000);
    expect(Math.max(...failed) - Math.min(...failed)).toBeLessThan(0.01 * Math.min(...failed));
  });

  it("with local memory every session active at the disaster that comes back is lost", () => {
    for (const label of LOCAL) {
      const disaster = event(strategy(result, label), "disaster");
      expect(disaster.returnedSessions).toBeGreaterThan(500);
      expect(disaster.remapFraction).toBe(1);
      expect(disaster.lostSessions).toBe(disaster.returnedSessions);
      expect(disaster.lostByCause.serverCrash).toBe(disaster.lostSessions);
    }
  });

  it("a shared store, which the disaster does not touch, keeps every session", () => {
    const shared = strategy(result, SHARED);
    const disaster = event(shared, "disaster");
    expect(disaster.returnedSessions).toBeGreaterThan(500);
    expect(disaster.lostSessions).toBe(0);
    expect(shared.metrics.lostSessions).toBe(0);
  });
});

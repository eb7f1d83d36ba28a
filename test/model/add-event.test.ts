import { describe, expect, it } from "vitest";
import { runScenario } from "../../sim/run.js";
import { scenario } from "../helpers.js";

describe("an add event", () => {
  it("routes nothing to a new server before its start-up and `rise` health checks, then gives it its weight's share", () => {
    // Health checks every 2 s, rise 2. "big" joins at 60.5 s and accepts connections at 65.5 s;
    // its checks run at 62.5 and 64.5 (refused), 66.5 and 68.5 (passed): eligible from 68.5 s.
    const s = scenario({
      seed: 4,
      duration: "2m",
      replications: 1,
      clients: { visitsPerSecond: 50, requestsPerVisit: 1 },
      servers: { count: 2, workers: 8, service: "0s" },
      balancer: { healthCheck: { interval: "2s", rise: 2 } },
      metrics: { window: "1s" },
      strategies: ["round-robin"],
      events: [{ at: "60.5s", add: { servers: [{ name: "big", weight: 2 }] }, startup: "5s" }],
    });
    expect(s.events[0]).toMatchObject({ action: "add", servers: ["big"], options: { startup: 5 } });
    expect(s.servers.capacity).toBe(3);
    const r = runScenario(s).results[0];
    const big = r.timeline.serverRequests.map((w) => w[2] ?? 0); // windows before it joined have no column for it
    expect(big.findIndex((n) => n > 0)).toBe(68); // the window [68 s, 69 s)
    for (let w = 69; w < big.length; w++) expect(big[w]).toBeGreaterThan(0);
    // Weighted round robin over weights 1, 1, 2: "big" takes half of what is routed from then on.
    const after = r.timeline.serverRequests.slice(70);
    const total = after.reduce((sum, w) => sum + w.reduce((a, b) => a + b, 0), 0);
    const share = after.reduce((sum, w) => sum + w[2], 0) / total;
    expect(share).toBeGreaterThan(0.49);
    expect(share).toBeLessThan(0.51);
    expect(r.timeline.servers).toEqual(["s1", "s2", "big"]);
    expect(r.metrics.failedRequests).toBe(0); // nothing was sent to it before it could answer
  });

  it("adding 2 servers to 8 must move a fifth of the sessions; cookies move none, modulo hashing most, a ring about the fifth", () => {
    const s = scenario({
      seed: 3,
      duration: "10m",
      replications: 1,
      clients: { visitsPerSecond: 4, requestsPerVisit: 30, think: "5s" },
      servers: { count: 8, workers: 8, service: "10ms" },
      metrics: { window: "60s" },
      strategies: ["cookie-insert", "nginx-hash", "nginx-hash-consistent"],
      events: [{ at: "5m", add: { count: 2 } }],
    });
    const res = runScenario(s);
    // Default names continue after the last: s9, s10.
    expect(res.servers).toEqual(["s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10"]);
    const [cookie, modulo, ring] = res.results.map((r) => r.events[0]);
    for (const e of [cookie, modulo, ring]) {
      expect(e).toMatchObject({ action: "add", server: "s9, s10", minimumFraction: 0 });
      // Each new server's share is 1/10 and every old one shrinks: the shares grew by 2/10 in all.
      expect(e.balancedFraction).toBeCloseTo(0.2, 12);
      expect(e.returnedSessions).toBeGreaterThan(300);
    }
    // A cookie keeps naming a server that is still there.
    expect(cookie.movedSessions).toBe(0);
    expect(cookie.remapFraction).toBe(0);
    // nginx hash: 15 bits of CRC-32 mod 8 and mod 10 agree for a fifth of the values, so about
    // 80% move (binomial sd ≈ 0.017 over 300+ sessions).
    expect(modulo.remapFraction).toBeGreaterThan(0.7);
    expect(modulo.remapFraction).toBeLessThan(0.9);
    // Consistent hashing moves about the new servers' share of the ring.
    expect(ring.remapFraction).toBeGreaterThan(0.1);
    expect(ring.remapFraction).toBeLessThan(0.3);
  });
});

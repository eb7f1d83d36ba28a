import { describe, expect, it } from "vitest";
import { simulate } from "../../sim/model/simulation.js";
import { scenario } from "../helpers.js";

/** Visits of 13 requests a minute apart (12 minutes), sessions in a shared store with a 5-minute idle timeout. */
function run(ttl: string) {
  const s = scenario({
    duration: "2h",
    replications: 1,
    clients: { visitsPerSecond: 0.05, requestsPerVisit: 13, think: "60s" },
    servers: { count: 2, service: "1ms" },
    store: { kind: "shared", idleTimeout: "5m", ttl },
    strategies: ["round-robin"],
  });
  return simulate(s, s.strategies[0], 0).metrics;
}

describe("the shared store's key TTL", () => {
  it("sliding: every use renews it, so a session used every minute never expires", () => {
    const m = run("sliding");
    expect(m.lostSessions).toBe(0);
  });

  it("fixed: the key expires 5 minutes after its first write, twice in a 12-minute visit", () => {
    const m = run("fixed");
    // Requests about 60 s apart: the session written at 0 is gone at the request after 300 s (the
    // 6th, just after 300 s), the one written then at the 11th; the 13th, at about 720 s, is
    // still within the second's five minutes. Visits the run's end cuts short lose fewer.
    expect(m.lostByCause.storeTtl / m.visits).toBeGreaterThan(1.8);
    expect(m.lostByCause.storeTtl / m.visits).toBeLessThanOrEqual(2);
    expect(m.lostSessions).toBe(m.lostByCause.storeTtl);
  });
});

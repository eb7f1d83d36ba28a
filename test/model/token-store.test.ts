import { describe, expect, it } from "vitest";
import { simulate } from "../../sim/model/simulation.js";
import { scenario } from "../helpers.js";

/** Users who make 61 requests 30 s apart (a 30-minute visit), with client-side tokens. */
function run(token: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const s = scenario({
    duration: "4h",
    replications: 1,
    clients: { visitsPerSecond: 0.2, requestsPerVisit: 61, think: "30s" },
    servers: { count: 2, service: "1ms" },
    store: { kind: "token", idleTimeout: "2h", ...token },
    strategies: ["round-robin"],
    ...extra,
  });
  return simulate(s, s.strategies[0], 0).metrics;
}

describe("client-side tokens with a lifetime", () => {
  it("without refresh, a 10-minute token expires three times in a 30-minute visit", () => {
    const m = run({ lifetime: "10m", refresh: "none" });
    // Request k goes out 30.001 k s after the first (30 s think, 1 ms answer): the token issued at
    // the first is past its 600 s at request 20 (600.02 s), the next at request 40, the third at
    // request 60, the visit's last: three expiries a visit, fewer for visits the run's end cuts short.
    expect(m.lostByCause.tokenExpired / m.visits).toBeGreaterThan(2.5);
    expect(m.lostByCause.tokenExpired / m.visits).toBeLessThanOrEqual(3);
    // Revoked at a request, a token had on average about half its life left (requests are spread evenly over it).
    expect(Math.abs((m.revocationSeconds as number) - 300) / 300).toBeLessThan(0.06);
  });

  it("refreshed on every response, never expires while the user keeps coming, and stays usable for nearly a lifetime", () => {
    const m = run({ lifetime: "10m" });
    expect(m.lostByCause.tokenExpired).toBe(0);
    // Each read finds a token issued one think time (30 s plus the 1 ms answer) before: 570 s left.
    expect(m.revocationSeconds).toBeCloseTo(600 - 30.001, 3);
  });

  it("a denylist bounds how long a revoked session keeps working", () => {
    expect(run({ lifetime: "10m", denylist: "1m" }).revocationSeconds).toBe(60);
  });

  it("with no lifetime never expires, and revocation never takes effect (null)", () => {
    const m = run({});
    expect(m.lostByCause.tokenExpired).toBe(0);
    expect(m.revocationSeconds).toBeNull();
  });

  it("a user who comes back after the lifetime finds the token expired", () => {
    // Every visit is followed by a return 20 minutes later: the sliding 10-minute token has expired by then.
    const m = run({ lifetime: "10m" }, { clients: { visitsPerSecond: 0.2, requestsPerVisit: 3, think: "30s", returning: { fraction: 1, after: "20m" } } });
    expect(m.lostByCause.tokenExpired).toBeGreaterThan(0);
    // Each visit starts one session: a new user's, or a return's after its token was refused.
    expect(m.sessions).toBe(m.visits);
    expect(m.lostSessions).toBe(m.lostByCause.tokenExpired);
  });
});

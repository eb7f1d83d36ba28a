import { beforeAll, describe, expect, it } from "vitest";
import type { Result } from "../sim/index.js";
import { runBundled as run, strategy } from "./bundled.js";

// The headlines mobile-dynamic-ip.json, cookie-clearers.json and alb-cookie-duration.json state in
// their descriptions, checked on a full run of each file as shipped (its own seed and
// replications) against what their parameters predict. Each file runs in a few seconds.

/** Of four servers, a request re-balanced at random lands on another than before three times in four. */
const ELSEWHERE = 3 / 4;

describe("mobile-dynamic-ip.json", () => {
  const ADDRESS = ["nginx-ip-hash", "haproxy-source"];
  let result: Result;
  beforeAll(() => {
    result = run("mobile-dynamic-ip.json");
  });

  it("address affinity moves the requests that follow an address change, 6.8% of them, and loses their sessions: a third of the visits", () => {
    // A user's next address change comes an exponential time (mean 5 min) after the last one, and is
    // taken at its next request: a gap G between requests (exponential, mean 30 s) holds one with
    // probability 1 − E[e^(−G/300)] = 1 − 1/(1 + 30/300) = 9.1%.
    const changeInGap = 1 - 1 / (1 + 30 / 300);
    for (const label of ADDRESS) {
      const m = strategy(result, label).metrics;
      expect(Math.abs(m.remapRate! - changeInGap * ELSEWHERE), label).toBeLessThan(0.006);
      expect(m.lostByCause.addressChanged, label).toBe(m.lostSessions);
      expect(m.disruptedVisitRate!, label).toBeGreaterThan(0.28);
      expect(m.disruptedVisitRate!, label).toBeLessThan(0.4);
    }
  });

  it("Kubernetes ClientIP forgets most of them first: a pod's recent list keeps 100 addresses, and each pod has about 270 users in a visit", () => {
    const m = strategy(result, "k8s-client-ip").metrics, ipHash = strategy(result, "nginx-ip-hash").metrics;
    expect(m.sessionsInUse! / 4).toBeGreaterThan(200);
    // An evicted address is balanced afresh at its next request: three in four go elsewhere.
    expect(m.remapRate!).toBeGreaterThan(0.4);
    expect(m.remapRate!).toBeLessThan(ELSEWHERE);
    expect(m.lostByCause.remapped).toBeGreaterThan(m.lostByCause.addressChanged);
    expect(m.disruptedVisitRate!).toBeGreaterThan(2 * ipHash.disruptedVisitRate!);
  });

  it("cookie stickiness loses none", () => {
    const m = strategy(result, "cookie-insert").metrics;
    expect(m.lostSessions).toBe(0);
    expect(m.remapRate).toBe(0);
  });
});

describe("cookie-clearers.json", () => {
  const ALL = ["cookie-insert", "haproxy-source", "round-robin + shared store"];
  let result: Result;
  beforeAll(() => {
    result = run("cookie-clearers.json");
  });

  it("the visits that start with cleared cookies lose their session, the same ones whatever the balancer and the store", () => {
    const lost = ALL.map((label) => strategy(result, label).metrics.lostSessions);
    expect(lost[0]).toBeGreaterThan(400);
    expect(new Set(lost).size).toBe(1);
    for (const label of ALL) {
      const m = strategy(result, label).metrics;
      expect(m.lostByCause.cookieCleared).toBe(m.lostSessions);
      // 5% of the visits clear cookies; only those returning to a live session (most visits) lose one.
      expect(m.disruptedVisitRate!).toBeGreaterThan(0.035);
      expect(m.disruptedVisitRate!).toBeLessThan(0.05);
    }
  });

  it("a shared store moves the users between servers at every request and still loses nothing else", () => {
    expect(strategy(result, "round-robin + shared store").metrics.remapRate!).toBeGreaterThan(0.7);
    expect(strategy(result, "cookie-insert").metrics.remapRate).toBe(0);
  });
});

describe("alb-cookie-duration.json", () => {
  let result: Result;
  beforeAll(() => {
    result = run("alb-cookie-duration.json");
  });

  /** Lost sessions per returning visit: half the visits are returns (each visit is followed by one with probability 0.5; warm start, so in steady state). */
  const perReturn = (label: string) => {
    const m = strategy(result, label).metrics;
    return m.lostSessions / (m.visits / 2);
  };

  it("a duration shorter than the return gap loses returning sessions: 45% with 5 minutes, 16% with 15", () => {
    // A return comes an exponential gap (mean 10 min) after the visit. The cookie is stale when the
    // gap exceeds the duration D, the session (1 h idle timeout) still live when it does not exceed
    // 1 h: probability e^(−D/10m) − e^(−6), three times in four re-balanced to another server.
    for (const [label, minutes] of [["AWSALB 5 min", 5], ["AWSALB 15 min", 15]] as const) {
      const expected = (Math.exp(-minutes / 10) - Math.exp(-6)) * ELSEWHERE;
      expect(Math.abs(perReturn(label) - expected), label).toBeLessThan(0.03);
      expect(strategy(result, label).metrics.lostByCause.remapped).toBe(strategy(result, label).metrics.lostSessions);
    }
  });

  it("a duration of at least the application's idle timeout loses none", () => {
    for (const label of ["AWSALB 1 h", "AWSALB 1 day (default)"]) expect(strategy(result, label).metrics.lostSessions).toBe(0);
  });
});

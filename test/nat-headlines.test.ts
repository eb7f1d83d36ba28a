import { beforeAll, describe, expect, it } from "vitest";
import type { Result, StrategyResult } from "../sim/index.js";
import { runBundled as run, strategy } from "./bundled.js";

// The headlines the NAT and proxy scenarios' descriptions state, checked on full runs of the files
// as shipped (their own seeds and replications). Each runs in a few seconds.

const skew = (s: StrategyResult) => s.metrics.loadSkew as number;
/** Requests each server got over the first replication's windows. */
const perServer = (s: StrategyResult) => s.timeline.serverRequests.reduce((sum, row) => sum.map((x, i) => x + (row[i] ?? 0)), s.timeline.serverRequests[0].map(() => 0));
/** The share of load windows in which the busiest server is the one busiest most often. */
function sameHotSpot(s: StrategyResult): number {
  const busiest = s.timeline.serverRequests.map((row) => row.indexOf(Math.max(...row)));
  const counts = new Map<number, number>();
  for (const b of busiest) counts.set(b, (counts.get(b) ?? 0) + 1);
  return Math.max(...counts.values()) / busiest.length;
}

const IP_HASH = "nginx-ip-hash", CONSISTENT = "nginx hash $remote_addr consistent", COOKIE = "cookie-insert";

describe("corporate-nat.json", () => {
  let result: Result;
  beforeAll(() => {
    result = run("corporate-nat.json");
  });

  it("address affinity keeps every session and puts each office on one server: a lasting hot spot", () => {
    for (const label of [IP_HASH, CONSISTENT]) {
      const s = strategy(result, label);
      expect(s.metrics.lostSessions).toBe(0);
      expect(skew(s)).toBeGreaterThan(1.2);
      expect(skew(s)).toBeLessThan(1.5);
      // The same server is the busiest in most minutes: the big offices are there all run long.
      expect(sameHotSpot(s)).toBeGreaterThan(0.9);
      expect(s.metrics.peakUtilisation).toBeGreaterThan(strategy(result, COOKIE).metrics.peakUtilisation + 0.08);
    }
  });

  it("cookies keep the sessions too and spread the offices' users", () => {
    const cookie = strategy(result, COOKIE);
    expect(cookie.metrics.lostSessions).toBe(0);
    expect(skew(cookie)).toBeLessThan(1.1);
    expect(cookie.metrics.peakUtilisation).toBeLessThan(0.55);
    // No server stays the busiest: which one is, minute by minute, is chance.
    expect(sameHotSpot(cookie)).toBeLessThan(0.6);
  });
});

describe("carrier-nat.json", () => {
  let result: Result;
  beforeAll(() => {
    result = run("carrier-nat.json");
  });

  it("ip_hash lands each /24 pool whole on one server, and that server's queue sets the p99", () => {
    const ipHash = strategy(result, IP_HASH), cookie = strategy(result, COOKIE);
    expect(skew(ipHash)).toBeGreaterThan(1.5);
    expect(ipHash.metrics.peakUtilisation).toBeGreaterThan(0.75);
    expect(ipHash.metrics.latencyMs.p99 as number).toBeGreaterThan(5 * (cookie.metrics.latencyMs.p99 as number));
  });

  it("hashing the full address spreads the pool's addresses, and cookies the users", () => {
    expect(skew(strategy(result, CONSISTENT))).toBeLessThan(1.35);
    expect(skew(strategy(result, COOKIE))).toBeLessThan(1.1);
    for (const label of [IP_HASH, CONSISTENT, COOKIE]) expect(strategy(result, label).metrics.lostSessions).toBe(0);
  });
});

describe("cdn-forwarded-for.json", () => {
  let result: Result;
  beforeAll(() => {
    result = run("cdn-forwarded-for.json");
  });

  it("hashing the connection sees the CDN: ip_hash two /24s (two servers), hash $remote_addr 20 addresses", () => {
    const ipHash = strategy(result, IP_HASH);
    expect(perServer(ipHash).filter((n) => n > 0).length).toBeLessThanOrEqual(2);
    expect(skew(ipHash)).toBeGreaterThan(2.5);
    expect(skew(strategy(result, "nginx hash $remote_addr"))).toBeGreaterThan(1.4);
  });

  it("hashing X-Forwarded-For sees the users: nearly as even as cookies, every session kept", () => {
    const header = strategy(result, "nginx hash $http_x_forwarded_for");
    expect(skew(header)).toBeLessThan(1.25);
    expect(skew(strategy(result, COOKIE))).toBeLessThan(1.1);
    for (const s of result.results) {
      expect(s.metrics.lostSessions, s.strategy).toBe(0);
      expect(s.metrics.remapRate, s.strategy).toBe(0);
    }
  });
});

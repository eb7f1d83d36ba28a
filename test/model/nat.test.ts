import { describe, expect, it } from "vitest";
import { simulate } from "../../sim/model/simulation.js";
import { scenario } from "../helpers.js";

/** Short visits on four servers; `clients` adds the NAT and proxy blocks. */
function run(visitsPerSecond: number, clients: Record<string, unknown>, strategies: unknown[]) {
  const s = scenario({
    duration: "20m",
    replications: 1,
    clients: { visitsPerSecond, requestsPerVisit: { dist: "geometric", mean: 5 }, think: "2s", ...clients },
    servers: { count: 4 },
    store: { kind: "local", idleTimeout: "30m" },
    strategies,
  });
  return Object.fromEntries(s.strategies.map((entry) => [entry.label, simulate(s, entry, 0)]));
}

const shares = (requests: number[]) => {
  const total = requests.reduce((a, b) => a + b, 0);
  return requests.map((r) => r / total);
};

describe("NAT addresses are places users come from", () => {
  it("the load ip_hash puts on each server does not depend on the arrival rate", () => {
    // Sixteen offices of pareto sizes: the same offices at 10 and at 25 visits a second.
    const nat = { fraction: 1, addresses: 16 };
    const slow = run(10, { nat }, ["nginx-ip-hash"])["nginx-ip-hash"], fast = run(25, { nat }, ["nginx-ip-hash"])["nginx-ip-hash"];
    const a = shares(slow.servers.requests), b = shares(fast.servers.requests);
    // Skewed (the offices are of very different sizes) ...
    expect(Math.max(...a)).toBeGreaterThan(0.35);
    // ... and by the same amount at both rates: each server's share within sampling noise (a few thousand users per run).
    for (let i = 0; i < 4; i++) expect(Math.abs(a[i] - b[i]), `server ${i}`).toBeLessThan(0.03);
    expect(Math.abs((slow.metrics.loadSkew as number) - (fast.metrics.loadSkew as number))).toBeLessThan(0.1);
  });

  it("ip_hash sends a pool packed into one /24 to one server; hashing the whole address spreads it", () => {
    const runs = run(10, { nat: { fraction: 1, addresses: 40, networks: 1, groupSize: 252 } }, ["nginx-ip-hash", "nginx-hash-consistent", "cookie-insert"]);
    expect(runs["nginx-ip-hash"].metrics.loadSkew).toBe(4); // every request on one of four servers
    expect(runs["nginx-hash-consistent"].metrics.loadSkew).toBeLessThan(2.5); // 40 addresses on a ring: lumpy, not one server
    expect(runs["cookie-insert"].metrics.loadSkew).toBeLessThan(1.2);
  });
});

describe("proxies in front of the balancer", () => {
  const strategies = ["nginx-ip-hash", "nginx-hash", { id: "nginx-hash", label: "hash xff", key: "forwarded-for" }, { id: "ring-hash", label: "ring xff", key: "forwarded-for" }];
  const behind = (forwardedFor: unknown) => run(10, { proxies: { fraction: 1, count: 2, networks: 1, forwardedFor } }, strategies);

  it("with X-Forwarded-For, address hashing sees two proxies and hashing the header sees every client", () => {
    const r = behind("header");
    expect(r["nginx-ip-hash"].metrics.loadSkew).toBe(4); // both proxies in one /24
    expect(r["nginx-hash"].metrics.loadSkew).toBeGreaterThanOrEqual(2); // two addresses: two servers at most
    for (const label of ["hash xff", "ring xff"]) {
      expect(r[label].metrics.loadSkew).toBeLessThan(1.3);
      expect(r[label].metrics.remapRate).toBe(0);
    }
  });

  it("without the header, nginx hashes an empty key, which it balances round robin: even load, sessions lost", () => {
    const r = behind(false);
    expect(r["hash xff"].metrics.loadSkew).toBeLessThan(1.05);
    // Round robin over four servers moves three requests in four.
    expect(r["hash xff"].metrics.remapRate).toBeGreaterThan(0.7);
    // Envoy-style hashing falls back to the address: the two proxies.
    expect(r["ring xff"].metrics.loadSkew).toBeGreaterThanOrEqual(2);
  });

  it("with the PROXY protocol the balancer sees the clients' own addresses", () => {
    const r = behind("proxy-protocol");
    expect(r["nginx-ip-hash"].metrics.loadSkew).toBeLessThan(1.3);
    expect(r["nginx-hash"].metrics.loadSkew).toBeLessThan(1.3);
    expect(r["nginx-hash"].metrics.remapRate).toBe(0);
  });
});

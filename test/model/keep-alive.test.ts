import { describe, expect, it } from "vitest";
import { runScenario } from "../../sim/run.js";
import { scenario } from "../helpers.js";

/** Three servers keeping sessions in memory; visits of 20 requests 20 s apart on average. */
function run(options: { keepAlive?: string; replicas?: number; strategy: unknown; mobile?: boolean; crash?: boolean }) {
  return runScenario(
    scenario({
      seed: 5,
      duration: "40m",
      warmup: "5m",
      warmStart: true,
      replications: 1,
      clients: {
        visitsPerSecond: 2,
        requestsPerVisit: { dist: "geometric", mean: 20 },
        think: { dist: "exponential", mean: "20s" },
        ...(options.keepAlive ? { keepAlive: options.keepAlive } : {}),
        ...(options.mobile ? { mobile: { fraction: 1, addressChangeEvery: { dist: "exponential", mean: "2m" } } } : {}),
      },
      servers: { count: 3 },
      balancer: { replicas: options.replicas ?? 1, healthCheck: { interval: "2s", fall: 2, rise: 2 } },
      strategies: [options.strategy],
      events: options.crash ? [{ at: "20m", crash: "s2" }] : [],
    }),
  ).results[0].metrics;
}

const clientIp = (timeout: number) => ({ id: "k8s-client-ip", timeout, listSize: 100_000 });

describe("kept-alive connections", () => {
  it("leave a balancer that routes requests deciding every request", () => {
    expect(run({ strategy: "round-robin", keepAlive: "1h" })).toEqual(run({ strategy: "round-robin" }));
  });

  it("restart kube-proxy's ClientIP timeout only when a new connection opens", () => {
    // One connection per request: a pause over the 60 s timeout (e^-3 of them) re-picks a pod at random, another one 2 times in 3.
    const perRequest = run({ strategy: clientIp(60) });
    expect(Math.abs(perRequest.remapRate! - Math.exp(-3) * (2 / 3))).toBeLessThan(0.01);
    // A connection kept for the whole visit is never balanced again, however long its pauses.
    expect(run({ strategy: clientIp(60), keepAlive: "1h" }).remapRate!).toBeLessThan(0.002);
    // Connections that close after 30 s idle: the next one finds the entry set when the previous connection opened, often over 60 s ago.
    const shortLived = run({ strategy: clientIp(60), keepAlive: "30s" });
    expect(shortLived.remapRate!).toBeGreaterThan(2 * perRequest.remapRate!);
  });

  it("keep their balancer replica, so a replica's own table holds the connection's requests together", () => {
    const apart = run({ strategy: clientIp(10_800), replicas: 3 });
    expect(apart.remapRate!).toBeGreaterThan(0.4);
    expect(run({ strategy: clientIp(10_800), replicas: 3, keepAlive: "1h" }).remapRate!).toBeLessThan(0.002);
  });

  it("break when the client's address changes or the server process dies", () => {
    expect(run({ strategy: clientIp(10_800), keepAlive: "1h", mobile: true }).remapRate!).toBeGreaterThan(0.02);
    const crashed = run({ strategy: clientIp(10_800), keepAlive: "1h", crash: true });
    const perRequest = run({ strategy: clientIp(10_800), crash: true });
    // Kept connections to the dead process are not reused: no more requests are refused than without them.
    expect(crashed.failedRequests).toBeLessThanOrEqual(perRequest.failedRequests * 1.2 + 5);
    expect(crashed.lostByCause.serverCrash).toBeGreaterThan(0);
  });
});

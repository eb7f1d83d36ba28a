import { beforeAll, describe, expect, it } from "vitest";
import type { ConnectionMetrics, Result } from "../sim/index.js";
import { runBundled as run, strategy } from "./bundled.js";

// The headline websocket-chat.json states in its description, checked on a full run of the file as
// shipped (its own seed and replications). About 15 s.
//
// 37.5 visits a second of N requests (geometric, mean 10) 60 s apart (exponential): a visit lasts
// about 9 minutes, so about 37.5 × 535 s ≈ 20,000 users are connected at once, a quarter on each
// of 4 servers. s3 crashes at 20m and recovers at 25m.

describe("websocket-chat.json", () => {
  let result: Result;
  const connections = (label: string): ConnectionMetrics => strategy(result, label).metrics.connections!;
  beforeAll(() => {
    result = run("websocket-chat.json");
  });

  it("20,000 connections; the crash drops the quarter on s3", () => {
    for (const label of ["ip_hash", "least_conn", "round robin"]) {
      const c = connections(label);
      expect(c.meanOpen!).toBeGreaterThan(19_000);
      expect(c.meanOpen!).toBeLessThan(21_000);
      expect(c.dropped / c.meanOpen!).toBeGreaterThan(0.22);
      expect(c.dropped / c.meanOpen!).toBeLessThan(0.28);
    }
  });

  it("socket.io's first delay, 0.55 to 1.5 s, packs the reconnects into the two seconds after the crash: a storm of about half of them per second", () => {
    for (const label of ["ip_hash", "least_conn", "round robin"]) {
      const c = connections(label);
      expect(c.peakReconnectAt!).toBeGreaterThanOrEqual(1200);
      expect(c.peakReconnectAt!).toBeLessThanOrEqual(1201);
      expect(c.peakReconnectsPerSecond / c.dropped).toBeGreaterThan(0.4);
      expect(c.peakReconnectsPerSecond / c.dropped).toBeLessThan(0.65);
    }
  });

  it("ip_hash sends its clients' reconnects back to the dead server until the health checks catch it: each is refused once", () => {
    const ipHash = connections("ip_hash"), roundRobin = connections("round robin");
    expect(ipHash.refused / ipHash.dropped).toBeGreaterThan(0.9);
    expect(roundRobin.refused / roundRobin.dropped).toBeLessThan(0.4);
  });

  it("connections do not move back: skew stays above 1.2 for minutes after s3 returns, unless the balancer counts connections", () => {
    const ipHash = connections("ip_hash"), roundRobin = connections("round robin"), leastConn = connections("least_conn");
    expect(ipHash.skewAfterReturnSeconds!).toBeGreaterThan(240);
    expect(roundRobin.skewAfterReturnSeconds!).toBeGreaterThan(240);
    expect(leastConn.skewAfterReturnSeconds!).toBeLessThan(120);
    expect(leastConn.skew!).toBeLessThan(ipHash.skew!);
    // least_conn pays in requests: it sends every request to the returned, emptiest server.
    expect(strategy(result, "least_conn").metrics.loadSkew!).toBeGreaterThan(strategy(result, "round robin").metrics.loadSkew! + 0.1);
  });
});

import { describe, expect, it } from "vitest";
import { runScenario } from "../../sim/run.js";
import { scenario } from "../helpers.js";

/**
 * About 1,800 open connections (3 visits a second, half of them of more than one request, which
 * then last 20 minutes on average: every user connected) on servers of one worker; requests take 1 ms.
 */
function run(websocket: Record<string, unknown>, extra: { servers?: number; queueLimit?: number; events?: unknown[]; duration?: string } = {}) {
  return runScenario(
    scenario({
      seed: 3,
      duration: extra.duration ?? "4h",
      warmup: "2h",
      replications: 1,
      clients: {
        visitsPerSecond: 3,
        requestsPerVisit: { dist: "geometric", mean: 2 },
        think: { dist: "exponential", mean: "10m" },
        websocket: { fraction: 1, ...websocket },
      },
      servers: { count: extra.servers ?? 1, workers: 1, service: "1ms", ...(extra.queueLimit ? { queueLimit: extra.queueLimit } : {}) },
      strategies: ["least-connections"],
      events: extra.events ?? [],
    }),
  ).results[0].metrics;
}

describe("messages simulated one by one", () => {
  it("wait in the server's queue as an M/M/1 queue says", () => {
    // 1,800 connections × 1/36 message per second = 50 messages a second at a server that answers 100: W = 1 / (100 - 50) = 20 ms.
    const m = run({ messagesPerSecond: 1 / 36, messageService: { dist: "exponential", mean: "10ms" } });
    const c = m.connections!;
    expect(Math.abs(c.meanOpen! - 1800) / 1800).toBeLessThan(0.05);
    expect(Math.abs(c.messageLatencyMs!.mean! - 20)).toBeLessThan(2);
    // The sojourn time is exponential with mean 20 ms: its median is 20 ln 2.
    expect(Math.abs(c.messageLatencyMs!.p50! - 20 * Math.LN2)).toBeLessThan(1.5);
    // Every message carried is answered; the server is busy half the time.
    expect(Math.abs(c.messagesAnswered! - c.messages) / c.messages).toBeLessThan(0.02);
    expect(Math.abs(m.utilisation! - 0.5)).toBeLessThan(0.03);
    // Requests wait behind messages too.
    expect(m.latencyMs.mean!).toBeGreaterThan(10);
  });

  it("are only counted, at no cost to the requests, without a service time", () => {
    const counted = run({ messagesPerSecond: 1 / 36 });
    expect(counted.connections!.messageLatencyMs).toBeUndefined();
    expect(counted.latencyMs.p99!).toBeLessThan(1.1);
  });

  it("are dropped by a full queue and with a crashed server, and keep a stopping server running until answered", () => {
    const full = run({ messagesPerSecond: 1 / 9, messageService: "10ms" }, { queueLimit: 5 });
    // 200 messages a second at a server that answers 100: about half find the queue full.
    const dropped = full.connections!.messagesDropped! / (full.connections!.messagesDropped! + full.connections!.messagesAnswered!);
    expect(Math.abs(dropped - 0.5)).toBeLessThan(0.05);
    const crash = run({ messagesPerSecond: 1 / 9, messageService: "10ms" }, { servers: 2, events: [{ at: "3h", crash: "s1" }, { at: "181m", recover: "s1" }] });
    expect(crash.connections!.messagesDropped).toBeGreaterThan(0);
    const stop = run({ messagesPerSecond: 1 / 9, messageService: "10ms" }, { servers: 2, events: [{ at: "3h", stop: "s1" }, { at: "181m", start: "s1" }] });
    expect(stop.connections!.dropped).toBeGreaterThan(500);
    expect(stop.connections!.messagesAnswered).toBeGreaterThan(0);
  });
});

import { describe, expect, it } from "vitest";
import { runScenario } from "../../sim/run.js";
import { scenario } from "../helpers.js";

/** Every user holds a connection for its visit of long think times; one of four servers crashes at 10m (an exact second). */
function chat(websocket: Record<string, unknown>, extra: { strategies?: unknown[]; events?: unknown[]; servers?: Record<string, unknown> } = {}) {
  return runScenario(
    scenario({
      seed: 3,
      duration: "20m",
      warmup: "5m",
      warmStart: true,
      replications: 1,
      clients: { visitsPerSecond: 4, requestsPerVisit: { dist: "geometric", mean: 10 }, think: { dist: "exponential", mean: "60s" }, websocket: { fraction: 1, ...websocket } },
      servers: { count: 4, workers: 8, service: "10ms", ...extra.servers },
      store: { kind: "shared" },
      strategies: extra.strategies ?? ["round-robin"],
      events: extra.events ?? [{ at: "10m", crash: "s2" }],
    }),
  );
}

describe("WebSocket connections", () => {
  it("open one per visit and carry messages at the given rate while open", () => {
    const r = chat({ messagesPerSecond: 0.5 }, { events: [] }).results[0];
    const c = r.metrics.connections!;
    expect(c.dropped).toBe(0);
    expect(c.reconnectAttempts).toBe(0);
    // One connection per visit, opened at its first response (milliseconds after the visit starts).
    expect(Math.abs(c.opened - r.metrics.visits) / r.metrics.visits).toBeLessThan(0.01);
    // Messages: 0.5 per second per open connection, integrated over the measured 15 minutes.
    expect(c.messagesPerSecond / (c.meanOpen! * 0.5)).toBeCloseTo(1, 1);
    expect(r.timeline.serverConnections!.length).toBe(r.timeline.t.length);
  });

  it("a crash drops the server's connections; with SignalR's 0 s first delay they all come back in the crash's second", () => {
    const r = chat({ reconnect: "signalr" }).results[0];
    const c = r.metrics.connections!;
    const atCrash = r.timeline.serverConnections![3][1]; // s2 at 9m (windows from the 5m warmup; the crash empties it before the 10m window closes)
    expect(c.dropped).toBeGreaterThan(0.8 * atCrash);
    expect(c.dropped).toBeLessThan(1.2 * atCrash);
    expect(c.peakReconnectAt).toBe(600);
    expect(c.peakReconnectsPerSecond).toBe(c.dropped);
  });

  it("socket.io spreads the first wave over [0.55, 1.5) s: a lower peak in the crash's first two seconds", () => {
    const signalr = chat({ reconnect: "signalr" }).results[0].metrics.connections!;
    const socketio = chat({ reconnect: "socket.io" }).results[0].metrics.connections!;
    expect(socketio.dropped).toBe(signalr.dropped);
    expect([600, 601]).toContain(socketio.peakReconnectAt);
    expect(socketio.peakReconnectsPerSecond).toBeLessThan(0.8 * socketio.dropped);
  });

  it("every attempt the balancer sends to the undetected dead server is refused; the reconnects then open elsewhere", () => {
    const c = chat({ reconnect: "phoenix" }, { strategies: ["nginx-ip-hash"] }).results[0].metrics.connections!;
    expect(c.refused).toBeGreaterThan(0);
    // A few visits end while waiting to reconnect.
    expect(c.reconnects).toBeLessThanOrEqual(c.dropped);
    expect(c.reconnects).toBeGreaterThan(0.98 * c.dropped);
    // Every reconnect attempt opened or was refused (refusals also count first connections of new visits).
    expect(c.reconnectAttempts - c.reconnects).toBeGreaterThan(0);
    expect(c.reconnectAttempts - c.reconnects).toBeLessThanOrEqual(c.refused);
    expect(c.gaveUp).toBe(0);
  });

  it("a client whose attempts are used up gives up", () => {
    const c = chat({ reconnect: { delays: ["100ms"] } }, { strategies: ["nginx-ip-hash"] }).results[0].metrics.connections!;
    // ip_hash sends the one attempt back to the crashed server, which the health checks have not caught yet;
    // new visits hashed there before then are refused their first connection and give up too.
    expect(c.gaveUp).toBeGreaterThanOrEqual(c.dropped);
    expect(c.reconnects).toBe(0);
  });

  it("a server holds at most maxConnections; upgrades beyond are refused", () => {
    const r = chat({}, { events: [], servers: { maxConnections: 50 } }).results[0];
    const peak = Math.max(...r.timeline.serverConnections!.flat());
    expect(peak).toBeLessThanOrEqual(50);
    expect(peak).toBe(50);
    expect(r.metrics.connections!.refused).toBeGreaterThan(0);
  });

  it("connections never move back: a returned server stays short longer under round robin than under least connections", () => {
    const events = [{ at: "7m", crash: "s2" }, { at: "8m", recover: "s2" }];
    const result = chat({}, { strategies: ["round-robin", "least-connections"], events });
    const [rr, lc] = result.results.map((r) => r.metrics.connections!);
    expect(rr.skewAfterReturnSeconds).toBeGreaterThan(60);
    expect(lc.skewAfterReturnSeconds!).toBeLessThan(rr.skewAfterReturnSeconds! / 2);
  });

  it("a drain keeps its connections until the deadline cuts them", () => {
    const c = chat({ reconnect: "signalr" }, { events: [{ at: "8m", drain: "s2", deadline: "2m" }] }).results[0].metrics.connections!;
    expect(c.dropped).toBeGreaterThan(0);
    expect(c.peakReconnectAt).toBe(600);
  });

  it("runs without connections have no connection metrics or series", () => {
    const r = chat({ fraction: 0 }).results[0];
    expect(r.metrics.connections).toBeUndefined();
    expect(r.timeline.serverConnections).toBeUndefined();
  });
});

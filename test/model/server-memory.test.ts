import { describe, expect, it } from "vitest";
import { ServerMemory } from "../../sim/model/stores/server-memory.js";
import { simulate } from "../../sim/model/simulation.js";
import { scenario } from "../helpers.js";

describe("sessions held in server memory", () => {
  it("keeps expired copies until a cleanup finds them expired, and loses all of a server's at a crash", () => {
    const epoch = new Int32Array(2);
    // Idle timeout 100 s, cleanups every 60 s (at 60, 120, 180, ...).
    const memory = new ServerMemory(2, epoch, 100, 60);
    const a = memory.add(0, 0);
    memory.add(0, 10);
    memory.add(1, 20);
    memory.touch(a, 50); // a last used at 50: expired from 150
    memory.update(119); // last cleanup at 60: nothing had expired then (the oldest use, 10, expires at 110)
    expect(Array.from(memory.held)).toEqual([2, 1]);
    memory.update(125); // the cleanup at 120 finds the copy used at 10 expired (110 < 120), not the one used at 20 (120 is not before 120)
    expect(Array.from(memory.held)).toEqual([1, 1]);
    memory.update(179);
    expect(Array.from(memory.held)).toEqual([1, 1]); // no cleanup since 120
    memory.add(0, 170);
    memory.update(180); // the cleanup at 180: the copy used at 20 (expired at 120) and a (expired at 150) go, the new one stays
    expect(Array.from(memory.held)).toEqual([1, 0]);
    epoch[0]++; // server 0 crashes
    memory.update(181);
    expect(Array.from(memory.held)).toEqual([0, 0]);
  });

  it("never cleaned up, grows with every session ever started; cleaned up, levels off", () => {
    const run = (sessionCleanupEvery: string) => {
      const s = scenario({
        duration: "2h",
        replications: 1,
        clients: { visitsPerSecond: 2, requestsPerVisit: 5, think: "10s" },
        servers: { count: 2, sessionCleanupEvery },
        store: { kind: "local", idleTimeout: "10m", sessionBytes: 1000 },
        metrics: { window: "5m" },
        strategies: ["cookie-insert"],
      });
      const r = simulate(s, s.strategies[0], 0);
      return { r, held: (r.timeline.serverSessionsHeld as number[][]).map((row) => row[0] + row[1]) };
    };
    const never = run("never"), cleaned = run("1m");
    // Never: every session started so far is still held (one per visit: 2 a second).
    never.held.forEach((h, i) => expect(Math.abs(h - 2 * 300 * (i + 1)) / (2 * 300 * (i + 1))).toBeLessThan(0.1));
    // Cleaned every minute: sessions live for their visit (~40 s) plus the 10-minute idle timeout plus up to a
    // minute until the cleanup, so about 2/s × (40 + 600 + 30) s ≈ 1,340 are held once it has levelled off.
    for (const h of cleaned.held.slice(3)) expect(Math.abs(h - 1340) / 1340).toBeLessThan(0.15);
    // The peak is per server, in sessions and bytes.
    expect(cleaned.r.metrics.peakBytesHeld).toBe((cleaned.r.metrics.peakSessionsHeld as number) * 1000);
    expect(never.r.metrics.peakSessionsHeld as number).toBeGreaterThan(2 * (cleaned.r.metrics.peakSessionsHeld as number));
  });

  it("is not reported for a store outside the servers", () => {
    const s = scenario({ duration: "10m", replications: 1, clients: { visitsPerSecond: 1 }, servers: { count: 2 }, store: { kind: "shared" }, strategies: ["round-robin"] });
    const r = simulate(s, s.strategies[0], 0);
    expect(r.metrics.peakSessionsHeld).toBeNull();
    expect(r.timeline.serverSessionsHeld).toBeUndefined();
  });
});

import { describe, expect, it } from "vitest";
import { simulate } from "../../sim/model/simulation.js";
import { StoreMemory } from "../../sim/model/stores/store-memory.js";
import { scenario } from "../helpers.js";

describe("a store's memory limit", () => {
  it("evicts the least recently used session, reads counting as uses", () => {
    const m = new StoreMemory(2, true, 1000);
    expect(m.write(0, 0)).toBe(true);
    expect(m.write(1, 1)).toBe(true);
    m.read(0, 2); // 0 is now more recent than 1
    expect(m.write(2, 3)).toBe(true); // full: 1 goes
    expect([m.evicted(0), m.evicted(1), m.evicted(2)]).toEqual([false, true, false]);
    expect(m.evictions).toBe(1);
    expect(m.write(1, 4)).toBe(true); // written again, it is back, and 0 (used at 2) goes
    expect([m.evicted(0), m.evicted(1)]).toEqual([true, false]);
  });

  it("with noeviction refuses new sessions once full, but lets held ones be written", () => {
    const m = new StoreMemory(2, false, 1000);
    m.write(0, 0);
    m.write(1, 1);
    expect(m.write(2, 2)).toBe(false);
    expect(m.write(0, 3)).toBe(true);
    expect(m.evictions).toBe(0);
  });

  it("drops expired sessions before it evicts or refuses anything", () => {
    const m = new StoreMemory(2, false, 10);
    m.write(0, 0);
    m.write(1, 5);
    expect(m.write(2, 12)).toBe(true); // 0 expired at 10: its room is free
    expect(m.evicted(0)).toBe(false); // expired, not evicted
    expect(m.write(3, 13)).toBe(false); // 1 (until 15) and 2 are live: full
  });
});

describe("a shared store with maxmemory in a run", () => {
  // 2 visits/s of 30 requests 20 s apart: about 2 × 580 = 1,160 sessions in use; the store holds 500.
  const run = (eviction: string) => {
    const s = scenario({
      duration: "1h",
      replications: 1,
      clients: { visitsPerSecond: 2, requestsPerVisit: 30, think: "20s" },
      servers: { count: 2 },
      store: { kind: "shared", idleTimeout: "30m", maxMemory: "1000kb", sessionBytes: 2048, eviction },
      strategies: ["round-robin"],
    });
    return simulate(s, s.strategies[0], 0).metrics;
  };

  it("noeviction: once full, new sessions are refused (storeFull) and those held carry on", () => {
    const m = run("noeviction");
    expect(m.lostByCause.storeFull).toBeGreaterThan(0);
    expect(m.lostByCause.evicted).toBe(0);
    // The 500 sessions held keep working: at least 500 sessions were never lost.
    expect(m.sessions - m.lostSessions).toBeGreaterThanOrEqual(500);
  });

  it("allkeys-lru: sessions are evicted, least recently used first, and every session still starts", () => {
    const m = run("allkeys-lru");
    expect(m.lostByCause.evicted).toBeGreaterThan(0);
    expect(m.lostByCause.storeFull).toBe(0);
    expect(run("volatile-lru")).toEqual(m); // every session has a TTL
  });
});

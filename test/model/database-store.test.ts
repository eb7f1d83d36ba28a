import { describe, expect, it } from "vitest";
import { simulate } from "../../sim/model/simulation.js";
import { scenario } from "../helpers.js";

describe("the database store preset", () => {
  const base = { duration: "20m", replications: 1, clients: { visitsPerSecond: 2, requestsPerVisit: 10, think: "5s" }, servers: { count: 2, service: "10ms" }, strategies: ["round-robin"] };

  it("is the shared-store model with a database's defaults", () => {
    expect(scenario({ ...base, store: { kind: "database" } }).store).toMatchObject({
      kind: "database",
      latency: { dist: "lognormal", mean: 0.002, cv: 0.5 },
      capacity: { connections: 20, opTime: 0.001 },
      persistence: { mode: "aof", fsync: "always" },
    });
  });

  it("answers more slowly than a 1 ms Redis, and a restart loses nothing committed", () => {
    const run = (store: Record<string, unknown>) => {
      const s = scenario({ ...base, store, events: [{ at: "11m", storeRestart: true }] });
      return simulate(s, s.strategies[0], 0).metrics;
    };
    const redis = run({ kind: "shared" }), database = run({ kind: "database" });
    // A query is a 2 ms round trip plus 1 ms of work, twice a request: about 6 ms against 2 ms.
    expect((database.latencyMs.p50 as number) - (redis.latencyMs.p50 as number)).toBeGreaterThan(3);
    expect(database.lostByCause.storeDataLoss).toBe(0);
    // Redis's default RDB save point of 300 s and 100 changes last fired at 600 s: the sessions begun
    // in the minute since are lost at the restart.
    expect(redis.lostByCause.storeDataLoss).toBeGreaterThan(0);
  });
});

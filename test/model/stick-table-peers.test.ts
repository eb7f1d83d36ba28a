import { describe, expect, it } from "vitest";
import { replicasRun } from "./replicas-fixture.js";

const run = (replicas: number, strategies: unknown[], events: unknown[] = []) => replicasRun(replicas, strategies, events);

const own = { id: "haproxy-stick-table", on: "src" };
const peers = { ...own, peers: true };

describe("haproxy-stick-table peers in a simulation", () => {
  it("keep table stickiness across balancer replicas, which each replica's own table breaks", () => {
    const [one] = run(1, [own]);
    const [apart, shared, slow] = run(2, [own, peers, { ...own, peers: { delay: 30 } }]);
    expect(one.metrics.remapRate).toBe(0);
    // Apart, a request that reaches the other replica finds no entry there, or an old one.
    expect(apart.metrics.remapRate!).toBeGreaterThan(0.3);
    expect(apart.metrics.lostByCause.remapped).toBeGreaterThan(0.5 * apart.metrics.sessions);
    // Shared within a millisecond: a request 20 s after the last one finds its entry on either replica, as on one balancer.
    expect(shared.metrics.remapRate).toBe(one.metrics.remapRate);
    expect(shared.metrics.lostSessions).toBe(one.metrics.lostSessions);
    // An update slower than the users' think time: a new client's next requests often reach the other replica before it.
    expect(slow.metrics.remapRate!).toBeGreaterThan(0.02);
    expect(slow.metrics.remapRate!).toBeLessThan(apart.metrics.remapRate! / 2);
  });

  it("keep the table through a reload (the old process hands it over), which an unshared table does not survive", () => {
    const reload = [{ at: "15m", reload: true }];
    const [emptied, kept] = run(1, [own, peers], reload);
    // Every session in use at the reload comes back to a fresh round robin: three in four move and are lost.
    const inUse = emptied.metrics.sessionsInUse!;
    expect(emptied.metrics.lostByCause.remapped / inUse).toBeGreaterThan(0.6);
    expect(emptied.metrics.lostByCause.remapped / inUse).toBeLessThan(0.9);
    expect(kept.metrics.lostByCause.remapped).toBe(0);
    const [keptByBoth] = run(2, [peers], reload);
    expect(keptByBoth.metrics.lostByCause.remapped).toBe(0);
  });

  it("start afresh at a strategy event, even to the same strategy: the new configuration's tables are new", () => {
    const [switched] = run(2, [peers], [{ at: "15m", strategy: peers }]);
    const [reloaded] = run(1, [own], [{ at: "15m", reload: true }]);
    // As a reload without peers: the sessions in use at 15m come back to a fresh round robin.
    expect(switched.metrics.lostByCause.remapped / switched.metrics.sessionsInUse!).toBeGreaterThan(0.6);
    expect(Math.abs(switched.metrics.lostByCause.remapped - reloaded.metrics.lostByCause.remapped)).toBeLessThan(0.1 * reloaded.metrics.lostByCause.remapped);
  });
});

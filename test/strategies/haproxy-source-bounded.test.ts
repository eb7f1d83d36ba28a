import { describe, expect, it } from "vitest";
import type { PoolView } from "../../sim/strategies/define.js";
import { HaproxyBoundedLoad } from "../../sim/strategies/haproxy-bounded-load.js";
import { HaproxyChashRing } from "../../sim/strategies/haproxy-chash.js";
import { fullHash } from "../../sim/strategies/haproxy-hash.js";
import { haproxySourceBounded } from "../../sim/strategies/haproxy-source-bounded.js";
import { ipv4, pool, request } from "../helpers.js";
import { recordedAddresses, recordedCases } from "./recorded.js";

const create = (p: PoolView, options: Record<string, unknown> = {}) => haproxySourceBounded.create(p, Math.random, haproxySourceBounded.options.parse(options));
const recorded = recordedAddresses.map(ipv4);

/** Slots per server for the pool's current load. */
function slots(p: PoolView, factor: number, ring = new HaproxyChashRing(p), bound = new HaproxyBoundedLoad(p, ring, factor)): number[] {
  bound.prepare();
  return Array.from({ length: p.size }, (_, s) => bound.slots(s));
}

describe("haproxy-source-bounded", () => {
  it("gives 4 servers of weight 1 slots 31, 31, 31, 32 with 99 in flight and factor 125 (chash_server_is_eligible, worked by hand)", () => {
    const p = pool(4);
    p.active.set([30, 20, 25, 24]);
    expect(slots(p, 125)).toEqual([31, 31, 31, 32]);
  });

  it("splits T = ceil((served + 1) · f / 100) slots in proportion to weight, at least 1 each", () => {
    const p = pool(3, { weights: [3, 1, 1] });
    p.active.set([40, 7, 12]); // T = ceil(60 · 1.5) = 90, W = 80: q = 1, r = 10
    const s = slots(p, 150);
    expect(s).toEqual([54, 18, 18]);
    expect(s.reduce((a, b) => a + b)).toBe(90);
    p.active.fill(0);
    expect(slots(p, 125)).toEqual([1, 1, 1]); // T = 2 rounds every share down to 0, which becomes 1
  });

  it("keeps HAProxy's startup cumulative weights after a server goes down (2.6 and later do not recount them)", () => {
    const p = pool(4);
    const ring = new HaproxyChashRing(p), bound = new HaproxyBoundedLoad(p, ring, 125);
    p.eligible[0] = p.accepting[0] = 0;
    ring.rebuild();
    p.active.set([0, 33, 33, 33]);
    // W = 48, T = 125, q = 2, r = 29; cumulative weights stay 16, 32, 48 (fresh ones would be 0, 16, 32: 41, 42, 42).
    expect(slots(p, 125, ring, bound).slice(1)).toEqual([42, 42, 41]);
  });

  it("without load picks exactly as haproxy-source-consistent (recorded HAProxy 2.6 decisions)", () => {
    for (const c of recordedCases("haproxy_source_consistent")) {
      const p = { ...pool(c.servers.length, { weights: c.weights, down: c.down }), ids: Int32Array.from(c.servers, (s) => Number(s.split("/")[1])) };
      const strategy = create(p);
      expect(recorded.filter((address, i) => strategy.pick(request({ address })) !== parseInt(c.backends[i], 36)), c.variant).toEqual([]);
    }
  });

  it("passes a full server over for the next node clockwise whose server has room", () => {
    const p = pool(4);
    const ring = new HaproxyChashRing(p);
    const strategy = create(p);
    for (const address of recorded.slice(0, 200)) {
      p.active.fill(0);
      const home = strategy.pick(request({ address }));
      // 40 in flight, all on the home server: T = ceil(41 · 1.25) = 52, 13 slots each.
      p.active[home] = 40;
      let node = ring.nearest(fullHash(address));
      while (ring.servers[node] === home) node = (node + 1) % ring.count;
      expect(strategy.pick(request({ address }))).toBe(ring.servers[node]);
      p.active[home] = 12; // T = ceil(13 · 1.25) = 17: 4 or 5 slots each, so 12 is still over
      expect(strategy.pick(request({ address }))).not.toBe(home);
      p.active.fill(10); // T = ceil(41 · 1.25) = 52: 13 slots each, so 10 leaves room
      expect(strategy.pick(request({ address }))).toBe(home);
      p.active[home] = 15; // T = ceil(46 · 1.25) = 58: 14 or 15 slots each, so 15 is full
      expect(strategy.pick(request({ address }))).not.toBe(home);
    }
  });

  it("never lets a server exceed ceil((1 + ε) · average) at pick time under skewed load", () => {
    // Deterministic: 64 hot client addresses and a seeded LCG deciding arrivals and departures.
    // The bound is exact: HAProxy admits s only while active[s] < slots[s] ≤ ceil(e_s · T / W).
    for (const { weights, factor } of [{ weights: [1, 1, 1, 1, 1], factor: 125 }, { weights: [3, 1, 2, 1], factor: 150 }]) {
      const p = pool(weights.length, { weights });
      const strategy = create(p, { balanceFactor: factor });
      const consistent = new HaproxyChashRing(p);
      const W = weights.reduce((a, b) => a + b) * 16;
      let state = 12345, detours = 0, served = 0;
      const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
      for (let step = 0; step < 20_000; step++) {
        if (served > 0 && next() < 0.45) {
          // One request finishes, on a server picked in proportion to its load.
          let k = Math.floor(next() * served);
          let s = 0;
          while (k >= p.active[s]) k -= p.active[s++];
          p.active[s]--;
          served--;
          continue;
        }
        const address = ipv4("198.51.100.0") + Math.floor(next() ** 3 * 64); // skewed: low addresses are hot
        const s = strategy.pick(request({ address }));
        const T = Math.ceil(((served + 1) * factor) / 100);
        expect(p.active[s] + 1).toBeLessThanOrEqual(Math.ceil((weights[s] * 16 * T) / W));
        if (s !== consistent.servers[consistent.nearest(fullHash(address))]) detours++;
        p.active[s]++;
        served++;
      }
      expect(detours).toBeGreaterThan(100); // the bound did bind, so the assertion above was tested
    }
  });

  it("validates balanceFactor like HAProxy: an integer above 100 (default 125)", () => {
    const parse = (o: unknown) => haproxySourceBounded.options.safeParse(o);
    expect(parse({}).data).toEqual({ balanceFactor: 125, avalanche: true, redispatch: false });
    expect(parse({ balanceFactor: 101 }).success).toBe(true);
    expect(parse({ balanceFactor: 200 }).success).toBe(true);
    expect(parse({ balanceFactor: 100 }).success).toBe(false);
    expect(parse({ balanceFactor: 0 }).success).toBe(false);
    expect(parse({ balanceFactor: 150.5 }).success).toBe(false);
    expect(parse({ balanceFactor: 125, key: "session" }).success).toBe(false);
  });

  it("answers -1 with no server up", () => {
    expect(create(pool(3, { down: [0, 1, 2] })).pick(request({ address: 1 }))).toBe(-1);
  });
});

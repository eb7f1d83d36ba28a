import { describe, expect, it } from "vitest";
import { boundedLoad, capacity } from "../../sim/strategies/bounded-load.js";
import { VirtualNodeRing, ringSuccessor } from "../../sim/strategies/hash-ring.js";
import { ringHash } from "../../sim/strategies/ring-hash.js";
import { wide } from "../../sim/strategies/u64.js";
import { xxh64String } from "../../sim/strategies/xxhash64.js";
import { pool, request } from "../helpers.js";

const create = (p: ReturnType<typeof pool>, options: object = {}) => boundedLoad.create(p, Math.random, boundedLoad.options.parse(options));

describe("bounded-load", () => {
  it("computes capacities ⌈(1 + ε)(A + 1) w / W⌉ in exact integers", () => {
    // Envoy's bound (thread_aware_lb_impl.cc) worked by hand: 4 equal backends, 99 in flight, factor 125 → 32 each.
    expect(capacity(99, 1_250_000, 1, 4)).toBe(32);
    // Exactly integral products stay exact: 1.1 × 10 is 11, not 11.000000000000002 → 12.
    expect(capacity(9, 1_100_000, 1, 1)).toBe(11);
    expect(capacity(0, 1_250_000, 1, 4)).toBe(1); // the first request always fits
    expect(capacity(99, 1_250_000, 2, 5)).toBe(50); // weight 2 of 5: ⌈1.25 × 100 × 2/5⌉
    expect(capacity(100, 1_250_000, 2, 5)).toBe(51);
  });

  it("defaults to ε = 0.25 (factor 125) and 150 points per weight", () => {
    expect(boundedLoad.options.parse({})).toEqual({ key: "session", balanceFactor: 0.25, virtualNodes: 150 });
    expect(boundedLoad.options.safeParse({ balanceFactor: 0 }).success).toBe(false);
  });

  it("routes like ring-hash while no server is full", () => {
    const p = pool(7);
    const bounded = create(p), ring = ringHash.create(p, Math.random, ringHash.options.parse({}));
    for (let id = 1; id <= 2000; id++) expect(bounded.pick(request({ sessionKey: id }))).toBe(ring.pick(request({ sessionKey: id })));
  });

  it("passes a request to the next server clockwise that is below its capacity", () => {
    const p = pool(5);
    const strategy = create(p);
    const ring = new VirtualNodeRing(p, 150).ring;
    const h = wide();
    xxh64String("77", 0, h);
    const start = ringSuccessor(ring, h.hi, h.lo);
    const clockwise: number[] = [];
    for (let i = start; clockwise.length < 3; i = (i + 1) % ring.owners.length) {
      if (!clockwise.includes(ring.owners[i])) clockwise.push(ring.owners[i]);
    }
    const [first, second, third] = clockwise;
    expect(strategy.pick(request({ sessionKey: 77 }))).toBe(first);
    // 20 in flight, all on `first`: capacity ⌈1.25 × 21 / 5⌉ = 6, so `first` is full.
    p.active[first] = 20;
    expect(strategy.pick(request({ sessionKey: 77 }))).toBe(second);
    // `second` at 5 of its 6 still fits; at 6 it is full too, and the walk goes on.
    p.active[first] = 15;
    p.active[second] = 5;
    expect(strategy.pick(request({ sessionKey: 77 }))).toBe(second);
    p.active[first] = 14;
    p.active[second] = 6;
    expect(strategy.pick(request({ sessionKey: 77 }))).toBe(third);
  });

  it("skips servers that are down, and answers -1 with none eligible", () => {
    const p = pool(4, { down: [0, 2] });
    const strategy = create(p);
    for (let id = 1; id <= 500; id++) expect([1, 3]).toContain(strategy.pick(request({ sessionKey: id })));
    p.eligible.fill(0);
    p.accepting.fill(0);
    strategy.poolChanged?.("health");
    expect(strategy.pick(request({ sessionKey: 1 }))).toBe(-1);
  });

  it("never lets a server exceed ⌈(1 + ε)(A + 1)/N⌉ while requests come and go", () => {
    const n = 6, p = pool(n);
    const strategy = create(p, { balanceFactor: 0.1, virtualNodes: 4 }); // few points: an uneven ring to fight
    const plain = ringHash.create(p, Math.random, ringHash.options.parse({ virtualNodes: 4 }));
    let diverted = 0;
    let state = 12345;
    const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const placed: number[] = [];
    for (let step = 0; step < 20_000; step++) {
      if (placed.length > 0 && next() < 0.45) {
        const i = Math.floor(next() * placed.length);
        p.active[placed[i]]--;
        placed[i] = placed[placed.length - 1];
        placed.pop();
        continue;
      }
      const inFlight = placed.length;
      const r = request({ sessionKey: Math.floor(next() * 1e6) });
      const s = strategy.pick(r);
      if (s !== plain.pick(r)) diverted++;
      expect(p.active[s] + 1).toBeLessThanOrEqual(Math.ceil((1.1 * (inFlight + 1)) / n - 1e-9));
      p.active[s]++;
      placed.push(s);
    }
    expect(diverted).toBeGreaterThan(1000); // the bound was doing work, not idle
  });
});

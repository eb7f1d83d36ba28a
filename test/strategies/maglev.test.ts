import { describe, expect, it } from "vitest";
import { buildMaglevTable, isPrime, maglev, populateMaglev } from "../../sim/strategies/maglev.js";
import { mod64, wide } from "../../sim/strategies/u64.js";
import { xxh64String } from "../../sim/strategies/xxhash64.js";
import { pool, request } from "../helpers.js";

const ports = (first: number, n: number) => Array.from({ length: n }, (_, i) => `127.0.0.1:${first + i}`);
const table = (p: ReturnType<typeof pool>, m: number) => Array.from(buildMaglevTable(p, new Int32Array(m)));
const entriesPer = (t: ArrayLike<number>, n: number) => {
  const counts = new Array<number>(n).fill(0);
  for (let i = 0; i < t.length; i++) counts[t[i]]++;
  return counts;
};

describe("maglev", () => {
  it("reproduces the paper's Table 1 (M = 7) before and after removing B2 (Eisenbud et al., NSDI 2016)", () => {
    // (offset, skip) = (3,4), (0,2), (3,1) for B1, B2, B3; equal weights.
    const t = new Int32Array(7);
    populateMaglev([3, 0, 3], [4, 2, 1], [1, 1, 1], 1, t);
    expect(Array.from(t, (i) => `B${i + 1}`)).toEqual(["B2", "B1", "B2", "B1", "B3", "B3", "B1"]);
    const without = new Int32Array(7);
    populateMaglev([3, 3], [4, 1], [1, 1], 1, without);
    const names = ["B1", "B3"];
    expect(Array.from(without, (i) => names[i])).toEqual(["B1", "B1", "B1", "B1", "B3", "B3", "B3"]);
  });

  it("builds Envoy's table for 127.0.0.1:90..95 with M = 7 (maglev_lb_test.cc, Basic)", () => {
    expect(table(pool(6, { addresses: ports(90, 6) }), 7)).toEqual([2, 4, 0, 1, 5, 0, 3]);
  });

  it("builds Envoy's weighted table for weights 1:2 with M = 17 (maglev_lb_test.cc, Weighted)", () => {
    expect(table(pool(2, { addresses: ports(90, 2), weights: [1, 2] }), 17)).toEqual([1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 0, 1, 0, 1]);
  });

  it("does not depend on configuration order: hosts are sorted by address first (BasicStability)", () => {
    const addresses = ["127.0.0.1:93", "127.0.0.1:90", "127.0.0.1:95", "127.0.0.1:91", "127.0.0.1:94", "127.0.0.1:92"];
    const shuffled = table(pool(6, { addresses }), 7).map((s) => addresses[s]);
    expect(shuffled).toEqual([2, 4, 0, 1, 5, 0, 3].map((i) => `127.0.0.1:${90 + i}`));
  });

  it("gives weights 1:2 with M = 65,537 exactly 21,846 and 43,691 entries (Envoy's load balancer docs)", () => {
    expect(entriesPer(table(pool(2, { weights: [1, 2] }), 65_537), 2)).toEqual([21_846, 43_691]);
  });

  it("gives every backend ⌊M/N⌋ or ⌈M/N⌉ entries (the Maglev paper's balance guarantee)", () => {
    for (const n of [3, 7, 100, 1000]) {
      const counts = entriesPer(table(pool(n), 65_537), n);
      const low = Math.floor(65_537 / n), high = Math.ceil(65_537 / n);
      expect(counts.every((c) => c === low || c === high), `N = ${n}`).toBe(true);
    }
    expect(new Set(entriesPer(table(pool(1000), 65_537), 1000))).toEqual(new Set([65, 66]));
  });

  it("routes a key to table[xxHash64(key) mod M]", () => {
    const p = pool(5);
    const t = table(p, 65_537);
    const strategy = maglev.create(p, Math.random, maglev.options.parse({}));
    const h = wide();
    for (let id = 1; id <= 300; id++) {
      xxh64String(String(id), 0, h);
      expect(strategy.pick(request({ sessionKey: id }))).toBe(t[mod64(h.hi, h.lo, 65_537)]);
    }
  });

  it("rebuilds from the eligible servers: no entry names a down server, and its keys come back on recovery", () => {
    const p = pool(6);
    const strategy = maglev.create(p, Math.random, maglev.options.parse({ tableSize: 251 }));
    const before = Array.from({ length: 2000 }, (_, k) => strategy.pick(request({ sessionKey: k })));
    p.eligible[2] = p.accepting[2] = 0;
    strategy.poolChanged?.("health");
    const after = Array.from({ length: 2000 }, (_, k) => strategy.pick(request({ sessionKey: k })));
    expect(after).not.toContain(2);
    expect(table(p, 251)).not.toContain(2);
    expect(after.filter((s, k) => before[k] !== 2 && s !== before[k]).length).toBeLessThan(0.1 * 2000); // a few collateral moves only
    p.eligible[2] = p.accepting[2] = 1;
    strategy.poolChanged?.("health");
    expect(Array.from({ length: 2000 }, (_, k) => strategy.pick(request({ sessionKey: k })))).toEqual(before);
    p.eligible.fill(0);
    p.accepting.fill(0);
    strategy.poolChanged?.("health");
    expect(strategy.pick(request({ sessionKey: 1 }))).toBe(-1);
  });

  it("accepts only prime table sizes, 65,537 by default", () => {
    expect(maglev.options.parse({}).tableSize).toBe(65_537);
    expect(maglev.options.safeParse({ tableSize: 65_536 }).success).toBe(false);
    expect(maglev.options.safeParse({ tableSize: 655_373 }).success).toBe(true);
    expect(maglev.options.safeParse({ tableSize: 5_000_023 }).success).toBe(false); // above Envoy's 5,000,011
    expect([2, 3, 7, 17, 65_537, 5_000_011].every(isPrime)).toBe(true);
    expect([0, 1, 9, 65_535, 65_541, 655_371].some(isPrime)).toBe(false);
  });
});

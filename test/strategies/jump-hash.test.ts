import { describe, expect, it } from "vitest";
import { jumpHash, jumpHashStrategy } from "../../sim/strategies/jump-hash.js";
import { wide } from "../../sim/strategies/u64.js";
import { xxh64String } from "../../sim/strategies/xxhash64.js";
import { pool, request } from "../helpers.js";

const jump = (key: bigint, n: number) => jumpHash(Number(key >> 32n), Number(key & 0xffffffffn), n);

/** Each session id 1..count routed by a fresh strategy on this pool. */
function route(p: ReturnType<typeof pool>, count: number): Int32Array {
  const strategy = jumpHashStrategy.create(p, Math.random, jumpHashStrategy.options.parse({}));
  const r = request();
  return Int32Array.from({ length: count }, (_, k) => {
    r.sessionKey = k + 1;
    return strategy.pick(r);
  });
}

describe("jump-hash", () => {
  it("gives the paper's algorithm's outputs for keys 1, 42, 0xDEADBEEF, 123456789, 2^64−1 and 0", () => {
    const ns = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 100, 1000, 65536];
    const row = (key: bigint) => ns.map((n) => jump(key, n));
    expect(row(1n)).toEqual([0, 0, 0, 0, 0, 0, 6, 6, 6, 6, 6, 6, 55, 549, 21134]);
    expect(row(42n)).toEqual([0, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 43, 571, 5747]);
    expect(row(0xdeadbeefn)).toEqual([0, 1, 2, 3, 3, 5, 5, 5, 5, 5, 5, 5, 87, 285, 64244]);
    expect(row(123456789n)).toEqual([0, 0, 0, 0, 0, 0, 0, 7, 7, 7, 7, 7, 34, 294, 42483]);
    expect(row(2n ** 64n - 1n)).toEqual([0, 1, 2, 2, 2, 2, 2, 7, 7, 9, 10, 10, 92, 313, 18311]);
    expect(ns.map((n) => jump(0n, n))).toEqual(ns.map(() => 0)); // key 0 never leaves bucket 0 (its first LCG step gives 1)
    expect(jump(0n, 2 ** 31 - 1)).toBe(0);
  });

  it("as n grows, a key's bucket stays or jumps to exactly n − 1", () => {
    const h = wide();
    const violations: string[] = [];
    for (let k = 0; k < 300; k++) {
      xxh64String(`key${k}`, 0, h);
      let previous = 0;
      for (let n = 1; n <= 200; n++) {
        const b = jumpHash(h.hi, h.lo, n);
        if (b !== previous && b !== n - 1) violations.push(`key${k}: ${previous} -> ${b} at n = ${n}`);
        previous = b;
      }
    }
    expect(violations).toEqual([]);
  });

  it("hashes the session id first, so small ids spread instead of all landing in bucket 0", () => {
    const chosen = route(pool(8), 8000);
    const counts = Array.from({ length: 8 }, (_, s) => chosen.filter((c) => c === s).length);
    // Binomial(8000, 1/8): σ ≈ 30 around 1000; 6σ bounds.
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(180);
  });

  it("re-hashes a down server's keys over the others, moves nothing else, and brings them back", () => {
    const p = pool(10);
    const before = route(p, 20_000);
    p.eligible[4] = p.accepting[4] = 0;
    const down = route(p, 20_000);
    const received = new Array<number>(10).fill(0);
    for (let k = 0; k < before.length; k++) {
      if (before[k] === 4) received[down[k]]++;
      else expect(down[k]).toBe(before[k]);
    }
    expect(received[4]).toBe(0);
    const displaced = received.reduce((a, b) => a + b);
    // ~2000 displaced keys over 9 servers: ~222 each, σ ≈ 14; every survivor gets a fair part.
    for (let s = 0; s < 10; s++) if (s !== 4) expect(received[s]).toBeGreaterThan(displaced / 9 - 80);
    p.eligible[4] = p.accepting[4] = 1;
    expect(route(p, 20_000)).toEqual(before);
  });

  it("still finds an eligible server, deterministically, with nearly everything down", () => {
    const p = pool(50, { down: Array.from({ length: 49 }, (_, i) => i + 1) });
    expect(new Set(route(p, 2000))).toEqual(new Set([0]));
    const q = pool(40, { down: Array.from({ length: 38 }, (_, i) => i) });
    const chosen = route(q, 4000);
    expect(new Set(chosen)).toEqual(new Set([38, 39]));
    expect(route(q, 4000)).toEqual(chosen);
    expect(route(pool(3, { down: [0, 1, 2] }), 5)).toEqual(Int32Array.from([-1, -1, -1, -1, -1]));
  });

  it("gives a server of weight w w buckets: shares follow weights", () => {
    const chosen = route(pool(3, { weights: [1, 2, 3] }), 60_000);
    const share = [0, 1, 2].map((s) => chosen.filter((c) => c === s).length / chosen.length);
    // Binomial sampling only: σ ≤ 0.002; 0.01 is 5σ.
    expect(Math.abs(share[0] - 1 / 6)).toBeLessThan(0.01);
    expect(Math.abs(share[1] - 2 / 6)).toBeLessThan(0.01);
    expect(Math.abs(share[2] - 3 / 6)).toBeLessThan(0.01);
  });
});

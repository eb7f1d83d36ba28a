import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { WeightRanges } from "../../sim/strategies/weights.js";
import { pool } from "../helpers.js";

/** nginx's peer walk as ngx_http_upstream_get_ip_hash_peer writes it: subtract weights in order until w fits. */
function walk(weights: readonly number[], w: number): number {
  let p = 0;
  while (w >= weights[p]) w -= weights[p++];
  return p;
}

describe("WeightRanges", () => {
  it("finds the server nginx's weight walk stops at, for every w below the total", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 40 }).filter((ws) => ws.some((w) => w > 0)), (weights) => {
        const ranges = new WeightRanges(pool(weights.length, { weights }));
        const total = weights.reduce((a, b) => a + b, 0);
        if (ranges.total !== total) return false;
        for (let w = 0; w < total; w++) if (ranges.serverAt(w) !== walk(weights, w)) return false;
        return true;
      }),
      { numRuns: 300 },
    );
  });

  it("follows the pool after rebuild(): a server added, a weight changed", () => {
    const p = pool(3, { weights: [1, 2, 3, 4], capacity: 4 });
    const ranges = new WeightRanges(p);
    expect(ranges.total).toBe(6);
    expect([0, 1, 2, 3, 4, 5].map((w) => ranges.serverAt(w))).toEqual([0, 1, 1, 2, 2, 2]);
    p.size = 4;
    p.weights[0] = 3;
    ranges.rebuild();
    expect(ranges.total).toBe(12);
    expect([0, 2, 3, 5, 7, 8, 11].map((w) => ranges.serverAt(w))).toEqual([0, 0, 1, 2, 2, 3, 3]);
  });
});

import { describe, expect, it } from "vitest";
import { stream } from "../../sim/engine/random.js";
import { weightedRandom } from "../../sim/strategies/random.js";
import { pool, request } from "../helpers.js";
import { scripted } from "./scripted-random.js";

const picks = (p: ReturnType<typeof pool>, random: () => number, n: number) => {
  const s = weightedRandom.create(p, random, {});
  return Array.from({ length: n }, () => s.pick(request()));
};

/** Fraction of `n` picks that went to each server. */
const shares = (p: ReturnType<typeof pool>, seed: number, n: number) => {
  const counts = new Array<number>(p.size).fill(0);
  for (const s of picks(p, stream(seed, "test:random"), n)) counts[s]++;
  return counts.map((c) => c / n);
};

describe("random (nginx random)", () => {
  it("maps a draw onto the weight ranges as nginx does: x = draw mod total weight, binary search", () => {
    // Weights 1, 2, 3: server 0 owns x = 0, server 1 x = 1..2, server 2 x = 3..5 (total 6).
    const draws = [0, 0.16, 0.17, 0.49, 0.5, 0.999];
    expect(picks(pool(3, { weights: [1, 2, 3] }), scripted(draws), draws.length)).toEqual([0, 0, 1, 1, 2, 2]);
  });

  it("keeps down servers' ranges and draws again when a draw lands on one", () => {
    const random = scripted([0.5, 0.4, 0.9]); // x = 1 (down), x = 1 (down), x = 2
    expect(picks(pool(3, { down: [1] }), random, 1)).toEqual([2]);
    expect(random.calls()).toBe(3);
  });

  it("falls back to smooth weighted round robin after 21 draws on ineligible servers", () => {
    const random = scripted([0]); // always server 0, which is down
    expect(picks(pool(3, { down: [0] }), random, 3)).toEqual([1, 2, 1]);
    expect(random.calls()).toBe(3 * 21);
  });

  it("returns -1 when no server is eligible, and uses the only server of a pool of one", () => {
    expect(picks(pool(3, { down: [0, 1, 2] }), stream(1, "x"), 2)).toEqual([-1, -1]);
    expect(picks(pool(1), stream(1, "x"), 2)).toEqual([0, 0]);
    expect(picks(pool(1, { down: [0] }), stream(1, "x"), 1)).toEqual([-1]);
  });

  it("spreads requests in proportion to weight over the eligible servers", () => {
    // 80,000 picks: a share p has standard deviation sqrt(p(1-p)/80000) <= 0.0018, so 0.008 is
    // over 4 standard deviations; a wrong weighting (e.g. uniform: 1/3 against 1/8) is far outside.
    const n = 80_000;
    const all = shares(pool(3, { weights: [1, 2, 5] }), 1, n);
    [1 / 8, 2 / 8, 5 / 8].forEach((p, i) => expect(Math.abs(all[i] - p)).toBeLessThan(0.008));
    const oneDown = shares(pool(3, { weights: [1, 2, 5], down: [1] }), 2, n);
    expect(oneDown[1]).toBe(0);
    [1 / 6, 0, 5 / 6].forEach((p, i) => expect(Math.abs(oneDown[i] - p)).toBeLessThan(0.008));
  });

  it("follows weight changes after poolChanged", () => {
    const p = pool(2, { weights: [1, 1] });
    const s = weightedRandom.create(p, scripted([0.6]), {});
    expect(s.pick(request())).toBe(1); // x = floor(0.6 * 2) = 1
    p.weights[0] = 3;
    s.poolChanged?.("weights");
    expect(s.pick(request())).toBe(0); // x = floor(0.6 * 4) = 2, inside server 0's range 0..2
  });
});

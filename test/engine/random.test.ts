import { describe, expect, it } from "vitest";
import { KeyedRandom, stream } from "../../sim/engine/random.js";


describe("seeded streams", () => {
  it("repeat exactly for the same seed and purpose, and differ otherwise", () => {
    const a = stream(1, "arrivals"), b = stream(1, "arrivals"), c = stream(1, "think"), e = stream(2, "arrivals");
    const first = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(first);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(first);
    expect(Array.from({ length: 5 }, () => e())).not.toEqual(first);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it("keyed draws depend only on their key, not on the order they are asked for", () => {
    const k = new KeyedRandom(1, "service");
    const forward = [k.at(1, 1), k.at(1, 2), k.at(2, 1)];
    const backward = [k.at(2, 1), k.at(1, 2), k.at(1, 1)].reverse();
    expect(backward).toEqual(forward);
    expect(new KeyedRandom(2, "service").at(1, 1)).not.toBe(forward[0]);
    expect(new KeyedRandom(1, "think").at(1, 1)).not.toBe(forward[0]);
  });

  it("keyed draws over consecutive keys are uniform (chi-square over 20 bins below the 0.1% critical value)", () => {
    const k = new KeyedRandom(3, "uniformity");
    const bins = new Array(20).fill(0);
    for (let a = 0; a < 1000; a++) for (let b = 0; b < 100; b++) bins[Math.floor(k.at(a, b) * 20)]++;
    const expected = 100_000 / 20;
    const chiSquare = bins.reduce((acc, o) => acc + (o - expected) ** 2 / expected, 0);
    expect(chiSquare).toBeLessThan(43.82); // 19 degrees of freedom, p = 0.001
  });
});

describe("keyed draws as exponentials", () => {
  it("add up to −mean · ln of the product of their 1 − u, which a warm start uses to skip visits long over", () => {
    const keyed = new KeyedRandom(7, "think");
    const product = (a: number, from: number, count: number) => {
      let p = 1;
      for (let b = from; b < from + count; b++) p *= 1 - keyed.at(a, b);
      return p;
    };
    for (const [a, from, count] of [[0, 0, 0], [12, 1, 1], [99_999, 5, 60], [3, 0, 500]]) {
      let sum = 0;
      for (let b = from; b < from + count; b++) sum += -10 * Math.log1p(-keyed.at(a, b));
      expect(Math.abs(-10 * Math.log(product(a, from, count)) - sum)).toBeLessThan(1e-9 * (sum + 1));
    }
    // Thousands of draws underflow to 0: the log is then infinite, and the warm start adds them up one by one instead.
    expect(product(3, 0, 2000)).toBe(0);
  });

  it("have a bound from half the hashing that every draw is below, by at most 2^-21", () => {
    const keyed = new KeyedRandom(11, "think");
    let tightest = 1;
    for (let a = 0; a < 200; a++) {
      for (let b = 0; b < 200; b++) {
        const u = keyed.at(a, b), above = keyed.above(a, b);
        expect(u).toBeLessThan(above);
        expect(above - u).toBeLessThanOrEqual(2 ** -21);
        tightest = Math.min(tightest, above - u);
      }
    }
    // The bound is the draw's top bits plus one step, not a constant margin.
    expect(tightest).toBeLessThan(2 ** -25);
  });
});

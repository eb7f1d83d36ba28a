import { describe, expect, it } from "vitest";
import { KeyedRandom, stream } from "../../sim/engine/random.js";
import * as d from "../../sim/engine/distributions.js";

const sampleMean = (dist: d.Distribution, n = 200_000, seed = 7) => {
  const u = stream(seed, "test");
  let sum = 0;
  for (let i = 0; i < n; i++) sum += dist.quantile(u());
  return sum / n;
};

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

describe("distributions", () => {
  it("have the mean they promise", () => {
    expect(sampleMean(d.exponential(10))).toBeCloseTo(10, 0);
    expect(sampleMean(d.uniform(2, 4))).toBeCloseTo(3, 1);
    expect(sampleMean(d.lognormal(0.04, 1)) / 0.04).toBeCloseTo(1, 1);
    expect(sampleMean(d.geometric(20)) / 20).toBeCloseTo(1, 1);
    const pareto = d.boundedPareto(20, 2000, 1.2);
    expect(sampleMean(pareto) / pareto.mean).toBeCloseTo(1, 1);
    expect(sampleMean(d.weightedChoice([1, 10], [3, 1]))).toBeCloseTo(3.25, 1);
  });

  it("lognormal has the requested coefficient of variation", () => {
    const dist = d.lognormal(40, 1.5), u = stream(1, "cv");
    const xs = Array.from({ length: 400_000 }, () => dist.quantile(u()));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / xs.length);
    expect(sd / mean).toBeCloseTo(1.5, 0);
  });

  it("stay in range", () => {
    const pareto = d.boundedPareto(20, 2000, 1.2);
    expect(pareto.quantile(0)).toBe(20);
    expect(pareto.quantile(0.999999999)).toBeLessThanOrEqual(2000);
    expect(d.geometric(5).quantile(0)).toBe(1);
    expect(d.normal(1, 5, 0).quantile(0.001)).toBe(0);
    expect(d.constant(3).quantile(0.7)).toBe(3);
  });

  it("standard normal quantile matches tables", () => {
    expect(d.standardNormalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(d.standardNormalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(d.standardNormalQuantile(0.01)).toBeCloseTo(-2.326348, 6);
    expect(d.standardNormalQuantile(0.999)).toBeCloseTo(3.090232, 6);
  });
});

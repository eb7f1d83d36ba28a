import { describe, expect, it } from "vitest";
import { stream } from "../../sim/engine/random.js";
import * as d from "../../sim/model/distributions.js";

const sampleMean = (dist: d.Distribution, n = 200_000, seed = 7) => {
  const u = stream(seed, "test");
  let sum = 0;
  for (let i = 0; i < n; i++) sum += dist.quantile(u());
  return sum / n;
};

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

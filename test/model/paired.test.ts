import { describe, expect, it } from "vitest";
import { baselineLabel, pairedDifference } from "../../sim/metrics/paired.js";
import { metricAt } from "../../sim/metrics/per-metric.js";
import { flatten } from "../../sim/metrics/summary.js";
import { InputError } from "../../sim/scenario/errors.js";
import { lightRun } from "./light-fixture.js";

describe("paired differences", () => {
  it("are the mean, sd and Student-t half-width of the per-replication differences, beside Welch's unpaired half-width", () => {
    // d = 2, 3, 4, 5: mean 3.5, variance 5/3; t(3) = 3.182.
    const d = pairedDifference([3, 5, 7, 9], [1, 2, 3, 4]);
    expect(d.n).toBe(4);
    expect(d.mean).toBe(3.5);
    expect(d.sd).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(d.ci95).toBeCloseTo((3.182 * Math.sqrt(5 / 3)) / 2, 12);
    // Variances 20/3 and 5/3 over 4 each: se² = 25/12; Welch–Satterthwaite df = (25/12)² / (((5/3)² + (5/12)²) / 3) = 4.41, so t(4) = 2.776.
    expect(d.unpairedCi95).toBeCloseTo(2.776 * Math.sqrt(25 / 12), 12);
    expect(d.pairedToUnpaired).toBeCloseTo(d.ci95! / d.unpairedCi95!, 12);
    expect(d.distinguishable).toBe(true);
  });

  it("are far narrower than unpaired when the two series move together", () => {
    // The replications differ a lot (100 … 500), the strategies by 1 or 2 in each.
    const base = [100, 200, 300, 400, 500];
    const d = pairedDifference(base.map((b, r) => b + [1, 2, 1, 2, 1][r]), base);
    expect(d.mean).toBeCloseTo(1.4, 12);
    // d: variance 0.3; t(4) = 2.776.
    expect(d.ci95).toBeCloseTo((2.776 * Math.sqrt(0.3)) / Math.sqrt(5), 12);
    expect(d.distinguishable).toBe(true);
    // Unpaired, the replications' spread (sd ≈ 158) swamps the difference: its interval holds 0.
    expect(d.unpairedCi95!).toBeGreaterThan(100);
    expect(d.pairedToUnpaired!).toBeLessThan(0.01);
  });

  it("say nothing is distinguishable with fewer than 2 replications where both are defined", () => {
    const one = pairedDifference([0.9, null, 0.7], [0.1, 0.5, null]);
    expect(one).toEqual({ n: 1, mean: expect.closeTo(0.8, 12), sd: 0, ci95: null, unpairedCi95: null, pairedToUnpaired: null, distinguishable: false });
    expect(pairedDifference([null, null], [1, 2])).toEqual({ n: 0, mean: null, sd: null, ci95: null, unpairedCi95: null, pairedToUnpaired: null, distinguishable: false });
  });

  it("tell a difference that is the same in every replication from no difference at all", () => {
    const same = pairedDifference([4, 6, 9], [4, 6, 9]);
    expect(same).toMatchObject({ mean: 0, sd: 0, ci95: 0, distinguishable: false });
    // Unpaired, the same two series look uncertain: the replications' own spread.
    expect(same.unpairedCi95!).toBeGreaterThan(0);
    expect(pairedDifference([5, 7, 10], [4, 6, 9])).toMatchObject({ mean: 1, sd: 0, ci95: 0, distinguishable: true });
    // 0.1 + 0.2 is 0.30000000000000004: a difference left by rounding is none.
    expect(pairedDifference([0.1 + 0.2, 0.1 + 0.2], [0.3, 0.3]).distinguishable).toBe(false);
  });
});

describe("the baseline", () => {
  it("is the first strategy unless one is named; a label no strategy has is the user's mistake, naming those there are", () => {
    expect(baselineLabel(["round-robin", "cookie-insert"])).toBe("round-robin");
    expect(baselineLabel(["round-robin", "cookie-insert"], "cookie-insert")).toBe("cookie-insert");
    expect(() => baselineLabel(["round-robin", "cookie-insert"], "maglev")).toThrow(InputError);
    expect(() => baselineLabel(["round-robin", "cookie-insert"], "maglev")).toThrow('--baseline: "maglev" is not one of the strategies run; their labels are "round-robin", "cookie-insert"');
  });
});

describe("a run compares every strategy with the baseline", () => {
  // Light load on three servers with a crash: round robin against random picks, 5 replications.
  const light = (baseline?: string, onProgress?: (done: number) => void) => lightRun(["round-robin", "random"], { baseline, onProgress });
  const result = light();
  const [roundRobin, random] = result.results;

  it("names the baseline and gives its own row differences of exactly 0", () => {
    expect(result.baseline).toBe("round-robin");
    expect(Object.keys(result).indexOf("baseline")).toBe(Object.keys(result).indexOf("results") - 1);
    expect(Object.keys(random.vsBaseline)).toEqual(Object.keys(random.estimates));
    const own = Object.keys(flatten(roundRobin.metrics)).map((name) => metricAt(roundRobin.vsBaseline, name)!);
    // Metrics this run does not define (a token's revocation time, a cache's hit rate) are null for every strategy.
    expect(own.filter((d) => d.n === 5).length).toBeGreaterThan(20);
    for (const d of own) expect(d).toEqual(d.n === 5 ? { n: 5, mean: 0, sd: 0, ci95: 0, unpairedCi95: 0, pairedToUnpaired: null, distinguishable: false } : { n: 0, mean: null, sd: null, ci95: null, unpairedCi95: null, pairedToUnpaired: null, distinguishable: false });
  });

  it("pairs by replication: common random numbers make the paired interval narrower than the unpaired one", () => {
    // Every strategy sees the same users sending the same requests: the counts match replication by replication.
    expect(random.replications.map((m) => m.requests)).toEqual(roundRobin.replications.map((m) => m.requests));
    expect(random.vsBaseline.requests).toMatchObject({ mean: 0, ci95: 0, distinguishable: false });
    expect(random.vsBaseline.requests.unpairedCi95!).toBeGreaterThan(100);
    // The same service times and the same crash: latency and failures move together too.
    for (const name of ["latencyMs.p95", "failedRequests"]) {
      const d = metricAt(random.vsBaseline, name)!;
      expect(d.ci95!, name).toBeLessThan(d.unpairedCi95!);
      expect(d.distinguishable, name).toBe(false);
    }
    expect(random.vsBaseline.latencyMs.p95.pairedToUnpaired!).toBeLessThan(0.5);
  });

  it("finds what is really different: random picks spread load less evenly than round robin", () => {
    for (const name of ["loadSkew", "peakLoadSkew", "loadCov"]) {
      expect(metricAt(random.vsBaseline, name)!.mean!, name).toBeGreaterThan(0);
      expect(metricAt(random.vsBaseline, name)!.distinguishable, name).toBe(true);
    }
  });

  it("takes the baseline the options name, and refuses one that is not a strategy's label before running", () => {
    const other = light("random");
    expect(other.baseline).toBe("random");
    expect(other.results[0].vsBaseline.loadSkew.mean).toBeCloseTo(-random.vsBaseline.loadSkew.mean!, 12);
    const progress: number[] = [];
    expect(() => light("least-connections", (done) => progress.push(done))).toThrow(/--baseline: "least-connections" is not one of the strategies run; their labels are "round-robin", "random"/);
    expect(progress).toEqual([]);
  });
});

import { describe, expect, it } from "vitest";
import { stream } from "../../sim/engine/random.js";
import { EdfScheduler } from "../../sim/strategies/edf-scheduler.js";
import { leastRequestP2c } from "../../sim/strategies/least-request-p2c.js";
import { weightedRandom } from "../../sim/strategies/random.js";
import { pool, request } from "../helpers.js";
import { scripted } from "./scripted-random.js";

type Pool = ReturnType<typeof pool>;

const create = (p: Pool, random: () => number, options: Record<string, unknown> = {}) => leastRequestP2c.create(p, random, leastRequestP2c.options.parse(options));

const picks = (p: Pool, random: () => number, n: number, options: Record<string, unknown> = {}) => {
  const s = create(p, random, options);
  return Array.from({ length: n }, () => s.pick(request()));
};

const count = (list: number[], server: number) => list.filter((s) => s === server).length;

describe("least-request-p2c (Envoy LEAST_REQUEST)", () => {
  it("has Envoy's defaults: 2 choices, active request bias 1, N_CHOICES", () => {
    expect(leastRequestP2c.options.parse({})).toEqual({ choiceCount: 2, activeRequestBias: 1, selectionMethod: "N_CHOICES" });
    expect(() => leastRequestP2c.options.parse({ choiceCount: 1 })).toThrow(); // Envoy: choice_count >= 2
  });

  it("draws choiceCount servers with replacement and keeps the first unless a later one has strictly fewer active", () => {
    const p = pool(4);
    p.active.set([3, 1, 1, 0]);
    // The first draw is the balancer's EDF seed; then two draws per pick, index = floor(u * 4).
    const random = scripted([0, 0.0, 0.3, 0.3, 0.5, 0.5, 0.3, 0.9, 0.0]);
    // (0, 1): 1 has fewer; (1, 2): tie keeps 1; (2, 1): tie keeps 2; (3, 0): 3.
    expect(picks(p, random, 4)).toEqual([1, 1, 2, 3]);
    expect(random.calls()).toBe(1 + 4 * 2);
  });

  it("draws among the eligible servers only, in configuration order, and returns -1 when none is", () => {
    // Eligible servers 0, 2, 3: u = 0.5 is the second of them, server 2.
    expect(picks(pool(4, { down: [1] }), scripted([0, 0.5, 0.5]), 1)).toEqual([2]);
    expect(picks(pool(3, { down: [0, 1, 2] }), stream(1, "x"), 2)).toEqual([-1, -1]);
    const p = pool(3, { down: [0, 1] });
    p.active.set([0, 0, 9]);
    expect(new Set(picks(p, stream(2, "x"), 50))).toEqual(new Set([2]));
  });

  it("follows eligibility changes after poolChanged", () => {
    const p = pool(2, { down: [1] });
    const s = create(p, stream(3, "x"));
    expect(s.pick(request())).toBe(0);
    p.eligible[1] = p.accepting[1] = 1;
    p.eligible[0] = p.accepting[0] = 0;
    s.poolChanged?.("health");
    expect(s.pick(request())).toBe(1);
  });

  it("with 2 servers it picks the busier one 25% of the time (Envoy load balancer docs: draws with replacement)", () => {
    // Both draws must land on the busier server: (1/2)^2. With d = 3 draws: (1/2)^3 = 12.5%.
    // 100,000 picks with a fixed stream: the standard deviation of the share is
    // sqrt(0.25 * 0.75 / 100000) = 0.0014 (0.0010 for 12.5%), so 0.005 is over 3.5 of them, while
    // sampling without replacement (0%) or a 1/3 rule would be far outside.
    const n = 100_000;
    const p = pool(2);
    p.active.set([0, 5]);
    expect(Math.abs(count(picks(p, stream(22, "p2c"), n), 1) / n - 0.25)).toBeLessThan(0.005);
    expect(Math.abs(count(picks(p, stream(23, "p2c"), n, { choiceCount: 3 }), 1) / n - 0.125)).toBeLessThan(0.005);
    // Equal loads: the first draw is kept, so each server gets half.
    p.active.set([4, 4]);
    expect(Math.abs(count(picks(p, stream(24, "p2c"), n), 1) / n - 0.5)).toBeLessThan(0.005);
  });

  it("FULL_SCAN takes the least active server, ties broken by reservoir sampling", () => {
    const p = pool(4);
    p.active.set([2, 0, 0, 1]);
    // Server 1 is the candidate; the tie with server 2 replaces it when floor(u * 2) = 0.
    expect(picks(p, scripted([0, 0.3]), 1, { selectionMethod: "FULL_SCAN" })).toEqual([2]);
    expect(picks(p, scripted([0, 0.7]), 1, { selectionMethod: "FULL_SCAN" })).toEqual([1]);
    // 10,000 picks: share SD 0.005, tolerance 0.025 (5 SD).
    const many = picks(p, stream(5, "x"), 10_000, { selectionMethod: "FULL_SCAN" });
    expect(count(many, 0) + count(many, 3)).toBe(0);
    expect(Math.abs(count(many, 1) / 10_000 - 0.5)).toBeLessThan(0.025);
  });

  describe("unequal weights: EDF on weight / (active + 1)^bias", () => {
    it("switches to the EDF schedule only when eligible weights differ, and then draws nothing per pick", () => {
      const weighted = scripted([0]);
      picks(pool(2, { weights: [1, 2] }), weighted, 10);
      expect(weighted.calls()).toBe(1); // only the seed
      const equalAmongEligible = scripted([0]);
      picks(pool(3, { weights: [2, 2, 1], down: [2] }), equalAmongEligible, 10);
      expect(equalAmongEligible.calls()).toBe(1 + 10 * 2); // P2C
    });

    it("runs Envoy's EDF order: weights 1 and 2 from seed 0 give 1 0 1 1 0 1", () => {
      expect(picks(pool(2, { weights: [1, 2] }), scripted([0]), 6)).toEqual([1, 0, 1, 1, 0, 1]);
    });

    it("computes a server's weight when it is picked; the others keep their last weight", () => {
      const p = pool(2, { weights: [1, 2] });
      const s = create(p, scripted([0]));
      // Seed 0: deadlines 1 (server 0) and 0.5 (server 1). Server 1 is picked at 0.5 while idle,
      // so it goes back at 0.5 + 1 / 2 = 1; then it becomes busy.
      expect(s.pick(request())).toBe(1);
      p.active[1] = 9;
      // At 1 server 0 (first inserted) and then server 1 are picked; server 1 goes back with
      // weight 2 / 10, at 1 + 5 = 6, while server 0 (weight 1 / 1) takes 2, 3, 4, 5 and 6 - 1e-13.
      expect(Array.from({ length: 8 }, () => s.pick(request()))).toEqual([0, 1, 0, 0, 0, 0, 0, 1]);
    });

    it("shares by weight / (active + 1), and by weight alone with bias 0", () => {
      const p = pool(2, { weights: [1, 3] });
      // Idle: 1 : 3 exactly (EDF is a deterministic round robin; ±1 for where the seed starts it).
      expect(Math.abs(count(picks(p, stream(6, "x"), 4000), 1) - 3000)).toBeLessThanOrEqual(1);
      // Server 1 holds 2 requests: 3 / 3 = 1 against 1 / 1 = 1, so half each.
      p.active.set([0, 2]);
      expect(Math.abs(count(picks(p, stream(7, "x"), 4000), 1) - 2000)).toBeLessThanOrEqual(1);
      expect(Math.abs(count(picks(p, stream(8, "x"), 4000, { activeRequestBias: 0 }), 1) - 3000)).toBeLessThanOrEqual(1);
      // Bias 2: 3 / 9 against 1 / 1, so server 1 gets 1/4.
      expect(Math.abs(count(picks(p, stream(9, "x"), 4000, { activeRequestBias: 2 }), 1) - 1000)).toBeLessThanOrEqual(1);
    });
  });

  it("EdfScheduler.build(picks) starts where an empty schedule stands after that many picks (Envoy createWithPicks)", () => {
    const weights = [0.37, 0.61, 1.13, 2.9];
    const servers = Int32Array.from([0, 1, 2, 3]);
    for (const skip of [1, 7, 23, 100, 12_345]) {
      const fresh = new EdfScheduler((s) => weights[s]);
      fresh.build(servers, 4, 0);
      for (let i = 0; i < skip; i++) fresh.pickAndAdd();
      const seeded = new EdfScheduler((s) => weights[s]);
      seeded.build(servers, 4, skip);
      const a = Array.from({ length: 200 }, () => fresh.pickAndAdd());
      const b = Array.from({ length: 200 }, () => seeded.pickAndAdd());
      expect(b, `after ${skip} picks`).toEqual(a);
    }
  });

  it("balls into bins, n = m = 1000 (Azar, Broder, Karlin & Upfal 1999; Mitzenmacher, Richa & Sitaraman 2001)", () => {
    // 1000 balls into 1000 servers whose load is pool.active, placed by the strategies' own pick:
    // d = 1 is `random` (uniform with equal weights), d = 2, 3 is least-request-p2c's choiceCount.
    // 1000 trials, each with its own seeded stream. The reference values 5.39 / 3.02 / 2.43 are 200-trial simulation
    // means; with per-trial SDs of about 0.73 / 0.08 / 0.49 their standard errors are 0.052 /
    // 0.006 / 0.035 and ours 0.023 / 0.003 / 0.016, so the tolerances 0.2 / 0.03 / 0.13 are about
    // 3.5 combined standard errors. (5,000 trials of plain Math.random give 5.51 for d = 1.)
    const trials = 1000, n = 1000;
    const meanMax = (d: number) => {
      let sum = 0;
      for (let t = 0; t < trials; t++) {
        const p = pool(n);
        const random = stream(t, `balls-into-bins:${d}`);
        const s = d === 1 ? weightedRandom.create(p, random, {}) : create(p, random, { choiceCount: d });
        const r = request();
        for (let ball = 0; ball < n; ball++) p.active[s.pick(r)]++;
        let max = 0;
        for (const load of p.active) max = Math.max(max, load);
        sum += max;
      }
      return sum / trials;
    };
    const [one, two, three] = [meanMax(1), meanMax(2), meanMax(3)];
    expect(Math.abs(one - 5.39)).toBeLessThan(0.2);
    expect(Math.abs(two - 3.02)).toBeLessThan(0.03);
    expect(Math.abs(three - 2.43)).toBeLessThan(0.13);
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stream } from "../../sim/engine/random.js";
import { StoreQueue } from "../../sim/model/stores/store-queue.js";

/** Seconds until each operation has executed, for operations arriving at `arrivals` (in time order). */
function run(connections: number, opTime: number, arrivals: number[]): number[] {
  const q = new StoreQueue(connections, opTime);
  return arrivals.map((t) => q.op(t));
}

describe("a store's queue (FIFO, `connections` operations at once, each `opTime`)", () => {
  it("with one connection, each operation starts when it arrives or when the one before it ends", () => {
    // opTime 2. Arrivals 0, 1, 5, 6, 6:
    //   0: starts at 0, done at 2           → 2
    //   1: waits for the first, 2 → 4       → 3
    //   5: the store is idle, 5 → 7         → 2
    //   6: waits, 7 → 9                     → 3
    //   6: waits behind that one, 9 → 11    → 5
    expect(run(1, 2, [0, 1, 5, 6, 6])).toEqual([2, 3, 2, 3, 5]);
  });

  it("with two connections, two operations execute at once and the third waits for the first to finish", () => {
    // opTime 2. Arrivals 0, 0, 0, 1, 3, 10 (connections free at [0, 0]):
    //   0: connection A, 0 → 2                       → 2   free [2, 0]
    //   0: connection B, 0 → 2                       → 2   free [2, 2]
    //   0: both busy; waits for A, 2 → 4             → 4   free [4, 2]
    //   1: waits for B, 2 → 4                        → 3   free [4, 4]
    //   3: waits for A, 4 → 6                        → 3   free [6, 4]
    //  10: both idle, 10 → 12                        → 2
    expect(run(2, 2, [0, 0, 0, 1, 3, 10])).toEqual([2, 2, 4, 3, 3, 2]);
  });

  it("starts operations in arrival order, never more than `connections` at once, and never leaves one waiting while a connection is idle", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 40 }), (connections, gaps) => {
        const opTime = 3;
        const arrivals: number[] = [];
        let t = 0;
        for (const g of gaps) arrivals.push((t += g / 10));
        const starts = run(connections, opTime, arrivals).map((done, i) => arrivals[i] + done - opTime);
        for (let i = 0; i < starts.length; i++) {
          expect(starts[i]).toBeGreaterThanOrEqual(arrivals[i] - 1e-9);
          if (i > 0) expect(starts[i]).toBeGreaterThanOrEqual(starts[i - 1] - 1e-9); // FIFO
          // Operations executing at this one's start (started earlier, not yet done): fewer than `connections`.
          const executing = starts.slice(0, i).filter((s) => s <= starts[i] + 1e-9 && s + opTime > starts[i] + 1e-9).length;
          expect(executing).toBeLessThan(connections);
          // It waited only if every connection was busy when it arrived.
          if (starts[i] > arrivals[i] + 1e-9) {
            const busy = starts.slice(0, i).filter((s) => s <= arrivals[i] + 1e-9 && s + opTime > arrivals[i] + 1e-9).length;
            expect(busy).toBe(connections);
          }
        }
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it.each([0.5, 0.8])("with Poisson arrivals to one connection at load %s, the mean wait is M/D/1's ρD / (2(1 − ρ))", (rho) => {
    // Pollaczek–Khinchine for deterministic service: Wq = ρ·D / (2(1 − ρ)); 0.5 D at ρ = 0.5, 2 D at ρ = 0.8.
    const D = 13e-6; // one Redis command
    const lambda = rho / D;
    const random = stream(42, `md1-${rho}`);
    const q = new StoreQueue(1, D);
    const n = 1_000_000;
    let t = 0, waited = 0;
    for (let i = 0; i < n; i++) {
      t += -Math.log(1 - random()) / lambda;
      waited += q.op(t) - D;
    }
    const expected = (rho * D) / (2 * (1 - rho));
    expect(waited / n / expected).toBeGreaterThan(0.96);
    expect(waited / n / expected).toBeLessThan(1.04);
  });

  it("with two connections at load 0.8 each, the mean wait is M/D/2's (Cosmetatos' approximation, half of M/M/2's)", () => {
    // M/M/2 (Erlang C) at ρ = 0.8: P(wait) = 2ρ²/(1 + ρ) = 0.711, Wq = P / (2μ − λ) = 1.778 D. For
    // deterministic service Cosmetatos (1976) gives Wq(M/D/c) ≈ ½ Wq(M/M/c) · (1 + (1 − ρ)(c − 1)(√(4 + 5c) − 2) / (16ρc)),
    // 0.901 D here: much less than M/D/1 at the same load per connection (2 D), as pooling promises.
    const D = 1, rho = 0.8, c = 2, lambda = (c * rho) / D;
    const random = stream(5, "md2");
    const q = new StoreQueue(c, D);
    const n = 400_000;
    let t = 0, waited = 0;
    for (let i = 0; i < n; i++) {
      t += -Math.log(1 - random()) / lambda;
      waited += q.op(t) - D;
    }
    const mmc = ((2 * rho * rho) / (1 + rho)) / (c / D - lambda);
    const mdc = 0.5 * mmc * (1 + ((1 - rho) * (c - 1) * (Math.sqrt(4 + 5 * c) - 2)) / (16 * rho * c));
    expect(waited / n / mdc).toBeGreaterThan(0.96);
    expect(waited / n / mdc).toBeLessThan(1.04);
  });
});

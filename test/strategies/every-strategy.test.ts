import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { simulate } from "../../sim/model/simulation.js";
import { strategies } from "../../sim/strategies/index.js";
import { pool, request, scenario } from "../helpers.js";

/** Strategies that deliberately route to unhealthy servers when none is healthy (fail open). */
const FAILS_OPEN = new Set(["alb-lb-cookie", "alb-app-cookie"]);

describe("every registered strategy", () => {
  for (const def of strategies) {
    it(`${def.id}: picks only eligible servers, and -1 only when none is eligible`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 12 }).chain((n) =>
            fc.record({
              weights: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: n, maxLength: n }),
              down: fc.subarray(Array.from({ length: n }, (_, i) => i)),
              requests: fc.array(
                fc.record({ address: fc.nat({ max: 0xffffffff }), sessionKey: fc.integer({ min: -1, max: 1e6 }), cookie: fc.integer({ min: -1, max: n + 1 }), now: fc.nat({ max: 100_000 }) }),
                { minLength: 1, maxLength: 30 },
              ),
            }),
          ),
          fc.integer(),
          ({ weights, down, requests }, seed) => {
            const p = pool(weights.length, { weights, down });
            let state = seed >>> 0;
            const random = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
            const strategy = def.create(p, random, def.options.parse({}));
            strategy.poolChanged?.();
            const anyEligible = down.length < weights.length;
            return requests
              .sort((a, b) => a.now - b.now)
              .every((r) => {
                const s = strategy.pick(request(r));
                if (!anyEligible) return s === -1 || FAILS_OPEN.has(def.id);
                return Number.isInteger(s) && s >= 0 && s < weights.length && p.eligible[s] === 1;
              });
          },
        ),
        { numRuns: 150 },
      );
    });
  }

  it("each runs a whole scenario with a crash, deterministically", () => {
    const s = scenario({
      duration: "10m",
      replications: 1,
      clients: { visitsPerSecond: 3, requestsPerVisit: 8, think: "3s", nat: { fraction: 0.3, groupSize: 10 }, mobile: { fraction: 0.2 }, cookies: { disabledFraction: 0.1 } },
      servers: { count: 4 },
      strategies: strategies.map((d) => d.id),
      events: [{ at: "4m", crash: "s2" }, { at: "7m", recover: "s2" }],
    });
    for (const entry of s.strategies) {
      const a = simulate(s, entry, 0), b = simulate(s, entry, 0);
      expect(a.metrics.requests, entry.id).toBeGreaterThan(1000);
      expect(a.metrics.sessions, entry.id).toBeGreaterThan(0);
      expect(JSON.stringify(b), entry.id).toBe(JSON.stringify(a));
    }
  });
});

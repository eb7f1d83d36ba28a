import type { Result } from "../../sim/metrics/result.js";
import { runScenario, type RunOptions } from "../../sim/run.js";
import { scenario } from "../helpers.js";

/** Light load on three servers sharing a store, s1 down from 10 to 14 minutes: 5 replications of `strategies`. */
export function lightRun(strategies: unknown[], options: RunOptions = {}): Result {
  return runScenario(
    scenario({
      seed: 1,
      duration: "20m",
      warmup: "2m",
      replications: 5,
      clients: { visitsPerSecond: 2, requestsPerVisit: { dist: "geometric", mean: 8 }, think: { dist: "exponential", mean: "5s" } },
      servers: { count: 3, service: { dist: "lognormal", mean: "40ms", cv: 1 } },
      store: { kind: "shared" },
      strategies,
      events: [
        { at: "10m", crash: "s1" },
        { at: "14m", recover: "s1" },
      ],
    }),
    options,
  );
}

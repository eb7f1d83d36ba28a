import { runScenario } from "../../sim/run.js";
import { scenario } from "../helpers.js";

/**
 * Four servers keeping sessions in memory, users thinking 20 s between requests, behind
 * `replicas` balancer instances (each request through one drawn at random), 30 minutes from a
 * warm start; `balancer` adds to the balancer's settings.
 */
export function replicasRun(replicas: number, strategies: unknown[], events: unknown[] = [], balancer: Record<string, unknown> = {}) {
  return runScenario(
    scenario({
      seed: 8,
      duration: "30m",
      warmup: "5m",
      warmStart: true,
      replications: 1,
      clients: { visitsPerSecond: 2, requestsPerVisit: { dist: "geometric", mean: 20 }, think: { dist: "exponential", mean: "20s" } },
      servers: { count: 4 },
      balancer: { replicas, ...balancer },
      strategies,
      events,
    }),
  ).results;
}

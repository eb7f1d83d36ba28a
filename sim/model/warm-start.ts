import type { DistributionSpec } from "../scenario/fields.js";
import { compileDistribution } from "./distributions.js";

/** What the warm-start span depends on: the scenario's visits and returns. */
export interface VisitShape {
  requestsPerVisit: DistributionSpec;
  think: DistributionSpec;
  returning: { fraction: number; after: DistributionSpec };
}

/**
 * How long before time 0 a warm start lets new users arrive: long enough that a visit still
 * running at 0 almost surely began inside it (20 mean visits), and a return due after 0 too (5
 * mean gaps, when users return).
 */
export function warmStartSpan(clients: VisitShape): number {
  const visit = compileDistribution(clients.requestsPerVisit).mean * compileDistribution(clients.think).mean;
  return 20 * visit + (clients.returning.fraction > 0 ? 5 * compileDistribution(clients.returning.after).mean : 0);
}

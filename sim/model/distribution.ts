import * as d from "../engine/distributions.js";
import type { DistributionSpec } from "../scenario/schema.js";

/** The engine's distribution for a validated scenario spec (durations already in seconds). */
export function compileDistribution(spec: DistributionSpec): d.Distribution {
  switch (spec.dist) {
    case "constant":
      return d.constant(spec.value);
    case "exponential":
      return d.exponential(spec.mean);
    case "uniform":
      return d.uniform(spec.min, spec.max);
    case "normal":
      return d.normal(spec.mean, spec.sd, 0);
    case "lognormal":
      return d.lognormal(spec.mean, spec.cv);
    case "pareto":
      return d.boundedPareto(spec.min, spec.max, spec.alpha);
    case "choice":
      return d.weightedChoice(spec.values, spec.weights);
    case "geometric":
      return d.geometric(spec.mean);
  }
}

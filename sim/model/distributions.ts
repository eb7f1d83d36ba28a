import type { DistributionSpec } from "../scenario/fields.js";

/**
 * Probability distributions as quantile functions: `quantile(u)` maps a uniform u in [0, 1)
 * to a value. One uniform per draw lets sequential and counter-based streams share the code.
 */
export interface Distribution {
  quantile(u: number): number;
  readonly mean: number;
  /** True for the exponential, whose draws' sum is −mean · ln of the product of their 1 − u. */
  readonly exponential?: boolean;
}

export function constant(value: number): Distribution {
  return { quantile: () => value, mean: value };
}

export function exponential(mean: number): Distribution {
  return { quantile: (u) => -mean * Math.log1p(-u), mean, exponential: true };
}

export function uniform(min: number, max: number): Distribution {
  return { quantile: (u) => min + (max - min) * u, mean: (min + max) / 2 };
}

/** Normal, truncated at `floor` (durations and counts cannot be negative). */
export function normal(mean: number, sd: number, floor = -Infinity): Distribution {
  return { quantile: (u) => Math.max(floor, mean + sd * standardNormalQuantile(u)), mean };
}

/** Lognormal with the given mean and coefficient of variation (sd / mean). */
export function lognormal(mean: number, cv: number): Distribution {
  const sigma2 = Math.log1p(cv * cv);
  const sigma = Math.sqrt(sigma2);
  const mu = Math.log(mean) - sigma2 / 2;
  return { quantile: (u) => Math.exp(mu + sigma * standardNormalQuantile(u)), mean };
}

/** Pareto with shape alpha, truncated to [min, max] (bounded Pareto). */
export function boundedPareto(min: number, max: number, alpha: number): Distribution {
  const ratio = Math.pow(min / max, alpha);
  const mean =
    alpha === 1
      ? (min * max * Math.log(max / min)) / (max - min)
      : (Math.pow(min, alpha) / (1 - ratio)) * (alpha / (alpha - 1)) * (Math.pow(min, 1 - alpha) - Math.pow(max, 1 - alpha));
  return { quantile: (u) => min * Math.pow(1 - u * (1 - ratio), -1 / alpha), mean };
}

/** Geometric on 1, 2, 3, ... with the given mean (success probability 1 / mean). */
export function geometric(mean: number): Distribution {
  if (mean <= 1) return constant(1);
  const logq = Math.log1p(-1 / mean);
  return { quantile: (u) => Math.max(1, Math.ceil(Math.log1p(-u) / logq)), mean };
}

/** One of `values`, with probability proportional to `weights`. */
export function weightedChoice(values: readonly number[], weights: readonly number[]): Distribution {
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative = Float64Array.from(weights, ((sum) => (w: number) => (sum += w / total))(0));
  const mean = values.reduce((acc, v, i) => acc + (v * weights[i]) / total, 0);
  return {
    quantile(u) {
      for (let i = 0; i < cumulative.length - 1; i++) if (u < cumulative[i]) return values[i];
      return values[values.length - 1];
    },
    mean,
  };
}

/**
 * Inverse of the standard normal CDF, P. J. Acklam's rational approximation
 * (relative error below 1.15e-9), which needs one uniform per draw unlike Box-Muller.
 */
export function standardNormalQuantile(u: number): number {
  if (u <= 0) return -Infinity;
  if (u >= 1) return Infinity;
  const low = 0.02425;
  if (u < low) {
    const q = Math.sqrt(-2 * Math.log(u));
    return tail(q);
  }
  if (u > 1 - low) {
    const q = Math.sqrt(-2 * Math.log1p(-u));
    return -tail(q);
  }
  const q = u - 0.5;
  const r = q * q;
  return (
    ((((((-3.969683028665376e1 * r + 2.209460984245205e2) * r - 2.759285104469687e2) * r + 1.38357751867269e2) * r -
      3.066479806614716e1) * r + 2.506628277459239) * q) /
    (((((-5.447609879822406e1 * r + 1.615858368580409e2) * r - 1.556989798598866e2) * r + 6.680131188771972e1) * r -
      1.328068155288572e1) * r + 1)
  );
}

function tail(q: number): number {
  return (
    (((((-7.784894002430293e-3 * q - 3.223964580411365e-1) * q - 2.400758277161838) * q - 2.549732539343734) * q +
      4.374664141464968) * q + 2.938163982698783) /
    ((((7.784695709041462e-3 * q + 3.224671290700398e-1) * q + 2.445134137142996) * q + 3.754408661907416) * q + 1)
  );
}

/** The distribution for a validated scenario spec (durations already in seconds). */
export function compileDistribution(spec: DistributionSpec): Distribution {
  switch (spec.dist) {
    case "constant":
      return constant(spec.value);
    case "exponential":
      return exponential(spec.mean);
    case "uniform":
      return uniform(spec.min, spec.max);
    case "normal":
      return normal(spec.mean, spec.sd, 0);
    case "lognormal":
      return lognormal(spec.mean, spec.cv);
    case "pareto":
      return boundedPareto(spec.min, spec.max, spec.alpha);
    case "choice":
      return weightedChoice(spec.values, spec.weights);
    case "geometric":
      return geometric(spec.mean);
  }
}

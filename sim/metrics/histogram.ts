/**
 * A log-bucketed histogram (HdrHistogram-style): bucket i covers [min·g^i, min·g^(i+1)) with
 * g = 1 + 2·relativeError, so any reported quantile is within `relativeError` of a value in
 * its bucket. Memory is fixed: no list of samples is kept.
 * NOTE: with the defaults (latencies in milliseconds from 0.001 to 10^8, 0.5% error) that is
 * 2,547 doubles per histogram, the same for ten requests or ten billion; the price is one
 * logarithm per recorded value and quantiles good to 0.5% instead of exact.
 */
export class LogHistogram {
  readonly #min: number;
  readonly #logGrowth: number;
  readonly #growth: number;
  readonly #counts: Float64Array;
  #total = 0;
  #sum = 0;
  #lowest = Infinity;
  #highest = -Infinity;

  constructor(min = 1e-3, max = 1e8, relativeError = 0.005) {
    this.#min = min;
    this.#growth = 1 + 2 * relativeError;
    this.#logGrowth = Math.log(this.#growth);
    this.#counts = new Float64Array(Math.ceil(Math.log(max / min) / this.#logGrowth) + 1);
  }

  get count(): number {
    return this.#total;
  }

  get mean(): number {
    return this.#total > 0 ? this.#sum / this.#total : NaN;
  }

  record(value: number): void {
    const last = this.#counts.length - 1;
    const i = value <= this.#min ? 0 : Math.min(last, Math.floor(Math.log(value / this.#min) / this.#logGrowth));
    this.#counts[i]++;
    this.#total++;
    this.#sum += value;
    if (value < this.#lowest) this.#lowest = value;
    if (value > this.#highest) this.#highest = value;
  }

  /** The q-quantile (0..1): the middle of the bucket holding the ceil(q·count)-th value, clamped to the values seen. */
  quantile(q: number): number {
    if (this.#total === 0) return NaN;
    const i = this.#bucketOf(q, this.#total, (k) => this.#counts[k]);
    return i < 0 ? this.#highest : Math.min(this.#highest, Math.max(this.#lowest, this.#middle(i)));
  }

  /** A copy of the counts so far: the values recorded between two copies are their difference. */
  snapshot(): Float64Array {
    return this.#counts.slice();
  }

  /** The q-quantile of the values recorded between two snapshots (`since` the earlier): a bucket's middle; NaN for none. */
  quantileBetween(since: Float64Array, until: Float64Array, q: number): number {
    let total = 0;
    for (let k = 0; k < until.length; k++) total += until[k] - since[k];
    if (total === 0) return NaN;
    return this.#middle(this.#bucketOf(q, total, (k) => until[k] - since[k]));
  }

  /** The bucket holding the ceil(q·total)-th value of the counts `count` gives; -1 past the last. */
  #bucketOf(q: number, total: number, count: (k: number) => number): number {
    const rank = Math.max(1, Math.ceil(q * total));
    let seen = 0;
    for (let k = 0; k < this.#counts.length; k++) {
      seen += count(k);
      if (seen >= rank) return k;
    }
    return -1;
  }

  #middle(i: number): number {
    return (this.#min * Math.pow(this.#growth, i) * (1 + this.#growth)) / 2;
  }
}

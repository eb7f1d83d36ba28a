/**
 * A log-bucketed histogram (HdrHistogram-style): bucket i covers [min·g^i, min·g^(i+1)) with
 * g = 1 + 2·relativeError, so any reported quantile is within `relativeError` of a value in
 * its bucket. Memory is fixed: no list of samples is kept.
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

  /** Records a value; returns its bucket, so a histogram of the same shape can take it without a second logarithm (`recordIn`). */
  record(value: number): number {
    const last = this.#counts.length - 1;
    const i = value <= this.#min ? 0 : Math.min(last, Math.floor(Math.log(value / this.#min) / this.#logGrowth));
    this.recordIn(i, value);
    return i;
  }

  /** Records a value whose bucket a histogram of the same shape computed. */
  recordIn(i: number, value: number): void {
    this.#counts[i]++;
    this.#total++;
    this.#sum += value;
    if (value < this.#lowest) this.#lowest = value;
    if (value > this.#highest) this.#highest = value;
  }

  /** The q-quantile (0..1): the middle of the bucket holding the ceil(q·count)-th value, clamped to the values seen. */
  quantile(q: number): number {
    if (this.#total === 0) return NaN;
    const rank = Math.max(1, Math.ceil(q * this.#total));
    let seen = 0;
    for (let i = 0; i < this.#counts.length; i++) {
      seen += this.#counts[i];
      if (seen >= rank) {
        const middle = this.#min * Math.pow(this.#growth, i) * (1 + this.#growth) / 2;
        return Math.min(this.#highest, Math.max(this.#lowest, middle));
      }
    }
    return this.#highest;
  }
}

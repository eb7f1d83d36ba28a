/**
 * The rate at which new users arrive, in visits per second: constant, or moving linearly to a new
 * value over a ramp. The next arrival of the (non-homogeneous) Poisson process comes when the
 * integrated rate has grown by an exponential(1) amount, solved exactly on the ramp.
 */
export class ArrivalRate {
  /** The rate at `#since`, the rate it moves to, and when it gets there. */
  #from: number;
  #since = 0;
  #to: number;
  #rampEnd = 0;

  constructor(rate: number) {
    this.#from = rate;
    this.#to = rate;
  }

  /** The rate at time `t` (not before the last change). */
  at(t: number): number {
    if (t >= this.#rampEnd) return this.#to;
    return this.#from + ((this.#to - this.#from) * (t - this.#since)) / (this.#rampEnd - this.#since);
  }

  /** From `now` on, the rate moves linearly to `target` over `over` seconds (at once when 0). */
  change(now: number, target: number, over: number): void {
    this.#from = this.at(now);
    this.#since = now;
    this.#to = target;
    this.#rampEnd = now + over;
  }

  /** The time of the next arrival after `now`, given an exponential(1) draw `e`; Infinity when the rate stays 0. */
  next(now: number, e: number): number {
    let t = now;
    if (t < this.#rampEnd) {
      const a = this.at(t), length = this.#rampEnd - t, slope = (this.#to - a) / length;
      const area = a * length + (slope * length * length) / 2;
      if (e <= area) {
        // a·d + slope·d²/2 = e, the root in [0, length]; written to stay exact when slope is tiny.
        const d = slope === 0 ? e / a : (2 * e) / (a + Math.sqrt(a * a + 2 * slope * e));
        return t + d;
      }
      e -= area;
      t = this.#rampEnd;
    }
    return this.#to > 0 ? t + e / this.#to : Infinity;
  }
}

import { lostCauses, type LostCause } from "./causes.js";
import { LogHistogram } from "./histogram.js";
import type { PhaseResult } from "./result.js";

/** A scenario with more event times than this gets no phase breakdown (a table of hundreds of phases says nothing). */
export const MAX_PHASES = 20;

/**
 * The measured interval cut at the scenario's event times into phases, each with its own
 * counts: what each step of a migration (or any sequence of events) costs while it lasts.
 * Requests count by when they were sent, losses and disrupted visits by when they happened.
 */
export class PhaseCollector {
  /** Where each phase starts: the end of the warmup, then each event time inside the measured interval. */
  readonly #starts: number[];
  readonly #labels: string[];
  readonly #until: number;
  readonly #requests: Float64Array;
  readonly #failed: Float64Array;
  readonly #lost: Float64Array;
  readonly #visits: Float64Array;
  readonly #disrupted: Float64Array;
  readonly #causes: Record<LostCause, number>[];
  readonly #latency: LogHistogram[];
  /** The store's operation count at each phase start (null: the store does not count them). */
  readonly #operations: (number | null)[];

  /** Phases from `from` to `until`, cut at `cuts` (sorted, inside the interval), each starting phase named by `labels[k]`. */
  constructor(from: number, until: number, cuts: readonly number[], labels: readonly string[]) {
    this.#starts = [from, ...cuts];
    this.#labels = ["start", ...labels];
    this.#until = until;
    const n = this.#starts.length;
    this.#requests = new Float64Array(n);
    this.#failed = new Float64Array(n);
    this.#lost = new Float64Array(n);
    this.#visits = new Float64Array(n);
    this.#disrupted = new Float64Array(n);
    this.#causes = Array.from({ length: n }, () => Object.fromEntries(lostCauses.map((c) => [c, 0])) as Record<LostCause, number>);
    this.#latency = Array.from({ length: n }, () => new LogHistogram());
    this.#operations = new Array<number | null>(n + 1).fill(null);
  }

  /** The phase time `t` (inside the measured interval) falls in. */
  #phase(t: number): number {
    const starts = this.#starts;
    let k = starts.length - 1;
    while (k > 0 && t < starts[k]) k--;
    return k;
  }

  request(sentAt: number): void {
    this.#requests[this.#phase(sentAt)]++;
  }

  failed(sentAt: number): void {
    this.#failed[this.#phase(sentAt)]++;
  }

  /** An answered request sent at `sentAt` took `ms`, in `bucket` of the run's latency histogram (the phases' have its shape). */
  served(sentAt: number, bucket: number, ms: number): void {
    this.#latency[this.#phase(sentAt)].recordIn(bucket, ms);
  }

  lost(now: number, cause: LostCause): void {
    const k = this.#phase(now);
    this.#lost[k]++;
    this.#causes[k][cause]++;
  }

  visitStarted(now: number): void {
    this.#visits[this.#phase(now)]++;
  }

  visitDisrupted(now: number): void {
    this.#disrupted[this.#phase(now)]++;
  }

  /** Phase `k` starts (k = 0: measurement starts; the last: the run ends), with the store's operations so far. */
  boundary(k: number, operations: number | null): void {
    this.#operations[k] = operations;
  }

  /** The cut times, for scheduling the boundaries. */
  get cuts(): readonly number[] {
    return this.#starts.slice(1);
  }

  results(): PhaseResult[] {
    return this.#starts.map((from, k) => {
      const to = k + 1 < this.#starts.length ? this.#starts[k + 1] : this.#until;
      const h = this.#latency[k], answered = h.count > 0;
      const before = this.#operations[k], after = this.#operations[k + 1];
      return {
        from,
        to,
        startedBy: this.#labels[k],
        requests: this.#requests[k],
        failedRequests: this.#failed[k],
        lostSessions: this.#lost[k],
        lostByCause: { ...this.#causes[k] },
        visits: this.#visits[k],
        disruptedVisits: this.#disrupted[k],
        latencyMs: { p50: answered ? h.quantile(0.5) : null, p95: answered ? h.quantile(0.95) : null, p99: answered ? h.quantile(0.99) : null },
        storeOperationsPerSecond: before !== null && after !== null && to > from ? (after - before) / (to - from) : null,
      };
    });
  }
}

import type { LostCause } from "./causes.js";
import type { Collector } from "./collector.js";
import type { PhaseResult } from "./result.js";

/** A scenario with more event times than this gets no phase breakdown (a table of hundreds of phases says nothing). */
export const MAX_PHASES = 20;

/** The run's running totals at a phase boundary: the counts a phase reports, its latency histogram's buckets, the store's operations. */
type Totals = Pick<PhaseResult, "requests" | "failedRequests" | "lostSessions" | "lostByCause" | "visits" | "disruptedVisits"> & {
  latency: Float64Array;
  /** The store's operations so far (null: the store does not count them). */
  operations: number | null;
};

/**
 * The measured interval cut at the scenario's event times into phases: what each step of a
 * migration (or any sequence of events) costs while it lasts. Nothing is counted per request:
 * at each boundary the run's own running totals are copied, and a phase's figures are the
 * differences between its two ends. So each counts as the run's counters do: requests by when
 * they were sent, visits by when they started, failures, answers (their latency), losses and
 * disrupted visits by when they happened.
 * NOTE: counting each request, answer, loss and visit into its phase as it happened cost 7–11%
 * of a run with events (interleaved runs, BENCHMARKS.md); copying the totals at a few event
 * times costs nothing measurable.
 */
export class PhaseCollector {
  /** Where each phase starts: the end of the warmup, then each event time inside the measured interval. */
  readonly #starts: number[];
  readonly #labels: string[];
  readonly #until: number;
  readonly #metrics: Collector;
  /** The totals at each boundary: the phases' starts, then the run's end. */
  readonly #totals: (Totals | undefined)[];

  /** Phases of `metrics`' run from `from` to `until`, cut at `cuts` (sorted, inside the interval), each starting phase named by `labels[k]`. */
  constructor(metrics: Collector, from: number, until: number, cuts: readonly number[], labels: readonly string[]) {
    this.#metrics = metrics;
    this.#starts = [from, ...cuts];
    this.#labels = ["start", ...labels];
    this.#until = until;
    this.#totals = new Array<Totals | undefined>(this.#starts.length + 1);
  }

  /** The cut times, for scheduling the boundaries. */
  get cuts(): readonly number[] {
    return this.#starts.slice(1);
  }

  /** Phase `k` starts (k = 0: measurement starts; one past the last: the run ends), with the store's operations so far. */
  boundary(k: number, operations: number | null): void {
    const m = this.#metrics;
    this.#totals[k] = {
      requests: m.requests,
      failedRequests: m.failedRequests,
      lostSessions: m.lostSessions,
      lostByCause: { ...m.lostByCause },
      visits: m.visits,
      disruptedVisits: m.disruptedVisits,
      latency: m.latency.snapshot(),
      operations,
    };
  }

  results(): PhaseResult[] {
    return this.#starts.map((from, k) => {
      const to = k + 1 < this.#starts.length ? this.#starts[k + 1] : this.#until;
      const a = this.#totals[k] as Totals, b = this.#totals[k + 1] as Totals;
      const quantile = (q: number) => {
        const x = this.#metrics.latency.quantileBetween(a.latency, b.latency, q);
        return Number.isNaN(x) ? null : x;
      };
      const lostByCause = { ...b.lostByCause };
      for (const cause of Object.keys(lostByCause) as LostCause[]) lostByCause[cause] -= a.lostByCause[cause];
      return {
        from,
        to,
        startedBy: this.#labels[k],
        requests: b.requests - a.requests,
        failedRequests: b.failedRequests - a.failedRequests,
        lostSessions: b.lostSessions - a.lostSessions,
        lostByCause,
        visits: b.visits - a.visits,
        disruptedVisits: b.disruptedVisits - a.disruptedVisits,
        latencyMs: { p50: quantile(0.5), p95: quantile(0.95), p99: quantile(0.99) },
        storeOperationsPerSecond: a.operations !== null && b.operations !== null && to > from ? (b.operations - a.operations) / (to - from) : null,
      };
    });
  }
}

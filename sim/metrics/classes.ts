import { lostCauses, type LostCause } from "./causes.js";
import { LogHistogram } from "./histogram.js";
import type { ClassMetrics } from "./result.js";

/**
 * The run's counts split by device class: typed arrays indexed by class, and a latency
 * histogram per class. The model calls it beside the run's Collector, with the user's class,
 * only in scenarios that have classes; each method counts as the Collector's method of the same
 * name does (the same warmup rules), so the classes' counts add up to the run's.
 */
export class ClassCollector {
  readonly #names: readonly string[];
  readonly #from: number;
  readonly #until: number;
  readonly #requests: Float64Array;
  readonly #failed: Float64Array;
  readonly #sessions: Float64Array;
  readonly #lost: Float64Array;
  readonly #lostByCause: Record<LostCause, number>[];
  readonly #visits: Float64Array;
  readonly #disrupted: Float64Array;
  /** Served requests of sessions that already existed, those served elsewhere than the previous one, and those served where the session was held. */
  readonly #continuing: Float64Array;
  readonly #remaps: Float64Array;
  readonly #hits: Float64Array;
  readonly #expired: Float64Array;
  readonly #liveAtStart: Float64Array;
  readonly #liveAtEnd: Float64Array;
  readonly #latency: LogHistogram[];

  /** Classes named `names` (index = class), measured from `from` (the end of the warmup) to `until`. */
  constructor(names: readonly string[], from: number, until: number) {
    const n = names.length;
    this.#names = names;
    this.#from = from;
    this.#until = until;
    this.#requests = new Float64Array(n);
    this.#failed = new Float64Array(n);
    this.#sessions = new Float64Array(n);
    this.#lost = new Float64Array(n);
    this.#lostByCause = names.map(() => Object.fromEntries(lostCauses.map((c) => [c, 0])) as Record<LostCause, number>);
    this.#visits = new Float64Array(n);
    this.#disrupted = new Float64Array(n);
    this.#continuing = new Float64Array(n);
    this.#remaps = new Float64Array(n);
    this.#hits = new Float64Array(n);
    this.#expired = new Float64Array(n);
    this.#liveAtStart = new Float64Array(n);
    this.#liveAtEnd = new Float64Array(n);
    this.#latency = names.map(() => new LogHistogram());
  }

  request(c: number, now: number): void {
    if (now >= this.#from) this.#requests[c]++;
  }

  failed(c: number, sentAt: number): void {
    if (sentAt >= this.#from) this.#failed[c]++;
  }

  served(c: number, sentAt: number, now: number): void {
    if (sentAt >= this.#from) this.#latency[c].record((now - sentAt) * 1000);
  }

  sessionStarted(c: number, now: number): void {
    if (now >= this.#from) this.#sessions[c]++;
  }

  visitStarted(c: number, now: number): void {
    if (now >= this.#from) this.#visits[c]++;
  }

  /** A measured visit had its first loss. */
  visitDisrupted(c: number): void {
    this.#disrupted[c]++;
  }

  lost(c: number, now: number, cause: LostCause): void {
    if (now < this.#from) return;
    this.#lost[c]++;
    this.#lostByCause[c][cause]++;
  }

  continued(c: number, now: number, remapped: boolean, hit: boolean): void {
    if (now < this.#from) return;
    this.#continuing[c]++;
    if (remapped) this.#remaps[c]++;
    if (hit) this.#hits[c]++;
  }

  /** A session live when measurement starts. */
  inherited(c: number): void {
    this.#liveAtStart[c]++;
  }

  sessionAbandoned(c: number, now: number, expiry: number): void {
    if (now < this.#from && expiry >= this.#from) this.#liveAtStart[c]++;
    if (expiry >= this.#until) this.#liveAtEnd[c]++;
    else if (expiry >= this.#from) this.#expired[c]++;
  }

  /** Each class's metrics, by name in class order; a ratio with nothing to divide by, or a statistic of no sample, is null. */
  metrics(): Record<string, ClassMetrics> {
    const rate = (a: number, b: number) => (b > 0 ? a / b : null);
    return Object.fromEntries(
      this.#names.map((name, c) => {
        const h = this.#latency[c], answered = h.count > 0;
        const figures: ClassMetrics = {
          requests: this.#requests[c],
          failedRequests: this.#failed[c],
          sessions: this.#sessions[c],
          lostSessions: this.#lost[c],
          lostSessionRate: rate(this.#lost[c], this.#sessions[c] + this.#liveAtStart[c]),
          lostByCause: { ...this.#lostByCause[c] },
          visits: this.#visits[c],
          disruptedVisits: this.#disrupted[c],
          disruptedVisitRate: rate(this.#disrupted[c], this.#visits[c]),
          expiredSessions: this.#expired[c],
          liveSessionsAtStart: this.#liveAtStart[c],
          liveSessionsAtEnd: this.#liveAtEnd[c],
          remapRate: rate(this.#remaps[c], this.#continuing[c]),
          affinityHitRate: rate(this.#hits[c], this.#continuing[c]),
          latencyMs: {
            mean: answered ? h.mean : null,
            p50: answered ? h.quantile(0.5) : null,
            p95: answered ? h.quantile(0.95) : null,
            p99: answered ? h.quantile(0.99) : null,
          },
        };
        return [name, figures];
      }),
    );
  }
}

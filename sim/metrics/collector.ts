import { lostCauses, type LostCause } from "./causes.js";
import type { ClassCollector } from "./classes.js";
import { LogHistogram } from "./histogram.js";
import type { Metrics, StoreFigures, Timeline } from "./result.js";

/**
 * Streams one run's measurements into counters, per-window per-server request counts and a
 * latency histogram. Everything that happens before `from` (the warmup) is ignored.
 */
export class Collector {
  readonly from: number;
  requests = 0;
  failedRequests = 0;
  sessions = 0;
  lostSessions = 0;
  readonly lostByCause = Object.fromEntries(lostCauses.map((c) => [c, 0])) as Record<LostCause, number>;
  /** Served requests of sessions that already existed: the denominator of remapRate and affinityHitRate. */
  continuing = 0;
  remaps = 0;
  affinityHits = 0;
  expiredSessions = 0;
  visits = 0;
  disruptedVisits = 0;
  liveSessionsAtStart = 0;
  liveSessionsAtEnd = 0;
  readonly #until: number;
  readonly latency = new LogHistogram();
  readonly timeline: Timeline = { t: [], loadSkew: [], requests: [], failedRequests: [], lostSessions: [], serverRequests: [], serverUtilisation: [], serverSessions: [] };

  readonly #weights: Int32Array;
  readonly #workers: number;
  readonly #windowLoad: Float64Array;
  /** Requests routed to each server while measuring, and its workers' busy seconds (all of a service counted when it starts). */
  readonly #routed: Float64Array;
  readonly #busy: Float64Array;
  readonly #windowBusy: Float64Array;
  /** 1 while a server has been up for the whole current window. */
  readonly #upAllWindow: Uint8Array;
  /** When each server joined the pool and left it (the measured interval's ends for servers there throughout). */
  readonly #joined: Float64Array;
  readonly #left: Float64Array;
  #windowStart: number;
  #windows = 0;
  #skewSum = 0;
  #covSum = 0;
  #peakSkew = 0;
  #windowRequests = 0;
  #windowFailed = 0;
  #windowLost = 0;
  /** Bytes one session held in a server's memory takes (null: the store keeps none there), and the most any server held at a window end. */
  sessionBytes: number | null = null;
  /** Set at the end of the run, from the store: the figures only some stores have. */
  storeFigures: Partial<StoreFigures> = {};
  #peakHeld = 0;
  /** Sessions in use summed over the window ends, and how many windows closed. */
  #inUseSum = 0;
  #closed = 0;

  /** Servers that exist so far (the arrays have room for the pool's capacity). */
  size: number;
  /** With device classes, the same counts split by class (the model calls it beside this one); null without, so nothing is counted twice. */
  byClass: ClassCollector | null = null;

  /** Measures from `from` (the end of the warmup) to `until` (the end of the run); `weights` has an entry per server the pool can hold. */
  constructor(from: number, until: number, weights: Int32Array, size: number, workers: number) {
    this.size = size;
    this.from = from;
    this.#until = until;
    this.#weights = weights;
    this.#workers = workers;
    this.#windowLoad = new Float64Array(weights.length);
    this.#routed = new Float64Array(weights.length);
    this.#busy = new Float64Array(weights.length);
    this.#windowBusy = new Float64Array(weights.length);
    this.#upAllWindow = new Uint8Array(weights.length).fill(1);
    this.#joined = new Float64Array(weights.length).fill(from);
    this.#left = new Float64Array(weights.length).fill(until);
    this.#windowStart = from;
  }

  request(now: number): void {
    if (now < this.from) return;
    this.requests++;
    this.#windowRequests++;
  }

  routed(server: number, now: number): void {
    if (now < this.from) return;
    this.#windowLoad[server]++;
    this.#routed[server]++;
  }

  /** A worker of `server` starts `seconds` of work. */
  busy(server: number, seconds: number, now: number): void {
    if (now < this.from) return;
    this.#busy[server] += seconds;
    this.#windowBusy[server] += seconds;
  }

  /** A request sent at `sentAt` got no answer; counted like its request, by when it was sent. */
  failed(sentAt: number): void {
    if (sentAt < this.from) return;
    this.failedRequests++;
    this.#windowFailed++;
  }

  sessionStarted(now: number): void {
    if (now >= this.from) this.sessions++;
  }

  /** A visit starts; returns whether it is measured (it started after the warmup). */
  visitStarted(now: number): boolean {
    if (now < this.from) return false;
    this.visits++;
    return true;
  }

  /** A measured visit had its first loss. */
  visitDisrupted(): void {
    this.disruptedVisits++;
  }

  lost(now: number, cause: LostCause): void {
    if (now < this.from) return;
    this.lostSessions++;
    this.lostByCause[cause]++;
    this.#windowLost++;
  }

  /**
   * A session stopped being used at `now`; it was live until `expiry` (last use + idle timeout): expired
   * if that falls inside the measured interval, still live at the end if at or past its end.
   */
  sessionAbandoned(now: number, expiry: number): void {
    // Left before measuring started but still live then: inherited like those still in use.
    if (now < this.from && expiry >= this.from) this.liveSessionsAtStart++;
    if (expiry >= this.#until) this.liveSessionsAtEnd++;
    else if (expiry >= this.from) this.expiredSessions++;
  }

  continued(now: number, remapped: boolean, hit: boolean): void {
    if (now < this.from) return;
    this.continuing++;
    if (remapped) this.remaps++;
    if (hit) this.affinityHits++;
  }

  served(sentAt: number, now: number): void {
    if (sentAt >= this.from) this.latency.record((now - sentAt) * 1000);
  }

  /** The server stops taking part in the load (down, or draining) for the rest of the current window. */
  serverDown(server: number): void {
    this.#upAllWindow[server] = 0;
  }

  /** A server joined the pool at `now` (its utilisation counts its time from then). */
  serverJoined(server: number, now: number): void {
    this.#joined[server] = Math.min(this.#until, Math.max(this.from, now));
    this.#upAllWindow[server] = 0;
  }

  /** A server left the pool for good at `now`. */
  serverLeft(server: number, now: number): void {
    this.#left[server] = Math.min(this.#until, Math.max(this.from, now));
  }

  /**
   * Closes the load window ending at `now` and opens the next; `inRotation` says which servers
   * take new sessions now (up and not draining), `sessions` how many sessions in use each holds.
   */
  closeWindow(inRotation: Uint8Array, sessions: Int32Array, held: Int32Array | null, now: number): void {
    const load = this.#windowLoad, full = this.#upAllWindow, weights = this.#weights, size = this.size;
    let n = 0, sum = 0, max = 0;
    for (let s = 0; s < size; s++) {
      if (!full[s]) continue;
      const x = load[s] / weights[s];
      n++;
      sum += x;
      if (x > max) max = x;
    }
    let skew: number | null = null;
    if (n > 0 && sum > 0) {
      const mean = sum / n;
      let squares = 0;
      for (let s = 0; s < size; s++) if (full[s]) squares += (load[s] / weights[s] - mean) ** 2;
      skew = max / mean;
      this.#windows++;
      this.#skewSum += skew;
      this.#covSum += Math.sqrt(squares / n) / mean;
      if (skew > this.#peakSkew) this.#peakSkew = skew;
    }
    const tl = this.timeline;
    tl.t.push(this.#windowStart);
    tl.loadSkew.push(skew);
    tl.requests.push(this.#windowRequests);
    tl.failedRequests.push(this.#windowFailed);
    tl.lostSessions.push(this.#windowLost);
    tl.serverRequests.push(Array.from(load.subarray(0, size)));
    const capacity = this.#workers * (now - this.#windowStart);
    tl.serverUtilisation.push(Array.from(this.#windowBusy.subarray(0, size), (b) => b / capacity));
    tl.serverSessions.push(Array.from(sessions.subarray(0, size)));
    if (held) {
      (tl.serverSessionsHeld ??= []).push(Array.from(held.subarray(0, size)));
      for (let s = 0; s < size; s++) if (held[s] > this.#peakHeld) this.#peakHeld = held[s];
    }
    for (let s = 0; s < size; s++) this.#inUseSum += sessions[s];
    this.#closed++;
    this.#windowBusy.fill(0);
    load.fill(0);
    full.set(inRotation);
    this.#windowRequests = this.#windowFailed = this.#windowLost = 0;
    this.#windowStart = now;
  }

  /** Per server, over the measured interval: requests routed to it and the share of its workers' time spent serving while it was in the pool. */
  perServer(): { requests: number[]; utilisation: number[] } {
    const size = this.size, workers = this.#workers;
    const utilisation = Array.from(this.#busy.subarray(0, size), (b, s) => {
      const seconds = this.#left[s] - this.#joined[s];
      return seconds > 0 ? b / (workers * seconds) : 0;
    });
    return { requests: Array.from(this.#routed.subarray(0, size)), utilisation };
  }

  /** The share of the workers' time spent serving: the servers' utilisations weighted by their time in the pool. */
  #utilisation(perServer: readonly number[]): number {
    let weighted = 0, seconds = 0, churn = false;
    for (let s = 0; s < perServer.length; s++) {
      const t = Math.max(0, this.#left[s] - this.#joined[s]);
      churn ||= t !== this.#until - this.from;
      weighted += perServer[s] * t;
      seconds += t;
    }
    // Without servers joining or leaving, the plain mean (the same number, to the last bit as before).
    if (!churn) return perServer.reduce((a, b) => a + b, 0) / perServer.length;
    return seconds > 0 ? weighted / seconds : 0;
  }

  /** The run's metrics; a ratio with nothing to divide by, or a statistic of no sample, is null. */
  metrics(): Metrics {
    const rate = (a: number, b: number) => (b > 0 ? a / b : null);
    const h = this.latency, answered = h.count > 0, windows = this.#windows > 0;
    const { utilisation } = this.perServer();
    return {
      requests: this.requests,
      failedRequests: this.failedRequests,
      sessions: this.sessions,
      lostSessions: this.lostSessions,
      // Over every session that lived while measuring: those started and those inherited from the warmup.
      lostSessionRate: rate(this.lostSessions, this.sessions + this.liveSessionsAtStart),
      lostByCause: { ...this.lostByCause },
      visits: this.visits,
      disruptedVisits: this.disruptedVisits,
      disruptedVisitRate: rate(this.disruptedVisits, this.visits),
      expiredSessions: this.expiredSessions,
      liveSessionsAtStart: this.liveSessionsAtStart,
      liveSessionsAtEnd: this.liveSessionsAtEnd,
      remapRate: rate(this.remaps, this.continuing),
      loadSkew: windows ? this.#skewSum / this.#windows : null,
      peakLoadSkew: windows ? this.#peakSkew : null,
      loadCov: windows ? this.#covSum / this.#windows : null,
      latencyMs: {
        mean: answered ? h.mean : null,
        p50: answered ? h.quantile(0.5) : null,
        p95: answered ? h.quantile(0.95) : null,
        p99: answered ? h.quantile(0.99) : null,
      },
      affinityHitRate: rate(this.affinityHits, this.continuing),
      answeredPerSecond: h.count / (this.#until - this.from),
      sessionsInUse: this.#closed > 0 ? this.#inUseSum / this.#closed : null,
      peakSessionsHeld: this.sessionBytes !== null && this.#closed > 0 ? this.#peakHeld : null,
      peakBytesHeld: this.sessionBytes !== null && this.#closed > 0 ? this.#peakHeld * this.sessionBytes : null,
      revocationSeconds: this.storeFigures.revocationSeconds ?? null,
      cacheHitRate: this.storeFigures.cacheHitRate ?? null,
      staleReads: this.storeFigures.staleReads ?? null,
      replicationBytesPerSecond: this.storeFigures.replicationBytesPerSecond ?? null,
      peakReplicationBytesPerSecond: this.storeFigures.peakReplicationBytesPerSecond ?? null,
      utilisation: this.#utilisation(utilisation),
      peakUtilisation: Math.max(...utilisation),
      ...(this.byClass ? { byClass: this.byClass.metrics() } : {}),
    };
  }
}

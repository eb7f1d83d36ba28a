import type { ConnectionMetrics, Timeline } from "./result.js";

/** Connection skew at or below this counts as balanced again after a server returns. */
export const SETTLED_SKEW = 1.2;

/**
 * Counts what long-lived connections do while measuring (from `from` to `until`): openings,
 * drops, reconnect attempts per second (the storm), messages carried, and the skew of open
 * connections across servers at each load window's end and after each server's return.
 */
export class ConnectionCollector {
  readonly #from: number;
  readonly #until: number;
  readonly #messageRate: number;
  readonly #timeline: Timeline;
  /** Reconnect attempts per second of the run. */
  readonly #perSecond: Int32Array;
  #opened = 0;
  #dropped = 0;
  #attempts = 0;
  #reconnects = 0;
  #refused = 0;
  #gaveUp = 0;
  #messages = 0;
  #windows = 0;
  #skewed = 0;
  #skewSum = 0;
  #peakSkew = 0;
  #openSum = 0;
  #returns = 0;
  #returnSeconds = 0;
  #skewedAtEnd = 0;

  constructor(from: number, until: number, messagesPerSecond: number, timeline: Timeline) {
    this.#from = from;
    this.#until = until;
    this.#messageRate = messagesPerSecond;
    this.#timeline = timeline;
    this.#perSecond = new Int32Array(Math.ceil(until) + 1);
  }

  opened(now: number, reconnect: boolean): void {
    if (now < this.#from) return;
    this.#opened++;
    if (reconnect) this.#reconnects++;
  }

  /** A connection open since `openedAt` closed at `now`, dropped by its server or not: the messages it carried while measuring. */
  closed(openedAt: number, now: number, dropped: boolean): void {
    const seconds = Math.min(now, this.#until) - Math.max(openedAt, this.#from);
    if (seconds > 0) this.#messages += seconds * this.#messageRate;
    if (dropped && now >= this.#from) this.#dropped++;
  }

  attempted(now: number, reconnect: boolean): void {
    if (now < this.#from || !reconnect) return;
    this.#attempts++;
    this.#perSecond[Math.floor(now)]++;
  }

  refused(now: number): void {
    if (now >= this.#from) this.#refused++;
  }

  gaveUp(now: number): void {
    if (now >= this.#from) this.#gaveUp++;
  }

  /** A server that returned at `returnedAt` saw connection skew settle at `now` (or the run ended first: `settled` false). */
  returnSettled(returnedAt: number, now: number, settled: boolean): void {
    this.#returns++;
    this.#returnSeconds += now - returnedAt;
    if (!settled) this.#skewedAtEnd++;
  }

  /** A load window ends: the connections open on each server (`up` says which servers count for the skew). */
  window(open: Int32Array, up: Uint8Array, size: number): void {
    const skew = connectionSkew(open, up, size);
    if (skew !== null) {
      this.#skewed++;
      this.#skewSum += skew;
      if (skew > this.#peakSkew) this.#peakSkew = skew;
    }
    let total = 0;
    for (let s = 0; s < size; s++) total += open[s];
    this.#openSum += total;
    this.#windows++;
    (this.#timeline.serverConnections ??= []).push(Array.from(open.subarray(0, size)));
  }

  metrics(): ConnectionMetrics {
    const bins = this.#perSecond;
    let peak = 0, peakAt = -1;
    for (let s = Math.floor(this.#from); s < bins.length; s++) {
      if (bins[s] > peak) {
        peak = bins[s];
        peakAt = s;
      }
    }
    return {
      opened: this.#opened,
      meanOpen: this.#windows > 0 ? this.#openSum / this.#windows : null,
      skew: this.#skewed > 0 ? this.#skewSum / this.#skewed : null,
      peakSkew: this.#skewed > 0 ? this.#peakSkew : null,
      dropped: this.#dropped,
      reconnectAttempts: this.#attempts,
      reconnects: this.#reconnects,
      refused: this.#refused,
      gaveUp: this.#gaveUp,
      peakReconnectsPerSecond: peak,
      peakReconnectAt: peakAt >= 0 ? peakAt : null,
      skewAfterReturnSeconds: this.#returns > 0 ? this.#returnSeconds / this.#returns : null,
      skewedAtEnd: this.#skewedAtEnd,
      messages: this.#messages,
      messagesPerSecond: this.#messages / (this.#until - this.#from),
    };
  }
}

/** Open connections per server, max over mean across the servers that are up; null with none up or no connection open. */
export function connectionSkew(open: Int32Array, up: Uint8Array, size: number): number | null {
  let n = 0, sum = 0, max = 0;
  for (let s = 0; s < size; s++) {
    if (!up[s]) continue;
    n++;
    sum += open[s];
    if (open[s] > max) max = open[s];
  }
  return n > 0 && sum > 0 ? max / (sum / n) : null;
}

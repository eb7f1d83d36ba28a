import type { LostCause, TopologyCause } from "./causes.js";

/** A ratio or statistic that is null where it is undefined: no session started, no complete window, no answered request. */
export type Measure = number | null;

/** Headline metrics of one simulation run (or their means over replications). Names as in DESIGN.md. */
export interface Metrics {
  requests: number;
  failedRequests: number;
  sessions: number;
  lostSessions: number;
  lostSessionRate: Measure;
  lostByCause: Record<LostCause, number>;
  /** Visits started while measuring, and those in which the user lost a session at least once. */
  visits: number;
  disruptedVisits: number;
  /** disruptedVisits / visits: how many users noticed, whatever the number of losses each. */
  disruptedVisitRate: Measure;
  /** Sessions that ended by idling past the store's idle timeout. */
  expiredSessions: number;
  /** Sessions live when measurement started (at the end of the warmup) and at the end of the run. */
  liveSessionsAtStart: number;
  liveSessionsAtEnd: number;
  remapRate: Measure;
  loadSkew: Measure;
  peakLoadSkew: Measure;
  loadCov: Measure;
  latencyMs: { mean: Measure; p50: Measure; p95: Measure; p99: Measure };
  affinityHitRate: Measure;
  /** Answered requests per second while measuring: the achieved rate. */
  answeredPerSecond: number;
  /** Sessions in use at once (users in a visit), averaged over the load windows' ends; null with no window. */
  sessionsInUse: Measure;
  /**
   * For stores in server memory: the most sessions one server held at a window end, expired ones
   * included until the application's cleanup, and those in bytes; null for other stores.
   */
  peakSessionsHeld: Measure;
  peakBytesHeld: Measure;
  /**
   * For client-side tokens with a lifetime: the mean time a session revoked at one of its
   * requests keeps working (what is left of its token, or the denylist's delay); null otherwise.
   */
  revocationSeconds: Measure;
  /** For a cache in front of a shared store: reads of an existing session answered from the serving server's cache, over all such reads; null otherwise. */
  cacheHitRate: Measure;
  /**
   * For stores where a server can read an older version of a session than its last write (a
   * local cache another server's write made out of date, a replica that missed the latest
   * write): how many reads did; null for stores where it cannot happen.
   */
  staleReads: Measure;
  /** For replicated server memory: bytes per second a server sends to keep replicas, the mean over servers and the busiest's; null otherwise. */
  replicationBytesPerSecond: Measure;
  peakReplicationBytesPerSecond: Measure;
  /** Share of the workers' time spent serving, averaged over servers, and on the busiest server. */
  utilisation: number;
  peakUtilisation: number;
  /** For scenarios whose users hold WebSocket connections: what happened to them; absent otherwise. */
  connections?: ConnectionMetrics;
  /** With more than one balancer replica: the seconds, while measuring, during which their health checks disagreed about some server; absent with one. */
  replicas?: { disagreementSeconds: number };
  /** With device classes (`clients.classes`): the users' own figures per class, by class name; absent without classes. */
  byClass?: Record<string, ClassMetrics>;
}

/**
 * Long-lived connections over the measured interval. A connection is opened by a routed upgrade
 * request and stays on its server until the visit ends or the server goes; a dropped one is
 * reconnected after the client's backoff, each attempt routed again.
 */
export interface ConnectionMetrics {
  /** Connections opened (first connections of visits and reconnections). */
  opened: number;
  /** Open connections in all, averaged over the load windows' ends. */
  meanOpen: Measure;
  /** Open connections per server, max over mean across the servers that are up, averaged over the windows' ends; and the worst window. */
  skew: Measure;
  peakSkew: Measure;
  /** Connections cut because their server went (crash, stop, drain deadline, removal). */
  dropped: number;
  /** Attempts to connect after a drop or a failed attempt; those that opened; attempts refused (no server, a server down, or at its connection limit); clients that gave up. */
  reconnectAttempts: number;
  reconnects: number;
  refused: number;
  gaveUp: number;
  /** Reconnect attempts in the busiest second (the storm), and when that second began. */
  peakReconnectsPerSecond: number;
  peakReconnectAt: Measure;
  /**
   * After a server returns (recovers, starts, is added), the seconds until connection skew is back
   * at or below 1.2 (checked every second), averaged over the returns; a return still skewed at
   * the end counts until the end and in `skewedAtEnd`.
   */
  skewAfterReturnSeconds: Measure;
  skewedAtEnd: number;
  /** Messages carried over open connections (counted, not routed), and per second. */
  messages: number;
  messagesPerSecond: number;
  /** With messages simulated one by one (`clients.websocket.messageService`). */
  messagesAnswered?: number;
  messagesDropped?: number;
  messageLatencyMs?: MessageMetrics["messageLatencyMs"];
}

/**
 * Messages simulated one by one at their connection's server, while measuring: answered, dropped
 * (the queue at its limit, or the server's process died with them), and the time from reaching
 * the server to the answer (the wait in its queue plus the work).
 */
export interface MessageMetrics {
  messagesAnswered: number;
  messagesDropped: number;
  messageLatencyMs: { mean: number | null; p50: number | null; p95: number | null; p99: number | null };
}

/**
 * One device class's share of the run's figures, defined as the run's are but over the requests,
 * sessions and visits of that class's users. Counts add up over the classes to the run's.
 */
export type ClassMetrics = Pick<
  Metrics,
  | "requests"
  | "failedRequests"
  | "sessions"
  | "lostSessions"
  | "lostSessionRate"
  | "lostByCause"
  | "visits"
  | "disruptedVisits"
  | "disruptedVisitRate"
  | "expiredSessions"
  | "liveSessionsAtStart"
  | "liveSessionsAtEnd"
  | "remapRate"
  | "affinityHitRate"
  | "latencyMs"
>;

/** Figures only some stores have. */
export interface StoreFigures {
  /** Reads of an existing session answered from the serving server's own cache, over all such reads. */
  cacheHitRate: number | null;
  /** Reads that found an older version of the session than its last write (another server changed it, or a replica missed the latest write). */
  staleReads: number | null;
  /** For client-side tokens with a lifetime: the mean time a session revoked at one of its requests keeps working. */
  revocationSeconds: number | null;
  /** Bytes per second one server sends to keep replicas, the mean over servers and the busiest server's. */
  replicationBytesPerSecond: number | null;
  peakReplicationBytesPerSecond: number | null;
}

/**
 * One phase of the measured interval: from its start (the end of the warmup, or an event time)
 * to the next event time or the end. Requests count by when they were sent, visits by when
 * they started; failures, answers (their latency), losses and disrupted visits by when they
 * happened.
 */
export interface PhaseResult {
  from: number;
  to: number;
  /** What started it: "start", or the events at its start ("store", "crash s2"). */
  startedBy: string;
  requests: number;
  failedRequests: number;
  lostSessions: number;
  lostByCause: Record<LostCause, number>;
  visits: number;
  disruptedVisits: number;
  latencyMs: { p50: Measure; p95: Measure; p99: Measure };
  /** Operations per second at the session store (reads and writes), for stores that count them; null otherwise. */
  storeOperationsPerSecond: Measure;
}

/** Per-server figures over the measured interval, in server order. */
export interface ServerFigures {
  names: string[];
  /** Requests routed to each server. */
  requests: number[];
  /** Share of each server's workers' time spent serving. */
  utilisation: number[];
}

/** What one topology event (crash, recover, ...) did to the sessions that were active when it happened. */
export interface TopologyEventResult {
  at: number;
  /** The scenario event's kind (its action key). */
  action: string;
  server: string;
  /** Live sessions at the event. */
  activeSessions: number;
  /** Of those, sessions that sent another request that was served. */
  returnedSessions: number;
  /** Of the returned, sessions whose request went to a different server than their previous one. */
  movedSessions: number;
  /** movedSessions / returnedSessions; null when none returned. */
  remapFraction: Measure;
  /** The least any strategy must move: returned sessions whose previous server was taken away, / returnedSessions; null when none returned. */
  minimumFraction: Measure;
  /**
   * The share a strategy that keeps load balanced by weight must move: how much the accepting
   * servers' weight shares grew in all (added / new total for an addition), at least the minimum.
   */
  balancedFraction: Measure;
  /** Sessions active at the event and lost because of it (its servers' memory, or the moves it made), and that over activeSessions. */
  lostSessions: number;
  lostFraction: Measure;
  lostByCause: Record<TopologyCause, number>;
  /** For drains: the longest time a drained server took to hold no session in use; null when one still held some at its deadline, or for other events. */
  emptiedAfter: Measure;
  /** Over replications (in results, not in one run's output): the 95% half-width of each figure and of each cause's losses, null with one replication. */
  ci95?: EventIntervals;
}

/** The 95% half-widths of an event's figures over replications, nested as the figures are. */
export type EventIntervals = Partial<Record<EventFigure, number | null>> & { lostByCause?: Record<TopologyCause, number | null> };

/** The figures of a topology event that vary between replications. */
export const EVENT_FIGURES = ["activeSessions", "returnedSessions", "movedSessions", "remapFraction", "minimumFraction", "balancedFraction", "lostSessions", "lostFraction", "emptiedAfter"] as const;
export type EventFigure = (typeof EVENT_FIGURES)[number];

/** Per-window series of the first replication, for time charts. */
export interface Timeline {
  /** Window start, seconds. */
  t: number[];
  loadSkew: (number | null)[];
  requests: number[];
  failedRequests: number[];
  lostSessions: number[];
  /**
   * Per window, per server (in the order servers were created; a window lists the servers that
   * existed at its end): requests routed, the share of the workers' time spent serving, and the
   * sessions in use on it at the window's end (users in a visit whose last request it served).
   */
  serverRequests: number[][];
  serverUtilisation: number[][];
  serverSessions: number[][];
  /** For stores in server memory: sessions each server held at the window's end, expired ones included until cleaned up. */
  serverSessionsHeld?: number[][];
  /** With WebSockets: connections open on each server at the window's end. */
  serverConnections?: number[][];
  /** Names of the server columns (in results; a run's own timeline leaves them to its server list). */
  servers?: string[];
}

/**
 * `M`'s shape with every numeric leaf (a count, a ratio, null where undefined) replaced by `T`:
 * how `estimates` and `vsBaseline` nest, key for key as `metrics` does.
 */
export type PerMetric<T, M = Metrics> = { [K in keyof M]: NonNullable<M[K]> extends number ? T : PerMetric<T, NonNullable<M[K]>> };

/** Mean, spread and 95% confidence half-width of one metric over the replications where it is defined (all null where it is in none). */
export interface Estimate {
  mean: number | null;
  sd: number | null;
  /** Student-t 95% half-width; null with a single replication. */
  ci95: number | null;
}

/**
 * One metric of a strategy against the baseline strategy, replication by replication: the
 * strategies share each replication's random draws (common random numbers), so d_r = x_r − base_r
 * pairs them. Over the replications where both are defined.
 */
export interface PairedDifference {
  /** Replications where both are defined. */
  n: number;
  /** Mean and spread of the per-replication differences; null with none. */
  mean: number | null;
  sd: number | null;
  /** Student-t 95% half-width of the mean difference; null with fewer than 2 replications. */
  ci95: number | null;
  /** The half-width the same difference of means would have if the runs were independent (Welch); null with fewer than 2. */
  unpairedCi95: number | null;
  /** ci95 / unpairedCi95: how much narrower pairing makes the interval (0.2 is five times narrower); null where the unpaired one is 0 or null. */
  pairedToUnpaired: number | null;
  /** Whether the paired interval excludes 0 (never with fewer than 2 replications, or a difference of 0). */
  distinguishable: boolean;
}

export interface StrategyResult {
  /** The label shown in reports: the strategy id, or the scenario's `label`. */
  strategy: string;
  id: string;
  store: string;
  /** With device classes: the strategy id each class is routed by (the entry's own for those it does not name), by class name. */
  classes?: Record<string, string>;
  /** Means over replications. */
  metrics: Metrics;
  /** Uncertainty of each metric, nested exactly as `metrics` is (`estimates.latencyMs.p99` is `metrics.latencyMs.p99`'s). */
  estimates: PerMetric<Estimate>;
  /**
   * Each metric (nested as `metrics`) minus the baseline strategy's, paired by replication; the
   * baseline's own differences are exactly 0 (0 half-widths, never distinguishable).
   */
  vsBaseline: PerMetric<PairedDifference>;
  /** Topology events, averaged over replications (fractions are means of per-replication fractions). */
  events: TopologyEventResult[];
  /** Per-server requests and utilisation, means over replications. */
  servers: ServerFigures;
  /** The measured interval cut at the scenario's event times (none without events, or with more than 20 event times), means over replications. */
  phases: PhaseResult[];
  /** One entry per replication. */
  replications: Metrics[];
  timeline: Timeline;
}

export interface Result {
  /** The lbsim that wrote it. */
  lbsim: { version: string };
  scenario: string;
  description: string;
  seed: number;
  replications: number;
  duration: number;
  warmup: number;
  servers: string[];
  /** The scenario's device classes and their shares of the users; absent without classes. */
  classes?: { name: string; fraction: number }[];
  /** The label of the strategy every other is compared with (`vsBaseline`). */
  baseline: string;
  results: StrategyResult[];
  /**
   * The scenario as it was run, a document the scenario schema accepts: the file's JSON with every
   * override applied (`--seed`, `--replications`, `--set`, a sweep point's values), its name, seed
   * and replications written out, and the strategy entries run, as written.
   */
  scenarioDocument: Record<string, unknown>;
}

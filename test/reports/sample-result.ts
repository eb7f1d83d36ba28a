import type { LostCause, TopologyCause } from "../../sim/metrics/causes.js";
import { withBaseline, type UnpairedStrategyResult } from "../../sim/metrics/paired.js";
import { nest } from "../../sim/metrics/per-metric.js";
import type { Estimate, EventIntervals, Metrics, Result, StrategyResult, TopologyEventResult } from "../../sim/metrics/result.js";

/**
 * A small but plausible Result: the quickstart deployment (4 servers, one crash and recovery),
 * then s4 drained with a 5-minute deadline and s5 added, with three strategies and three
 * replications. Numbers are made up but keep the invariants
 * of real runs: rates are ratios of the counts, lostByCause sums to lostSessions, metrics are
 * the means of the replications and estimates are computed from them. The first strategy is
 * the baseline.
 */
export function sampleResult(labels: Partial<Record<StrategyKey, string>> = {}): Result {
  const compared = withBaseline(labels.roundRobin ?? profiles.roundRobin.label, {
    lbsim: { version: "0.0.0" },
    scenario: "quickstart",
    description: "Four servers keeping sessions in memory; a fifth of the users behind corporate NAT; one crash.",
    seed: 1,
    replications: 3,
    duration: 3600,
    warmup: 300,
    servers: SERVERS,
    results: (Object.keys(profiles) as StrategyKey[]).map((key) => strategyResult(key, labels[key])),
  });
  return { ...compared, scenarioDocument: { name: "quickstart", servers: { count: 4 }, strategies: compared.results.map((r) => r.id) } };
}

type StrategyKey = "roundRobin" | "ipHash" | "cookie";

/** s5 joins at 52 min, so it is the last server column and missing from the windows before. */
const SERVERS = ["s1", "s2", "s3", "s4", "s5"];
const DRAIN_AT = 2700;
const DRAIN_DEADLINE = 300;
const ADD_AT = 3120;

interface TopologyProfile {
  /** Share of the returning sessions moved. */
  moved: number;
  /** Sessions lost because of the event, by cause. */
  lost: Partial<Record<TopologyCause, number>>;
}

interface Profile {
  label: string;
  id: string;
  store: string;
  lostByCause: Record<LostCause, number>;
  remapRate: number;
  loadSkew: number;
  latencyP50: number;
  affinityHitRate: number;
  /** Share of the returning sessions moved by the crash and by the recovery. */
  moved: [number, number];
  /** The drain of s4: seconds until it held no session in use (null: still in use at the deadline). */
  drain: TopologyProfile & { emptiedAfter: number | null };
  /** The addition of s5. */
  add: TopologyProfile;
}

const profiles: Record<StrategyKey, Profile> = {
  roundRobin: {
    label: "round-robin & redis",
    id: "round-robin",
    store: "shared",
    lostByCause: { serverCrash: 0, remapped: 0, addressChanged: 0, cookieCleared: 41, tokenTooLarge: 0, serverStopped: 0, drainDeadline: 0, storeOutage: 0, storeDataLoss: 0, tokenExpired: 0, evicted: 0, storeFull: 0, storeTtl: 0, storeSwitched: 0 },
    remapRate: 0.748,
    loadSkew: 1.04,
    latencyP50: 46.2,
    affinityHitRate: 0.251,
    moved: [0.751, 0.749],
    // A shared store: moves cost nothing.
    drain: { moved: 0.752, lost: {}, emptiedAfter: 41.5 },
    add: { moved: 0.801, lost: {} },
  },
  ipHash: {
    label: "nginx-ip-hash",
    id: "nginx-ip-hash",
    store: "local",
    lostByCause: { serverCrash: 612, remapped: 188, addressChanged: 305, cookieCleared: 0, tokenTooLarge: 0, serverStopped: 0, drainDeadline: 0, storeOutage: 0, storeDataLoss: 0, tokenExpired: 0, evicted: 0, storeFull: 0, storeTtl: 0, storeSwitched: 0 },
    remapRate: 0.0312,
    loadSkew: 1.87,
    latencyP50: 41.8,
    affinityHitRate: 0.962,
    moved: [0.262, 0.248],
    // Address hashing sends the drained server's clients elsewhere at once.
    drain: { moved: 0.262, lost: { remapped: 121 }, emptiedAfter: 12.3 },
    add: { moved: 0.781, lost: { remapped: 64 } },
  },
  cookie: {
    label: "cookie-insert",
    id: "cookie-insert",
    store: "local",
    lostByCause: { serverCrash: 598, remapped: 0, addressChanged: 0, cookieCleared: 43, tokenTooLarge: 0, serverStopped: 0, drainDeadline: 37, storeOutage: 0, storeDataLoss: 0, tokenExpired: 0, evicted: 0, storeFull: 0, storeTtl: 0, storeSwitched: 0 },
    remapRate: 0.0107,
    loadSkew: 1.12,
    latencyP50: 39.5,
    affinityHitRate: 0.981,
    moved: [0.249, 0],
    // Bound clients keep reaching the drained server; the last ones are there at the deadline.
    drain: { moved: 0.255, lost: { drainDeadline: 37 }, emptiedAfter: null },
    add: { moved: 0.012, lost: {} },
  },
};

/** Replication-to-replication variation, the same for every strategy (common random numbers). */
const jitter = [0.95, 1.01, 1.04];

function replication(p: Profile, j: number): Metrics {
  const requests = Math.round(1_412_000 * (0.98 + 0.02 * j));
  const sessions = Math.round(70_850 * (0.97 + 0.03 * j));
  const lostByCause = Object.fromEntries(
    Object.entries(p.lostByCause).map(([cause, n]) => [cause, Math.round(n * j)]),
  ) as Record<LostCause, number>;
  const lostSessions = Object.values(lostByCause).reduce((a, b) => a + b, 0);
  const p50 = p.latencyP50 * j;
  return {
    requests,
    failedRequests: Math.round(212 * j),
    sessions,
    lostSessions,
    lostSessionRate: lostSessions / sessions,
    lostByCause,
    visits: Math.round(sessions * 0.8),
    disruptedVisits: Math.round(lostSessions * 0.7),
    disruptedVisitRate: Math.round(lostSessions * 0.7) / Math.round(sessions * 0.8),
    expiredSessions: Math.round(sessions * 0.6),
    liveSessionsAtStart: Math.round(sessions * 0.1),
    liveSessionsAtEnd: Math.round(sessions * 0.1),
    remapRate: p.remapRate * j,
    loadSkew: p.loadSkew * (0.99 + 0.01 * j),
    peakLoadSkew: p.loadSkew * 1.6 * j,
    loadCov: (p.loadSkew - 1) * 0.55 * j + 0.02,
    latencyMs: { mean: p50 * 1.3, p50, p95: p50 * 3.1, p99: p50 * 6.4 },
    affinityHitRate: Math.min(1, p.affinityHitRate * (1.002 - 0.002 * j)),
    answeredPerSecond: (requests - Math.round(212 * j)) / 3300,
    utilisation: 0.56 * j,
    peakUtilisation: 0.58 * j,
    sessionsInUse: 640 * j,
    peakSessionsHeld: p.store === "local" ? Math.round(900 * j) : null,
    peakBytesHeld: p.store === "local" ? Math.round(900 * j) * 2048 : null,
    revocationSeconds: null,
    cacheHitRate: null,
    staleReads: null,
    replicationBytesPerSecond: null,
    peakReplicationBytesPerSecond: null,
  };
}

/** The sample's measures are all defined. */
function mean(xs: (number | null)[]): number {
  return (xs as number[]).reduce((a, b) => a + b, 0) / xs.length;
}

/** Student-t 95% with 2 degrees of freedom. */
function estimate(xs: (number | null)[]): Estimate {
  const m = mean(xs);
  const sd = Math.sqrt((xs as number[]).reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
  return { mean: m, sd, ci95: (4.303 * sd) / Math.sqrt(xs.length) };
}

const scalar: Record<string, (m: Metrics) => number | null> = {
  requests: (m) => m.requests,
  failedRequests: (m) => m.failedRequests,
  sessions: (m) => m.sessions,
  lostSessions: (m) => m.lostSessions,
  lostSessionRate: (m) => m.lostSessionRate,
  disruptedVisitRate: (m) => m.disruptedVisitRate,
  remapRate: (m) => m.remapRate,
  loadSkew: (m) => m.loadSkew,
  peakLoadSkew: (m) => m.peakLoadSkew,
  loadCov: (m) => m.loadCov,
  "latencyMs.mean": (m) => m.latencyMs.mean,
  "latencyMs.p50": (m) => m.latencyMs.p50,
  "latencyMs.p95": (m) => m.latencyMs.p95,
  "latencyMs.p99": (m) => m.latencyMs.p99,
  affinityHitRate: (m) => m.affinityHitRate,
};

function meanMetrics(reps: Metrics[]): Metrics {
  const avg = (f: (m: Metrics) => number | null) => mean(reps.map(f));
  const causes = Object.keys(reps[0].lostByCause) as LostCause[];
  return {
    requests: avg(scalar.requests),
    failedRequests: avg(scalar.failedRequests),
    sessions: avg(scalar.sessions),
    lostSessions: avg(scalar.lostSessions),
    lostSessionRate: avg(scalar.lostSessionRate),
    lostByCause: Object.fromEntries(causes.map((c) => [c, avg((m) => m.lostByCause[c])])) as Record<LostCause, number>,
    visits: avg((m) => m.visits),
    disruptedVisits: avg((m) => m.disruptedVisits),
    disruptedVisitRate: avg(scalar.disruptedVisitRate),
    expiredSessions: avg((m) => m.expiredSessions),
    liveSessionsAtStart: avg((m) => m.liveSessionsAtStart),
    liveSessionsAtEnd: avg((m) => m.liveSessionsAtEnd),
    remapRate: avg(scalar.remapRate),
    loadSkew: avg(scalar.loadSkew),
    peakLoadSkew: avg(scalar.peakLoadSkew),
    loadCov: avg(scalar.loadCov),
    latencyMs: {
      mean: avg(scalar["latencyMs.mean"]),
      p50: avg(scalar["latencyMs.p50"]),
      p95: avg(scalar["latencyMs.p95"]),
      p99: avg(scalar["latencyMs.p99"]),
    },
    affinityHitRate: avg(scalar.affinityHitRate),
    answeredPerSecond: avg((m) => m.answeredPerSecond),
    utilisation: avg((m) => m.utilisation),
    peakUtilisation: avg((m) => m.peakUtilisation),
    sessionsInUse: avg((m) => m.sessionsInUse as number),
    peakSessionsHeld: reps[0].peakSessionsHeld === null ? null : avg((m) => m.peakSessionsHeld as number),
    peakBytesHeld: reps[0].peakBytesHeld === null ? null : avg((m) => m.peakBytesHeld as number),
    revocationSeconds: null,
    cacheHitRate: null,
    staleReads: null,
    replicationBytesPerSecond: null,
    peakReplicationBytesPerSecond: null,
  };
}

interface EventShape {
  at: number;
  action: string;
  server: string;
  active: number;
  moved: number;
  minimum: number;
  balanced: number;
  lost: Partial<Record<TopologyCause, number>>;
  emptiedAfter?: number | null;
}

function topologyEvent(e: EventShape): TopologyEventResult {
  const returned = Math.round(e.active * 0.87);
  const moved = Math.round(returned * e.moved);
  const lostByCause: Record<TopologyCause, number> = { remapped: 0, serverCrash: 0, serverStopped: 0, drainDeadline: 0, storeOutage: 0, storeDataLoss: 0, storeSwitched: 0, ...e.lost };
  const lost = Object.values(lostByCause).reduce((a, b) => a + b, 0);
  const emptiedAfter = e.emptiedAfter ?? null;
  // Half-widths of plausible size for three replications.
  const ci95: EventIntervals = {
    activeSessions: e.active * 0.03,
    returnedSessions: returned * 0.03,
    movedSessions: moved * 0.05,
    remapFraction: e.moved * 0.04,
    minimumFraction: e.minimum * 0.05,
    balancedFraction: 0,
    lostSessions: lost * 0.08,
    lostFraction: (lost / e.active) * 0.08,
    emptiedAfter: emptiedAfter === null ? null : emptiedAfter * 0.2,
    lostByCause: Object.fromEntries(Object.entries(lostByCause).map(([cause, n]) => [cause, n * 0.08])) as Record<TopologyCause, number>,
  };
  return {
    at: e.at,
    action: e.action,
    server: e.server,
    activeSessions: e.active,
    returnedSessions: returned,
    movedSessions: moved,
    remapFraction: moved / returned,
    minimumFraction: e.minimum,
    balancedFraction: e.balanced,
    lostSessions: lost,
    lostFraction: lost / e.active,
    lostByCause,
    emptiedAfter,
    ci95,
  };
}

function topologyEvents(p: Profile, store: string): TopologyEventResult[] {
  // Sessions held in memory go with the crashed server's memory; a shared store keeps them.
  const crashLost = store === "local" ? Math.round(2412 * 0.2489) : 0;
  return [
    topologyEvent({ at: 1800, action: "crash", server: "s2", active: 2412, moved: p.moved[0], minimum: 0.2489, balanced: 0.2489, lost: { serverCrash: crashLost } }),
    topologyEvent({ at: 2400, action: "recover", server: "s2", active: 2377, moved: p.moved[1], minimum: 0, balanced: 0.25, lost: {} }),
    topologyEvent({ at: DRAIN_AT, action: "drain", server: "s4", active: 2390, moved: p.drain.moved, minimum: 0.2501, balanced: 0.2501, lost: p.drain.lost, emptiedAfter: p.drain.emptiedAfter }),
    topologyEvent({ at: ADD_AT, action: "add", server: "s5", active: 2401, moved: p.add.moved, minimum: 0, balanced: 0.2, lost: p.add.lost }),
  ];
}

/**
 * One-minute windows after warmup; skew wanders, jumps while s2 is down (30-40 min) for address
 * hashing. s4 empties after its drain (at once, or by its deadline) and s5 fills after it joins;
 * rows are ragged: the windows before s5 existed have four server columns.
 */
function timeline(p: Profile, key: StrategyKey): StrategyResult["timeline"] {
  const t: number[] = [];
  const loadSkew: number[] = [];
  for (let start = 300; start < 3600; start += 60) {
    const wobble = 0.06 * Math.sin(start / 170 + key.length) + 0.03 * Math.cos(start / 53);
    const down = start >= 1800 && start < 2400 ? (key === "ipHash" ? 0.35 : 0.08) : 0;
    t.push(start);
    loadSkew.push(p.loadSkew + wobble * (p.loadSkew - 0.9) + down);
  }
  const requests = t.map((s) => 23_500 + Math.round(900 * Math.sin(s / 400)));
  const failedRequests = t.map((s) => (s === 1800 ? 212 : 0));
  const lostSessions = t.map((s) => (s === 1800 ? 540 : 4));
  // The share of a full server's load each server carries in the window starting at `s`.
  const share = (k: number, s: number): number => {
    const end = s + 60;
    if (k === 1 && s >= 1800 && s < 2400) return 0; // s2 is down
    if (k === 3 && end > DRAIN_AT) {
      const emptied = p.drain.emptiedAfter ?? DRAIN_DEADLINE;
      return Math.max(0, 1 - (end - DRAIN_AT) / emptied); // s4 drains
    }
    if (k === 4) return Math.min(1, (end - ADD_AT) / 300); // s5 fills
    return 1;
  };
  const columns = (s: number) => (s + 60 > ADD_AT ? 5 : 4);
  const serverRequests = t.map((s, i) => Array.from({ length: columns(s) }, (_, k) => Math.round((share(k, s) * requests[i]) / 4)));
  const serverUtilisation = serverRequests.map((row) => row.map((n) => n / 40_000));
  const serverSessions = serverRequests.map((row) => row.map((n) => Math.round(n / 20)));
  return { t, loadSkew, requests, failedRequests, lostSessions, serverRequests, serverUtilisation, serverSessions, servers: SERVERS };
}

function strategyResult(key: StrategyKey, label: string | undefined): UnpairedStrategyResult {
  const p = profiles[key];
  const replications = jitter.map((j) => replication(p, j));
  // Only the metrics the reports read: the others are left out.
  const estimates = nest(Object.fromEntries(Object.entries(scalar).map(([name, get]) => [name, estimate(replications.map(get))])));
  return {
    strategy: label ?? p.label,
    id: p.id,
    store: p.store,
    metrics: meanMetrics(replications),
    estimates,
    events: topologyEvents(p, p.store),
    phases: [],
    servers: { names: SERVERS, requests: [355_000, 310_000, 355_000, 320_000, 21_000], utilisation: [0.58, 0.51, 0.58, 0.52, 0.31] },
    replications,
    timeline: timeline(p, key),
  };
}

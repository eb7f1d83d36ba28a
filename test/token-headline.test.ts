import { beforeAll, describe, expect, it } from "vitest";
import { loadScenarioFile, type Result } from "../sim/index.js";
import { compileDistribution } from "../sim/model/distributions.js";
import type { Scenario } from "../sim/scenario/scenario.js";
import { runBundled, strategy } from "./bundled.js";

// The headline jwt-tokens.json's description states, checked on a full run of the file as shipped
// (its own seed and replications) against what its traffic implies, worked out here from the
// file's own parameters. The file runs in about a second and a half.
//
// The traffic: visits of N requests, N geometric with mean m (P(N >= n) = q^(n-1), q = 1 - 1/m),
// one gap between requests each the think time (exponential, mean th) plus the response (the
// service time: the servers are far from busy, so there is next to no queue). After each request
// the user goes on with probability q, so a visit goes on past a moment with a probability that
// falls as exp(-t / tau), tau = gap / (1 - q) = m * gap, whatever happened before: a visit lasts
// longer than t with probability q * exp(-t / tau).
//
// Visits arrive at a steady rate from time 0 (no warm start); the measured ones are those that
// start after the warmup W, to the end T. A loss d seconds into a visit is seen by a measured
// visit if it started before T - d, a share 1 - d / (T - W) of them; and it is counted (between
// W and T) for the visits that started between W - d (not before 0) and T - d, so the losses
// counted per measured visit are what a visit loses, times ((T - d) - max(0, W - d)) / (T - W).

const FILE = "jwt-tokens.json";
const GROWING = "token growing 100 B a request";
const NO_REFRESH = "JWT exp 15m, no refresh";
const SLIDING = "JWT exp 15m, sliding refresh";
const DENYLIST = "JWT exp 15m, sliding, 30 s denylist";
const SHARED = "round-robin + shared store";

/** Within `margin` (a share) of `expected`. */
function near(actual: number | null, expected: number, margin: number): void {
  expect(actual).not.toBeNull();
  expect(Math.abs((actual as number) / expected - 1), `${actual} vs ${expected}`).toBeLessThan(margin);
}

/** The options of the store of the strategy entry with this label. */
function storeOf(s: Scenario, label: string): Record<string, number | string | undefined> {
  const entry = s.strategies.find((e) => e.label === label);
  if (!entry) throw new Error(`no strategy ${label} in ${FILE}`);
  return entry.store as Record<string, number | string | undefined>;
}

describe("jwt-tokens.json", () => {
  let result: Result;
  let s: Scenario;
  let q: number, gap: number, tau: number;
  /** The share of measured visits that see a loss `d` seconds into a visit, and the losses counted at that age per measured visit, for one in every visit. */
  let seen: (d: number) => number, counted: (d: number) => number;
  beforeAll(() => {
    result = runBundled(FILE);
    s = loadScenarioFile(new URL(`../scenarios/${FILE}`, import.meta.url).pathname);
    const requests = s.clients.requestsPerVisit, think = s.clients.think;
    if (requests.dist !== "geometric" || think.dist !== "exponential") throw new Error("the derivation below assumes geometric visits and exponential think times");
    expect(s.warmStart).toBe(false);
    expect(s.clients.returning.fraction).toBe(0);
    q = 1 - 1 / requests.mean;
    gap = think.mean + compileDistribution(s.servers.service).mean;
    tau = requests.mean * gap;
    const T = s.duration, W = s.warmup;
    seen = (d) => 1 - d / (T - W);
    counted = (d) => (T - d - Math.max(0, W - d)) / (T - W);
  });

  it("every strategy sees the same traffic", () => {
    const visits = result.results.map((r) => r.metrics.visits);
    expect(visits[0]).toBeGreaterThan(5000);
    expect(new Set(visits).size).toBe(1);
  });

  it("the growing token passes 4096 bytes in the visits that reach its limit, and each such visit starts over small", () => {
    const store = storeOf(s, GROWING);
    const base = store.sessionBytes as number, grow = store.growBytes as number, max = store.maxBytes as number;
    expect(max).toBe(4096);
    // The response to a session's k-th request sets base + grow (k - 1) bytes, so the first request
    // that comes without it is the session's first k with base + grow (k - 2) > max, and the visits
    // that get there are those of at least k requests: q^(k-1) of them. A loss starts a new session
    // at that request, which the visit loses again k - 1 requests later, with the same chance.
    const k = Math.floor((max - base) / grow) + 3;
    expect(k).toBe(33); // as the description says
    expect(base + grow * (k - 2)).toBeGreaterThan(max);
    expect(base + grow * (k - 3)).toBeLessThanOrEqual(max);
    // The j-th loss comes j (k - 1) gaps into the visit, in the visits of at least j (k - 1) + 1 requests.
    const reach = (j: number) => q ** ((k - 1) * j), at = (j: number) => j * (k - 1) * gap;
    const m = strategy(result, GROWING).metrics;
    near(m.disruptedVisitRate, reach(1) * seen(at(1)), 0.05);
    const lossesPerVisit = [1, 2, 3, 4, 5, 6].reduce((sum, j) => sum + reach(j) * counted(at(j)), 0);
    near(m.lostByCause.tokenTooLarge / m.visits, lossesPerVisit, 0.05);
    expect(m.lostSessions).toBe(m.lostByCause.tokenTooLarge);
    // Every loss starts the session over, and nothing else does (up to a visit that began just
    // before the warmup's end and whose first request was answered after it).
    expect(Math.abs(m.sessions - (m.visits + m.lostSessions))).toBeLessThanOrEqual(1);
    expect(m.revocationSeconds).toBeNull();
  });

  it("without refresh the 15-minute token expires in the visits longer than 15 minutes", () => {
    const lifetime = storeOf(s, NO_REFRESH).lifetime as number;
    expect(lifetime).toBe(900);
    // The first request past 15 minutes after the login finds the token expired; it comes one
    // residual gap (exponential: a whole gap on average) after the 15 minutes. The new session
    // it starts is lost again in a visit that goes on another 15 minutes, with the same chance.
    const longer = q * Math.exp(-lifetime / tau), at = (j: number) => j * (lifetime + gap);
    // "a fifth of them longer than 15 minutes"
    expect(longer).toBeGreaterThan(0.19);
    expect(longer).toBeLessThan(0.23);
    const m = strategy(result, NO_REFRESH).metrics;
    near(m.disruptedVisitRate, longer * seen(at(1)), 0.05);
    near(m.lostByCause.tokenExpired / m.visits, [1, 2, 3, 4, 5, 6].reduce((sum, j) => sum + longer ** j * counted(at(j)), 0), 0.05);
    expect(m.lostSessions).toBe(m.lostByCause.tokenExpired);
  });

  it("without refresh a revoked session keeps working for what is left of its token: over half its lifetime, as reads crowd its start", () => {
    const lifetime = storeOf(s, NO_REFRESH).lifetime as number;
    // A session's reads come at age a (since the login) at a rate proportional to exp(-a / tau)
    // (visits that go on that long), up to the lifetime. The store counts every read of the run,
    // the warmup's too, so the end of the run keeps a share 1 - a / T of them. Each finds
    // lifetime - a left: the mean of that over those reads.
    const T = s.duration;
    let sum = 0, weight = 0;
    for (let i = 0; i < 10_000; i++) {
      const a = ((i + 0.5) / 10_000) * lifetime, w = Math.exp(-a / tau) * (1 - a / T);
      sum += w * (lifetime - a);
      weight += w;
    }
    const m = strategy(result, NO_REFRESH).metrics;
    near(m.revocationSeconds, sum / weight, 0.02);
    expect(m.revocationSeconds).toBeGreaterThan(lifetime / 2);
  });

  it("refreshed on every response the token never expires while the user keeps coming, and a revoked one works nearly its whole lifetime", () => {
    const lifetime = storeOf(s, SLIDING).lifetime as number;
    const m = strategy(result, SLIDING).metrics;
    // A gap longer than the lifetime (15 minutes of thinking, exp(-900 / 30)) never happens here.
    expect(m.lostByCause.tokenExpired).toBe(0);
    expect(m.lostSessions).toBe(0);
    expect(m.disruptedVisitRate).toBe(0);
    // Each read finds a token issued one gap before. The run's end leaves out the gap each visit
    // still in progress was in, longer than most (about 570 visits of some 450,000 gaps): 0.15 s.
    expect(Math.abs((m.revocationSeconds as number) - (lifetime - gap))).toBeLessThan(0.5);
  });

  it("a denylist bounds how long a revoked session keeps working", () => {
    const denylist = storeOf(s, DENYLIST).denylist as number;
    const m = strategy(result, DENYLIST).metrics;
    expect(m.revocationSeconds).toBeLessThanOrEqual(denylist);
    // With a sliding refresh nearly every token has far more than 30 s left.
    expect(m.revocationSeconds).toBeGreaterThan(0.99 * denylist);
    expect(m.revocationSeconds).toBeLessThan(strategy(result, SLIDING).metrics.revocationSeconds! / 10);
    expect(m.lostSessions).toBe(0);
  });

  it("a shared store keeps nothing in the cookie and loses none of these", () => {
    const m = strategy(result, SHARED).metrics;
    expect(m.lostSessions).toBe(0);
    expect(m.lostByCause.tokenTooLarge + m.lostByCause.tokenExpired).toBe(0);
    expect(m.revocationSeconds).toBeNull();
    expect(Math.abs(m.sessions - m.visits)).toBeLessThanOrEqual(1);
  });
});

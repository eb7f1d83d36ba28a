import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { lostCauses } from "../../sim/metrics/causes.js";
import type { ClassMetrics, Metrics, Result, StrategyResult } from "../../sim/metrics/result.js";
import { Balancer } from "../../sim/model/balancer.js";
import { ClassRouter } from "../../sim/model/class-router.js";
import { ServerPool } from "../../sim/model/servers.js";
import { runScenario } from "../../sim/run.js";
import type { PoolChange, RoutingView, Strategy } from "../../sim/strategies/define.js";
import { strategies } from "../../sim/strategies/index.js";
import { renderCsv, renderJson } from "../../reports/index.js";
import { request, scenario } from "../helpers.js";

/** Users split evenly into classes A and B over four servers with sessions in memory; `fields` replace the scenario's. */
function classes(strategies: unknown[], fields: Record<string, unknown> = {}, clients: Record<string, unknown> = {}) {
  return scenario({
    seed: 7,
    duration: "30m",
    warmup: "5m",
    replications: 2,
    clients: {
      visitsPerSecond: 3,
      requestsPerVisit: { dist: "geometric", mean: 10 },
      think: { dist: "exponential", mean: "5s" },
      classes: [
        { name: "A", fraction: 0.5 },
        { name: "B", fraction: 0.5 },
      ],
      ...clients,
    },
    servers: { count: 4, workers: 4 },
    store: { kind: "local", idleTimeout: "10m" },
    strategies,
    ...fields,
  });
}

const byLabel = (result: Result, label: string): StrategyResult => result.results.find((r) => r.strategy === label) as StrategyResult;
const of = (metrics: Metrics, name: string): ClassMetrics => metrics.byClass?.[name] as ClassMetrics;

describe("device classes routed by their own strategies", () => {
  let calm: Result;
  beforeAll(() => {
    calm = runScenario(classes([{ id: "round-robin", classes: { B: "nginx-ip-hash" } }, { id: "nginx-ip-hash", classes: { A: "round-robin" } }, "round-robin"]));
  });

  it("names each entry's classes' strategies in its label and results", () => {
    expect(calm.results.map((r) => r.strategy)).toEqual(["round-robin (B: nginx-ip-hash)", "nginx-ip-hash (A: round-robin)", "round-robin"]);
    expect(calm.results.map((r) => r.classes)).toEqual([
      { A: "round-robin", B: "nginx-ip-hash" },
      { A: "round-robin", B: "nginx-ip-hash" },
      { A: "round-robin", B: "round-robin" },
    ]);
    expect(calm.classes).toEqual([
      { name: "A", fraction: 0.5 },
      { name: "B", fraction: 0.5 },
    ]);
  });

  it("sends the hashed class's users to one server for good and spreads the round-robin class's", () => {
    const r = byLabel(calm, "round-robin (B: nginx-ip-hash)").metrics;
    const a = of(r, "A"), b = of(r, "B");
    // An address hash with fixed addresses and no pool change keeps every session where it started.
    expect(b.remapRate).toBe(0);
    expect(b.affinityHitRate).toBe(1);
    expect(b.lostSessions).toBe(0);
    // Round robin over 4 servers sends a session's next request to the server it used with chance about 1/4.
    expect(a.remapRate).toBeGreaterThan(0.7);
    expect(a.remapRate).toBeLessThan(0.8);
    // In server memory a moved session is lost and started over where it landed: every request is a hit or a move.
    expect((a.affinityHitRate as number) + (a.remapRate as number)).toBeCloseTo(1, 12);
    expect(a.lostByCause.remapped).toBe(a.lostSessions);
  });

  it("gives the same run whether a class takes the entry's strategy or names the same one itself", () => {
    // Round robin for A and an address hash for B either way; the round robin sees only A's requests in both.
    const [named, mirrored] = calm.results;
    expect(mirrored.metrics).toEqual(named.metrics);
    expect(mirrored.replications).toEqual(named.replications);
  });

  it("keeps the classes' state apart: one round robin over every user is not one per class", () => {
    const shared = byLabel(calm, "round-robin").metrics, split = byLabel(calm, "round-robin (B: nginx-ip-hash)").metrics;
    expect(of(shared, "B").remapRate).toBeGreaterThan(0.7);
    expect(of(split, "A").remapRate).not.toBe(of(shared, "A").remapRate);
  });

  it("draws each user's class with the given shares", () => {
    const r = byLabel(calm, "round-robin").replications[0];
    const visits = of(r, "A").visits + of(r, "B").visits;
    // 0.5 ± 4 standard deviations of a binomial share over the users (a few thousand visits, about one user each).
    expect(of(r, "A").visits / visits).toBeGreaterThan(0.5 - 4 * Math.sqrt(0.25 / visits));
    expect(of(r, "A").visits / visits).toBeLessThan(0.5 + 4 * Math.sqrt(0.25 / visits));
  });
});

describe("per-class metrics", () => {
  let eventful: Result;
  beforeAll(() => {
    eventful = runScenario(
      classes(
        [{ id: "round-robin", classes: { B: "cookie-insert" } }, { id: "cookie-insert", classes: { A: { id: "ring-hash", virtualNodes: 40 } } }, "nginx-ip-hash"],
        {
          balancer: { healthCheck: { interval: "5s", fall: 3, rise: 2 } },
          events: [
            { at: "12m", crash: "s2" },
            { at: "18m", recover: "s2" },
            { at: "22m", add: { count: 1 } },
          ],
        },
        { returning: { fraction: 0.4, after: { dist: "exponential", mean: "3m" } }, cookies: { clearPerVisit: 0.1 }, mobile: { fraction: 0.2, addressChangeEvery: "2m" } },
      ),
    );
  });

  const counts = ["requests", "failedRequests", "sessions", "lostSessions", "visits", "disruptedVisits", "expiredSessions", "liveSessionsAtStart", "liveSessionsAtEnd"] as const;

  it("add up over the classes to the run's counts exactly, in every replication", () => {
    for (const r of eventful.results)
      for (const m of r.replications) {
        const a = of(m, "A"), b = of(m, "B");
        for (const key of counts) expect(a[key] + b[key], `${r.strategy} ${key}`).toBe(m[key]);
        for (const cause of lostCauses) expect(a.lostByCause[cause] + b.lostByCause[cause], `${r.strategy} ${cause}`).toBe(m.lostByCause[cause]);
        // Something happened to add up: the crash cost requests and sessions, the cookies were cleared.
        expect(m.failedRequests).toBeGreaterThan(0);
        expect(m.lostByCause.cookieCleared).toBeGreaterThan(0);
        expect(m.liveSessionsAtStart).toBeGreaterThan(0);
      }
  });

  it("conserve each class's sessions as the run's are conserved", () => {
    for (const r of eventful.results)
      for (const m of r.replications)
        for (const c of [of(m, "A"), of(m, "B")]) expect(c.sessions + c.liveSessionsAtStart).toBe(c.expiredSessions + c.lostSessions + c.liveSessionsAtEnd);
  });

  it("put the run's latency percentiles between the classes' (a mixture's quantile lies between its parts')", () => {
    for (const r of eventful.results)
      for (const m of r.replications)
        for (const q of ["p50", "p95", "p99"] as const) {
          const parts = [of(m, "A").latencyMs[q] as number, of(m, "B").latencyMs[q] as number];
          expect(m.latencyMs[q]).toBeGreaterThanOrEqual(Math.min(...parts));
          expect(m.latencyMs[q]).toBeLessThanOrEqual(Math.max(...parts));
        }
  });

  it("are means over replications like every other metric, with their own estimates and CSV columns", () => {
    const r = eventful.results[0];
    const mean = (values: number[]) => values.reduce((x, y) => x + y, 0) / values.length;
    expect(of(r.metrics, "B").lostSessions).toBe(mean(r.replications.map((m) => of(m, "B").lostSessions)));
    expect(r.estimates.byClass!.B.remapRate.mean).toBe(of(r.metrics, "B").remapRate);
    const [header] = renderCsv(eventful).split("\n");
    expect(header).toContain(",byClass.A.requests,");
    expect(header).toContain(",byClass.B.latencyMs.p99,");
    expect(header).toContain(",byClass.B.remapRate.ci95");
  });

});

describe("a class's own strategy", () => {
  it("hears of every pool change: a ring built for the class leaves the crashed server and takes in the added one", () => {
    // Every user is of class A, routed by its own ring; the entry's round robin routes nobody.
    const result = runScenario(
      classes([{ id: "round-robin", classes: { A: "ring-hash" } }], {
        replications: 1,
        events: [
          { at: "12m", crash: "s2" },
          { at: "22m", add: { count: 1 } },
        ],
      }, { classes: [{ name: "A", fraction: 1 }, { name: "B", fraction: 0 }] }),
    );
    const r = result.results[0], a = of(r.metrics, "A");
    // A ring that kept s2 would send it a quarter of the requests for the 18 minutes it is down; one without s5 nothing there.
    expect(a.failedRequests / a.requests).toBeLessThan(0.01);
    expect(r.servers.requests[r.servers.names.indexOf("s5")]).toBeGreaterThan(0.1 * a.requests * (8 / 25));
  });
});

describe("redispatch per class", () => {
  it("sends the last retry of the class that redispatches elsewhere; the other class's requests to the dead server fail", () => {
    const result = runScenario(
      classes([{ id: "cookie-insert", classes: { B: { id: "cookie-insert", redispatch: true } } }], {
        replications: 1,
        balancer: { healthCheck: { interval: "10s", fall: 3, rise: 2 } },
        events: [{ at: "15m", crash: "s2" }],
      }),
    );
    const a = of(result.results[0].metrics, "A"), b = of(result.results[0].metrics, "B");
    // For the 20 to 30 s until the crash is detected, A's users bound to s2 get 503s; B's are answered by another server.
    expect(a.failedRequests).toBeGreaterThan(30);
    expect(b.failedRequests).toBeLessThan(0.25 * a.failedRequests);
  });
});

describe("scenarios with device classes", () => {
  it("give byte-identical results for the same seed", () => {
    const twice = [0, 1].map(() => renderJson(runScenario(classes([{ id: "round-robin", classes: { A: "jump-hash" } }, "cookie-insert"], { events: [{ at: "10m", crash: "s1" }] }))));
    expect(twice[1]).toBe(twice[0]);
  });

  it("leave entries that route no class apart exactly as without classes, apart from the per-class figures", () => {
    const entries = ["round-robin", "cookie-insert", { id: "ring-hash", virtualNodes: 20 }];
    const fields = { events: [{ at: "10m", crash: "s3" }] };
    const withClasses = runScenario(classes(entries, fields));
    const plain = runScenario(classes(entries, fields, { classes: undefined }));
    const strip = (r: StrategyResult) => {
      const { classes: _classes, ...rest } = r;
      const drop = (m: Metrics) => {
        const { byClass: _byClass, ...kept } = m;
        return kept;
      };
      const plainOnly = <T extends object>(tree: T) => Object.fromEntries(Object.entries(tree).filter(([k]) => k !== "byClass"));
      return { ...rest, metrics: drop(r.metrics), replications: r.replications.map(drop), estimates: plainOnly(r.estimates), vsBaseline: plainOnly(r.vsBaseline) };
    };
    expect(withClasses.results.map(strip)).toEqual(plain.results.map(strip));
    expect(plain.classes).toBeUndefined();
    expect(plain.results[0].metrics.byClass).toBeUndefined();
  });

  it("count nothing for a class with no users", () => {
    const result = runScenario(classes(["round-robin"], { replications: 1 }, { classes: [{ name: "A", fraction: 1 }, { name: "B", fraction: 0 }] }));
    const b = of(result.results[0].metrics, "B");
    expect([b.requests, b.sessions, b.visits]).toEqual([0, 0, 0]);
    expect([b.lostSessionRate, b.remapRate, b.latencyMs.p99]).toEqual([null, null, null]);
    expect(of(result.results[0].metrics, "A").requests).toBe(result.results[0].metrics.requests);
  });
});

/** Strategies a class can be routed by: those that imply no store of their own. */
const routable = strategies.filter((d) => !d.store).map((d) => d.id);

/** A small random scenario with two or three classes, entries routing random classes through random strategies, a crash. */
const randomScenarios = fc
  .record({
    seed: fc.nat(1000),
    shares: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 2, maxLength: 3 }),
    servers: fc.integer({ min: 1, max: 5 }),
    duration: fc.integer({ min: 60, max: 300 }),
    warmup: fc.integer({ min: 0, max: 40 }),
    visitsPerSecond: fc.double({ min: 0.3, max: 3, noNaN: true }),
    returning: fc.double({ min: 0, max: 0.6, noNaN: true }),
    mobile: fc.double({ min: 0, max: 0.5, noNaN: true }),
    clear: fc.double({ min: 0, max: 0.3, noNaN: true }),
    store: fc.constantFrom("local", "shared"),
    entries: fc.array(fc.record({ id: fc.constantFrom(...routable), own: fc.array(fc.option(fc.constantFrom(...routable)), { minLength: 3, maxLength: 3 }) }), { minLength: 1, maxLength: 3 }),
    crash: fc.option(fc.record({ server: fc.nat(4), at: fc.double({ min: 0, max: 1, noNaN: true }) })),
  })
  .map((p) => {
    const total = p.shares.reduce((a, b) => a + b, 0);
    const names = p.shares.map((_, i) => `c${i}`);
    const crash = p.crash && p.servers > 1 ? [{ at: Math.round(p.crash.at * p.duration), crash: `s${(p.crash.server % p.servers) + 1}` }] : [];
    return {
      seed: p.seed,
      duration: p.duration,
      warmup: Math.min(p.warmup, p.duration - 1),
      replications: 1,
      clients: {
        visitsPerSecond: p.visitsPerSecond,
        requestsPerVisit: { dist: "geometric", mean: 5 },
        think: { dist: "exponential", mean: 3 },
        returning: { fraction: p.returning, after: { dist: "exponential", mean: 30 } },
        mobile: { fraction: p.mobile, addressChangeEvery: { dist: "exponential", mean: 40 } },
        cookies: { clearPerVisit: p.clear },
        classes: names.map((name, i) => ({ name, fraction: p.shares[i] / total })),
      },
      servers: { count: p.servers, workers: 2 },
      store: { kind: p.store, idleTimeout: 60 },
      strategies: p.entries.map((e, k) => {
        const classes = Object.fromEntries(names.flatMap((name, i) => (e.own[i] === null ? [] : [[name, e.own[i]]])));
        return { id: e.id, label: `entry ${k}`, ...(Object.keys(classes).length > 0 ? { classes } : {}) };
      }),
      events: crash,
    };
  });

describe("per-class metrics of random scenarios", () => {
  it("add up to the run's counts and conserve each class's sessions, whatever routes each class", () => {
    fc.assert(
      fc.property(randomScenarios, (raw) => {
        const result = runScenario(scenario(raw));
        const names = raw.clients.classes.map((c) => c.name);
        for (const r of result.results)
          for (const m of r.replications) {
            const parts = names.map((name) => of(m, name));
            for (const key of ["requests", "failedRequests", "sessions", "lostSessions", "visits", "disruptedVisits", "expiredSessions", "liveSessionsAtStart", "liveSessionsAtEnd"] as const)
              expect(parts.reduce((sum, c) => sum + c[key], 0), key).toBe(m[key]);
            for (const c of parts) {
              expect(c.sessions + c.liveSessionsAtStart).toBe(c.expiredSessions + c.lostSessions + c.liveSessionsAtEnd);
              expect(Object.values(c.lostByCause).reduce((a, b) => a + b, 0)).toBe(c.lostSessions);
              for (const rate of [c.remapRate, c.affinityHitRate, c.disruptedVisitRate]) {
                if (rate === null) continue;
                expect(rate).toBeGreaterThanOrEqual(0);
                expect(rate).toBeLessThanOrEqual(1);
              }
            }
          }
      }),
      { numRuns: 60, seed: 21 },
    );
  });
});

/** A strategy that answers a fixed server and records the pool changes it hears of. */
class Recording implements Strategy {
  readonly heard: PoolChange[] = [];
  constructor(
    readonly server: number,
    readonly redispatch: boolean,
  ) {}
  pick(_request: RoutingView): number {
    return this.server;
  }
  poolChanged(what: PoolChange): void {
    this.heard.push(what);
  }
}

describe("ClassRouter", () => {
  it("routes by the class it is told, and reports that class's strategy's redispatch", () => {
    const own = new Recording(0, false), mobile = new Recording(2, true);
    const router = new ClassRouter([own, mobile, own]);
    const view = request();
    expect([0, 1, 2].map((c) => ((router.deviceClass = c), [router.pick(view), router.redispatch]))).toEqual([
      [0, false],
      [2, true],
      [0, false],
    ]);
  });

  it("passes every change of the balancer's pool to each strategy once, a shared one too", () => {
    const servers = new ServerPool(
      [1, 2, 3].map((i) => ({ name: `s${i}`, weight: 1, address: `10.0.0.${i}:80`, id: i })),
      4,
      1,
      Infinity,
    );
    const balancer = new Balancer(servers, 1, 1);
    const own = new Recording(0, false), b = new Recording(1, false);
    balancer.strategy = new ClassRouter([own, b, own]);
    balancer.check(1, false); // s2 fails its one check: out
    balancer.setWeight(0, 3);
    balancer.drain(2, true);
    balancer.add({ name: "s4", weight: 1, address: "10.0.0.4:80", id: 4 });
    balancer.remove(0);
    const expected: PoolChange[] = ["health", "weights", "health", "size", "health"];
    expect(own.heard).toEqual(expected);
    expect(b.heard).toEqual(expected);
  });
});

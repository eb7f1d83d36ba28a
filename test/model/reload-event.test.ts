import { describe, expect, it } from "vitest";
import { runScenario } from "../../sim/run.js";
import { scenario, scenarioProblems } from "../helpers.js";

/** Sessions in server memory; users keep coming back within the hour, so a table that forgets them moves them. */
function run(strategies: unknown[], events: unknown[], websocket: Record<string, unknown> = {}) {
  return runScenario(
    scenario({
      seed: 4,
      duration: "40m",
      warmup: "10m",
      warmStart: true,
      replications: 1,
      clients: { visitsPerSecond: 3, requestsPerVisit: { dist: "geometric", mean: 20 }, think: { dist: "exponential", mean: "20s" }, websocket },
      servers: { count: 4 },
      strategies,
      events,
    }),
  ).results;
}

describe("a reload event", () => {
  it("empties what the balancer keeps in memory: kube-proxy's ClientIP table forgets its clients, cookies survive", () => {
    const reload = [{ at: "20m", reload: true }];
    // Recent lists long enough to hold every client, so only the reload forgets them.
    const strategies = [{ id: "k8s-client-ip", listSize: 100_000 }, "cookie-insert", "ingress-nginx-affinity"];
    const [tableBefore, cookieBefore, ingressBefore] = run(strategies, []);
    const [tableAfter, cookieAfter, ingressAfter] = run(strategies, reload);
    // Every session in use at the reload comes back to a random pod: three in four move and are lost.
    expect(tableBefore.metrics.lostByCause.remapped).toBe(0);
    const inUse = tableAfter.metrics.sessionsInUse!;
    expect(tableAfter.metrics.lostByCause.remapped / inUse).toBeGreaterThan(0.6);
    expect(tableAfter.metrics.lostByCause.remapped / inUse).toBeLessThan(0.85);
    // The cookie names the server: nothing is lost (round robin's position restarting changes only new sessions' servers).
    expect(cookieBefore.metrics.lostByCause.remapped).toBe(cookieAfter.metrics.lostByCause.remapped);
    expect(cookieAfter.metrics.lostByCause.remapped).toBe(0);
    // ingress-nginx's balanced cookie holds the ring key: the new process finds the same pod.
    expect(ingressAfter.metrics.lostByCause.remapped).toBe(ingressBefore.metrics.lostByCause.remapped);
    expect(ingressAfter.metrics.lostByCause.remapped).toBe(0);
  });

  it("keeps the old process's connections until hardStopAfter, then cuts them all: a reconnect storm", () => {
    const [kept] = run(["cookie-insert"], [{ at: "20m", reload: true }], { fraction: 1, reconnect: "signalr" });
    expect(kept.metrics.connections!.dropped).toBe(0);
    const [cut] = run(["cookie-insert"], [{ at: "20m", reload: true, hardStopAfter: "4m" }], { fraction: 1, reconnect: "signalr" });
    const c = cut.metrics.connections!;
    // Those opened before 20m and still open at 24m: visits last about 400 s, so a fair share of the ~1,200 open.
    expect(c.dropped).toBeGreaterThan(0.2 * c.meanOpen!);
    expect(c.dropped).toBeLessThan(c.meanOpen!);
    expect(c.peakReconnectAt).toBe(1440);
    expect(c.peakReconnectsPerSecond).toBe(c.dropped);
  });

  it("takes only true, and hardStopAfter only on a reload", () => {
    const base = { duration: "1h", servers: { count: 2 }, strategies: ["round-robin"] };
    const problem = (events: unknown[]) => scenarioProblems({ ...base, events }, "reload.json");
    expect(problem([{ at: 60, reload: false }])).toMatch(/events\[0\]\.reload: /);
    expect(problem([{ at: 60, crash: "s1", hardStopAfter: "1m" }])).toMatch(/events\[0\]\.hardStopAfter: "hardStopAfter" does not go with "crash"; it is an option of "reload"/);
  });
});

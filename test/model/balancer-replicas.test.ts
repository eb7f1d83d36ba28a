import { describe, expect, it } from "vitest";
import { replicasRun } from "./replicas-fixture.js";

/** The fixture's servers with s2 crashing at 15m, checked every 2 s. */
const run = (replicas: number, strategies: unknown[]) => replicasRun(replicas, strategies, [{ at: "15m", crash: "s2" }], { healthCheck: { interval: "2s", fall: 3, rise: 2 } });

describe("balancer replicas", () => {
  it("keep cookie stickiness: every replica reads the same cookie", () => {
    const [one] = run(1, ["cookie-insert"]);
    const [three] = run(3, ["cookie-insert"]);
    expect(one.metrics.lostByCause.remapped).toBe(0);
    expect(three.metrics.lostByCause.remapped).toBe(0);
    expect(three.metrics.remapRate!).toBeLessThan(0.02);
  });

  it("break table stickiness: each replica learns its own table, so consecutive requests through different replicas land apart", () => {
    const table = { id: "k8s-client-ip", listSize: 100_000 };
    const [one] = run(1, [table]);
    const [three] = run(3, [table]);
    expect(one.metrics.remapRate!).toBeLessThan(0.01);
    // The next request reaches another replica 2 times in 3, whose table picked a pod at random: 3 in 4 are another.
    expect(Math.abs(three.metrics.remapRate! - (2 / 3) * (3 / 4))).toBeLessThan(0.05);
    const [stick] = run(3, [{ id: "haproxy-stick-table", on: "src" }]);
    expect(stick.metrics.remapRate!).toBeGreaterThan(0.3);
  });

  it("disagree about a crashed server while their checks catch it one after the other", () => {
    const [one] = run(1, ["round-robin"]);
    expect(one.metrics.replicas).toBeUndefined();
    const [three] = run(3, ["round-robin"]);
    const seconds = three.metrics.replicas!.disagreementSeconds;
    // Their checks are 2/3 s apart: the last replica sees the third failure about 1.3 s after the first.
    expect(seconds).toBeGreaterThan(0.5);
    expect(seconds).toBeLessThan(2);
  });
});

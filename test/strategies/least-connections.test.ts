import { describe, expect, it } from "vitest";
import { leastConnections } from "../../sim/strategies/least-connections.js";
import { pool, request } from "../helpers.js";

type Pool = ReturnType<typeof pool>;

const create = (p: Pool) => leastConnections.create(p, Math.random, {});

/** `n` picks with the pool's load held as it is (requests finish as fast as they come). */
const steady = (p: Pool, n: number) => {
  const s = create(p);
  return Array.from({ length: n }, () => s.pick(request()));
};

/** `n` picks where every request stays active, as while a burst arrives. */
const burst = (p: Pool, n: number) => {
  const s = create(p);
  return Array.from({ length: n }, () => {
    const chosen = s.pick(request());
    p.active[chosen]++;
    return chosen;
  });
};

describe("least-connections (nginx least_conn)", () => {
  it("sends each request to the server with the fewest active requests", () => {
    const p = pool(4);
    p.active.set([3, 1, 4, 2]);
    expect(steady(p, 3)).toEqual([1, 1, 1]);
  });

  it("compares active requests per unit of weight", () => {
    const p = pool(3, { weights: [1, 4, 2] });
    p.active.set([1, 3, 2]); // 1, 0.75, 1
    expect(steady(p, 1)).toEqual([1]);
    p.active.set([1, 5, 2]); // 1, 1.25, 1: servers 0 and 2 tie
    expect(steady(p, 1)).toEqual([2]); // smooth WRR over {0: w 1, 2: w 2}: 2 has the larger current weight
  });

  it("breaks ties by smooth weighted round robin over the tied servers only", () => {
    // All idle: every pick is a tie among all three, which nginx cycles in configuration order.
    expect(steady(pool(3), 7)).toEqual([0, 1, 2, 0, 1, 2, 0]);
    // Server 0 busier: the tie is between 1 and 2.
    const p = pool(3);
    p.active.set([1, 0, 0]);
    expect(steady(p, 4)).toEqual([1, 2, 1, 2]);
    // Weights 3 and 1 with loads 3 and 1 tie at 1 per unit of weight: nginx's 3:1 smooth order a a b a.
    const w = pool(2, { weights: [3, 1] });
    w.active.set([3, 1]);
    expect(steady(w, 8)).toEqual([0, 0, 1, 0, 0, 0, 1, 0]);
  });

  it("fills servers in proportion to their weights while requests pile up", () => {
    const p = pool(3, { weights: [1, 3, 2] });
    burst(p, 600);
    expect(Array.from(p.active)).toEqual([100, 300, 200]);
  });

  it("keeps the tie-break's current weights across requests, as nginx does", () => {
    // Current weights (c0, c1, c2) before -> after each pick, loads in brackets:
    // [0 0 0] tie of all: (1 1 1) -> 0 wins, (-2 1 1); [1 0 0] tie of 1, 2: (-2 2 2) -> 1, (-2 0 2);
    // [1 1 0] 2 alone, no change; [1 1 1] tie of all: (-1 1 3) -> 2, (-1 1 0);
    // [1 1 2] tie of 0, 1: (0 2 0) -> 1, (0 0 0); [1 2 2] 0 alone.
    expect(burst(pool(3), 6)).toEqual([0, 1, 2, 2, 1, 0]);
  });

  it("skips servers that are not eligible, even idle ones, and returns -1 when none is", () => {
    const p = pool(3, { down: [0] });
    p.active.set([0, 5, 2]);
    expect(steady(p, 2)).toEqual([2, 2]);
    expect(steady(pool(3, { down: [0, 1, 2] }), 1)).toEqual([-1]);
    expect(steady(pool(1), 1)).toEqual([0]);
    expect(steady(pool(1, { down: [0] }), 1)).toEqual([-1]);
  });

  it("reads eligibility live, so a recovered server is used again at once", () => {
    const p = pool(2, { down: [0] });
    p.active.set([0, 3]);
    const s = create(p);
    expect(s.pick(request())).toBe(1);
    p.eligible[0] = p.accepting[0] = 1;
    s.poolChanged?.("health");
    expect(s.pick(request())).toBe(0);
  });
});

import { describe, expect, it } from "vitest";
import { roundRobin } from "../../sim/strategies/round-robin.js";
import { pool, request } from "../helpers.js";

const sequence = (p: ReturnType<typeof pool>, n: number) => {
  const s = roundRobin.create(p, Math.random, {});
  return Array.from({ length: n }, () => s.pick(request()));
};

describe("round-robin (nginx smooth weighted round robin)", () => {
  it("cycles equal weights in configuration order from the first server", () => {
    expect(sequence(pool(3), 7)).toEqual([0, 1, 2, 0, 1, 2, 0]);
  });

  it("spreads weights 5, 1, 1 as nginx does: a a b a c a a", () => {
    expect(sequence(pool(3, { weights: [5, 1, 1] }), 14)).toEqual([0, 0, 1, 0, 2, 0, 0, 0, 0, 1, 0, 2, 0, 0]);
  });

  it("skips servers that are not eligible and returns -1 when none is", () => {
    expect(sequence(pool(3, { down: [1] }), 4)).toEqual([0, 2, 0, 2]);
    expect(sequence(pool(2, { down: [0, 1] }), 1)).toEqual([-1]);
  });
});

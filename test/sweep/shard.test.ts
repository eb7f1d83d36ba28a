import { describe, expect, it } from "vitest";
import { InputError } from "../../sim/scenario/errors.js";
import { gridPoints, parseVary } from "../../sim/sweep/grid.js";
import { parseShard, shardOf, shardPoints } from "../../sim/sweep/shard.js";

describe("shard assignment", () => {
  // 7 points (a 7 × 1 grid) and 12 points (3 × 4), split 1 to 5 ways: fewer, as many and more points than shards.
  const grids = [gridPoints([parseVary("servers.count=1..7")]), gridPoints([parseVary("seed=1,2,3"), parseVary("servers.count=2..8:2")])];

  it.each([1, 2, 3, 4, 5])("N=%i: every grid point falls to exactly one shard, and each shard's share is within one of the others'", (n) => {
    for (const points of grids) {
      const seen = new Map<number, number>();
      const sizes: number[] = [];
      for (let k = 1; k <= n; k++) {
        const share = shardPoints(points, { index: k, count: n });
        sizes.push(share.length);
        for (const p of share) {
          expect(shardOf(p.index, n)).toBe(k);
          seen.set(p.index, (seen.get(p.index) ?? 0) + 1);
        }
        // In grid order, so a shard's report lists its points as the whole sweep does.
        expect(share.map((p) => p.index)).toEqual([...share.map((p) => p.index)].sort((a, b) => a - b));
      }
      expect([...seen.keys()].sort((a, b) => a - b)).toEqual(points.map((p) => p.index));
      expect([...seen.values()].every((c) => c === 1)).toBe(true);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });

  it("deals points out in turn, so a grid growing along an axis spreads over the shards", () => {
    const points = gridPoints([parseVary("servers.count=1..8")]);
    expect(shardPoints(points, { index: 1, count: 3 }).map((p) => p.values["servers.count"])).toEqual([1, 4, 7]);
    expect(shardPoints(points, { index: 3, count: 3 }).map((p) => p.values["servers.count"])).toEqual([3, 6]);
  });
});

describe("parseShard", () => {
  it("reads K/N, counted from 1 as Jest, Playwright and node --test-shard write it", () => {
    expect(parseShard("3/8")).toEqual({ index: 3, count: 8 });
    expect(parseShard("1/1")).toEqual({ index: 1, count: 1 });
    expect(parseShard(" 2 / 5 ")).toEqual({ index: 2, count: 5 });
  });

  it.each([
    ["0/4", /shard 0\/4 does not exist; K runs from 1 to 4/],
    ["5/4", /shard 5\/4 does not exist; K runs from 1 to 4/],
    ["1/0", /the number of shards must be 1 to/],
    ["3", /expects K\/N .* got "3"/],
    ["a/b", /expects K\/N/],
    ["-1/4", /expects K\/N/],
    ["1.5/4", /expects K\/N/],
    ["", /expects K\/N/],
  ])("refuses %j", (text, message) => {
    expect(() => parseShard(text)).toThrow(InputError);
    expect(() => parseShard(text)).toThrow(message);
  });
});

import { describe, expect, it } from "vitest";
import { parsePath } from "../../sim/scenario/set-flag.js";
import { describePoint, gridPoints, MAX_GRID_POINTS, parseVary, pointOverrides } from "../../sim/sweep/grid.js";
import { inputError } from "../helpers.js";


describe("scenario paths", () => {
  it("read keys and list indices as the file nests them", () => {
    expect(parsePath("clients.nat.fraction", "--set")).toEqual(["clients", "nat", "fraction"]);
    expect(parsePath("strategies[2].virtualNodes", "--set")).toEqual(["strategies", 2, "virtualNodes"]);
    expect(parsePath("events[0].at", "--set")).toEqual(["events", 0, "at"]);
  });

  it.each(["", "servers..count", ".servers", "servers.", "strategies[x]", "servers[-1]", "a b"])("refuse %j", (text) => {
    expect(inputError(() => parsePath(text, "--vary"))).toMatch(/^--vary: .* is not a scenario path/);
  });
});

describe("--vary", () => {
  it("takes a list of values, JSON where it parses, text otherwise", () => {
    expect(parseVary("servers.count=2,4,8").values).toEqual([2, 4, 8]);
    expect(parseVary("events[0].at=30m,45m").values).toEqual(["30m", "45m"]);
    expect(parseVary('strategies[0]={"id":"ring-hash","virtualNodes":150},"round-robin"').values).toEqual([{ id: "ring-hash", virtualNodes: 150 }, "round-robin"]);
    expect(parseVary("clients.cookies.disabledFraction=0,0.05").values).toEqual([0, 0.05]);
  });

  it("takes inclusive ranges, with a step, without rounding drift", () => {
    expect(parseVary("servers.count=2..16:2").values).toEqual([2, 4, 6, 8, 10, 12, 14, 16]);
    expect(parseVary("servers.count=3..5").values).toEqual([3, 4, 5]);
    expect(parseVary("clients.nat.fraction=0..0.3:0.1").values).toEqual([0, 0.1, 0.2, 0.3]);
    expect(parseVary("servers.count=2..7:2").values).toEqual([2, 4, 6]);
  });

  it("refuses empty ranges, bad steps, no values and repeated values", () => {
    expect(inputError(() => parseVary("servers.count=5..2"))).toBe("--vary servers.count: the range 5..2 is empty; write the smaller end first");
    expect(inputError(() => parseVary("servers.count=2..5:0"))).toMatch(/step of a range must be above 0/);
    expect(inputError(() => parseVary("servers.count="))).toMatch(/no values/);
    expect(inputError(() => parseVary("servers.count=2,2"))).toMatch(/given twice/);
    expect(inputError(() => parseVary("servers.count"))).toMatch(/expected PATH=VALUE/);
    expect(inputError(() => parseVary(`servers.count=1..${MAX_GRID_POINTS + 1}`))).toMatch(/more than the 10000/);
  });
});

describe("the grid", () => {
  const count = parseVary("servers.count=2,4");
  const nat = parseVary("clients.nat.fraction=0,0.2,0.4");

  it("is every combination, the first --vary changing slowest", () => {
    const points = gridPoints([count, nat]);
    expect(points.map(describePoint)).toEqual([
      "servers.count=2, clients.nat.fraction=0",
      "servers.count=2, clients.nat.fraction=0.2",
      "servers.count=2, clients.nat.fraction=0.4",
      "servers.count=4, clients.nat.fraction=0",
      "servers.count=4, clients.nat.fraction=0.2",
      "servers.count=4, clients.nat.fraction=0.4",
    ]);
    expect(points.map((p) => p.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(pointOverrides([count, nat], points[4])).toEqual([
      { path: ["servers", "count"], value: 4, flag: "--vary servers.count" },
      { path: ["clients", "nat", "fraction"], value: 0.2, flag: "--vary clients.nat.fraction" },
    ]);
  });

  it("refuses a path varied twice and a grid too large", () => {
    expect(inputError(() => gridPoints([count, parseVary("servers.count=3")]))).toMatch(/varied twice/);
    const big = parseVary("servers.count=1..200");
    expect(inputError(() => gridPoints([big, parseVary("seed=1..60")]))).toMatch(/the grid has 12000 points/);
  });
});

import { describe, expect, it } from "vitest";
import { spread } from "../../bench/spread.js";

describe("the median and range of a bench row", () => {
  it("takes the middle value of an odd count, the mean of the two middle ones of an even count, whatever the order", () => {
    expect(spread([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3 });
    expect(spread([10, 1, 4, 2])).toEqual({ median: 3, min: 1, max: 10 });
    expect(spread([5])).toEqual({ median: 5, min: 5, max: 5 });
  });

  it("refuses no measurements", () => {
    expect(() => spread([])).toThrow(RangeError);
  });
});

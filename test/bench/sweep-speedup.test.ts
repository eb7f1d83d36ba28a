import { describe, expect, it } from "vitest";
import { sweepSpeedupRow } from "../../bench/sweep-speedup.js";

describe("the bench's sweep row", () => {
  it("is not timed on a process that may use one core (its worker threads would share it)", async () => {
    const row = await sweepSpeedupRow(3, 1);
    expect(row).toMatch(/^\| sweep of 8 points .* \| not run: this process may use 1 core \| \| \|$/);
  });
});

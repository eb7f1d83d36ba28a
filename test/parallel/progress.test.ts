import { describe, expect, it } from "vitest";
import { runScenarios } from "../../sim/run.js";
import { scenario } from "../helpers.js";

const small = (seed: number) =>
  scenario({ seed, duration: "2m", warmup: "20s", replications: 3, clients: { visitsPerSecond: 5 }, servers: { count: 3 }, strategies: ["round-robin", "nginx-ip-hash"] });

describe("progress of a batch", () => {
  it.each([1, 2])("climbs from 0 to 1 without stepping back, with %i worker(s)", async (workers) => {
    const seen: number[] = [];
    await runScenarios([small(1), small(2)], { workers, onProgress: (done) => seen.push(done) });
    // At least once per run (12), as each finishes.
    expect(seen.length).toBeGreaterThanOrEqual(12);
    expect(seen.at(-1)).toBe(1);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1] - 1e-12);
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(0);
  });
});

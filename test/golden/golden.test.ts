import { describe, expect, it } from "vitest";
import { KeyedRandom, stream } from "../../sim/engine/random.js";
import { runScenario } from "../../sim/run.js";
import { strategies } from "../../sim/strategies/index.js";
import { renderJson } from "../../reports/index.js";
import { scenario } from "../helpers.js";

/**
 * Exact outputs pinned before the model is rebuilt from parts: any change to event order,
 * random draws or metric arithmetic shows up here as a diff of every number, not a rounded
 * summary. A deliberate change of results updates these files (`npx vitest run -u`) and says why.
 */
describe("golden outputs", () => {
  it("a tiny run of every registered strategy gives exactly the pinned results.json", async () => {
    const tiny = scenario(
      {
        name: "golden-tiny",
        seed: 5,
        duration: "6m",
        warmup: "30s",
        replications: 2,
        clients: {
          count: 20,
          visitsPerSecond: 1,
          requestsPerVisit: { dist: "geometric", mean: 6 },
          think: { dist: "exponential", mean: "4s" },
          returning: { fraction: 0.85, after: { dist: "exponential", mean: "20s" } },
          nat: { fraction: 0.3, groupSize: 4 },
          mobile: { fraction: 0.2, addressChangeEvery: "90s" },
          cookies: { disabledFraction: 0.1, clearPerVisit: 0.1 },
        },
        servers: { list: [{ name: "a", weight: 2 }, { name: "b" }, { name: "c" }], workers: 2, service: { dist: "lognormal", mean: "50ms", cv: 1 } },
        store: { kind: "local", idleTimeout: "2m" },
        metrics: { window: "60s" },
        strategies: strategies.map((s) => s.id),
        events: [
          { at: "2m", crash: "b" },
          { at: "4m", recover: "b" },
        ],
      },
      "golden-tiny",
    );
    await expect(renderJson(runScenario(tiny))).toMatchFileSnapshot("./tiny-run.results.json");
  });

  it("the seeded and keyed streams give the pinned first values", async () => {
    const sequential = stream(1, "rep0:arrivals");
    const keyed = new KeyedRandom(1, "rep0:think");
    const values = {
      "stream(1, rep0:arrivals)": Array.from({ length: 5 }, () => sequential()),
      "KeyedRandom(1, rep0:think).at(user, n)": [0, 1, 2].flatMap((user) => [0, 1, 2].map((n) => keyed.at(user, n))),
    };
    await expect(JSON.stringify(values, null, 2) + "\n").toMatchFileSnapshot("./streams.json");
  });
});

import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenarioFile } from "../../sim/scenario/load.js";
import { batchFingerprint } from "../../sim/sweep/fingerprint.js";
import { gridPoints, parseVary, pointOverrides } from "../../sim/sweep/grid.js";
import { smallScenario, tmp } from "./sweep-fixture.js";

/** The fingerprint of `--vary servers.count=...` over `file` with `overrides` at every point. */
function fingerprint(file: string, vary = "servers.count=2,3", overrides: { path: string[]; value: unknown }[] = [], version = "1.0.0", command = "sweep"): string {
  const varies = [parseVary(vary)];
  const scenarios = gridPoints(varies).map((p) => loadScenarioFile(file, [...overrides.map((o) => ({ ...o, flag: "--set" })), ...pointOverrides(varies, p)]));
  return batchFingerprint({ command, version, scenarios, vary: varies });
}

describe("batchFingerprint", () => {
  const dir = tmp();
  const file = smallScenario(dir);
  const base = fingerprint(file);

  it("is a sha256 that the same sweep gives again, wherever its file is read from", () => {
    expect(base).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(fingerprint(file)).toBe(base);
    mkdirSync(join(dir, "elsewhere"));
    const copy = join(dir, "elsewhere", "small.json");
    copyFileSync(file, copy);
    expect(fingerprint(copy)).toBe(base);
  });

  it("is the same for a file that writes the same scenario another way (durations in seconds, a strategy as an object)", () => {
    const other = join(dir, "rewritten");
    mkdirSync(other);
    const rewritten = smallScenario(other, { duration: 300, warmup: "60s", strategies: [{ id: "round-robin" }, "cookie-insert"] });
    expect(fingerprint(rewritten)).toBe(base);
  });

  it("changes with anything that changes the results: seed, replications, strategies, a set value, the grid, the version, the command", () => {
    const others = [
      fingerprint(file, undefined, [{ path: ["seed"], value: 6 }]),
      fingerprint(file, undefined, [{ path: ["replications"], value: 3 }]),
      fingerprint(file, undefined, [{ path: ["strategies"], value: ["round-robin"] }]),
      fingerprint(file, undefined, [{ path: ["servers", "workers"], value: 4 }]),
      fingerprint(file, "servers.count=2,4"),
      // The same values in another order: the reports list the points in that order.
      fingerprint(file, "servers.count=3,2"),
      fingerprint(file, undefined, [], "1.0.1"),
      fingerprint(file, undefined, [], undefined, "run"),
    ];
    expect(new Set([base, ...others]).size).toBe(others.length + 1);
  });
});

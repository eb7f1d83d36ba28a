import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseScenario } from "../../sim/scenario/load.js";
import { lbsim } from "../cli-run.js";
import { scenarioProblems } from "../helpers.js";

const base = { duration: "1h", servers: { count: 2 }, strategies: ["round-robin"] };

const problems = (fields: Record<string, unknown>) => scenarioProblems({ ...base, ...fields }, "ws.json");

describe("websocket input", () => {
  it("a reconnect max below initial names the path", () => {
    expect(problems({ clients: { websocket: { fraction: 0.5, reconnect: { initial: "10s", max: "2s" } } } })).toMatch(
      /^ws\.json:\d+:\d+: clients\.websocket\.reconnect\.max: max \(2 s\) must not be below initial \(10 s\)$/m,
    );
  });

  it("an unknown preset, a fraction over 1 and a maxConnections of 0 are refused at their paths", () => {
    expect(problems({ clients: { websocket: { reconnect: "engine.io" } } })).toMatch(/clients\.websocket\.reconnect: /);
    expect(problems({ clients: { websocket: { fraction: 1.5 } } })).toMatch(/clients\.websocket\.fraction: /);
    expect(problems({ servers: { count: 2, maxConnections: 0 } })).toMatch(/servers\.maxConnections: /);
  });

  it("the presets and both general forms are accepted", () => {
    for (const reconnect of ["socket.io", "signalr", "phoenix", { initial: "1s", max: "30s", jitter: "decorrelated" }, { delays: ["0s", "2s"], then: "10s" }])
      expect(() => parseScenario(JSON.stringify({ ...base, clients: { websocket: { fraction: 0.2, reconnect } } }), "ok.json")).not.toThrow();
  });

  it("lbsim run exits 2 and writes nothing", () => {
    const dir = mkdtempSync(join(tmpdir(), "lbsim-ws-"));
    const file = join(dir, "bad.json");
    writeFileSync(file, JSON.stringify({ ...base, clients: { websocket: { fraction: 0.5, reconnect: { initial: "10s", max: "2s" } } } }));
    const out = join(dir, "out");
    const run = lbsim(["run", file, "--out", out]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/clients\.websocket\.reconnect\.max/);
    expect(readdirSync(dir)).toEqual(["bad.json"]);
  });
});

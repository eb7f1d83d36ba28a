import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadScenarioFile, runScenario } from "../sim/index.js";
import { renderTable } from "../reports/table.js";

const dir = new URL("../scenarios/", import.meta.url);
const bundled = readdirSync(dir).filter((f) => f.endsWith(".json") && f !== "lbsim.schema.json");

describe("bundled scenarios", () => {
  // Each example runs and its summary is compared with the checked-in expected output, so an
  // example cannot rot and any change to the model's numbers shows up as a reviewed diff.
  for (const file of bundled) {
    it(`${file} gives its expected summary`, async () => {
      const result = runScenario(loadScenarioFile(new URL(file, dir).pathname));
      await expect(renderTable(result)).toMatchFileSnapshot(`./expected/${file.replace(/\.json$/, ".txt")}`);
    });
  }

  it("seed-demo reproduces the shared-session demo: one address, all requests on one server, no session lost", () => {
    const result = runScenario(loadScenarioFile(new URL("seed-demo.json", dir).pathname));
    const [ipHash, roundRobin] = result.results;
    expect(ipHash.strategy).toBe("nginx-ip-hash");
    expect(ipHash.metrics.requests).toBe(15); // 3 users × 5 requests
    expect(ipHash.metrics.sessions).toBe(3);
    expect(ipHash.metrics.lostSessions).toBe(0);
    expect(ipHash.metrics.loadSkew).toBe(2); // everything on one of two servers
    expect(ipHash.metrics.remapRate).toBe(0);
    // Round robin moves users between servers (their requests interleave, so not every time),
    // and the shared store still keeps every session.
    expect(roundRobin.metrics.remapRate).toBeGreaterThan(0.3);
    expect(roundRobin.metrics.lostSessions).toBe(0);
  });
});

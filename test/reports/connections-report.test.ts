import { beforeAll, describe, expect, it } from "vitest";
import { reportCharts } from "../../reports/charts.js";
import { renderHtml } from "../../reports/html.js";
import { renderTable } from "../../reports/table.js";
import type { Result } from "../../sim/metrics/result.js";
import { runScenario } from "../../sim/run.js";
import { scenario } from "../helpers.js";

/** A short run whose users hold WebSocket connections, one server crashing and coming back. */
function websocketRun(fraction: number, websocket: Record<string, unknown> = {}): Result {
  return runScenario(
    scenario({
      name: "ws-report",
      seed: 2,
      duration: "12m",
      warmup: "2m",
      warmStart: true,
      replications: 2,
      clients: { visitsPerSecond: 2, think: { dist: "exponential", mean: "30s" }, websocket: { fraction, ...websocket } },
      servers: { count: 3 },
      store: { kind: "shared" },
      strategies: ["round-robin", "least-connections"],
      events: [{ at: "5m", crash: "s2" }, { at: "7m", recover: "s2" }],
    }),
  );
}

describe("the report of a run with connections", () => {
  let withConnections: Result, without: Result;
  beforeAll(() => {
    withConnections = websocketRun(1);
    without = websocketRun(0);
  });

  it("prints a second summary table of connections, one row per strategy", () => {
    const lines = renderTable(withConnections).trimEnd().split("\n");
    // The last block, after the differences to the baseline.
    const at = lines.lastIndexOf("");
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toMatch(/^strategy\s+connections\s+connection skew\s+dropped\s+reconnect peak\/s\s+refused\s+gave up\s+skewed after return s$/);
    expect(lines.slice(at + 2).map((l) => l.split(/\s{2,}/)[0])).toEqual(["round-robin", "least-connections"]);
    expect(renderTable(without)).not.toMatch(/connection skew/);
  });

  it("has a Connections table and an open-connections chart per server, only when users hold connections", () => {
    const html = renderHtml(withConnections);
    expect(html).toContain("<h3>Connections</h3>");
    const dropped = withConnections.results[0].metrics.connections!.dropped;
    expect(dropped).toBeGreaterThan(0);
    expect(html).toContain(`<td>${Math.round(dropped).toLocaleString("en-US")}</td>`);
    const chart = reportCharts(withConnections).find((c) => c.id === "serverConnections");
    expect(chart?.title).toBe("Open connections per server");
    expect(renderHtml(without)).not.toContain("<h3>Connections</h3>");
    expect(reportCharts(without).some((c) => c.id === "serverConnections")).toBe(false);
    expect(html).not.toContain("Message latency");
  });

  it("shows message latency where messages were simulated one by one", () => {
    const simulated = websocketRun(1, { messagesPerSecond: 0.5, messageService: "5ms" });
    const p99 = simulated.results[0].metrics.connections!.messageLatencyMs!.p99!;
    expect(p99).toBeGreaterThan(4.99);
    const html = renderHtml(simulated);
    expect(html).toContain("<th>Message latency p50 / p99 ms</th>");
    expect(renderTable(simulated)).toMatch(/skewed after return s\s+message p99 ms\s+messages dropped\n/);
  });
});

/**
 * `npm run bench`: simulated requests per second and peak memory on a large scenario, plus the
 * bare engine's events per second. Results go to stdout as Markdown rows for BENCHMARKS.md.
 * Usage: node dist/bench/bench.js [scenario.json ...] (default bench/large.json, bench/rolling-deploy.json, bench/saturated-store.json and bench/websocket.json).
 */
import { fileURLToPath } from "node:url";
import { Engine } from "../sim/engine/engine.js";
import { loadScenarioFile, simulate } from "../sim/index.js";

function engineOnly(events: number): number {
  const engine = new Engine();
  let left = events;
  const tick = engine.on((subject, now) => {
    // Delays of 1 to 1000 ms, never 0: a zero delay would keep one subject at the top of the heap.
    if (--left > 0) engine.at(now + (1 + ((subject * 7919) % 1000)) / 1000, tick, subject);
  });
  for (let i = 0; i < 10_000; i++) engine.at(i / 10_000, tick, i);
  const started = performance.now();
  engine.run();
  return engine.processed / ((performance.now() - started) / 1000);
}

const files = process.argv.length > 2 ? process.argv.slice(2) : ["large.json", "rolling-deploy.json", "saturated-store.json", "websocket.json"].map((f) => fileURLToPath(new URL(`../../bench/${f}`, import.meta.url)));
const rows: string[] = [];
rows.push(`| engine only (10,000 pending events) | ${(engineOnly(20_000_000) / 1e6).toFixed(2)} M events/s | | |`);
for (const scenario of files.map((f) => loadScenarioFile(f))) for (const entry of scenario.strategies) {
  const started = performance.now();
  const run = simulate(scenario, entry, 0);
  const seconds = (performance.now() - started) / 1000;
  const rssMb = process.resourceUsage().maxRSS / 1024;
  rows.push(
    `| ${scenario.name} / ${entry.label} | ${(run.metrics.requests / seconds / 1e6).toFixed(2)} M requests/s | ${(run.processedEvents / seconds / 1e6).toFixed(2)} M events/s, ${(run.metrics.requests / 1e6).toFixed(1)} M requests in ${seconds.toFixed(1)} s | ${rssMb.toFixed(0)} MB |`,
  );
}
process.stdout.write(`Node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n\n| run | speed | detail | peak RSS so far |\n|---|---|---|---|\n${rows.join("\n")}\n`);

/**
 * `npm run bench`: simulated requests per second and peak memory on large scenarios, plus the
 * bare engine's events per second, each row the median and range of several runs in this
 * process. Results go to stdout as Markdown rows for BENCHMARKS.md.
 * Usage: node dist/bench/bench.js [--runs N] [scenario.json ...] (default 3 runs of each row in
 * DEFAULT_ROWS).
 * Then (with the default scenarios) a sweep on 1 worker against 2: its speed-up.
 * `--peer [--pairs N]` instead compares lbsim with SimPy on scenarios/bench-100k.json (bench/peer.ts).
 * `--scaling [--runs N]` instead measures how a run's CPU time grows with servers, requests and
 * topology events on that scenario's model (bench/scaling.ts; about ten minutes with 3 runs).
 */
import { parseArgs } from "node:util";
import { Engine } from "../sim/engine/engine.js";
import { loadScenarioFile, simulate } from "../sim/index.js";
import { runPeer, simpyVersion } from "./peer.js";
import { repoFile } from "./root.js";
import { fullPlan, scalingReport } from "./scaling.js";
import { spread } from "./spread.js";
import { sweepSpeedupRow } from "./sweep-speedup.js";

/**
 * The scenarios timed by default. The million sessions' hour (360 million requests a strategy)
 * is cut to its first 2 simulated minutes and timed once; `bench.js bench/million.json --runs 1`
 * runs all of it.
 */
const DEFAULT_ROWS: { file: string; duration?: string; runs?: number }[] = [
  { file: "bench/large.json" },
  { file: "bench/rolling-deploy.json" },
  { file: "bench/saturated-store.json" },
  { file: "bench/websocket.json" },
  { file: "scenarios/bench-100k.json" },
  { file: "bench/million.json", duration: "2m", runs: 1 },
];

/** Events per second of an engine whose events only reschedule themselves, `pending` of them at a time. */
function engineOnly(events: number, pending: number): number {
  const engine = new Engine();
  let left = events;
  const tick = engine.on((subject, now) => {
    // Delays of 1 to 1000 ms, never 0: a zero delay would keep one subject at the top of the heap.
    if (--left > 0) engine.at(now + (1 + ((subject * 7919) % 1000)) / 1000, tick, subject);
  });
  for (let i = 0; i < pending; i++) engine.at(i / pending, tick, i);
  const started = performance.now();
  engine.run();
  return engine.processed / ((performance.now() - started) / 1000);
}

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

function positiveInteger(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) fail(`${flag} expects a whole number of at least 1, got ${JSON.stringify(text)}`);
  return n;
}

const { values, positionals } = (() => {
  try {
    return parseArgs({ options: { runs: { type: "string", default: "3" }, peer: { type: "boolean", default: false }, pairs: { type: "string", default: "3" }, scaling: { type: "boolean", default: false } }, allowPositionals: true });
  } catch (error) {
    return fail((error as Error).message);
  }
})();

if (values.peer) {
  const found = simpyVersion();
  if ("problem" in found) {
    process.stderr.write(`bench --peer: ${found.problem}\n`);
    process.exit(1);
  }
  process.stdout.write(runPeer(positiveInteger("--pairs", values.pairs), found.version, (line) => process.stderr.write(`${line}\n`)));
} else if (values.scaling) {
  const plan = fullPlan(positiveInteger("--runs", values.runs));
  process.stdout.write(scalingReport(plan, (table) => process.stderr.write(`bench --scaling: the ${table} table\n`)));
} else {
  const runs = positiveInteger("--runs", values.runs);
  /** "1.08 (1.02–1.10)": the median of the runs and their range, in millions. */
  const millions = (measured: number[]) => {
    const s = spread(measured.map((x) => x / 1e6));
    return `${s.median.toFixed(2)} (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;
  };
  const rows: string[] = [];
  for (const pending of [10_000, 100_000]) {
    const measured = Array.from({ length: runs }, () => engineOnly(20_000_000, pending));
    rows.push(`| engine only (${pending.toLocaleString("en-US")} pending events) | ${millions(measured)} M events/s | | |`);
  }
  const picked = positionals.length > 0 ? positionals.map((file) => ({ file, duration: undefined, runs })) : DEFAULT_ROWS.map((row) => ({ ...row, file: repoFile(row.file) }));
  for (const row of picked) {
    const scenario = loadScenarioFile(row.file, row.duration === undefined ? [] : [{ path: ["duration"], value: row.duration, flag: "bench" }]);
    const name = row.duration === undefined ? scenario.name : `${scenario.name} (first ${row.duration})`;
    for (const entry of scenario.strategies) {
      const timed = Array.from({ length: row.runs ?? runs }, () => {
        const started = performance.now();
        const run = simulate(scenario, entry, 0);
        return { requests: run.metrics.requests, events: run.processedEvents, seconds: (performance.now() - started) / 1000 };
      });
      const { requests } = timed[0];
      const seconds = spread(timed.map((t) => t.seconds)).median;
      const rssMb = process.resourceUsage().maxRSS / 1024;
      rows.push(
        `| ${name} / ${entry.label} | ${millions(timed.map((t) => requests / t.seconds))} M requests/s | ${millions(timed.map((t) => t.events / t.seconds))} M events/s, ${(requests / 1e6).toFixed(1)} M requests in ${seconds.toFixed(1)} s | ${rssMb.toFixed(0)} MB |`,
      );
    }
  }
  if (positionals.length === 0) rows.push(await sweepSpeedupRow(runs));
  process.stdout.write(
    `Node ${process.version}, ${new Date().toISOString().slice(0, 10)}; median (min–max) of ${runs} run${runs === 1 ? "" : "s"} per row\n\n| run | speed | detail | peak RSS so far |\n|---|---|---|---|\n${rows.join("\n")}\n`,
  );
}

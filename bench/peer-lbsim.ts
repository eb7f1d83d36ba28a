/**
 * lbsim's side of `npm run bench -- --peer`: one replication of one strategy entry of a scenario,
 * printed as one JSON line, `{"requests":…,"cpuSeconds":…,"setupCpuSeconds":…}`. CPU seconds are
 * this process's (user + system) from assembling the model to the end of the run, so Node's start
 * and loading the code are left out, as the SimPy side leaves out Python's; setup is the part
 * before the first slice of events has run: the warm start's users put in place.
 * Usage: node dist/bench/peer-lbsim.js <scenario.json> [--strategy LABEL] (default: its first entry).
 */
import { parseArgs } from "node:util";
import { loadScenarioFile, selectStrategies, simulate } from "../sim/index.js";

const { values, positionals } = parseArgs({ options: { strategy: { type: "string" } }, allowPositionals: true });
if (positionals.length !== 1) throw new Error("usage: peer-lbsim.js <scenario.json> [--strategy LABEL]");
const scenario = loadScenarioFile(positionals[0]);
const picked = values.strategy === undefined ? { entries: [scenario.strategies[0]] } : selectStrategies(scenario, [values.strategy]);
if ("error" in picked) throw new Error(picked.error);

const seconds = (used: NodeJS.CpuUsage) => (used.user + used.system) / 1e6;
const before = process.cpuUsage();
let setup: number | undefined;
// 10,000 events take a few milliseconds, next to seconds of setup.
const monitor = { slice: 10_000, check: () => void (setup ??= seconds(process.cpuUsage(before))) };
const run = simulate(scenario, picked.entries[0], 0, monitor);
const total = seconds(process.cpuUsage(before));
process.stdout.write(`${JSON.stringify({ requests: run.metrics.requests, cpuSeconds: total, setupCpuSeconds: setup ?? total })}\n`);

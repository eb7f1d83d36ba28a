/**
 * `npm run bench -- --peer`: lbsim against SimPy 2, the idiomatic Python library, on the model of
 * scenarios/bench-100k.json (bench/peer/sessions.py), in requests simulated per CPU second. The
 * runs alternate, SimPy then lbsim, each in a process of its own that reports its own CPU time,
 * from building the model to the end of the run; pairs are read by their ratio, since a shared
 * machine slows both runs of a pair alike more often than one of them.
 */
import { spawnSync } from "node:child_process";
import { compileDistribution } from "../sim/model/distributions.js";
import { loadScenarioFile, type Scenario } from "../sim/index.js";
import { repoFile } from "./root.js";
import { spread } from "./spread.js";

/** Debian's python3-simpy installs for the system interpreter; a python3 earlier on PATH (pyenv, a virtualenv) would not see it. */
export const PYTHON = "/usr/bin/python3";
export const PEER_SCENARIO = "scenarios/bench-100k.json";
export const SIMPY_MODEL = "bench/peer/sessions.py";

const INSTALL = "install Debian's SimPy 2 for it: apt-get update && apt-get install -y python3-simpy";

/** SimPy's version, or what is missing: the interpreter, SimPy, or SimPy 2 (the model uses its API: Process subclasses, `yield hold`). */
export function simpyVersion(): { version: string } | { problem: string } {
  const child = spawnSync(PYTHON, ["-c", "import SimPy.Simulation, SimPy; print(SimPy.__version__)"], { encoding: "utf8" });
  if (child.error) return { problem: `cannot run ${PYTHON} (${child.error.message}); ${INSTALL}` };
  if (child.status !== 0) return { problem: `${PYTHON} has no SimPy; ${INSTALL}` };
  const version = child.stdout.trim();
  if (!version.startsWith("2.")) return { problem: `${PYTHON} has SimPy ${version}, and the peer model is written for SimPy 2; ${INSTALL}` };
  return { version };
}

/** The parameters of the SimPy model, named as its command-line flags are (camelCase for --kebab-case). */
export interface PeerModel {
  duration: number;
  seed: number;
  servers: number;
  service: number;
  think: number;
  requestsPerVisit: number;
  visitsPerSecond: number;
}

/** The SimPy model's parameters for a scenario, which must be one it can express: the shape of bench-100k. */
export function peerModel(s: Scenario): PeerModel {
  const c = s.clients;
  const unlike = [
    [s.servers.workers !== 1, "servers.workers is not 1"],
    [s.servers.service.dist !== "exponential", "the service time is not exponential"],
    [c.think.dist !== "exponential", "the think time is not exponential"],
    [c.requestsPerVisit.dist !== "geometric", "requestsPerVisit is not geometric"],
    [!s.warmStart, "warmStart is off"],
    [c.returning.fraction > 0 || s.events.length > 0 || s.warmup > 0, "it has returns, events or a warmup"],
  ].flatMap(([differs, why]) => (differs ? [why] : []));
  if (unlike.length > 0) throw new Error(`the SimPy model cannot run ${s.name}: ${unlike.join("; ")}`);
  const mean = (spec: Parameters<typeof compileDistribution>[0]) => compileDistribution(spec).mean;
  return {
    duration: s.duration,
    seed: s.seed,
    servers: s.servers.list.length,
    service: mean(s.servers.service),
    think: mean(c.think),
    requestsPerVisit: mean(c.requestsPerVisit),
    visitsPerSecond: c.visitsPerSecond,
  };
}

/** `--duration 300 --seed 1 ...`: every parameter given, so the scenario file decides the model rather than the script's defaults. */
export function modelArguments(model: PeerModel): string[] {
  return Object.entries(model).flatMap(([key, value]) => [`--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, String(value)]);
}

/** What each side prints as its last line. */
export interface ChildReport {
  requests: number;
  /** CPU seconds from building the model to the end of the run, and of those the setup (the sessions at time 0 put in place). */
  cpuSeconds: number;
  setupCpuSeconds: number;
}

function runChild(command: string, args: string[]): ChildReport {
  const child = spawnSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  if (child.error || child.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${child.error?.message ?? `exit ${child.status}`}): ${child.stderr.trim()}`);
  return JSON.parse(child.stdout.trim().split("\n").at(-1) as string) as ChildReport;
}

const perCpuSecond = (r: ChildReport) => r.requests / r.cpuSeconds;
const afterSetup = (r: ChildReport) => r.requests / (r.cpuSeconds - r.setupCpuSeconds);
const thousands = (n: number) => Math.round(n).toLocaleString("en-US");
const cpu = (r: ChildReport) => `${r.cpuSeconds.toFixed(1)} (${r.setupCpuSeconds.toFixed(1)})`;
const range = (values: number[], format: (n: number) => string) => {
  const s = spread(values);
  return `${format(s.median)} (${format(s.min)}–${format(s.max)})`;
};

/** Runs `pairs` pairs and returns the Markdown for BENCHMARKS.md; `progress` hears of each run as it ends. */
export function runPeer(pairs: number, version: string, progress: (line: string) => void): string {
  const scenario = loadScenarioFile(repoFile(PEER_SCENARIO));
  const model = modelArguments(peerModel(scenario));
  const entry = scenario.strategies[0];
  const measured: { simpy: ChildReport; lbsim: ChildReport }[] = [];
  for (let pair = 1; pair <= pairs; pair++) {
    const simpy = runChild(PYTHON, [repoFile(SIMPY_MODEL), ...model]);
    progress(`pair ${pair}: SimPy ${thousands(simpy.requests)} requests in ${simpy.cpuSeconds.toFixed(1)} CPU s`);
    const lbsim = runChild(process.execPath, [repoFile("dist/bench/peer-lbsim.js"), repoFile(PEER_SCENARIO), "--strategy", entry.label]);
    progress(`pair ${pair}: lbsim ${thousands(lbsim.requests)} requests in ${lbsim.cpuSeconds.toFixed(1)} CPU s`);
    measured.push({ simpy, lbsim });
  }
  const ratio = (m: (typeof measured)[number], rate: (r: ChildReport) => number) => rate(m.lbsim) / rate(m.simpy);
  const rows = measured.map(
    (m, i) =>
      `| ${i + 1} | ${thousands(m.simpy.requests)} | ${cpu(m.simpy)} | ${thousands(m.lbsim.requests)} | ${cpu(m.lbsim)} | ${thousands(perCpuSecond(m.simpy))} | ${thousands(perCpuSecond(m.lbsim))} | ${ratio(m, perCpuSecond).toFixed(2)} |`,
  );
  const median = (values: number[]) => spread(values).median;
  rows.push(
    `| median | | | | | ${thousands(median(measured.map((m) => perCpuSecond(m.simpy))))} | ${thousands(median(measured.map((m) => perCpuSecond(m.lbsim))))} | ${median(measured.map((m) => ratio(m, perCpuSecond))).toFixed(2)} |`,
  );
  const two = (n: number) => n.toFixed(2);
  return [
    `SimPy ${version} (${SIMPY_MODEL}) against lbsim (strategy ${entry.label}) on the model of ${PEER_SCENARIO}: ${scenario.duration} s simulated each, ${pairs} pair${pairs === 1 ? "" : "s"}, SimPy then lbsim, each run its own process; Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.`,
    "lbsim also simulates what the SimPy model leaves out: NAT, address changes, cookies, sessions and every metric. CPU seconds are each process's own, from building the model to the end of the run (in brackets, of which setup: the sessions in progress at time 0 put in place).",
    "",
    "| pair | SimPy requests | SimPy CPU s | lbsim requests | lbsim CPU s | SimPy requests/CPU-s | lbsim requests/CPU-s | lbsim / SimPy |",
    "|---|---|---|---|---|---|---|---|",
    ...rows,
    "",
    `After setup, median (min–max) of the pairs: SimPy ${range(measured.map((m) => afterSetup(m.simpy)), thousands)} requests/CPU-s, lbsim ${range(
      measured.map((m) => afterSetup(m.lbsim)),
      thousands,
    )}, lbsim / SimPy ${range(
      measured.map((m) => ratio(m, afterSetup)),
      two,
    )}.`,
    "",
  ].join("\n");
}

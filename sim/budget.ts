import { compileDistribution } from "./model/distributions.js";
import { warmStartSpan } from "./model/warm-start.js";
import type { Scenario } from "./scenario/scenario.js";
import { findStrategy } from "./strategies/index.js";
import { lbsimVersion } from "./version.js";

/** What a run may use before lbsim refuses it; each has the command-line flag that raises it. */
export interface Budget {
  /** Bytes of memory (resident set) at most. */
  maxMemory: number;
  /** Engine events, summed over every run of the scenario. */
  maxEvents: number;
  /** Bytes of the output files (report.html, results.json, results.csv and the long-format CSVs). */
  maxOutput: number;
}

/** Sized to a machine with a few GiB free: 2e9 events is about 20 minutes at the 1.3-1.9 M events/s the bench measures. */
export const DEFAULT_BUDGET: Budget = { maxMemory: 4 * 2 ** 30, maxEvents: 2e9, maxOutput: 256 * 2 ** 20 };

/** The flag that raises each budget, for messages. */
export const BUDGET_FLAGS: Record<keyof Budget, string> = { maxMemory: "--max-memory", maxEvents: "--max-events", maxOutput: "--max-output" };

/** What a scenario implies, estimated from its means before anything runs. */
export interface Estimate {
  /** Simulations: strategies × replications. */
  runs: number;
  /** Requests one run sends. */
  requestsPerRun: number;
  /** Engine events over all runs. */
  events: number;
  /** Users in the system at once (client table slots). */
  liveUsers: number;
  /** Load windows per run. */
  windows: number;
  /** Peak bytes of one run. */
  memory: number;
  /** Bytes of the output files. */
  output: number;
  /** Requests a second the users offer once in steady state, and what the servers can answer at most. */
  offeredPerSecond: number;
  capacityPerSecond: number;
  /** Mean length of a visit, and of the gap before a return (0 when users do not return); together, the ramp to steady state. */
  visitSeconds: number;
  returnSeconds: number;
  /**
   * For strategy entries whose store has a capacity: the share of it the offered requests use
   * (two operations each, a read and a write), the busiest store's; null when no store has one.
   */
  storeUtilisation: number | null;
}

// NOTE: byte costs are rounded up from the model's own layouts: a client slot is ~100 bytes of
// typed arrays, doubled while the table grows, plus its pending event in the queue. On the
// 100,000-user bench (bench/large.json) this estimates 145 MiB against a measured peak RSS of
// 97-99 MiB (BENCHMARKS.md), so a budget errs on the safe side.
const SLOT_BYTES = 260;
/** A table entry (ring point, map slot) with the temporaries its build sorts. */
const TABLE_ENTRY_BYTES = 40;
/** A load window in the timeline (JS numbers in arrays). */
const WINDOW_BYTES = 80;
const SERVER_BYTES = 400;
// Output sizes, rounded up from what the files measure: a value of a window's series (in
// results.json, the report's chart data, and a row of timeline.csv), of which there are the
// run-wide series and up to five per server; a metric (in results.json with its interval and
// difference, a row of metrics.csv, columns of results.csv), and the metrics a run and each device
// class have; a metric in one replication (results.json, a row of replications.csv); a topology
// event (results.json, the report, the rows of events.csv). Every CSV row repeats the scenario's
// name, seed and the strategy's label besides.
const WINDOW_VALUE_BYTES = 80;
const RUN_WIDE_SERIES = 4;
const PER_SERVER_SERIES = 5;
const METRIC_OUTPUT_BYTES = 700;
const REPLICATION_METRIC_BYTES = 70;
const METRICS = 70;
const CLASS_METRICS = 35;
const EVENT_OUTPUT_BYTES = 2000;
const EVENT_ROWS = 16;
/** report.html's scripts and styles (about 1 MiB), with room to spare. */
const FIXED_OUTPUT_BYTES = 4 * 2 ** 20;
/** A NAT or proxy address: its address and its pool's cumulative size (sim/model/shared-addresses.ts), rounded up. */
const SHARED_ADDRESS_BYTES = 16;
/** The process before any run: Node, the code, the report libraries. */
const BASELINE_BYTES = 120 * 2 ** 20;
/** Events per request: send, done (or refused), and the next think time. */
const EVENTS_PER_REQUEST = 3;

/** Estimates what running the scenario takes, from the means of its distributions. */
export function estimate(s: Scenario): Estimate {
  const c = s.clients;
  const runs = s.strategies.length * s.replications;
  const mean = (spec: Parameters<typeof compileDistribution>[0]) => compileDistribution(spec).mean;
  const requestsPerVisit = Math.max(1, mean(c.requestsPerVisit));
  const visitSeconds = requestsPerVisit * (mean(c.think) + mean(s.servers.service));
  const returnGap = mean(c.returning.after);
  // Share of returns that fall inside the run, crudely min(1, D / mean gap).
  const returnsInRun = c.returning.fraction * Math.min(1, s.duration / Math.max(returnGap, 1e-9));
  // A warm start walks the users who arrived over its span before 0 through their visits (no events, a loop each).
  const warmUsers = s.warmStart ? Math.min(c.visitsPerSecond * warmStartSpan(c), c.count ?? Infinity) : 0;
  const newUsers = Math.min(c.visitsPerSecond * s.duration, c.count ?? Infinity);
  const visits = newUsers / Math.max(1e-9, 1 - Math.min(returnsInRun, 0.999999));
  const requestsPerRun = visits * requestsPerVisit;
  const servers = s.servers.capacity;
  const windows = Math.max(0, Math.floor((s.duration - s.warmup) / s.metrics.window));
  const checks = (servers * s.duration) / s.balancer.healthCheck.interval;
  const events = runs * (requestsPerRun * EVENTS_PER_REQUEST + warmUsers * requestsPerVisit + checks + windows);
  // Users held at once: those in a visit, plus those waiting to return (their slot is kept).
  const held = c.visitsPerSecond * (visitSeconds + c.returning.fraction * Math.min(returnGap, s.duration));
  const liveUsers = Math.min(held, c.count ?? Infinity, newUsers + warmUsers);
  const weights = s.servers.list.map((x) => x.weight);
  // An entry's classes routed apart each build their own tables beside the entry's.
  const tableEntries = (id: string, options: unknown) => findStrategy(id)?.tableEntries?.(weights, options) ?? 0;
  const tables = Math.max(0, ...s.strategies.map((e) => tableEntries(e.id, e.options) + (e.classes ?? []).reduce((sum, c) => sum + tableEntries(c.id, c.options), 0)));
  const sharedAddresses = c.nat.reduce((n, pool) => n + (pool.fraction > 0 ? pool.addresses : 0), c.proxies.fraction > 0 ? c.proxies.count : 0);
  // Every balancer replica builds its own tables.
  const memory =
    BASELINE_BYTES + liveUsers * SLOT_BYTES + sharedAddresses * SHARED_ADDRESS_BYTES + servers * (SERVER_BYTES + s.servers.workers * 4) + tables * s.balancer.replicas * TABLE_ENTRY_BYTES + windows * (WINDOW_BYTES + servers * 8);
  const output = outputBytes(s, windows, servers);
  const returnSeconds = c.returning.fraction > 0 ? Math.min(returnGap, s.duration) : 0;
  // In steady state the visits in progress (new and returning) each send one request per think time and response.
  const visitsPerSecond = Math.min(c.visitsPerSecond, c.count === undefined ? Infinity : c.count / s.duration) / Math.max(1e-9, 1 - Math.min(returnsInRun, 0.999999));
  const offeredPerSecond = visitsPerSecond * requestsPerVisit;
  const capacityPerSecond = (servers * s.servers.workers) / Math.max(1e-12, mean(s.servers.service));
  const storeUtilisation = s.strategies.reduce<number | null>((busiest, e) => {
    const capacity = e.store.capacity as { connections: number; opTime: number } | undefined;
    if (!capacity) return busiest;
    const share = (2 * offeredPerSecond * capacity.opTime) / capacity.connections;
    return Math.max(busiest ?? 0, share);
  }, null);
  return { runs, requestsPerRun, events, liveUsers, windows, memory, output, offeredPerSecond, capacityPerSecond, visitSeconds, returnSeconds, storeUtilisation };
}

/** Bytes of the output files, per strategy: its windows' series, its metrics (and each replication's), its topology events; and the report's scripts. */
function outputBytes(s: Scenario, windows: number, servers: number): number {
  const row = s.name.length + String(s.seed).length + Math.max(...s.strategies.map((e) => e.label.length)) + 4;
  const metrics = METRICS + CLASS_METRICS * (s.clients.classes?.length ?? 0);
  const perStrategy =
    windows * (RUN_WIDE_SERIES + PER_SERVER_SERIES * servers) * (WINDOW_VALUE_BYTES + row) +
    metrics * (METRIC_OUTPUT_BYTES + row + s.replications * (REPLICATION_METRIC_BYTES + row)) +
    s.events.length * (EVENT_OUTPUT_BYTES + EVENT_ROWS * row);
  return s.strategies.length * perStrategy + FIXED_OUTPUT_BYTES;
}

/** The budgets an estimate exceeds (or cannot be compared with: NaN), each as a sentence with the numbers and the flag that raises it. */
export function overBudget(e: Estimate, budget: Budget): string[] {
  const over: string[] = [];
  if (!(e.memory <= budget.maxMemory))
    over.push(`needs about ${bytes(e.memory)} of memory (${count(e.liveUsers)} users at once, ${plural(e.windows, "load window")}), more than ${BUDGET_FLAGS.maxMemory} ${bytes(budget.maxMemory)}`);
  if (!(e.events <= budget.maxEvents))
    over.push(`implies about ${count(e.events)} events (${count(e.requestsPerRun)} requests in each of ${plural(e.runs, "run")}), more than ${BUDGET_FLAGS.maxEvents} ${count(budget.maxEvents)}`);
  if (!(e.output <= budget.maxOutput))
    over.push(`would write about ${bytes(e.output)} of output (${plural(e.windows, "load window")} per strategy), more than ${BUDGET_FLAGS.maxOutput} ${bytes(budget.maxOutput)}`);
  return over;
}

/** "1.2 GiB", "350 MiB". */
export function bytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${+n.toPrecision(3)} ${units[i]}`;
}

function plural(n: number, noun: string): string {
  return `${count(n)} ${noun}${Math.round(n) === 1 ? "" : "s"}`;
}

/** "3.4 million", "12,000". */
export function count(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (n >= 1e9) return `${+(n / 1e9).toPrecision(3)} billion`;
  if (n >= 1e6) return `${+(n / 1e6).toPrecision(3)} million`;
  return Math.round(n).toLocaleString("en-US");
}

/** A run refused or stopped because it would exceed a budget: the user's to raise, so exit 2 like bad input. */
export class BudgetError extends Error {
  override readonly name = "BudgetError";
}

/** Lines for `lbsim validate`: what the scenario implies. */
export function describeEstimate(e: Estimate): string {
  return [
    `load: about ${rate(e.offeredPerSecond)} requests/s offered in steady state, against at most ${rate(e.capacityPerSecond)} the servers can answer (utilisation about ${(100 * (e.offeredPerSecond / e.capacityPerSecond)).toFixed(0)}%)`,
    ...(e.storeUtilisation === null ? [] : [`store: the offered requests use about ${(100 * e.storeUtilisation).toFixed(0)}% of the busiest session store's capacity (a read and a write each)`]),
    `estimate: ${plural(e.runs, "run")} of about ${count(e.requestsPerRun)} requests, ${count(e.events)} events in all, ${count(e.liveUsers)} users at once; about ${bytes(e.memory)} of memory and ${bytes(e.output)} of output`,
  ].join("\n");
}

/**
 * Warnings about what the scenario measures: a warmup shorter than the ramp to steady state, offered
 * load past capacity; and results to reproduce that another version of lbsim wrote.
 */
export function scenarioWarnings(s: Scenario, e: Estimate): string[] {
  const warnings: string[] = [];
  if (s.reproduces && s.reproduces.version !== lbsimVersion())
    warnings.push(`this ${s.reproduces.kind}.json was written by lbsim ${s.reproduces.version}; this is lbsim ${lbsimVersion()}, whose results may differ`);
  const ramp = e.visitSeconds + e.returnSeconds;
  if (s.warmup < ramp && !s.warmStart) {
    const why = `a visit lasts about ${seconds(e.visitSeconds)}${e.returnSeconds > 0 ? ` and users return after about ${seconds(e.returnSeconds)}` : ""}`;
    warnings.push(
      `the warmup (${seconds(s.warmup)}) is shorter than the ${seconds(ramp)} the users need to reach steady state (${why}): the first part of the measurement is a ramp; a longer warmup or "warmStart": true measures steady state`,
    );
  }
  if (e.storeUtilisation !== null && e.storeUtilisation >= 1)
    warnings.push(`the users offer about ${(100 * e.storeUtilisation).toFixed(0)}% of what the busiest session store can do: its queue grows for the whole run`);
  if (e.offeredPerSecond > e.capacityPerSecond)
    warnings.push(`the users offer about ${rate(e.offeredPerSecond)} requests/s, more than the ${rate(e.capacityPerSecond)} the servers can answer: queues grow for the whole run`);
  return warnings;
}

function rate(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString("en-US") : `${+n.toPrecision(3)}`;
}

function seconds(n: number): string {
  return n < 120 ? `${+n.toPrecision(3)} s` : n < 7200 ? `${+(n / 60).toPrecision(3)} min` : `${+(n / 3600).toPrecision(3)} h`;
}

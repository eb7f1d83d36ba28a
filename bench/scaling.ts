/**
 * `npm run bench -- --scaling`: how a run's CPU time grows with the model's size, on the model of
 * scenarios/bench-100k.json, as three Markdown tables:
 * - servers: CPU nanoseconds per simulated request of every strategy whose pick hashes a key (and
 *   two references without a hash) at 10, 100 and 1,000 servers, the requests held fixed;
 * - requests: nanoseconds per request past the setup of one warm-started run against a run four
 *   times as long;
 * - topology events: the CPU a run with crashes and recoveries takes over the same run without
 *   them, per event and per session the events touched, at about 10,000 and 100,000 sessions
 *   (and 100,000 on ten times the servers, where each crash touches a tenth as many).
 * Each figure is the whole `simulate` call's CPU time (process.cpuUsage, user + system: setup,
 * tables and metrics included), the median of `runs` runs made in turn in this process (of
 * 2 × runs + 1 pairs for the events table).
 */
import { loadScenarioFile, simulate, type Scenario } from "../sim/index.js";
import { compileDistribution } from "../sim/model/distributions.js";
import type { Override } from "../sim/scenario/load.js";
import { repoFile } from "./root.js";
import { spread } from "./spread.js";

const MODEL = "scenarios/bench-100k.json";

/** The model's servers, new visits a second and mean service time (20, 166.7, 1.4 ms: 70% busy). */
function modelShape(): { servers: number; visitsPerSecond: number; service: number } {
  const model = loadScenarioFile(repoFile(MODEL));
  return { servers: model.servers.list.length, visitsPerSecond: model.clients.visitsPerSecond, service: compileDistribution(model.servers.service).mean };
}

/**
 * Every strategy whose pick hashes a key, with its default options: the client address, a session
 * id, a new session's id (node-cluster's map places new sessions by MD5), the key in
 * ingress-nginx's cookie (looked up on its ring), the URL or address steps of chain. Not those
 * that draw at random (k8s-client-ip, random) or look a server up by cookie or table. Then
 * cookie-insert and round-robin, which hash nothing, for reference.
 */
export const HASHING_STRATEGIES = [
  "nginx-ip-hash",
  "nginx-hash",
  "nginx-hash-consistent",
  "haproxy-source",
  "haproxy-source-consistent",
  "haproxy-source-bounded",
  "url-param",
  "ring-hash",
  "maglev",
  "jump-hash",
  "rendezvous",
  "bounded-load",
  "ingress-nginx-affinity",
  "node-cluster",
  "chain",
] as const;
export const REFERENCE_STRATEGIES = ["cookie-insert", "round-robin"] as const;

/** What the three tables run (durations in simulated seconds), each run `runs` times. */
export interface ScalingPlan {
  runs: number;
  /** Servers table: its strategies (default: the hashing ones, then the references), server counts, and each cold-started run's duration. */
  strategies?: readonly string[];
  servers: readonly number[];
  serverSeconds: number;
  /** Requests table: its strategies and the shorter run's duration (the longer is four times it). */
  requestStrategies: readonly string[];
  requestSeconds: number;
  /** Events table: its strategies, the size of each row, each warm-started run's duration, and its events (crashes and recoveries) in all. */
  eventStrategies: readonly string[];
  sessions: readonly { visitsPerSecond: number; servers: number }[];
  eventSeconds: number;
  events: number;
}

/**
 * What `--scaling` runs: under ten minutes on one core of this project's machine with 3 runs.
 * The events table's rows hold about 10,000 and 100,000 sessions on 20 servers, and 100,000 on
 * 200, where a crash touches a tenth as many of them.
 */
export function fullPlan(runs: number): ScalingPlan {
  const { servers, visitsPerSecond } = modelShape();
  return {
    runs,
    servers: [10, 100, 1000],
    serverSeconds: 240,
    requestStrategies: ["cookie-insert", "ring-hash"],
    requestSeconds: 150,
    eventStrategies: ["cookie-insert", "ring-hash"],
    sessions: [
      { visitsPerSecond: visitsPerSecond / 10, servers },
      { visitsPerSecond, servers },
      { visitsPerSecond, servers: 10 * servers },
    ],
    eventSeconds: 300,
    events: 100,
  };
}

/** One `simulate` call: its CPU seconds (of which setup: until the first 10,000 events have run) and what it reports. */
interface Timed {
  cpuSeconds: number;
  setupSeconds: number;
  requests: number;
  sessionsInUse: number;
  lostSessions: number;
  events: number;
}

function timed(scenario: Scenario): Timed {
  const seconds = (used: NodeJS.CpuUsage) => (used.user + used.system) / 1e6;
  const before = process.cpuUsage();
  let setup: number | undefined;
  const run = simulate(scenario, scenario.strategies[0], 0, { slice: 10_000, check: () => void (setup ??= seconds(process.cpuUsage(before))) });
  const cpuSeconds = seconds(process.cpuUsage(before));
  const { requests, sessionsInUse, lostSessions } = run.metrics;
  return { cpuSeconds, setupSeconds: setup ?? cpuSeconds, requests, sessionsInUse: sessionsInUse ?? 0, lostSessions, events: run.events.length };
}

const set = (path: (string | number)[], value: unknown): Override => ({ path, value, flag: "bench --scaling" });

/** One run of the bench-100k model: the strategy, servers, new visits a second, duration, start and events. */
export interface ModelSize {
  strategy: string;
  servers: number;
  visitsPerSecond: number;
  seconds: number;
  warmStart: boolean;
  /** Scenario events; given (even none), health checks run every 0.25 s, so a run with events and one without check alike. */
  events?: unknown[];
}

/**
 * Health checks every 0.25 s: a crash is noticed within 0.75 s and a recovery within 0.5 s, so
 * each of the events table's events takes effect before the next.
 */
const QUICK_CHECKS = 0.25;

/**
 * The bench-100k model at this size, its service time's mean scaled so the servers stay as busy
 * as the model's (70%, one worker each): 1.4 ms × servers / 20 at the model's visits a second.
 */
export function scalingModel(size: ModelSize): Scenario {
  const shape = modelShape();
  const service = (shape.service * size.servers * shape.visitsPerSecond) / (shape.servers * size.visitsPerSecond);
  return loadScenarioFile(repoFile(MODEL), [
    set(["strategies"], [size.strategy]),
    set(["duration"], size.seconds),
    set(["warmStart"], size.warmStart),
    set(["servers", "count"], size.servers),
    set(["servers", "service", "mean"], service),
    set(["clients", "visitsPerSecond"], size.visitsPerSecond),
    ...(size.events ? [set(["events"], size.events), set(["balancer", "healthCheck", "interval"], QUICK_CHECKS)] : []),
  ]);
}

/** Runs every scenario `runs` times, in turn (the first of each, then the second of each, ...): each one's runs. */
function measure(scenarios: readonly Scenario[], runs: number): Timed[][] {
  const measured: Timed[][] = scenarios.map(() => []);
  for (let r = 0; r < runs; r++) scenarios.forEach((scenario, i) => measured[i].push(timed(scenario)));
  return measured;
}

const median = (values: readonly number[]) => spread(values).median;
const nsPerRequest = (runs: readonly Timed[]) => median(runs.map((t) => (t.cpuSeconds * 1e9) / t.requests));
const nsPerRequestPastSetup = (runs: readonly Timed[]) => median(runs.map((t) => ((t.cpuSeconds - t.setupSeconds) * 1e9) / t.requests));

export interface ServerRow {
  strategy: string;
  requests: number;
  /** Median CPU nanoseconds per request at each of the plan's server counts. */
  ns: number[];
}

/** Each strategy at each server count, cold started, the same arrivals: nanoseconds per request. */
export function serverScaling(plan: ScalingPlan): ServerRow[] {
  const strategies = plan.strategies ?? [...HASHING_STRATEGIES, ...REFERENCE_STRATEGIES];
  const { visitsPerSecond } = modelShape();
  const scenarios = strategies.flatMap((s) => plan.servers.map((n) => scalingModel({ strategy: s, servers: n, visitsPerSecond, seconds: plan.serverSeconds, warmStart: false })));
  const measured = measure(scenarios, plan.runs);
  return strategies.map((strategy, i) => {
    const cells = measured.slice(i * plan.servers.length, (i + 1) * plan.servers.length);
    return { strategy, requests: cells[0][0].requests, ns: cells.map(nsPerRequest) };
  });
}

export interface RequestRow {
  strategy: string;
  /** Requests and median nanoseconds per request of the short run and of the run four times as long. */
  requests: [number, number];
  ns: [number, number];
}

/**
 * The bench-100k model warm started (its sessions in use from the first second, so both runs hold
 * as many), for a duration and four times it: nanoseconds per request past the setup. From a cold
 * start the longer run would hold more sessions on average, and that, not its length, would
 * raise its cost per request.
 */
export function requestScaling(plan: ScalingPlan): RequestRow[] {
  const { servers, visitsPerSecond } = modelShape();
  const scenarios = plan.requestStrategies.flatMap((s) => [1, 4].map((k) => scalingModel({ strategy: s, servers, visitsPerSecond, seconds: k * plan.requestSeconds, warmStart: true })));
  const measured = measure(scenarios, plan.runs);
  return plan.requestStrategies.map((strategy, i) => {
    const [short, long] = [measured[2 * i], measured[2 * i + 1]];
    return { strategy, requests: [short[0].requests, long[0].requests], ns: [nsPerRequestPastSetup(short), nsPerRequestPastSetup(long)] };
  });
}

/**
 * `count` events (rounded down to even), crashes and recoveries in turn over `seconds`: a crash
 * of the next server (s1, s2, ...) every `seconds / (count / 2 + 1)`, recovered half that later.
 */
export function crashesAndRecoveries(count: number, seconds: number, servers: number): unknown[] {
  const pairs = Math.floor(count / 2), period = seconds / (pairs + 1);
  return Array.from({ length: pairs }, (_, i) => {
    const server = `s${(i % servers) + 1}`, at = period * (i + 0.5);
    return [
      { at, crash: server },
      { at: at + period / 2, recover: server },
    ];
  }).flat();
}

export interface EventRow {
  strategy: string;
  servers: number;
  /** Sessions in use at once (in the run without events, the same in each), events, and the sessions they touched. */
  sessions: number;
  events: number;
  touched: number;
  /** Median CPU seconds of the runs without events and with them, and the median of the differences of runs made in turn. */
  baseSeconds: number;
  eventSeconds: number;
  extraSeconds: number;
}

/** Pairs the events table makes for `runs`. */
export const eventPairs = (runs: number) => 2 * runs + 1;

/**
 * The model warm started, with and without `plan.events` crashes and recoveries, at each row's
 * size; 2 × runs + 1 pairs, the run without events then the run with them, since the figure is a
 * difference of two timings.
 *
 * The sessions the events touched are the sessions lost in the run with events beyond those lost
 * in the run without: with sessions in server memory every session an event reaches is lost, once
 * (its server's memory gone with a crash, or its requests moved to a server that does not hold
 * it), and then started again. The per-event figures (`run.events[].lostSessions`) would count
 * too many: a loss the run has anyway (a user without cookies sent round robin) is charged to the
 * event the session was live at.
 */
export function eventScaling(plan: ScalingPlan): EventRow[] {
  const rows = plan.eventStrategies.flatMap((strategy) => plan.sessions.map((size) => ({ strategy, ...size })));
  const scenarios = rows.flatMap(({ strategy, servers, visitsPerSecond }) =>
    [[], crashesAndRecoveries(plan.events, plan.eventSeconds, servers)].map((events) =>
      scalingModel({ strategy, servers, visitsPerSecond, seconds: plan.eventSeconds, warmStart: true, events }),
    ),
  );
  const measured = measure(scenarios, eventPairs(plan.runs));
  return rows.map((row, i) => {
    const [base, withEvents] = [measured[2 * i], measured[2 * i + 1]];
    return {
      strategy: row.strategy,
      servers: row.servers,
      sessions: base[0].sessionsInUse,
      events: withEvents[0].events,
      touched: withEvents[0].lostSessions - base[0].lostSessions,
      baseSeconds: median(base.map((t) => t.cpuSeconds)),
      eventSeconds: median(withEvents.map((t) => t.cpuSeconds)),
      extraSeconds: median(withEvents.map((t, r) => t.cpuSeconds - base[r].cpuSeconds)),
    };
  });
}

const whole = (n: number) => Math.round(n).toLocaleString("en-US");
const fixed = (n: number, digits: number) => n.toFixed(digits);
const minutes = (seconds: number) => `${+(seconds / 60).toFixed(2)} min`;

/**
 * A row per strategy: requests, ns per request at each server count, the last count's against the
 * first, and the increase from each count to the next (equal increases for counts growing by the
 * same factor: logarithmic growth; each ten times the last when they grow tenfold: linear).
 */
export function serverTable(plan: ScalingPlan, rows: readonly ServerRow[]): string {
  const first = whole(plan.servers[0]), last = whole(plan.servers.at(-1) as number);
  const steps = plan.servers.slice(1).map((n, i) => `${whole(plan.servers[i])} → ${whole(n)}`);
  const head = `| strategy | requests | ${plan.servers.map((n) => `${whole(n)} servers`).join(" | ")} | ${last} against ${first} | increase, ${steps.join(", ")} |`;
  const signed = (n: number) => `${n < 0 ? "−" : "+"}${whole(Math.abs(n))}`;
  const lines = rows.map((r) => {
    const increases = r.ns.slice(1).map((ns, i) => signed(ns - r.ns[i]));
    return `| ${r.strategy} | ${whole(r.requests)} | ${r.ns.map(whole).join(" | ")} | ${fixed((r.ns.at(-1) as number) / r.ns[0], 2)}× | ${increases.join(", ")} |`;
  });
  return [head, `|---|---|${plan.servers.map(() => "---|").join("")}---|---|`, ...lines].join("\n");
}

export function requestTable(plan: ScalingPlan, rows: readonly RequestRow[]): string {
  const short = minutes(plan.requestSeconds), long = minutes(4 * plan.requestSeconds);
  const head = `| strategy | requests, ${short} | ns/request | requests, ${long} | ns/request | ${long} against ${short} |`;
  const lines = rows.map((r) => `| ${r.strategy} | ${whole(r.requests[0])} | ${whole(r.ns[0])} | ${whole(r.requests[1])} | ${whole(r.ns[1])} | ${fixed(r.ns[1] / r.ns[0], 2)}× |`);
  return [head, "|---|---|---|---|---|---|", ...lines].join("\n");
}

export function eventTable(rows: readonly EventRow[]): string {
  const head = "| strategy | servers | sessions in use | events | sessions touched | CPU s without / with events | extra CPU ms per event | extra µs per session touched |";
  const lines = rows.map(
    (r) =>
      `| ${r.strategy} | ${r.servers} | ${whole(r.sessions)} | ${r.events} | ${whole(r.touched)} | ${fixed(r.baseSeconds, 2)} / ${fixed(r.eventSeconds, 2)} | ${fixed((r.extraSeconds * 1e3) / r.events, 2)} | ${fixed((r.extraSeconds * 1e6) / r.touched, 2)} |`,
  );
  return [head, "|---|---|---|---|---|---|---|---|", ...lines].join("\n");
}

/** The three tables, each under a line saying what it ran; `progress` hears of each table as it starts. */
export function scalingReport(plan: ScalingPlan, progress: (table: string) => void = () => {}): string {
  const runs = `median of ${plan.runs} run${plan.runs === 1 ? "" : "s"}`;
  progress("servers");
  const servers = serverTable(plan, serverScaling(plan));
  progress("requests");
  const requests = requestTable(plan, requestScaling(plan));
  progress("events");
  const events = eventTable(eventScaling(plan));
  return `${[
    `Node ${process.version}, ${new Date().toISOString().slice(0, 10)}; CPU time of the whole \`simulate\` call (setup included), ${runs}, made in turn in one process.`,
    `Servers: CPU ns per simulated request of the bench-100k model (${modelShape().visitsPerSecond} visits a second) from a cold start, ${minutes(plan.serverSeconds)}, the service mean 1.4 ms × servers / 20 (70% busy).`,
    servers,
    `Requests: the bench-100k model from a warm start, ${modelShape().servers} servers; CPU ns per request past the setup (the warm start's users put in place).`,
    requests,
    `Topology events: the bench-100k model from a warm start, ${minutes(plan.eventSeconds)}, health checks every ${QUICK_CHECKS} s, with ${plan.events} events (a crash of one server, its recovery half a period later, then the next server's crash) against the same run without them, ${eventPairs(plan.runs)} pairs made in turn; extra: the median of the pairs' differences; sessions touched: the sessions lost beyond those the run without events loses.`,
    events,
  ].join("\n\n")}\n`;
}

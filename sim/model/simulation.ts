import { Engine, type Kind } from "../engine/engine.js";
import { InvariantError } from "../engine/invariant.js";
import { ClassCollector } from "../metrics/classes.js";
import { Collector } from "../metrics/collector.js";
import { MAX_PHASES, PhaseCollector } from "../metrics/phases.js";
import type { Metrics, PhaseResult, Timeline, TopologyEventResult } from "../metrics/result.js";
import type { Scenario, StrategyEntry } from "../scenario/scenario.js";
import type { StoreSpec } from "../scenario/store-schema.js";
import { Balancer } from "./balancer.js";
import { ClientTable } from "./clients.js";
import { Connections } from "./connections.js";
import { Failures } from "./failures.js";
import { HealthChecks } from "./health-checks.js";
import { ServerLifecycle } from "./lifecycle.js";
import { RemapTracker } from "./remap-tracker.js";
import { Deployments } from "./rolling-deploy.js";
import { Requests } from "./requests.js";
import { Routing } from "./routing.js";
import { ServerPool } from "./servers.js";
import { Sessions } from "./sessions.js";
import { findEvent } from "./events/index.js";
import { MigratingStore } from "./store-migration.js";
import { findStore, type StoreContext } from "./stores/index.js";
import { Topology } from "./topology.js";
import { Users } from "./users.js";
import type { World } from "./world.js";

export interface RunOutput {
  metrics: Metrics;
  events: TopologyEventResult[];
  phases: PhaseResult[];
  timeline: Timeline;
  /** Per server (in the order they were created): name, requests and utilisation over the measured interval. */
  servers: { names: string[]; requests: number[]; utilisation: number[] };
  /** Engine events handled, for benchmarks. */
  processedEvents: number;
}

/** Looks at a run between slices of events: progress, budgets. It may throw to stop the run. */
export interface RunMonitor {
  /** Events per slice. */
  readonly slice: number;
  /** Called after each slice with the events handled so far in this run and the simulated time. */
  check(processed: number, now: number): void;
}

/**
 * Runs one replication of one strategy of a scenario: assembles the parts (users, requests,
 * sessions, server lifecycle, topology events and health checks, metrics), starts them in a
 * fixed order and runs the engine to the end.
 */
export function simulate(scenario: Scenario, entry: StrategyEntry, replication: number, monitor?: RunMonitor): RunOutput {
  const world = assemble(scenario, entry, replication);
  const tracker = new RemapTracker(world, entry.store.idleTimeout);
  const sessions = new Sessions(world, tracker, entry.store.idleTimeout);
  const users = new Users(world, sessions);
  const requests = new Requests(world, sessions, users);
  users.requests = requests;
  const connections = scenario.clients.websocket.fraction > 0 ? new Connections(world, requests) : null;
  users.connections = connections;
  const checks = new HealthChecks(world);
  const lifecycle = new ServerLifecycle(world, requests, checks);
  const deployments = new Deployments(world, lifecycle);
  const failures = new Failures(world, lifecycle);
  const topology = new Topology(world, lifecycle, tracker, deployments);
  lifecycle.listeners = {
    takenAway: (event, server) => tracker.takenAway(event, server),
    started: (server, now) => {
      failures.started(server, now);
      connections?.serverStarted(now);
    },
    settled: (now) => topology.reconsider(now),
    drainStarted: (event, server, now) => tracker.drainStarted(event, server, sessions.inUse[server], now),
    traffic: (change, now) => users.traffic(change, now),
    deploy: (event, plan, now) => deployments.start(event, plan, now),
    store: (event, store, dualWrite) => (world.store as MigratingStore).change(event, store, dualWrite),
    strategy: (event, id, options) => world.routing.switchTo(event, id, options),
    reload: (event, hardStopAfter, now) => {
      world.routing.reload(event);
      connections?.hardStop(now, hardStopAfter);
    },
  };
  checks.onChange = (server, now) => {
    deployments.healthChanged(server, now);
    topology.reconsider(now);
  };
  deployments.onFinished = (now) => topology.reconsider(now);
  const { engine, metrics } = world;
  metrics.sessionBytes = world.store.held ? (world.store.sessionBytes ?? 0) : null;
  const MEASURE_START = engine.on((_, now) => sessions.measureStart(now));
  const phases = phaseCollector(scenario, metrics);
  const boundary = (k: number) => phases?.boundary(k, world.store.operations?.() ?? null);
  const PHASE: Kind = engine.on(boundary);
  const rotation = new Uint8Array(world.servers.capacity);
  const WINDOW: Kind = engine.on((_, now) => {
    metrics.closeWindow(world.servers.inRotation(rotation), sessions.inUse, world.store.held?.(now) ?? null, now);
    connections?.window();
    const next = now + scenario.metrics.window;
    if (next <= scenario.duration) engine.at(next, WINDOW, 0);
  });

  // The order matters for events at equal times: measurement starts before anything else at
  // the end of the warmup, then arrivals, health checks, random failures and scenario events, then windows.
  engine.at(scenario.warmup, MEASURE_START, 0);
  if (phases) {
    engine.at(scenario.warmup, PHASE, 0);
    phases.cuts.forEach((at, k) => engine.at(at, PHASE, k + 1));
  }
  users.start();
  checks.start();
  for (let server = 0; server < world.servers.size; server++) failures.started(server, 0);
  topology.start();
  engine.at(scenario.warmup + scenario.metrics.window, WINDOW, 0);
  const slice = monitor?.slice ?? Infinity;
  while (!engine.run(scenario.duration, slice)) monitor?.check(engine.processed, engine.now);
  for (let slot = 0; slot < world.clients.used; slot++) sessions.abandon(slot, scenario.duration);
  connections?.finish(scenario.duration);
  if (phases) boundary(phases.cuts.length + 1);
  metrics.storeFigures = world.store.figures?.() ?? {};
  const names = world.servers.specs.map((s) => s.name);
  const figures = metrics.metrics();
  if (connections) figures.connections = connections.metrics();
  if (world.balancers.length > 1) figures.replicas = { disagreementSeconds: checks.disagreementSeconds(scenario.warmup, scenario.duration) };
  return { metrics: figures, events: tracker.results(), phases: phases?.results() ?? [], timeline: metrics.timeline, servers: { names, ...metrics.perServer() }, processedEvents: engine.processed };
}

/** The shared parts of one run: engine, clients, servers, balancer with the strategy, store, metrics. */
function assemble(scenario: Scenario, entry: StrategyEntry, replication: number): World {
  const { servers, balancer: checks, seed } = scenario;
  const purpose = (name: string) => `rep${replication}:${name}`;
  const pool = new ServerPool(servers.list, servers.capacity, servers.workers, servers.queueLimit);
  const balancers = Array.from({ length: checks.replicas }, () => new Balancer(pool, checks.healthCheck.fall, checks.healthCheck.rise));
  const routing = new Routing(balancers, scenario, entry, seed, purpose);
  const balancer = balancers[0];
  const context: StoreContext = {
    epoch: pool.epoch,
    memoryLostBy: pool.memoryLostBy,
    memoryLostByEvent: pool.memoryLostByEvent,
    capacity: servers.capacity,
    idleTimeout: entry.store.idleTimeout,
    cleanupEvery: servers.sessionCleanupEvery,
    members: pool,
    measureFrom: scenario.warmup,
    measureUntil: scenario.duration,
    seed,
    purpose,
  };
  const createStore = (spec: StoreSpec) => (findStore(spec.kind) ?? missing("store kind", spec.kind)).create(spec, context);
  // A scenario that changes the store runs every strategy's store behind a switch; others use it directly.
  const changing = scenario.events.some((e) => findEvent(e.action)?.changesStore);
  const store = changing ? new MigratingStore(createStore(entry.store), createStore, servers.capacity) : createStore(entry.store);
  if (store.memoryLost) pool.memoryLost = (server, now) => store.memoryLost!(server, now);
  const metrics = new Collector(scenario.warmup, scenario.duration, balancer.pool.weights, pool.size, servers.workers);
  const classes = scenario.clients.classes;
  if (classes) metrics.byClass = new ClassCollector(classes.map((c) => c.name), scenario.warmup, scenario.duration);
  return { scenario, engine: new Engine(), clients: new ClientTable(), servers: pool, balancer, balancers, routing, store, metrics, seed, purpose };
}

/** Phases cut at the scenario's event times inside the measured interval; null without any (or with too many to tabulate). */
function phaseCollector(scenario: Scenario, metrics: Collector): PhaseCollector | null {
  const cuts = [...new Set(scenario.events.map((e) => e.at))].filter((at) => at > scenario.warmup && at < scenario.duration).sort((a, b) => a - b);
  if (cuts.length === 0 || cuts.length >= MAX_PHASES) return null;
  const label = (at: number) =>
    scenario.events
      .filter((e) => e.at === at)
      .map((e) => (e.servers.length > 0 ? `${e.action} ${e.servers.join(", ")}` : (findEvent(e.action)?.label?.(e.value, e.options) ?? e.action)))
      .join(" + ");
  return new PhaseCollector(metrics, scenario.warmup, scenario.duration, cuts, cuts.map(label));
}

/** A validated scenario names only registered parts; anything else is a bug. */
function missing(what: string, name: string): never {
  throw new InvariantError(`${what} ${JSON.stringify(name)} is not registered`, 0, "setup");
}

import type { DistributionSpec } from "./fields.js";
import { store as storeSchema, type RawScenario, type StoreSpec } from "./schema.js";
import { findStrategy, type StrategyDef } from "../strategies/index.js";
import { LIMITS } from "./limits.js";
import { eventKinds, type EventDef } from "../model/events/index.js";
import { defaultAddress } from "../model/servers.js";
import { PoolPlan } from "./plan.js";
import { compileSharedAddresses, type NatPool, type Proxies } from "./nat-pools.js";
import { closest } from "./suggest.js";
import type { Reproduced } from "./embedded.js";
import { z } from "zod";

/** One problem with a scenario, located by its JSON path (`servers.list[2].weight`). */
export interface Issue {
  /** Path segments from the document root. */
  path: (string | number)[];
  message: string;
}

export interface ServerSpec {
  name: string;
  weight: number;
  address: string;
  /** HAProxy's numeric server id. */
  id: number;
}

export interface StrategyEntry {
  /** Label in reports: `label`, else the id with its classes' strategies (made unique by a #n suffix when one repeats). */
  label: string;
  id: string;
  options: unknown;
  store: StoreSpec;
  /** The device classes routed by a strategy of their own, in `clients.classes` order; the others use the entry's. Absent without any. */
  classes?: ClassStrategy[];
  /** The entry as the scenario file writes it (an id, or `{ id, ...options }`), with its label when a `#n` suffix made it unique. */
  written: unknown;
}

/** A device class's own strategy in an entry: over the entry's servers and store, with its own state. */
export interface ClassStrategy {
  /** A `clients.classes` name. */
  deviceClass: string;
  id: string;
  options: unknown;
}

export interface ScenarioEvent {
  at: number;
  /** The registered event kind (sim/model/events/). */
  action: string;
  /** Names of the servers the event concerns, its value as written (validated), its options with defaults, and what its plan worked out. */
  servers: string[];
  value: unknown;
  options: Record<string, unknown>;
  data: unknown;
}

/** A validated scenario with every default filled in, durations in seconds and names resolved to indices. */
export interface Scenario {
  name: string;
  description: string;
  seed: number;
  duration: number;
  warmup: number;
  /** Whether the run begins with the steady-state population already in the system. */
  warmStart: boolean;
  replications: number;
  /** `nat`: every NAT pool (none behind NAT: one pool of fraction 0) with its addresses and networks worked out; `proxies` likewise. */
  clients: Omit<RawScenario["clients"], "nat" | "proxies"> & { nat: NatPool[]; proxies: Proxies };
  /** `list`: the servers at the start; `capacity`: every server the run can ever have (added, recovery, replacements). */
  servers: {
    list: ServerSpec[];
    capacity: number;
    workers: number;
    queueLimit: number;
    /** Long-lived connections a server holds at once; Infinity for no limit. */
    maxConnections: number;
    service: DistributionSpec;
    /** Seconds between the application's cleanups of expired sessions in server memory; Infinity for never. */
    sessionCleanupEvery: number;
    failures?: { mtbf: DistributionSpec; mttr: DistributionSpec };
  };
  /** The scenario-wide session store; a strategy entry may override it. */
  store: StoreSpec;
  balancer: RawScenario["balancer"];
  metrics: RawScenario["metrics"];
  strategies: StrategyEntry[];
  events: ScenarioEvent[];
  /** The document the schema checked (the file's JSON with any overrides applied), durations as written. */
  document: Record<string, unknown>;
  /** Loaded from lbsim's results.json or sweep.json: what that file says of the runs that wrote it. */
  reproduces?: Reproduced;
}

/**
 * Resolves what the schema cannot see: server names in events, time ranges; fills in servers and
 * strategy entries. `document` is what the schema parsed into `raw`.
 */
export function compileScenario(raw: RawScenario, fallbackName: string, document: Record<string, unknown>): { scenario?: Scenario; issues: Issue[] } {
  const issues: Issue[] = [];
  const given: { name: string; weight: number; address?: string; id?: number }[] =
    raw.servers.list ?? Array.from({ length: raw.servers.count ?? 0 }, (_, i) => ({ name: `s${i + 1}`, weight: 1 }));
  const ids = haproxyIds(given.map((s) => s.id));
  const list: ServerSpec[] = given.map((s, i) => ({ name: s.name, weight: s.weight, address: s.address ?? defaultAddress(i), id: ids[i] }));

  if (raw.warmup >= raw.duration)
    issues.push({ path: ["warmup"], message: `warmup (${raw.warmup} s) must be shorter than duration (${raw.duration} s)` });
  const shared = compileSharedAddresses(raw, issues);

  const entries: StrategyEntry[] = [];
  // The schema has checked ids and options already (schema.ts, strategyEntry).
  const written = document.strategies as unknown[];
  raw.strategies.forEach((entry, i) => {
    const { id, label, store, classes, ...options } = typeof entry === "string" ? { id: entry } : entry;
    const def = findStrategy(id) as StrategyDef;
    const own = classStrategies(classes, raw.clients.classes, ["strategies", i, "classes"], issues);
    const compiled: StrategyEntry = { label: label ?? withClasses(id, own), id, options: def.options.parse(options), store: store ?? storeFor(def, raw.store), written: written[i] };
    entries.push(own.length > 0 ? { ...compiled, classes: own } : compiled);
  });
  // A repeated label takes the first "#n" no entry has: entries "x", "x" and one labelled "x#2"
  // would otherwise end up "x", "x#2", "x#2", and labels name results and --strategies picks.
  const labels = new Set(entries.map((e) => e.label));
  const taken = new Set<string>();
  const suffix = new Map<string, number>();
  for (const e of entries) {
    if (taken.has(e.label)) {
      let n = suffix.get(e.label) ?? 1;
      do n++;
      while (labels.has(`${e.label}#${n}`) || taken.has(`${e.label}#${n}`));
      suffix.set(e.label, n);
      e.label = `${e.label}#${n}`;
      // Written with its label, the entry keeps it wherever it is run (selected alone, reproduced).
      e.written = { ...(typeof e.written === "string" ? { id: e.written } : (e.written as object)), label: e.label };
    }
    taken.add(e.label);
  }

  // In time order (the sort is stable: events at one time keep the file's order), each event
  // checks itself against the servers as they will be then and updates that picture.
  const order = raw.events.map((e, i) => ({ e: e as Record<string, unknown> & { at: number }, i })).sort((a, b) => a.e.at - b.e.at);
  const plan = new PoolPlan(list, raw.balancer.healthCheck.rise * raw.balancer.healthCheck.interval, entries.map((e) => e.store), issues);
  const events: ScenarioEvent[] = [];
  for (const { e, i } of order) {
    // The schema has checked that exactly one registered action is present, with its options.
    const def = eventKinds.find((d) => e[d.action] !== undefined) as EventDef;
    if (e.at > raw.duration) issues.push({ path: ["events", i, "at"], message: `event at ${e.at} s is after the end of the run (${raw.duration} s)` });
    const options = z.strictObject(def.options ?? {}).parse(Object.fromEntries(Object.keys(def.options ?? {}).map((k) => [k, e[k]]).filter(([, v]) => v !== undefined))) as Record<string, unknown>;
    plan.advance(e.at, ["events", i, def.action]);
    const { servers, data } = def.plan(plan, e[def.action], options);
    events.push({ at: e.at, action: def.action, servers, value: e[def.action], options, data });
  }
  if (issues.length > 0) return { issues };
  return {
    issues,
    scenario: {
      name: raw.name ?? safeName(fallbackName),
      description: raw.description ?? "",
      seed: raw.seed,
      duration: raw.duration,
      warmup: raw.warmup,
      warmStart: raw.warmStart,
      replications: raw.replications,
      clients: { ...raw.clients, ...shared },
      servers: {
        list,
        capacity: plan.created.length,
        workers: raw.servers.workers,
        queueLimit: raw.servers.queueLimit ?? Infinity,
        maxConnections: raw.servers.maxConnections ?? Infinity,
        service: raw.servers.service,
        sessionCleanupEvery: raw.servers.sessionCleanupEvery === "never" ? Infinity : raw.servers.sessionCleanupEvery,
        ...(raw.servers.failures ? { failures: raw.servers.failures } : {}),
      },
      store: raw.store,
      balancer: raw.balancer,
      metrics: raw.metrics,
      strategies: entries,
      events,
      document,
    },
  };
}

/**
 * An entry's `classes` as written (class name to strategy) checked against the scenario's device
 * classes, in their order. Problems go to `issues` at `path`: classes without `clients.classes`,
 * a name that is not a class.
 */
function classStrategies(
  written: Record<string, string | ({ id: string } & Record<string, unknown>)> | undefined,
  defined: readonly { name: string }[] | undefined,
  path: (string | number)[],
  issues: Issue[],
): ClassStrategy[] {
  if (written === undefined) return [];
  if (defined === undefined) {
    issues.push({ path, message: 'the scenario has no device classes to route; define them in clients.classes ([{ "name": "mobile", "fraction": 0.4 }, ...]) or drop "classes"' });
    return [];
  }
  const names = defined.map((c) => c.name);
  for (const name of Object.keys(written)) {
    if (names.includes(name)) continue;
    const guess = closest(name, names);
    issues.push({ path: [...path, name], message: `no device class ${JSON.stringify(name)}; ${guess === undefined ? "" : `did you mean ${JSON.stringify(guess)}? `}clients.classes has ${names.join(", ")}` });
  }
  return names
    .filter((name) => Object.hasOwn(written, name))
    .map((name) => {
      const { id, ...options } = typeof written[name] === "string" ? { id: written[name] } : written[name];
      return { deviceClass: name, id, options: (findStrategy(id) as StrategyDef).options.parse(options) };
    });
}

/** An entry's label without one written: its id, and each class's own strategy (`cookie-insert (mobile: jump-hash; tablet: maglev)`). */
function withClasses(id: string, classes: readonly ClassStrategy[]): string {
  return classes.length === 0 ? id : `${id} (${classes.map((c) => `${c.deviceClass}: ${c.id}`).join("; ")})`;
}

/** The store an entry without its own `store` runs with: the strategy's implied store, else the scenario's. */
export function storeFor(def: StrategyDef, scenarioStore: StoreSpec): StoreSpec {
  return def.store ? storeSchema.parse(def.store) : scenarioStore;
}

/**
 * HAProxy's server ids: explicit ones are kept; each server without one gets the lowest id not
 * yet used, in list order (src/cfgparse.c, `get_next_id` over `used_server_id`).
 */
function haproxyIds(given: readonly (number | undefined)[]): number[] {
  const used = new Set(given.filter((id): id is number => id !== undefined));
  let next = 1;
  return given.map((id) => {
    if (id !== undefined) return id;
    while (used.has(next)) next++;
    used.add(next);
    return next;
  });
}

/** A scenario named after its file: the file name made safe as a folder name (the schema's SCENARIO_NAME). */
export function safeName(fileName: string): string {
  const cleaned = fileName.replace(/[^A-Za-z0-9 _.+-]/g, "-").replace(/^[^A-Za-z0-9]+/, "").slice(0, LIMITS.nameLength);
  return cleaned === "" ? "scenario" : cleaned;
}

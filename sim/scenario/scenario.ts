import type { DistributionSpec } from "./fields.js";
import { store as storeSchema, type RawScenario, type StoreSpec } from "./schema.js";
import { findStrategy, type StrategyDef } from "../strategies/index.js";
import { LIMITS } from "./limits.js";
import { eventKinds, findEvent, type EventDef } from "../model/events/index.js";

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
  /** Label in reports: `label`, else the id (made unique by a #n suffix when an id repeats). */
  label: string;
  id: string;
  options: unknown;
  store: StoreSpec;
}

export interface ScenarioEvent {
  at: number;
  /** The registered event kind (sim/model/events/). */
  action: string;
  /** Indices of the servers the event names, in the order it names them, and its value as written (validated). */
  servers: number[];
  value: unknown;
  /** The first server it names, for reports that show one. */
  server: number;
}

/** A validated scenario with every default filled in, durations in seconds and names resolved to indices. */
export interface Scenario {
  name: string;
  description: string;
  seed: number;
  duration: number;
  warmup: number;
  replications: number;
  clients: RawScenario["clients"];
  servers: { list: ServerSpec[]; workers: number; queueLimit: number; service: DistributionSpec };
  /** The scenario-wide session store; a strategy entry may override it. */
  store: StoreSpec;
  balancer: RawScenario["balancer"];
  metrics: RawScenario["metrics"];
  strategies: StrategyEntry[];
  events: ScenarioEvent[];
}

/** Resolves what the schema cannot see: server names in events, time ranges; fills in servers and strategy entries. */
export function compileScenario(raw: RawScenario, fallbackName: string): { scenario?: Scenario; issues: Issue[] } {
  const issues: Issue[] = [];
  const given: { name: string; weight: number; address?: string; id?: number }[] =
    raw.servers.list ?? Array.from({ length: raw.servers.count ?? 0 }, (_, i) => ({ name: `s${i + 1}`, weight: 1 }));
  const ids = haproxyIds(given.map((s) => s.id));
  const list: ServerSpec[] = given.map((s, i) => ({ name: s.name, weight: s.weight, address: s.address ?? defaultAddress(i), id: ids[i] }));
  const names = list.map((s) => s.name);

  if (raw.warmup >= raw.duration)
    issues.push({ path: ["warmup"], message: `warmup (${raw.warmup} s) must be shorter than duration (${raw.duration} s)` });

  const entries: StrategyEntry[] = [];
  // The schema has checked ids and options already (schema.ts, strategyEntry).
  for (const entry of raw.strategies) {
    const { id, label, store, ...options } = typeof entry === "string" ? { id: entry } : entry;
    const def = findStrategy(id) as StrategyDef;
    entries.push({ label: label ?? id, id, options: def.options.parse(options), store: store ?? storeFor(def, raw.store) });
  }
  // A repeated label takes the first "#n" no entry has: entries "x", "x" and one labelled "x#2"
  // would otherwise end up "x", "x#2", "x#2", and labels name results and --strategies picks.
  const written = new Set(entries.map((e) => e.label));
  const taken = new Set<string>();
  const suffix = new Map<string, number>();
  for (const e of entries) {
    if (taken.has(e.label)) {
      let n = suffix.get(e.label) ?? 1;
      do n++;
      while (written.has(`${e.label}#${n}`) || taken.has(`${e.label}#${n}`));
      suffix.set(e.label, n);
      e.label = `${e.label}#${n}`;
    }
    taken.add(e.label);
  }

  const events: (ScenarioEvent & { index: number; paths: (string | number)[][] })[] = [];
  raw.events.forEach((e, i) => {
    // The schema has checked that exactly one registered action is present.
    const def = eventKinds.find((d) => (e as Record<string, unknown>)[d.action] !== undefined) as EventDef;
    const value = (e as Record<string, unknown>)[def.action];
    const targets = def.targets(value);
    const servers = targets.map((target) => {
      const server = names.indexOf(target.name);
      if (server < 0) issues.push({ path: ["events", i, def.action, ...target.path], message: `unknown server ${clip(target.name)}; servers are ${listNames(names)}` });
      return server;
    });
    if (e.at > raw.duration) issues.push({ path: ["events", i, "at"], message: `event at ${e.at} s is after the end of the run (${raw.duration} s)` });
    const paths = targets.map((target) => ["events", i, def.action, ...target.path]);
    events.push({ at: e.at, action: def.action, servers, server: servers[0] ?? -1, value, index: i, paths });
  });
  events.sort((a, b) => a.at - b.at);
  // In time order, an event that changes a server's state must find it in the state it needs:
  // crashing a crashed server or recovering a running one is a mistake, not a no-op.
  const down = new Set<number>();
  for (const e of events) {
    const def = findEvent(e.action) as EventDef;
    if (!def.needs) continue;
    e.servers.forEach((server, k) => {
      if (server < 0) return;
      const state = down.has(server) ? "down" : "up";
      if (state !== def.needs) issues.push({ path: e.paths[k], message: wrongState(names[server], e.at, state, def) });
      if (def.leaves === "down") down.add(server);
      else down.delete(server);
    });
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
      replications: raw.replications,
      clients: raw.clients,
      servers: { list, workers: raw.servers.workers, queueLimit: raw.servers.queueLimit ?? Infinity, service: raw.servers.service },
      store: raw.store,
      balancer: raw.balancer,
      metrics: raw.metrics,
      strategies: entries,
      events: events.map(({ at, action, servers, server, value }) => ({ at, action, servers, server, value })),
    },
  };
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

function wrongState(name: string, at: number, state: "up" | "down", def: EventDef): string {
  return state === "down"
    ? `server ${name} is already down at ${at} s (crashed or stopped earlier, and not started again)`
    : `server ${name} is running at ${at} s; "${def.action}" needs a server that is down`;
}

/** A user's string in a message: quoted, and cut short so one mistake cannot flood the terminal. */
function clip(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

/** Server names for a message, the first few of a long list. */
function listNames(names: readonly string[]): string {
  return names.length <= 10 ? names.join(", ") : `${names.slice(0, 10).join(", ")}, ... (${names.length} servers)`;
}

function defaultAddress(i: number): string {
  return `10.0.${(i >> 8) & 0xff}.${(i & 0xff) + 1}:8080`;
}

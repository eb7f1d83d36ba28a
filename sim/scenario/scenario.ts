import { store as storeSchema, type DistributionSpec, type RawScenario, type StoreSpec } from "./schema.js";
import { findStrategy, type StrategyDef } from "../strategies/index.js";

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
  action: "crash" | "recover";
  /** Server index. */
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
  const list: ServerSpec[] = given.map((s, i) => ({ name: s.name, weight: s.weight, address: s.address ?? defaultAddress(i), id: s.id ?? i + 1 }));
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
  const seen = new Map<string, number>();
  for (const e of entries) {
    const n = (seen.get(e.label) ?? 0) + 1;
    seen.set(e.label, n);
    if (n > 1) e.label = `${e.label}#${n}`;
  }

  const events: ScenarioEvent[] = [];
  raw.events.forEach((e, i) => {
    const action = e.crash !== undefined ? "crash" : "recover";
    const name = (e.crash ?? e.recover) as string;
    const server = names.indexOf(name);
    if (server < 0) issues.push({ path: ["events", i, action], message: `unknown server ${JSON.stringify(name)}; servers are ${names.join(", ")}` });
    if (e.at > raw.duration) issues.push({ path: ["events", i, "at"], message: `event at ${e.at} s is after the end of the run (${raw.duration} s)` });
    events.push({ at: e.at, action, server });
  });
  events.sort((a, b) => a.at - b.at);

  if (issues.length > 0) return { issues };
  return {
    issues,
    scenario: {
      name: raw.name ?? fallbackName,
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
      events,
    },
  };
}

/** The store an entry without its own `store` runs with: the strategy's implied store, else the scenario's. */
export function storeFor(def: StrategyDef, scenarioStore: StoreSpec): StoreSpec {
  return def.store ? storeSchema.parse(def.store) : scenarioStore;
}

function defaultAddress(i: number): string {
  return `10.0.${(i >> 8) & 0xff}.${(i & 0xff) + 1}:8080`;
}

import { formatDuration } from "./duration.js";
import type { Scenario } from "./scenario.js";
import { findStore } from "../model/stores/index.js";

/** A few lines saying what a validated scenario describes, for `lbsim validate`. */
export function describeScenario(s: Scenario): string {
  const c = s.clients;
  const servers = s.servers.list;
  const weights = servers.some((x) => x.weight !== 1) ? ` (weights ${servers.map((x) => x.weight).join(", ")})` : "";
  const store = (kind: string) => findStore(kind)?.title ?? kind;
  return [
    `${s.name}: ${formatDuration(s.duration)} (warmup ${formatDuration(s.warmup)}), seed ${s.seed}, ${s.replications} replication(s)`,
    `clients: ${c.visitsPerSecond} visits/s${c.count !== undefined ? `, at most ${c.count} users` : ""}; NAT ${pct(c.nat.fraction)}, mobile ${pct(c.mobile.fraction)}, cookies disabled ${pct(c.cookies.disabledFraction)}, returning ${pct(c.returning.fraction)}${c.classes ? `; classes ${c.classes.map((k) => `${k.name} ${pct(k.fraction)}`).join(", ")}` : ""}`,
    `servers: ${few(servers.map((x) => x.name))}${s.servers.capacity > servers.length ? ` (up to ${s.servers.capacity} over the run)` : ""}${weights && servers.length <= 10 ? weights : ""}; ${s.servers.workers} workers each; sessions in ${store(s.store.kind)}`,
    `strategies: ${s.strategies.map((e) => (e.store.kind === s.store.kind ? e.label : `${e.label} (${store(e.store.kind)})`)).join(", ")}`,
    `events: ${s.events.length === 0 ? "none" : few(s.events.map((e) => `${e.action}${e.servers.length > 0 ? ` ${shortList(e.servers)}` : ""} at ${formatDuration(e.at)}`))}`,
  ].join("\n");
}

/** A list for one line: the first ten items, then how many there are. */
function few(items: readonly string[]): string {
  return items.length <= 10 ? items.join(", ") : `${items.slice(0, 10).join(", ")}, ... (${items.length} in all)`;
}

/** An event's servers in a list of events: a few names, then how many. */
function shortList(names: readonly string[]): string {
  return names.length <= 3 ? names.join(", ") : `${names.slice(0, 3).join(", ")} and ${names.length - 3} more`;
}

function pct(x: number): string {
  return `${+(x * 100).toFixed(2)}%`;
}

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
    `clients: ${c.visitsPerSecond} visits/s${c.count !== undefined ? `, at most ${c.count} users` : ""}; NAT ${nat(c.nat)}${proxies(c.proxies)}, mobile ${pct(c.mobile.fraction)}, cookies disabled ${pct(c.cookies.disabledFraction)}, returning ${pct(c.returning.fraction)}${c.classes ? `; classes ${c.classes.map((k) => `${k.name} ${pct(k.fraction)}`).join(", ")}` : ""}`,
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

/** "0%", or each pool's share with its addresses: "30% (24 addresses in 24 /24s)". */
function nat(pools: Scenario["clients"]["nat"]): string {
  const used = pools.filter((p) => p.fraction > 0);
  if (used.length === 0) return pct(0);
  return used.map((p) => `${pct(p.fraction)}${p.preset ? ` ${p.preset}` : ""} (${layout(p.addresses, p.networks)})`).join(" + ");
}

/** ", proxies 10% (4 addresses in 1 /24, X-Forwarded-For)", or nothing without proxies. */
function proxies(p: Scenario["clients"]["proxies"]): string {
  if (p.fraction === 0) return "";
  const forwarded = p.forwardedFor === "header" ? "X-Forwarded-For" : p.forwardedFor === "proxy-protocol" ? "PROXY protocol" : "no client address";
  return `, proxies ${pct(p.fraction)} (${layout(p.count, p.networks)}, ${forwarded})`;
}

function layout(addresses: number, networks: number): string {
  return `${addresses} address${addresses === 1 ? "" : "es"} in ${networks} /24${networks === 1 ? "" : "s"}`;
}

function pct(x: number): string {
  return `${+(x * 100).toFixed(2)}%`;
}

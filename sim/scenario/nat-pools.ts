import { compileDistribution } from "../model/distributions.js";
import { warmStartSpan } from "../model/warm-start.js";
import type { DistributionSpec } from "./fields.js";
import { LIMITS } from "./limits.js";
import { DEFAULT_NAT, NAT_PRESETS, type RawNatPool, type RawProxies } from "./nat-schema.js";
import type { Issue } from "./scenario.js";
import type { RawScenario } from "./schema.js";

/** Host addresses in a /24 (.1 to .254: .0 names the network, .255 is its broadcast address). */
export const HOSTS_PER_NETWORK = 254;

/** A NAT pool with its defaults worked out: `addresses` NAT addresses spread over `networks` /24s. */
export interface NatPool {
  preset?: "corporate" | "carrier";
  fraction: number;
  groupSize: DistributionSpec;
  addresses: number;
  networks: number;
}

/** The proxies in front of the balancer, with their /24 networks worked out. */
export interface Proxies {
  fraction: number;
  count: number;
  networks: number;
  forwardedFor: false | "header" | "proxy-protocol";
}

/**
 * The distinct users a run can be expected to create: new users arrive at `visitsPerSecond` over
 * the duration (and over the warm-start span before 0, with `warmStart`), at most `clients.count`.
 * Traffic events are left out: the NAT addresses are a property of the users' networks, not of the
 * day's traffic.
 */
export function expectedUsers(raw: RawScenario): number {
  const c = raw.clients;
  const arriving = c.visitsPerSecond * (raw.duration + (raw.warmStart ? warmStartSpan(c) : 0));
  return c.count === undefined ? arriving : Math.min(c.count, arriving);
}

/**
 * Resolves `clients.nat` (one pool or a list) and `clients.proxies`: presets and derived address
 * counts filled in, and what cannot be laid out reported at its JSON path.
 */
export function compileSharedAddresses(raw: RawScenario, issues: Issue[]): { nat: NatPool[]; proxies: Proxies } {
  const written = raw.clients.nat;
  const list = Array.isArray(written) ? written : [written];
  const users = expectedUsers(raw);
  const nat = list.map((pool, i) => compilePool(pool, Array.isArray(written) ? ["clients", "nat", i] : ["clients", "nat"], users, raw.clients.count, issues));

  const total = list.reduce((sum, pool) => sum + pool.fraction, 0);
  // A little room for the rounding of decimal fractions (0.1 + 0.2 + 0.7).
  if (total > 1 + 1e-9)
    issues.push({ path: ["clients", "nat"], message: `the pools' fractions add up to ${+total.toFixed(6)}; at most 1 (a user is behind one NAT at most)` });

  const proxies = compileProxies(raw.clients.proxies, issues);
  const shared = nat.reduce((sum, pool) => sum + pool.addresses, proxies.count);
  // A pool whose derived count is over the limit has said so already.
  if (shared > LIMITS.sharedAddresses && nat.every((pool) => pool.addresses <= LIMITS.sharedAddresses))
    issues.push({ path: ["clients"], message: `${shared} NAT and proxy addresses in all; at most ${LIMITS.sharedAddresses}` });
  return { nat, proxies };
}

function compilePool(pool: RawNatPool, path: (string | number)[], expected: number, population: number | undefined, issues: Issue[]): NatPool {
  const preset = pool.preset ? NAT_PRESETS[pool.preset] : DEFAULT_NAT;
  const groupSize = pool.groupSize ?? preset.groupSize;
  const behind = expected * pool.fraction;
  const derived = Math.max(1, Math.round(behind / Math.max(1, compileDistribution(groupSize).mean)));
  if (pool.addresses === undefined && derived > LIMITS.sharedAddresses)
    issues.push({
      path,
      message: `about ${Math.round(behind)} users behind this NAT make ${derived} addresses of the mean groupSize, more than ${LIMITS.sharedAddresses}; give "addresses" or a larger groupSize`,
    });
  const addresses = pool.addresses ?? derived;
  const networks = pool.networks ?? (preset.layout === "packed" ? Math.ceil(addresses / HOSTS_PER_NETWORK) : addresses);
  const note = pool.addresses === undefined ? " (derived from the users expected behind it)" : "";
  const users = population === undefined || pool.fraction === 0 ? Infinity : population * pool.fraction;
  if (pool.networks !== undefined && checkLayout(addresses, networks, [...path, "networks"], "NAT", note, issues) && networks > users + 1e-9)
    issues.push({
      path: [...path, "networks"],
      message: `${count(networks, "network")} for about ${+users.toFixed(2)} users behind this NAT (clients.count × fraction): at most one network per user`,
    });
  return { ...(pool.preset ? { preset: pool.preset } : {}), fraction: pool.fraction, groupSize, addresses, networks };
}

function compileProxies(proxies: RawProxies, issues: Issue[]): Proxies {
  const networks = proxies.networks ?? proxies.count;
  if (proxies.networks !== undefined) checkLayout(proxies.count, networks, ["clients", "proxies", "networks"], "proxy", "", issues);
  return { fraction: proxies.fraction, count: proxies.count, networks, forwardedFor: proxies.forwardedFor };
}

/** Whether `addresses` can sit in `networks` /24s: at least one address in each, at most 254 (the host addresses of a /24). */
function checkLayout(addresses: number, networks: number, path: (string | number)[], what: string, note: string, issues: Issue[]): boolean {
  if (networks > addresses) issues.push({ path, message: `${count(networks, "network")} for ${count(addresses, `${what} address`)}${note}: at most one network per address` });
  else if (addresses > networks * HOSTS_PER_NETWORK)
    issues.push({ path, message: `${count(addresses, `${what} address`)}${note} do not fit in ${count(networks, "/24 network")} of ${HOSTS_PER_NETWORK} hosts; at least ${Math.ceil(addresses / HOSTS_PER_NETWORK)} networks` });
  else return true;
  return false;
}

/** "1 network", "3 networks", "2 NAT addresses". */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : noun.endsWith("s") ? "es" : "s"}`;
}

import { z } from "zod";
import { duration } from "../../scenario/fields.js";
import { LIMITS } from "../../scenario/limits.js";
import { defineEvent, expectState, type DeployPlan, type PlannedPool } from "./define.js";

/** A count of servers, or a percentage of the servers deployed ("25%"), as Kubernetes writes maxSurge and maxUnavailable. */
const countOrPercent = z.union([z.number().int().min(0).max(LIMITS.servers), z.string().regex(/^\d{1,3}(\.\d+)?%$/, { error: 'expected a count or a percentage like "25%"' })]);

const deployValue = z.strictObject({
  servers: z.union([z.literal("all"), z.array(z.string()).min(1).max(LIMITS.servers)]).default("all").describe('"all" (every server not removed), or the servers to deploy.'),
  maxUnavailable: countOrPercent.default("25%").describe("Servers that may be unavailable at once: a count, or a percentage rounded down (Kubernetes default 25%)."),
  maxSurge: countOrPercent.optional().describe("Extra servers that may run at once (replacements started first): a count, or a percentage rounded up (Kubernetes default 25%; 0 in place)."),
  drain: duration.default(30).describe("Seconds a replaced server drains before it stops (default 30 s, Kubernetes' terminationGracePeriodSeconds)."),
  restart: duration.default(10).describe("Seconds a new (or restarted) server takes to accept connections (default 10 s)."),
  inPlace: z.boolean().default(false).describe("Restart each server under its own name and address (VMs behind a fixed server list, StatefulSets) instead of replacing it with a new one."),
});
type DeployValue = z.output<typeof deployValue>;

/**
 * maxSurge rounds up and maxUnavailable down; when both come out 0, one server may be
 * unavailable (Kubernetes `ResolveFenceposts`, pkg/controller/deployment/util/deployment_util.go).
 */
export function fenceposts(surge: number | string, unavailable: number | string, n: number): { maxSurge: number; maxUnavailable: number } {
  const resolve = (v: number | string, round: (x: number) => number) => (typeof v === "number" ? v : round((parseFloat(v) * n) / 100));
  const maxSurge = resolve(surge, Math.ceil), maxUnavailable = resolve(unavailable, Math.floor);
  return { maxSurge, maxUnavailable: maxSurge === 0 && maxUnavailable === 0 ? 1 : maxUnavailable };
}

/** `s1` → `s1-v2` → `s1-v3`: the next free version of a server's name. */
function nextVersion(pool: PlannedPool, name: string): string {
  const match = /^(.*)-v(\d+)$/.exec(name);
  const base = match ? match[1] : name;
  let version = match ? Number(match[2]) + 1 : 2;
  while (pool.state(`${base}-v${version}`) !== undefined) version++;
  return `${base}-v${version}`;
}

/** `{ "at": "20m", "rollingDeploy": { "servers": "all", "maxUnavailable": 1, "drain": "2m" } }`. */
export const rollingDeployEvent = defineEvent({
  action: "rollingDeploy",
  summary:
    "A rolling update as a Kubernetes Deployment runs it: new servers replace the old (or, in place, each restarts) while at most maxUnavailable are unavailable and at most maxSurge extra run; each old server drains, then stops.",
  value: deployValue,
  plan: (pool, raw) => {
    const value = raw as DeployValue;
    const path = (i: number) => (value.servers === "all" ? [] : ["servers", i]);
    const names = value.servers === "all" ? pool.present() : value.servers;
    const ok = names.filter((name, i) => {
      if (!expectState(pool, name, path(i), ["up", "draining", "down", "starting"], "rollingDeploy")) return false;
      const busy = pool.deployedUntil(name);
      if (busy <= pool.at) return true;
      pool.problem(path(i), `server ${name} is still being deployed by an earlier rollingDeploy (until about ${Math.round(busy)} s); a second deploy may not overlap it`);
      return false;
    });
    if (ok.length < names.length || names.length === 0) return { servers: names };
    if (value.inPlace && value.maxSurge !== undefined && value.maxSurge !== 0 && value.maxSurge !== "0%")
      pool.problem(["maxSurge"], "an in-place deploy restarts servers under their own names, so it cannot start replacements first; leave maxSurge out or set it to 0");
    const { maxSurge, maxUnavailable } = fenceposts(value.inPlace ? 0 : (value.maxSurge ?? "25%"), value.maxUnavailable, names.length);
    const replacement = names.map((name) => (value.inPlace ? name : nextVersion(pool, name)));
    // A rough end, for the overlap check and the picture later events see: every batch drains, restarts and passes health checks in turn.
    const batches = Math.ceil(names.length / Math.max(1, maxUnavailable + maxSurge));
    const end = pool.at + batches * (value.drain + value.restart + pool.healthDelay) + value.drain;
    for (const name of names) pool.holdForDeploy(name, end);
    if (!value.inPlace)
      names.forEach((name, i) => {
        pool.create(replacement[i], pool.weight(name));
        pool.holdForDeploy(replacement[i], end);
        pool.setLater(replacement[i], "up", end);
        pool.setLater(name, "removed", end);
      });
    const plan: DeployPlan = { old: names, replacement, maxSurge, maxUnavailable, drain: value.drain, restart: value.restart, inPlace: value.inPlace };
    return { servers: value.inPlace ? names : [...names, ...replacement], data: plan };
  },
  apply: (control, event, now) => control.deploy(event.data as DeployPlan, now),
});

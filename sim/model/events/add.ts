import { duration, newServers, type NewServers } from "../../scenario/fields.js";
import { defineEvent, type PlannedPool } from "./define.js";

/** Names and weights of the servers an event brings in, checked against those that exist: new names only. */
export function planNewServers(pool: PlannedPool, value: NewServers, path: (string | number)[]): { name: string; weight: number }[] {
  if ("count" in value)
    return Array.from({ length: value.count }, () => {
      const name = pool.freeName();
      pool.create(name, value.weight);
      return { name, weight: value.weight };
    });
  const wanted = value.servers.map((s) => (typeof s === "string" ? { name: s, weight: 1 } : s));
  return wanted.filter((s, i) => {
    if (pool.create(s.name, s.weight)) return true;
    pool.problem([...path, "servers", i], `a server named ${JSON.stringify(s.name)} exists already at ${pool.at} s`);
    return false;
  });
}

/** `{ "at": "30m", "add": { "count": 2 }, "startup": "20s" }`: scale out. */
export const addEvent = defineEvent({
  action: "add",
  summary: "Scale out: new servers join the pool, starting; each accepts connections after `startup` and takes traffic once `rise` health checks have passed.",
  value: newServers.describe("A count of servers ({ count, weight }), or { servers: [names or { name, weight }] }."),
  options: { startup: duration.default(0).describe("Seconds from the event until a new server accepts connections (default 0: only the health checks delay it).") },
  plan: (pool, value, options) => {
    const created = planNewServers(pool, value as NewServers, []);
    for (const s of created) pool.setLater(s.name, "up", pool.at + (options.startup as number) + pool.healthDelay);
    return { servers: created.map((s) => s.name), data: created };
  },
  apply: (control, event, now) => {
    for (const s of event.data as { name: string; weight: number }[]) control.add(s.name, s.weight, event.options.startup as number, now);
  },
});

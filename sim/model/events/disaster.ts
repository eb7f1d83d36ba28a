import { duration, newServers, type NewServers } from "../../scenario/fields.js";
import { planNewServers } from "./add.js";
import { defineEvent } from "./define.js";
import { z } from "zod";

/**
 * `{ "at": "100m", "disaster": { "recovery": { "servers": ["dr1", "dr2"] }, "after": "10m" } }`:
 * the site is lost (every server crashes) and a recovery pool comes up later. What the balancer
 * kept (cookies naming dead servers, client-address tables, hash rings) is left as it was; each
 * strategy treats it as its product does.
 */
export const disasterEvent = defineEvent({
  action: "disaster",
  summary: "Every server crashes; a recovery pool of new servers starts `after` a delay and takes traffic once its health checks pass.",
  value: z.strictObject({
    recovery: newServers.describe("The recovery pool: { count, weight } or { servers: [names or { name, weight }] }."),
    after: duration.default(0).describe("Seconds from the disaster until the recovery servers accept connections."),
  }),
  plan: (pool, value) => {
    const { recovery, after } = value as { recovery: NewServers; after: number };
    const lost = pool.present().filter((name) => pool.state(name) !== "down");
    for (const name of lost) pool.set(name, "down");
    const created = planNewServers(pool, recovery, ["recovery"]);
    for (const s of created) pool.setLater(s.name, "up", pool.at + after + pool.healthDelay);
    return { servers: [...lost, ...created.map((s) => s.name)], data: { lost, created } };
  },
  apply: (control, event, now) => {
    const { lost, created } = event.data as { lost: string[]; created: { name: string; weight: number }[] };
    for (const name of lost) control.crash(control.server(name), now);
    const after = (event.value as { after: number }).after;
    for (const s of created) control.add(s.name, s.weight, after, now);
  },
});

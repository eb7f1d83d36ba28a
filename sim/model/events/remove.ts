import { z } from "zod";
import { positiveDuration } from "../../scenario/fields.js";
import { defineEvent, expectState, keepOneAccepting, serverName } from "./define.js";

/**
 * `{ "at": "40m", "remove": "s1" }` (or a list), with `"deadline": "1m"` to drain first. Removed
 * servers stay in the balancer's configuration as servers that are never eligible (nginx
 * `down`, HAProxy MAINT, a deregistered target): their index and their place in hash tables are kept.
 */
export const removeEvent = defineEvent({
  action: "remove",
  summary: "Scale in: servers leave the pool for good, at once (answering what they accepted) or after draining until `deadline`.",
  value: z.union([serverName("The server to remove."), z.array(z.string()).min(1).max(1000).describe("The servers to remove.")]),
  options: { deadline: positiveDuration.optional().describe("Drain for this long first (the balancer sends no new sessions), then remove; default: remove at once.") },
  plan: (pool, value, options) => {
    const names = typeof value === "string" ? [value] : (value as string[]);
    const paths = (i: number) => (typeof value === "string" ? [] : [i]);
    const ok = names.map((name, i) => expectState(pool, name, paths(i), ["starting", "up", "draining", "down"], "remove"));
    if (ok.every(Boolean) && keepOneAccepting(pool, names, [], "remove")) {
      const deadline = options.deadline as number | undefined;
      for (const name of names) {
        if (deadline === undefined) pool.set(name, "removed");
        else {
          pool.set(name, "draining");
          pool.setLater(name, "removed", pool.at + deadline);
        }
      }
    }
    return { servers: names };
  },
  apply: (control, event, now) => {
    const deadline = event.options.deadline as number | undefined;
    for (const name of event.servers) {
      const server = control.server(name);
      if (deadline === undefined) control.remove(server, now);
      else control.drain(server, deadline, true, now);
    }
  },
});

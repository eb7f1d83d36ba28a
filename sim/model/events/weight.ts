import { z } from "zod";
import { count } from "../../scenario/fields.js";
import { LIMITS } from "../../scenario/limits.js";
import { defineEvent, expectState } from "./define.js";

/** `{ "at": "45m", "weight": { "s2": 3 } }`: new weights for the servers named, from that time on. */
export const weightEvent = defineEvent({
  action: "weight",
  summary: "Servers' weights change (an operator shifting load, a server given more capacity); strategies rebuild what depends on weights.",
  value: z
    .record(z.string(), count(LIMITS.weight))
    .refine((weights) => Object.keys(weights).length > 0, { error: "expected at least one server and its new weight" })
    .describe(`New weights by server name, 1 to ${LIMITS.weight}.`),
  plan: (pool, value) => {
    const names = Object.keys(value as Record<string, number>);
    for (const name of names) expectState(pool, name, [name], ["starting", "up", "draining", "down"], "weight");
    return { servers: names };
  },
  apply: (control, event, now) => {
    Object.entries(event.value as Record<string, number>).forEach(([name, weight]) => control.setWeight(control.server(name), weight, now));
  },
});

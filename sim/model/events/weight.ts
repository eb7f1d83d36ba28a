import { z } from "zod";
import { count } from "../../scenario/fields.js";
import { LIMITS } from "../../scenario/limits.js";
import { defineEvent } from "./define.js";

/** `{ "at": "45m", "weight": { "s2": 3 } }`: new weights for the servers named, from that time on. */
export const weightEvent = defineEvent({
  action: "weight",
  summary: "Servers' weights change (an operator shifting load, a server given more capacity); strategies rebuild what depends on weights.",
  value: z
    .record(z.string(), count(LIMITS.weight))
    .refine((weights) => Object.keys(weights).length > 0, { error: "expected at least one server and its new weight" })
    .describe(`New weights by server name, 1 to ${LIMITS.weight}.`),
  targets: (weights) => Object.keys(weights as Record<string, number>).map((name) => ({ name, path: [name] })),
  takesAway: false,
  apply: (control, event, now) => {
    Object.values(event.value as Record<string, number>).forEach((weight, i) => control.setWeight(event.servers[i], weight, now));
  },
});

import { z } from "zod";
import { duration } from "../../scenario/fields.js";
import { LIMITS } from "../../scenario/limits.js";
import { defineEvent, type TrafficChange } from "./define.js";

/** `{ "at": "20m", "traffic": { "multiply": 3, "over": "5m" } }`: a spike or a ramp in the arrival of new users. */
export const trafficEvent = defineEvent({
  action: "traffic",
  summary: "The rate at which new users arrive changes, at once or linearly `over` a time: a spike, a ramp, the evening peak.",
  value: z
    .strictObject({
      multiply: z.number().nonnegative().max(1e6).optional().describe("The new rate as a multiple of clients.visitsPerSecond."),
      visitsPerSecond: z.number().nonnegative().max(LIMITS.visitsPerSecond).optional().describe("The new rate itself."),
      over: duration.default(0).describe("Seconds over which the rate moves linearly to the new value (default: at once)."),
    })
    .refine((t) => (t.multiply === undefined) !== (t.visitsPerSecond === undefined), { error: 'expected exactly one of "multiply" or "visitsPerSecond"' }),
  plan: () => ({ servers: [] }),
  apply: (control, event, now) => control.traffic(event.value as TrafficChange, now),
});

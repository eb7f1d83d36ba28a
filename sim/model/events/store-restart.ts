import { z } from "zod";
import { duration } from "../../scenario/fields.js";
import { defineEvent, needsFallibleStore } from "./define.js";

/** `{ "at": "40m", "storeRestart": { "down": "10s" } }` (or `true`): the store's process restarts and reloads what its persistence kept. */
export const storeRestartEvent = defineEvent({
  action: "storeRestart",
  summary: "The shared session store's process restarts (a crash, an OOM kill): unreachable while it starts, then back with what its persistence kept; sessions written since are lost.",
  value: z
    .union([z.literal(true), z.strictObject({ down: duration.default(5).describe("Seconds the store is unreachable while it restarts and loads its data (default 5 s).") })])
    .transform((v) => (v === true ? { down: 5 } : v))
    .describe("true, or { down }."),
  plan: (pool) => {
    needsFallibleStore(pool, "storeRestart");
    return { servers: [] };
  },
  apply: (control, event, now) => control.storeRestart((event.value as { down: number }).down, now),
});

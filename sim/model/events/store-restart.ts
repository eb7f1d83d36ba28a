import { z } from "zod";
import { duration } from "../../scenario/fields.js";
import { defineEvent, expectStoreNode, needsFallibleStore, storeNodeOption } from "./define.js";

/** `{ "at": "40m", "storeRestart": { "down": "10s" } }` (or `true`; one node: `"node": "m2"`): the store's process restarts and reloads what its persistence kept. */
export const storeRestartEvent = defineEvent({
  action: "storeRestart",
  summary:
    "The session store's process, or with `node` one node's, restarts (a crash, an OOM kill): unreachable while it starts, then back with what its persistence kept (memcached keeps nothing); sessions written since are lost.",
  value: z
    .union([
      z.literal(true),
      z.strictObject({
        down: duration.default(5).describe("Seconds the store is unreachable while it restarts and loads its data (default 5 s)."),
        host: z
          .boolean()
          .default(false)
          .describe("The machine went down with the process (a power loss, a kernel panic): an append-only file loses what appendfsync had not synced. Default: only the process died, and every write it acknowledged is in the kernel."),
      }),
    ])
    .transform((v) => (v === true ? { down: 5, host: false } : v))
    .describe("true, or { down, host }."),
  options: storeNodeOption,
  plan: (pool, _value, options) => {
    needsFallibleStore(pool, "storeRestart");
    expectStoreNode(pool, options.node as string | undefined);
    return { servers: [] };
  },
  apply: (control, event, now) => {
    const { down, host } = event.value as { down: number; host: boolean };
    control.storeRestart(down, now, event.options.node as string | undefined, host);
  },
});

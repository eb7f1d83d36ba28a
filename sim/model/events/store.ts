import { z } from "zod";
import { store as storeSpec, type StoreSpec } from "../../scenario/store-schema.js";
import { defineEvent } from "./define.js";

/**
 * `{ "at": "15m", "store": { "kind": "shared" }, "dualWrite": true }`, then `{ "at": "45m", "store": "shared" }`:
 * the application changes where sessions live, the steps of a migration off server memory.
 */
export const storeEvent = defineEvent({
  action: "store",
  summary:
    'The application changes where sessions live. With "dualWrite": true the new store joins behind the current one: every request writes both, and a session the current store cannot read is read from the new one. Without it the store named becomes the only one; the kind of the store being dual-written keeps what was written to it, any other starts empty.',
  value: z
    .union([z.string().describe("The kind of the store being dual-written, which now becomes the only store."), storeSpec])
    .describe("A store, as the scenario's `store` is written, or the kind of the store being dual-written."),
  options: {
    dualWrite: z.boolean().default(false).describe("Write the new store beside the current one and read it only where the current one cannot, instead of switching to it."),
  },
  changesStore: true,
  label: (value, options) => `store ${typeof value === "string" ? value : (value as StoreSpec).kind}${options.dualWrite ? " (dual write)" : ""}`,
  plan: (pool, value, options) => {
    const dualWrite = options.dualWrite as boolean;
    if (typeof value === "string") {
      if (dualWrite) pool.problem([], 'a store given by its kind is the one being dual-written; give the store itself ({ "kind": ... }) to start a dual write');
      else if (pool.dualWriting === null) pool.problem([], `no store is being dual-written at ${pool.at} s; give the store itself ({ "kind": ${JSON.stringify(value)} }), or start with "dualWrite": true`);
      else if (pool.dualWriting !== value) pool.problem([], `the store being dual-written at ${pool.at} s is ${JSON.stringify(pool.dualWriting)}, not ${JSON.stringify(value)}`);
    } else if (dualWrite && pool.dualWriting !== null) {
      pool.problem([], `a dual write to ${JSON.stringify(pool.dualWriting)} is already running at ${pool.at} s; finish it first ({ "store": ${JSON.stringify(pool.dualWriting)} })`);
    }
    pool.changeStore(value as StoreSpec | string, dualWrite);
    return { servers: [] };
  },
  apply: (control, event, now) => control.changeStore(event.value as StoreSpec | string, event.options.dualWrite as boolean, now),
});

import { positiveDuration } from "../../scenario/fields.js";
import { defineEvent, needsFallibleStore } from "./define.js";

/** `{ "at": "30m", "storeOutage": "2m" }`: the shared store is unreachable for a while, its data intact. */
export const storeOutageEvent = defineEvent({
  action: "storeOutage",
  summary: "The shared session store is unreachable for the given time (a network partition, a failover); its data survives. Clients wait or give up, the application answers errors or starts new sessions.",
  value: positiveDuration.describe("How long the store is unreachable."),
  plan: (pool) => {
    needsFallibleStore(pool, "storeOutage");
    return { servers: [] };
  },
  apply: (control, event, now) => control.storeOutage(event.value as number, now),
});

import { positiveDuration } from "../../scenario/fields.js";
import { defineEvent, expectStoreNode, needsFallibleStore, storeNodeOption } from "./define.js";

/** `{ "at": "30m", "storeOutage": "2m" }` (one node: `"node": "m2"`): the store is unreachable for a while, its data intact. */
export const storeOutageEvent = defineEvent({
  action: "storeOutage",
  summary:
    "The session store, or with `node` one of its nodes, is unreachable for the given time (a network partition, a failover); its data survives. Clients wait or give up, the application answers errors or starts new sessions; a memcached client skips the node.",
  value: positiveDuration.describe("How long the store is unreachable."),
  options: storeNodeOption,
  plan: (pool, _value, options) => {
    needsFallibleStore(pool, "storeOutage");
    expectStoreNode(pool, options.node as string | undefined);
    return { servers: [] };
  },
  apply: (control, event, now) => control.storeOutage(event.value as number, now, event.options.node as string | undefined),
});

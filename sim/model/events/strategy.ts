import { strategyChoice } from "../../scenario/strategy-entry.js";
import { findStrategy } from "../../strategies/index.js";
import { defineEvent } from "./define.js";

/** `{ "at": "1h", "strategy": "round-robin" }`: the balancer's routing changes, e.g. stickiness removed once sessions are shared. */
export const strategyEvent = defineEvent({
  action: "strategy",
  summary: "The balancer switches to another strategy (an id, or { id, ...options }), as reconfiguring and reloading it would: from then on every request, of every device class, is routed by the new one.",
  value: strategyChoice.describe("A strategy, as a `strategies` entry is written (its label and store are not taken)."),
  label: (value) => `strategy ${typeof value === "string" ? value : (value as { id: string }).id}`,
  plan: (pool, value) => {
    const entry = typeof value === "string" ? { id: value } : (value as { id: string; label?: string; store?: unknown });
    const { id, label, store, ...options } = entry as { id: string; label?: unknown; store?: unknown };
    const def = findStrategy(id);
    if (label !== undefined || store !== undefined) pool.problem([], 'a strategy event changes the routing only; "label" and "store" belong to `strategies` entries (a "store" event changes the store)');
    if (def?.store) pool.problem([], `strategy ${JSON.stringify(id)} implies its own session store; switch the store with a "store" event and the routing to a strategy without one`);
    return { servers: [], data: { id, options: def ? def.options.parse(options) : options } };
  },
  apply: (control, event, now) => {
    const { id, options } = event.data as { id: string; options: unknown };
    control.changeStrategy(id, options, now);
  },
});

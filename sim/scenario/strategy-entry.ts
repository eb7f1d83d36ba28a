import { z } from "zod";
import { findStrategy } from "../strategies/index.js";
import { LIMITS } from "./limits.js";
import { store } from "./store-schema.js";
import { unknownStrategy } from "./suggest.js";

/**
 * A strategy id, or `{ id, label?, store?, ...options }` whose options the strategy's own schema
 * checks here, so that problems in them read like any other (paths, allowed keys, suggestions).
 */
export const strategyEntry = z.union([
  z.string().superRefine((id, ctx) => {
    if (!findStrategy(id)) ctx.addIssue({ code: "custom", message: unknownStrategy(id) });
  }),
  z.looseObject({ id: z.string(), label: z.string().min(1).max(LIMITS.labelLength).optional(), store: store.optional() }).superRefine((entry, ctx) => {
    const def = findStrategy(entry.id);
    if (!def) return ctx.addIssue({ code: "custom", path: ["id"], message: unknownStrategy(entry.id) });
    const { id: _id, label: _label, store: _store, ...options } = entry;
    const checked = def.options.safeParse(options);
    // Re-raised so they read like every other issue: zod's default texts are dropped for the parse's
    // own wording; a strategy author's message (a custom check) is kept.
    if (!checked.success)
      for (const { message, ...issue } of checked.error.issues) ctx.addIssue({ ...issue, ...(issue.code === "custom" ? { message } : {}) } as z.core.$ZodRawIssue);
  }),
]);

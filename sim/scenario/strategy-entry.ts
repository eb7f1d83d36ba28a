import { z } from "zod";
import { findStrategy } from "../strategies/index.js";
import { LIMITS } from "./limits.js";
import { store } from "./store-schema.js";
import { unknownStrategy } from "./suggest.js";

const strategyId = z.string().superRefine((id, ctx) => {
  if (!findStrategy(id)) ctx.addIssue({ code: "custom", message: unknownStrategy(id) });
});

/** Checks the options of `{ id, ...options }` (with the entry's own keys taken out) against the strategy's own schema. */
function checkOptions(id: string, options: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const def = findStrategy(id);
  if (!def) return ctx.addIssue({ code: "custom", path: ["id"], message: unknownStrategy(id) });
  const checked = def.options.safeParse(options);
  // Re-raised so they read like every other issue: zod's default texts are dropped for the parse's
  // own wording; a strategy author's message (a custom check) is kept.
  if (!checked.success)
    for (const { message, ...issue } of checked.error.issues) ctx.addIssue({ ...issue, ...(issue.code === "custom" ? { message } : {}) } as z.core.$ZodRawIssue);
}

/**
 * The strategy one device class of an entry is routed by: an id, or `{ id, ...options }`. It
 * shares its entry's servers and session store, so it takes no `store` (nor `label`), and a
 * strategy that implies a store of its own cannot be one.
 */
export const classStrategy = z.union([
  strategyId.superRefine((id, ctx) => {
    if (findStrategy(id)?.store) ctx.addIssue({ code: "custom", message: impliesStore(id) });
  }),
  z.looseObject({ id: z.string() }).superRefine((entry, ctx) => {
    const { id, ...options } = entry;
    for (const key of ["store", "label", "classes"] as const)
      if (key in options) return ctx.addIssue({ code: "custom", path: [key], message: `a class's strategy shares its entry's store and label; "${key}" belongs to the entry` });
    if (findStrategy(id)?.store) return ctx.addIssue({ code: "custom", path: ["id"], message: impliesStore(id) });
    checkOptions(id, options, ctx);
  }),
]);

function impliesStore(id: string): string {
  return `strategy ${JSON.stringify(id)} implies its own session store, and a class shares its entry's; route the class with a strategy that implies none and give the entry the store`;
}

/** A strategy id, or an object of `keys` (its id among them) and the strategy's options, checked by the strategy's own schema. */
function entryOf<Keys extends z.core.$ZodLooseShape & { id: z.ZodString }>(keys: Keys) {
  return z.union([
    strategyId,
    z.looseObject(keys).superRefine((entry, ctx) => {
      const options = Object.fromEntries(Object.entries(entry).filter(([key]) => !Object.hasOwn(keys, key)));
      checkOptions(entry.id as string, options, ctx);
    }),
  ]);
}

const entryKeys = { id: z.string(), label: z.string().min(1).max(LIMITS.labelLength).optional(), store: store.optional() };

/**
 * A strategy id, or `{ id, label?, store?, ...options }` whose options the strategy's own schema
 * checks here, so that problems in them read like any other (paths, allowed keys, suggestions).
 * The strategy event's value is written so.
 */
export const strategyChoice = entryOf(entryKeys);

/**
 * A `strategies` entry: a strategy choice that may also route device classes apart, `classes`
 * mapping a class to the strategy its requests go through. The names are checked against
 * `clients.classes` when the scenario is compiled, where a mistyped one gets a suggestion.
 */
export const strategyEntry = entryOf({ ...entryKeys, classes: z.record(z.string(), classStrategy).optional() });

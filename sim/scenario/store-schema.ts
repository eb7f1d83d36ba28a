import { z } from "zod";
import { storeKinds } from "../model/stores/index.js";
import { positiveDuration } from "./fields.js";

/** The session store: one strict object per registered kind, with the idle timeout every kind has. */
export const store = z.discriminatedUnion(
  "kind",
  storeKinds.map((def) =>
    z.strictObject({ kind: z.literal(def.kind).describe(def.summary), idleTimeout: positiveDuration.default(1800), ...def.options }).superRefine((o, ctx) => def.refine?.(o, ctx)),
  ) as [z.ZodObject, ...z.ZodObject[]],
) as unknown as z.ZodType<StoreSpec, { kind: string } & Record<string, unknown>>;
/** A store as the scenario gives it, defaults filled in: `kind`, `idleTimeout` and the kind's own options. */
export type StoreSpec = { kind: string; idleTimeout: number } & Record<string, unknown>;

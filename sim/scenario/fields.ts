import { z } from "zod";
import { DURATION_PATTERN, parseDuration } from "./duration.js";
import { LIMITS } from "./limits.js";

/**
 * The field schemas every part of a scenario is written with: durations, fractions, bounded
 * counts and distributions. Kept apart from the scenario schema so the plug-ins (stores, events)
 * can describe their options with them without importing the schema that imports them.
 */

/** Seconds, or a string with a unit; finite and at most ten years (a string of 400 digits is not a duration). */
export const duration = z
  .union([z.number().nonnegative().max(LIMITS.seconds), z.string().regex(DURATION_PATTERN)], {
    error: 'expected a duration: seconds, or a string like "250ms", "30s", "5m", "2h", "1d"',
  })
  .transform(parseDuration)
  .refine((s) => s <= LIMITS.seconds, { error: `expected a duration of at most ${LIMITS.seconds / 86400}d` });

export const positiveDuration = duration.refine((s) => s > 0, { error: "expected a duration greater than zero" });
export const fraction = z.number().min(0).max(1);
/** A positive integer no larger than `max`. */
export const count = (max: number) => z.number().int().positive().max(max);

/** The distribution families of a value described by `value` (a duration or a plain number). */
function families<V extends z.ZodType<number, any>>(value: V, positive: V) {
  return [
    z.strictObject({ dist: z.literal("constant"), value }),
    z.strictObject({ dist: z.literal("exponential"), mean: positive }),
    z.strictObject({ dist: z.literal("uniform"), min: value, max: value }),
    z.strictObject({ dist: z.literal("normal"), mean: value, sd: value }),
    // Bounds keep the quantile functions finite: a cv past ~1e154 or an alpha near 0 gives NaN samples.
    z.strictObject({ dist: z.literal("lognormal"), mean: positive, cv: z.number().nonnegative().max(100) }),
    z.strictObject({ dist: z.literal("pareto"), min: positive, max: positive, alpha: z.number().min(0.001).max(100) }),
    z.strictObject({
      dist: z.literal("choice"),
      values: z.array(value).min(1).max(1000),
      weights: z
        .array(z.number().nonnegative().max(1e12))
        .min(1)
        .max(1000)
        .refine((w) => w.some((x) => x > 0), { error: "expected at least one weight greater than zero" }),
    }),
  ] as const;
}

type Spec = { dist: string; min?: number; max?: number; values?: number[]; weights?: number[] };

/** A bare value means that constant; cross-field rules are checked once for every family. */
function distribution<V extends z.ZodType<number, any>, S extends z.ZodType<Spec, any>>(value: V, spec: S) {
  return z.union([value.transform((v) => ({ dist: "constant" as const, value: v })), spec]).superRefine((d: Spec, ctx) => {
    // Only between two valid numbers: zod runs this refine after a failed pattern check too, and a
    // bad "min" string is reported on its own; compared here it was reported twice, its raw text
    // (newlines, control characters) written into the message.
    if (typeof d.min === "number" && typeof d.max === "number" && !(d.min <= d.max))
      ctx.addIssue({ code: "custom", message: `min (${d.min}) must not exceed max (${d.max})` });
    if (d.values && d.weights && d.values.length !== d.weights.length)
      ctx.addIssue({ code: "custom", path: ["weights"], message: `expected ${d.values.length} weights, one per value` });
  });
}

export const timeDistribution = distribution(duration, z.discriminatedUnion("dist", [...families(duration, positiveDuration)]));
const plainNumber = z.number().nonnegative().max(LIMITS.countValue);
export const countDistribution = distribution(
  plainNumber,
  z.discriminatedUnion("dist", [
    ...families(plainNumber, z.number().positive().max(LIMITS.countValue)),
    z.strictObject({ dist: z.literal("geometric"), mean: z.number().min(1).max(LIMITS.countValue) }),
  ]),
);
export type DistributionSpec = z.output<typeof countDistribution> | z.output<typeof timeDistribution>;

/** A server's name, as `servers.list` and the events that add servers give it. */
export const serverNameField = z.string().regex(/^[A-Za-z0-9_.-]+$/, { error: "expected a server name of letters, digits, '_', '.' or '-'" }).max(LIMITS.nameLength);

/** A device class's name (`clients.classes`), as entries' `classes` name it: it also names CSV columns and label parts, so a plain identifier. */
export const deviceClassName = z
  .string()
  .regex(new RegExp(`^[A-Za-z][A-Za-z0-9_-]{0,${LIMITS.classNameLength - 1}}$`), {
    error: `expected a class name: a letter, then letters, digits, '_' or '-', at most ${LIMITS.classNameLength} characters`,
  });

/** Servers an event brings in: a number of them (named s<N+1>, s<N+2>, ... with one weight) or a list of names and weights. */
export const newServers = z.union([
  z.strictObject({ count: count(LIMITS.servers).describe("How many servers, named after the last default name (s5, s6, ... after s1..s4)."), weight: count(LIMITS.weight).default(1) }),
  z.strictObject({
    servers: z
      .array(z.union([serverNameField, z.strictObject({ name: serverNameField, weight: count(LIMITS.weight).default(1) })]))
      .min(1)
      .max(LIMITS.servers)
      .describe("Servers by name, or { name, weight }."),
  }),
]);
export type NewServers = z.output<typeof newServers>;

/** Bytes: a number, or a string with a unit as redis.conf writes them (kb, mb, gb: powers of 1024; case ignored). */
export const bytesField = z
  .union([z.number().int().positive().max(2 ** 50), z.string().regex(/^\s*\d+(\.\d+)?\s*(b|kb|mb|gb)\s*$/i, { error: 'expected bytes: a number, or a string like "512mb" or "2gb"' })])
  .transform((v) => {
    if (typeof v === "number") return v;
    const [, n, unit] = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)\s*$/i.exec(v) as RegExpExecArray;
    return Math.round(Number(n) * { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[unit.toLowerCase() as "b" | "kb" | "mb" | "gb"]);
  });

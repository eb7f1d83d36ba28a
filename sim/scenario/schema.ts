import { z } from "zod";
import { DURATION_PATTERN, parseDuration } from "./duration.js";
import { findStrategy, strategies } from "../strategies/index.js";
import { unknownStrategy } from "./suggest.js";
import { LIMITS } from "./limits.js";

/** A scenario name also names its output folder, so it can hold no path separator and cannot be "." or "..". */
export const SCENARIO_NAME = new RegExp(`^[A-Za-z0-9][A-Za-z0-9 _.+-]{0,${LIMITS.nameLength - 1}}$`);

/** Seconds, or a string with a unit; finite and at most ten years (a string of 400 digits is not a duration). */
export const duration = z
  .union([z.number().nonnegative().max(LIMITS.seconds), z.string().regex(DURATION_PATTERN)], {
    error: 'expected a duration: seconds, or a string like "250ms", "30s", "5m", "2h", "1d"',
  })
  .transform(parseDuration)
  .refine((s) => s <= LIMITS.seconds, { error: `expected a duration of at most ${LIMITS.seconds / 86400}d` });

const positiveDuration = duration.refine((s) => s > 0, { error: "expected a duration greater than zero" });
const fraction = z.number().min(0).max(1);
/** A positive integer no larger than `max`. */
const count = (max: number) => z.number().int().positive().max(max);

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

const clients = z.strictObject({
  count: count(LIMITS.users).optional().describe("Distinct users at most; new visits stop once this many users have arrived."),
  visitsPerSecond: z.number().positive().max(LIMITS.visitsPerSecond).default(10).describe("Poisson rate of visits by new users."),
  requestsPerVisit: countDistribution.prefault({ dist: "geometric", mean: 10 }),
  think: timeDistribution.prefault({ dist: "exponential", mean: "10s" }).describe("Pause between a response and the next request."),
  returning: z
    .strictObject({ fraction: fraction.default(0), after: timeDistribution.prefault({ dist: "exponential", mean: "1d" }) })
    .prefault({}),
  nat: z
    .strictObject({
      fraction: fraction.default(0).describe("Share of users behind a NAT address shared with others."),
      groupSize: countDistribution.prefault({ dist: "pareto", min: 20, max: 2000, alpha: 1.2 }),
    })
    .prefault({}),
  mobile: z
    .strictObject({
      fraction: fraction.default(0).describe("Share of users whose address changes during a visit."),
      addressChangeEvery: timeDistribution.prefault({ dist: "exponential", mean: "20m" }),
    })
    .prefault({}),
  cookies: z
    .strictObject({
      disabledFraction: fraction.default(0).describe("Share of users whose browser keeps no cookies (the session id travels in the URL)."),
      clearPerVisit: fraction.default(0).describe("Probability that a user starts a visit with cleared cookies."),
    })
    .prefault({}),
});

const serverEntry = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/, { error: "expected a server name of letters, digits, '_', '.' or '-'" }),
  weight: count(LIMITS.weight).default(1).describe(`Relative capacity, 1 to ${LIMITS.weight} (HAProxy's range).`),
  address: z.string().min(1).max(255).optional().describe("host:port as a real balancer's configuration would list it."),
  id: count(LIMITS.serverId)
    .optional()
    .describe("HAProxy's numeric server id, unique; servers without one get the lowest free ids in list order, as HAProxy assigns them."),
});

const servers = z
  .strictObject({
    count: z.number().int().min(1).max(LIMITS.servers).optional(),
    list: z.array(serverEntry).min(1).max(LIMITS.servers).optional(),
    workers: count(LIMITS.workers).default(8).describe("Requests a server handles at once; the rest wait in its FIFO queue."),
    queueLimit: count(LIMITS.queueLimit).optional().describe("Requests that may wait per server; more are rejected (default: unbounded)."),
    service: timeDistribution.prefault({ dist: "lognormal", mean: "40ms", cv: 1 }),
  })
  .superRefine((s, ctx) => {
    if ((s.count === undefined) === (s.list === undefined))
      ctx.addIssue({ code: "custom", message: 'expected exactly one of "count" or "list"' });
    if (s.count !== undefined && s.list !== undefined) return;
    const names = new Set<string>();
    const ids = new Set<number>();
    s.list?.forEach((entry, i) => {
      if (names.has(entry.name)) ctx.addIssue({ code: "custom", path: ["list", i, "name"], message: `duplicate server name ${JSON.stringify(entry.name)}` });
      names.add(entry.name);
      // HAProxy refuses a configuration in which two servers share an id.
      if (entry.id !== undefined && ids.has(entry.id)) ctx.addIssue({ code: "custom", path: ["list", i, "id"], message: `duplicate server id ${entry.id}` });
      if (entry.id !== undefined) ids.add(entry.id);
    });
  });

export const store = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("local").describe("Each server keeps sessions in its own memory; a crash loses them."),
    idleTimeout: positiveDuration.default(1800),
  }),
  z.strictObject({
    kind: z.literal("shared").describe("A Redis-like store every server reads and writes over the network."),
    idleTimeout: positiveDuration.default(1800),
    latency: duration.default(0.001).describe("One round trip; each request reads and writes the session once."),
  }),
  z.strictObject({
    kind: z.literal("token").describe("The session travels with the client as a signed token (cookie or JWT); servers keep nothing."),
    idleTimeout: positiveDuration.default(1800),
    sessionBytes: count(1 << 30).default(2048).describe("Size of the encoded session token."),
    maxBytes: count(1 << 30).default(4096).describe("Largest token the client can carry (RFC 6265: at least 4096 bytes per cookie)."),
  }),
]);
export type StoreSpec = z.output<typeof store>;

/**
 * A strategy id, or `{ id, label?, store?, ...options }` whose options the strategy's own schema
 * checks here, so that problems in them read like any other (paths, allowed keys, suggestions).
 */
const strategyEntry = z.union([
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

const event = z
  .strictObject({ at: duration, crash: z.string().optional(), recover: z.string().optional() })
  .superRefine((e, ctx) => {
    if ((e.crash === undefined) === (e.recover === undefined))
      ctx.addIssue({ code: "custom", message: 'expected exactly one action: "crash" or "recover" with a server name' });
  });

export const scenarioSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z
    .string()
    .regex(SCENARIO_NAME, {
      error: `expected a name of letters, digits, spaces and "_.+-", starting with a letter or digit, at most ${LIMITS.nameLength} characters (it names the output folder)`,
    })
    .optional(),
  description: z.string().max(LIMITS.descriptionLength).optional(),
  seed: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).default(1),
  duration: positiveDuration.default(3600),
  warmup: duration.default(0),
  replications: z.number().int().min(1).max(LIMITS.replications).default(3),
  clients: clients.prefault({}),
  servers,
  store: store.prefault({ kind: "local" }),
  balancer: z
    .strictObject({
      healthCheck: z
        .strictObject({
          interval: positiveDuration.default(2).describe("Seconds between active checks of each server (HAProxy default 2 s)."),
          fall: count(LIMITS.healthThreshold).default(3).describe("Consecutive failed checks before a server is taken out."),
          rise: count(LIMITS.healthThreshold).default(2).describe("Consecutive passed checks before it is put back."),
        })
        .prefault({}),
      retries: z.number().int().min(0).max(LIMITS.retries).default(3).describe("Connection retries to a server that refuses connections before the request fails (HAProxy `retries`)."),
      retryDelay: duration.default(1).describe("Wait between those retries (HAProxy: min(timeout connect, 1 s))."),
    })
    .prefault({}),
  metrics: z.strictObject({ window: positiveDuration.default(60).describe("Width of a load window for loadSkew.") }).prefault({}),
  strategies: z.array(strategyEntry).min(1).max(LIMITS.strategies),
  events: z.array(event).max(LIMITS.events).default([]),
});

export type RawScenario = z.output<typeof scenarioSchema>;

/** The JSON Schema editors use (scenarios/lbsim.schema.json): the scenario schema with every strategy's options spelled out. */
export function editorJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(scenarioSchema, { io: "input", unrepresentable: "any" }) as any;
  const entries = strategies.map((def) => {
    const options = z.toJSONSchema(def.options, { io: "input" }) as any;
    delete options.$schema;
    return {
      ...options,
      description: def.summary,
      properties: { id: { const: def.id }, label: { type: "string", minLength: 1, maxLength: LIMITS.labelLength }, store: schema.properties.store, ...(options.properties ?? {}) },
      required: ["id", ...(options.required ?? [])],
    };
  });
  schema.properties.strategies.items = { anyOf: [{ enum: strategies.map((s) => s.id) }, ...entries] };
  return { ...schema, title: "lbsim scenario" };
}

export { findStrategy };

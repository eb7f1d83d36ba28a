import { z } from "zod";
import { count, countDistribution, deviceClassName, duration, fraction, positiveDuration, serverNameField, timeDistribution } from "./fields.js";
import { findStrategy, strategies } from "../strategies/index.js";
import { store } from "./store-schema.js";
import { strategyEntry } from "./strategy-entry.js";
import { websocket } from "./websocket-schema.js";
import { eventKinds } from "../model/events/index.js";
import { LIMITS } from "./limits.js";
import { natSchema, proxiesSchema } from "./nat-schema.js";

export { store, type StoreSpec } from "./store-schema.js";

/** A scenario name also names its output folder, so it can hold no path separator and cannot be "." or "..". */
export const SCENARIO_NAME = new RegExp(`^[A-Za-z0-9][A-Za-z0-9 _.+-]{0,${LIMITS.nameLength - 1}}$`);

/** How far the classes' fractions may add up from 1 (decimal fractions such as 0.1 + 0.2 are not exact in binary). */
const FRACTION_SUM_TOLERANCE = 1e-9;

/** Device classes as an editor suggests them, and an entry's classes that route them. */
const EXAMPLE_CLASSES = [
  { name: "mobile", fraction: 0.4 },
  { name: "desktop", fraction: 0.6 },
];
const EXAMPLE_ENTRY_CLASSES = { mobile: "cookie-insert" };

/** The device classes users come in: distinct names, fractions adding up to 1. */
const deviceClasses = z
  .array(z.strictObject({ name: deviceClassName, fraction: fraction.describe("Share of users of this class.") }))
  .min(1)
  .max(LIMITS.deviceClasses)
  .superRefine((classes, ctx) => {
    const seen = new Set<string>();
    classes.forEach((c, i) => {
      if (seen.has(c.name)) ctx.addIssue({ code: "custom", path: [i, "name"], message: `duplicate class name ${JSON.stringify(c.name)}` });
      seen.add(c.name);
    });
    const sum = classes.reduce((total, c) => total + c.fraction, 0);
    if (classes.length > 0 && Math.abs(sum - 1) > FRACTION_SUM_TOLERANCE) ctx.addIssue({ code: "custom", message: `the classes' fractions add up to ${+sum.toPrecision(12)}; they must add up to 1` });
  });

const clients = z.strictObject({
  count: count(LIMITS.users).optional().describe("Distinct users at most; new visits stop once this many users have arrived."),
  visitsPerSecond: z.number().positive().max(LIMITS.visitsPerSecond).default(10).describe("Poisson rate of visits by new users."),
  requestsPerVisit: countDistribution.prefault({ dist: "geometric", mean: 10 }),
  think: timeDistribution.prefault({ dist: "exponential", mean: "10s" }).describe("Pause between a response and the next request."),
  returning: z
    .strictObject({ fraction: fraction.default(0), after: timeDistribution.prefault({ dist: "exponential", mean: "1d" }) })
    .prefault({}),
  nat: natSchema.describe('NAT pools: one { "preset"?, "fraction", "groupSize"?, "addresses"?, "networks"? } or a list of them, each a set of NAT addresses shared by its users.'),
  proxies: proxiesSchema,
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
  keepAlive: duration
    .default(0)
    .describe(
      "Seconds a client's HTTP connection stays open idle after a response (the smaller of the browser's and the server's idle timeouts, e.g. nginx `keepalive_timeout` 75 s); a request within it goes over the same connection: through the same balancer replica, and, behind a balancer that routes connections (kube-proxy, Node's cluster primary), to the same server without a new decision. 0 (default): every request opens a new connection.",
    ),
  websocket,
  classes: deviceClasses
    .meta({ examples: [EXAMPLE_CLASSES] })
    .optional()
    .describe(
      "Device classes (mobile, desktop), each a share of the users, drawn at a user's first arrival. A strategy entry's `classes` routes a class through its own strategy over the same servers; metrics are given per class too.",
    ),
});

const serverEntry = z.strictObject({
  name: serverNameField,
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
    maxConnections: count(LIMITS.users)
      .optional()
      .describe("Long-lived connections (WebSockets) a server holds at once; an upgrade beyond it is refused and the client backs off (default: unbounded)."),
    service: timeDistribution.prefault({ dist: "lognormal", mean: "40ms", cv: 1 }),
    sessionCleanupEvery: z
      .union([z.literal("never"), positiveDuration])
      .default(60)
      .describe('How often the application removes expired sessions from a server\'s memory (local store); "never" keeps them (a leak). Default 60 s.'),
    failures: z
      .strictObject({
        mtbf: timeDistribution.describe('Time a server runs between failures; { "dist": "exponential", "mean": "12h" } for memoryless failures.'),
        mttr: timeDistribution.describe("Time a failed server takes to come back, empty."),
      })
      .optional()
      .describe("Random crashes of every server, drawn the same for every strategy."),
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

/** Keys an event may have beside its action, and the event kinds that take each. */
const optionKeys = new Map<string, string[]>();
for (const def of eventKinds) for (const key of Object.keys(def.options ?? {})) optionKeys.set(key, [...(optionKeys.get(key) ?? []), def.action]);

/**
 * An event: its time, exactly one registered action key, and the options that action takes. The
 * options are checked against the action's own schema here, so their problems read like any other.
 */
const event = z
  .strictObject({
    at: duration,
    ...Object.fromEntries(eventKinds.map((def) => [def.action, def.value.optional().describe(def.summary)])),
    ...Object.fromEntries([...optionKeys].map(([key, actions]) => [key, z.unknown().optional().describe(`An option of ${orList(actions.map((a) => JSON.stringify(a)))} events.`)])),
  })
  .superRefine((e, ctx) => {
    const written = e as Record<string, unknown>;
    const actions = eventKinds.filter((def) => written[def.action] !== undefined);
    if (actions.length !== 1) return ctx.addIssue({ code: "custom", message: `expected exactly one action: ${orList(eventKinds.map((def) => JSON.stringify(def.action)))}` });
    const def = actions[0], own = def.options ?? {};
    const given: Record<string, unknown> = {};
    for (const [key, actionsTaking] of optionKeys) {
      if (written[key] === undefined) continue;
      if (key in own) given[key] = written[key];
      else ctx.addIssue({ code: "custom", path: [key], message: `"${key}" does not go with "${def.action}"; it is an option of ${orList(actionsTaking.map((a) => JSON.stringify(a)))}` });
    }
    const checked = z.strictObject(own).safeParse(given);
    // As for strategy options: zod's default texts give way to the parse's own wording; a custom check's message is kept.
    if (!checked.success)
      for (const { message, ...issue } of checked.error.issues) ctx.addIssue({ ...issue, ...(issue.code === "custom" ? { message } : {}) } as z.core.$ZodRawIssue);
  });

/** "a", "a or b", "a, b or c". */
function orList(items: readonly string[]): string {
  return items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}

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
  warmStart: z
    .boolean()
    .default(false)
    .describe("Begin with the users a long-running system would have: visits in progress and users due to return, so a short run measures steady state."),
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
      replicas: z
        .number()
        .int()
        .min(1)
        .max(LIMITS.balancerReplicas)
        .default(1)
        .describe("Balancer instances in front of the servers (behind an L4 balancer or DNS): each request reaches one at random, and each keeps its own tables, round-robin position and health checks."),
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
  const optionsOf = (def: (typeof strategies)[number]) => {
    const options = z.toJSONSchema(def.options, { io: "input" }) as any;
    delete options.$schema;
    return options;
  };
  const strategyObject = (def: (typeof strategies)[number], entryKeys: Record<string, unknown>) => {
    const options = optionsOf(def);
    return { ...options, description: def.summary, properties: { id: { const: def.id }, ...entryKeys, ...(options.properties ?? {}) }, required: ["id", ...(options.required ?? [])] };
  };
  // A device class's strategy shares its entry's store, so those that imply one are left out.
  const forClasses = strategies.filter((def) => !def.store);
  // Defined once and referenced from every entry, so the file does not repeat every strategy's options per entry.
  schema.$defs = { ...schema.$defs, classStrategy: { anyOf: [{ enum: forClasses.map((s) => s.id) }, ...forClasses.map((def) => strategyObject(def, {}))] } };
  const classes = {
    type: "object",
    description: "Device classes (clients.classes names) routed by a strategy of their own over the same servers and store; the others use the entry's.",
    propertyNames: schema.properties.clients.properties.classes.items.properties.name,
    additionalProperties: { $ref: "#/$defs/classStrategy" },
    examples: [EXAMPLE_ENTRY_CLASSES],
  };
  const entries = strategies.map((def) => strategyObject(def, { label: { type: "string", minLength: 1, maxLength: LIMITS.labelLength }, store: schema.properties.store, classes }));
  schema.properties.strategies.items = { anyOf: [{ enum: strategies.map((s) => s.id) }, ...entries] };
  return { ...schema, title: "lbsim scenario" };
}

export { findStrategy };

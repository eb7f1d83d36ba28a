// Fuzzes `lbsim route` (sim/route.ts) with hostile flags and stdin: strategy ids from the registry
// and junk, server keys of both forms and junk, weights and down indices in and out of range,
// options generated from each strategy's part of the editor JSON Schema, and keys that are
// almost IPv4 addresses, too long, or not text. Every answer must be routes or an InputError;
// a route goes to a server that is up, or to -1 only when none is. The exception is by design:
// AWS ALB fails open (sim/strategies/fail-open-pool.ts), so with every target unhealthy the
// "alb-" strategies route to all of them, down ones included.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createRouter, type Route } from "../../sim/route.js";
import { strategies } from "../../sim/strategies/index.js";
import { cliProblems, fail, fuzzRuns, fuzzSeed, inParallel, inputErrorProblems, MAX_CASE_MS, runCli } from "./oracle.js";
import { arbitraryFromSchema, scenarioJsonSchema, type Json, type SchemaNode } from "./scenario-gen.js";

const IDS = strategies.map((s) => s.id);
/** Strategies that route to every server when none is healthy, as the product does. */
const failsOpen = (id: string) => id.startsWith("alb-");

/** The schema of a strategy's options: its scenario entry in the editor schema, less the entry's own keys (its label, store and device classes). */
function optionsSchema(id: string): SchemaNode {
  let entry: SchemaNode | undefined;
  const visit = (node: unknown): void => {
    if (entry || typeof node !== "object" || node === null) return;
    const n = node as SchemaNode;
    if (n.properties?.id?.const === id) entry = n;
    else Object.values(n).forEach(visit);
  };
  visit(scenarioJsonSchema);
  if (!entry) throw new Error(`no schema entry for strategy ${id}`);
  const { id: _id, label: _label, store: _store, classes: _classes, ...properties } = entry.properties;
  return { ...entry, properties, required: (entry.required ?? []).filter((k: string) => k !== "id") };
}

const octet = fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 0, max: 255 }) }, { weight: 1, arbitrary: fc.constantFrom(256, 999, -1) });
const ipv4ish = fc.tuple(octet, octet, octet, octet).map((o) => o.join("."));
const port = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 65535 }) }, { weight: 1, arbitrary: fc.constantFrom(0, 65536, 99999, 8080) });
const host = fc.oneof(ipv4ish, fc.constantFrom("backend1.example.com", "localhost", "[::1]", "[2001:db8::1]", "web"));
const nginxKey = fc.oneof(
  fc.tuple(host, fc.option(port, { nil: undefined })).map(([h, p]) => (p === undefined ? h : `${h}:${p}`)),
  fc.constantFrom("unix:/run/app.sock", "UNIX:/tmp/x", "unix:"),
);
const haproxyKey = fc
  .tuple(
    fc.oneof(fc.constantFrom("s1", "s2", "s3", "web-2", "a.b:c"), fc.stringMatching(/^[A-Za-z0-9_.:-]{1,8}$/)),
    fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 6 }).map(String) }, { weight: 1, arbitrary: fc.constantFrom("0", "01", "999999999", "1000000000", "x", "") }),
    nginxKey,
  )
  .map(([name, id, address]) => `${name}/${id}/${address}`);
const junkKey = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom("", " ", ":", "/", "a/b", "s1/1/", "has space:80", "a:b:c", "x".repeat(300), "127.0.0.1:80 ", "s1/1/a/b"));
const serverKey = fc.oneof({ weight: 4, arbitrary: nginxKey }, { weight: 4, arbitrary: haproxyKey }, { weight: 1, arbitrary: junkKey });

const weight = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 256 }) }, { weight: 1, arbitrary: fc.constantFrom(0, 257, -1, 1.5, NaN, Infinity, 1e20, 2 ** 31, 2 ** 32 + 1) });
const downIndex = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 7 }) }, { weight: 1, arbitrary: fc.constantFrom(-1, 8, 100, 1.5, NaN, 2 ** 32) });

/** Servers a balancer could have: distinct addresses, HAProxy names and ids distinct too. */
const cleanServers = fc
  .record(
    {
      haproxy: fc.boolean(),
      addresses: fc.uniqueArray(fc.tuple(fc.ipV4(), fc.integer({ min: 1, max: 65535 })).map(([ip, p]) => `${ip}:${p}`), { minLength: 1, maxLength: 8 }),
      ids: fc.uniqueArray(fc.integer({ min: 1, max: 999_999_999 }), { minLength: 8, maxLength: 8 }),
    },
    { noNullPrototype: true },
  )
  .map(({ haproxy, addresses, ids }) => addresses.map((a, i) => (haproxy ? `s${i + 1}/${ids[i]}/${a}` : a)));

/** Lines a user, a log or a binary file could put on stdin. */
const hostileLine = fc.oneof(
  { weight: 2, arbitrary: fc.ipV4Extended() },
  { weight: 2, arbitrary: fc.constantFrom("256.1.1.1", "01.2.3.4", "1.2.3", "1.2.3.4.5", " 1.2.3.4 ", "1.2.3.4\r", "0.0.0.0", "255.255.255.255", "1.2.3.-4", "１.２.３.４", "1.2.3.4/24", "::1", "::ffff:1.2.3.4", "1.2.3.4:80", "1. 2.3.4") },
  { weight: 1, arbitrary: fc.constantFrom("", "   ", "\t", "\r", "a".repeat(64), "a".repeat(65), "x".repeat(100_000), "user 42", "\u0000", "é", "😀", "a,b", 'say"hi"') },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 20 }) },
);
/** Session ids: printable ASCII without spaces, at most 64 characters. */
const sessionId = fc.stringMatching(/^[\x21-\x7e]{1,64}$/);
const blank = fc.constantFrom("", " ", "\r", "\t ");
/** Mostly inputs a balancer could see (addresses, session ids for hashing strategies), now and then hostile ones. */
const keyLines = fc.oneof(
  { weight: 6, arbitrary: fc.array(fc.oneof({ weight: 8, arbitrary: fc.ipV4() }, { weight: 1, arbitrary: blank }, { weight: 1, arbitrary: fc.ipV4().map((ip) => ` ${ip}\r`) }), { maxLength: 20 }) },
  { weight: 2, arbitrary: fc.array(fc.oneof(fc.ipV4(), sessionId, blank), { maxLength: 20 }) },
  { weight: 2, arbitrary: fc.array(fc.oneof({ weight: 3, arbitrary: fc.ipV4() }, { weight: 1, arbitrary: sessionId }, { weight: 2, arbitrary: hostileLine }), { maxLength: 20 }) },
);

/** One router call: the options ride with their strategy so a case shrinks to a readable pair. */
interface RouteCase {
  strategy: string;
  options: Json;
  servers: string[];
  /** null: the default (all 1); `fit`: cut or padded with 1 to one per server; `raw`: as given. */
  weights: null | { fit: number[] } | { raw: number[] };
  /** `pick`: indices taken modulo the server count; `raw`: as given; `all`: every server. */
  down: { pick: number[] } | { raw: number[] } | { all: true };
  keys: string[];
}

const rec = <T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> => fc.record(model, { noNullPrototype: true });

const strategyAndOptions = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.oneof(
      ...IDS.map((id) =>
        rec({ strategy: fc.constant(id), options: fc.oneof({ weight: 6, arbitrary: fc.constant<Json>({}) }, { weight: 2, arbitrary: arbitraryFromSchema(optionsSchema(id), { numberSpan: 1000 }) }) }),
      ),
    ),
  },
  { weight: 1, arbitrary: rec({ strategy: fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom("", "ROUND-ROBIN", "round-robin ", "__proto__", "constructor", "toString", "x".repeat(5000))), options: fc.constant<Json>({}) }) },
  { weight: 1, arbitrary: rec({ strategy: fc.constantFrom(...IDS), options: fc.dictionary(fc.constantFrom("key", "tableSize", "__proto__", "x"), fc.jsonValue({ maxDepth: 1 }) as fc.Arbitrary<Json>, { noNullPrototype: true }) }) },
);

const routeCase: fc.Arbitrary<RouteCase> = rec({
  so: strategyAndOptions,
  servers: fc.oneof({ weight: 4, arbitrary: cleanServers }, { weight: 1, arbitrary: fc.array(serverKey, { minLength: 0, maxLength: 8 }) }),
  weights: fc.oneof(
    { weight: 4, arbitrary: fc.constant(null) },
    { weight: 3, arbitrary: rec({ fit: fc.array(fc.integer({ min: 1, max: 256 }), { maxLength: 8 }) }) },
    { weight: 1, arbitrary: rec({ raw: fc.array(weight, { maxLength: 8 }) }) },
  ),
  down: fc.oneof(
    { weight: 6, arbitrary: rec({ pick: fc.array(fc.nat(), { maxLength: 3 }) }) },
    { weight: 1, arbitrary: rec({ raw: fc.array(downIndex, { maxLength: 4 }) }) },
    { weight: 2, arbitrary: fc.constant({ all: true as const }) },
  ),
  keys: keyLines,
}).map(({ so, ...rest }) => ({ strategy: so.strategy, options: so.options, ...rest }));

function weightsOf(c: RouteCase): number[] | undefined {
  if (c.weights === null) return undefined;
  if ("raw" in c.weights) return c.weights.raw;
  const fit = c.weights.fit;
  return c.servers.map((_, i) => fit[i] ?? 1);
}

function downOf(c: RouteCase): number[] {
  if ("raw" in c.down) return c.down.raw;
  if ("all" in c.down) return c.servers.map((_, i) => i);
  const n = c.servers.length;
  return n === 0 ? [] : c.down.pick.map((k) => k % n);
}

/** Problems with routes for `c`'s servers: every index -1 or an up server, -1 only when none is up (ALB: fail-open). */
function routeProblems(c: Pick<RouteCase, "strategy" | "servers">, down: readonly number[], keys: readonly string[], routes: readonly Pick<Route, "key" | "index" | "serverKey">[]): string[] {
  const found: string[] = [];
  const n = c.servers.length;
  const isDown = new Set(down);
  const anyUp = c.servers.some((_, i) => !isDown.has(i));
  const expected = keys.map((k) => k.trim()).filter((k) => k !== "");
  if (routes.length !== expected.length) found.push(`${routes.length} routes for ${expected.length} keys`);
  routes.forEach((r, i) => {
    const at = `route ${i} (${JSON.stringify(r.key).slice(0, 80)})`;
    if (r.key !== expected[i]) found.push(`${at}: key is not the trimmed input ${JSON.stringify(expected[i])?.slice(0, 80)}`);
    if (!Number.isInteger(r.index) || r.index < -1 || r.index >= n) return found.push(`${at}: index ${r.index} is not -1 or a server of ${n}`);
    if (r.serverKey !== (r.index >= 0 ? c.servers[r.index] : "")) found.push(`${at}: server key ${JSON.stringify(r.serverKey)} is not server ${r.index}'s`);
    const failOpen = failsOpen(c.strategy) && !anyUp;
    if (r.index >= 0 && isDown.has(r.index) && !failOpen) found.push(`${at}: routed to server ${r.index}, which is down`);
    if (r.index === -1 && (anyUp || failsOpen(c.strategy))) found.push(`${at}: no server (-1) although ${anyUp ? "a server is up" : "the ALB fails open to every target"}`);
  });
  return found;
}

describe("route fuzz (in process)", () => {
  it("answers hostile flags and keys with valid routes or an InputError", () => {
    fc.assert(
      fc.property(routeCase, (c) => {
        const started = performance.now();
        const down = downOf(c);
        let problems: string[] = [];
        try {
          const router = createRouter(c.strategy, c.servers, weightsOf(c), down, c.options as Record<string, unknown>);
          const routes = router(c.keys);
          problems = routeProblems(c, down, c.keys, routes);
          // One fresh strategy per call: the same keys get the same answers.
          if (problems.length === 0 && JSON.stringify(router(c.keys)) !== JSON.stringify(routes)) problems.push("a second call routed the same keys differently");
        } catch (error) {
          problems = inputErrorProblems(error, "", new Set());
        }
        const ms = performance.now() - started;
        if (ms > MAX_CASE_MS) problems.push(`took ${ms.toFixed(0)} ms (at most ${MAX_CASE_MS})`);
        fail(problems, fc.stringify({ ...c, keys: c.keys.map((k) => (k.length > 100 ? `${k.slice(0, 100)}… (${k.length})` : k)) }));
      }),
      { seed: fuzzSeed(0x20e7e), numRuns: fuzzRuns(2500) },
    );
  });
});

/** A weight or down list as a user would type it: numbers joined, sometimes with junk the flag parser must refuse. */
const listFlag = (values: number[], junk: string | null) => (junk ?? values.map(String).join(","));
// One flag in five carries junk (fc.option's `freq` is the chance of nil, so it would put junk in four of five).
const flagJunk = fc.oneof(
  { weight: 4, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constantFrom("", "1,,2", " 3 , 4", "-1", "1.5", "NaN", "0x10", "1e3", "99999999999999999999", ",", "1;2") },
);

interface CliCase {
  route: RouteCase;
  weightsJunk: string | null;
  downJunk: string | null;
  lineEnd: "\n" | "\r\n";
  /** Bytes appended to stdin that are not UTF-8. */
  rawBytes: boolean;
}

const cliCase: fc.Arbitrary<CliCase> = fc.record(
  {
    route: routeCase.map((c) => ({ ...c, options: {} })),
    weightsJunk: flagJunk,
    downJunk: flagJunk,
    lineEnd: fc.constantFrom("\n" as const, "\r\n" as const),
    rawBytes: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  },
  { noNullPrototype: true },
);

/** `key,index,server` lines back as routes; the key may be CSV-quoted, the server key has no comma. */
function parseRoutes(stdout: string): Pick<Route, "key" | "index" | "serverKey">[] {
  return stdout
    .split("\n")
    .filter((l) => l !== "")
    .map((line) => {
      const serverAt = line.lastIndexOf(",");
      const indexAt = line.lastIndexOf(",", serverAt - 1);
      const field = line.slice(0, indexAt);
      const key = /^".*"$/s.test(field) ? field.slice(1, -1).replaceAll('""', '"') : field;
      return { key, index: Number(line.slice(indexAt + 1, serverAt)), serverKey: line.slice(serverAt + 1) };
    });
}

describe("lbsim route fuzz (the built CLI)", () => {
  const SPAWNS = fuzzRuns(20);

  it(`exits 0 with valid routes or 2 with a message, for ${SPAWNS} hostile command lines`, async () => {
    const cases = fc.sample(cliCase, { seed: fuzzSeed(0xc0a7e), numRuns: SPAWNS });
    const runs = cases.map((c) => {
      const r = c.route;
      const servers = r.servers.map((s) => s.replaceAll(",", ";"));
      const args = ["route", "--strategy", r.strategy, "--servers", servers.join(",")];
      const weights = weightsOf(r);
      if (weights || c.weightsJunk !== null) args.push("--weights", listFlag(weights ?? [], c.weightsJunk));
      const down = downOf(r);
      if (down.length > 0 || c.downJunk !== null) args.push("--down", listFlag(down, c.downJunk));
      const text = r.keys.map((k) => k.replaceAll("\n", " ")).join(c.lineEnd);
      const input = c.rawBytes ? Buffer.concat([Buffer.from(text + c.lineEnd), Buffer.from([0xff, 0xfe, 0x80, 0x0a])]) : Buffer.from(text);
      return { c, args, input, servers, down };
    });
    const results = await inParallel(runs.map(({ args, input }) => () => runCli(args, { input, timeoutMs: 20_000 })));
    const found = results.flatMap((res, i) => {
      const { c, args, input, servers, down } = runs[i];
      const problems = cliProblems(res);
      // A junk --down the flag parser accepts (" 3 , 4") means other servers are down than the case says.
      if (res.status === 0 && c.downJunk === null) {
        const keys = input.toString("utf8").split("\n");
        problems.push(...routeProblems({ strategy: c.route.strategy, servers: servers.map((s) => s.trim()) }, down, keys, parseRoutes(res.stdout)));
      }
      return problems.length > 0 ? [`lbsim ${JSON.stringify(args)} < ${JSON.stringify(input.toString("latin1").slice(0, 300))}`, ...problems] : [];
    });
    expect(found.join("\n")).toBe("");
    // Hostile, not hopeless: some of these command lines must route.
    expect(results.some((r) => r.status === 0)).toBe(true);
  });
});

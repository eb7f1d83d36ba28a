import { stream } from "./engine/random.js";
import { parseServerKey, routePool, type ServerKey } from "./route-pool.js";
import { InputError, type Problem } from "./scenario/errors.js";
import type { RoutingView } from "./strategies/define.js";
import { hashKeyOption } from "./strategies/hash-key.js";
import { unknownStrategy } from "./scenario/suggest.js";
import { findStrategy } from "./strategies/index.js";

/** One routing decision: `index` is the 0-based server index (-1: no server eligible), `serverKey` its key ("" for -1). */
export interface Route {
  key: string;
  index: number;
  serverKey: string;
}

/** Weights the products accept on every strategy lbsim models (HAProxy's limit is 256). */
const MAX_WEIGHT = 256;
/** hash-key.ts writes a key into a 64-byte buffer, one byte per character. */
const MAX_KEY_LENGTH = 64;

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/**
 * The decision strategy `strategyId` makes for each key, in order, against the servers
 * `serverKeys` (nginx `127.0.1.1:8080` or HAProxy `s1/1/127.0.1.1:8080`, see route-pool.ts),
 * with `weights` (default all 1) and the 0-based indices in `down` ineligible.
 *
 * `keys` are the lines of the input: blank ones are skipped (and problems name the line, from 1).
 * A key in canonical dotted IPv4 form is a client address (and its text, for strategies that hash
 * `$remote_addr` or X-Forwarded-For); any other key is a session id, routed only by strategies that route by one
 * with the options given (`StrategyDef.sessionKeys`, or a hash-key option). One strategy instance
 * routes all keys in order, so stateful strategies (round robin) answer as a balancer would to
 * that sequence of requests (each answered before the next, so stick tables learn as they go).
 *
 * Throws InputError for an unknown strategy, bad options, a malformed server key, a weight count
 * that does not match, a down index out of range, or keys it cannot route.
 */
export function routeKeys(
  strategyId: string,
  serverKeys: readonly string[],
  weights: readonly number[] | undefined,
  down: readonly number[],
  keys: readonly string[],
  options: Record<string, unknown> = {},
): Route[] {
  return createRouter(strategyId, serverKeys, weights, down, options)(keys);
}

/**
 * `routeKeys` in two steps: checks the strategy, options and servers now (so the CLI reports a bad
 * flag before it waits for stdin), and returns the function that routes keys.
 */
export function createRouter(
  strategyId: string,
  serverKeys: readonly string[],
  weights: readonly number[] | undefined,
  down: readonly number[],
  options: Record<string, unknown> = {},
): (keys: readonly string[]) => Route[] {
  const def = findStrategy(strategyId);
  if (!def) throw new InputError(`--strategy: ${unknownStrategy(strategyId)}`);
  const parsed = def.options.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(`options of ${strategyId}: ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }

  const servers = parseServers(serverKeys);
  const weightList = weights ?? servers.map(() => 1);
  if (weightList.length !== servers.length)
    throw new InputError(`--weights: expected ${servers.length} weights, one per server, got ${weightList.length}`);
  weightList.forEach((w, i) => {
    if (!Number.isInteger(w) || w < 1 || w > MAX_WEIGHT)
      throw new InputError(`--weights: weight ${i + 1} is ${w}; expected an integer from 1 to ${MAX_WEIGHT}`);
  });
  for (const d of down) {
    if (!Number.isInteger(d) || d < 0 || d >= servers.length)
      throw new InputError(`--down: ${d} is not a server index; expected 0-based indices from 0 to ${servers.length - 1}`);
  }
  const takesSessionIds = def.sessionKeys ? def.sessionKeys(parsed.data) : acceptsSessionIds(def.options);

  return (keys) => {
    const problems: Problem[] = [];
    keys.forEach((raw, i) => {
      const key = raw.trim();
      if (key === "" || IPV4.test(key)) return;
      const line = i + 1;
      if (key.length > MAX_KEY_LENGTH || !/^[\x21-\x7e]+$/.test(key))
        problems.push({ path: "", line, message: `${JSON.stringify(clip(key))}: a key is an IPv4 address or a session id of at most ${MAX_KEY_LENGTH} printable ASCII characters without spaces` });
      else if (!takesSessionIds)
        problems.push({ path: "", line, message: `${JSON.stringify(key)} is not an IPv4 address (a.b.c.d), and ${strategyId} routes by client address only` });
    });
    // InputError lists a few of each kind and counts the rest.
    if (problems.length > 0) throw new InputError("stdin", problems);

    // A fresh strategy per call, so the same keys always get the same answers.
    const strategy = def.create(routePool(servers, weightList, down), stream(0, `route:${strategyId}`), parsed.data);
    const request: RoutingView = { now: 0, address: 0, forwardedFor: -1, cookiesEnabled: 1, cookie: -1, sessionKey: -1, nextSessionKey: -1, keyText: null, excluded: -1, setCookie: -1, setCookieTtl: Infinity };
    const routes: Route[] = [];
    for (const raw of keys) {
      const key = raw.trim();
      if (key === "") continue;
      const ip = IPV4.exec(key);
      request.address = ip ? ((Number(ip[1]) << 24) | (Number(ip[2]) << 16) | (Number(ip[3]) << 8) | Number(ip[4])) >>> 0 : 0;
      // An address key stands for the client, whether a strategy reads it off the connection or the X-Forwarded-For header.
      request.forwardedFor = ip ? request.address : -1;
      request.sessionKey = ip ? -1 : 0;
      request.keyText = key;
      request.cookie = -1;
      request.excluded = -1;
      request.setCookie = -1;
      request.setCookieTtl = Infinity;
      const index = strategy.pick(request);
      // Each request is answered before the next key: what the strategy learns from a response applies to later keys.
      if (index >= 0) strategy.responded?.(request, index, request.now);
      routes.push({ key, index, serverKey: index >= 0 ? servers[index].key : "" });
    }
    return routes;
  };
}

function parseServers(serverKeys: readonly string[]): ServerKey[] {
  if (serverKeys.length === 0) throw new InputError("--servers: expected at least one server key");
  const servers: ServerKey[] = [];
  const names = new Map<string, number>();
  const ids = new Map<number, number>();
  serverKeys.forEach((text, i) => {
    const server = parseServerKey(text, i);
    if ("error" in server) throw new InputError(`--servers: server ${i + 1}: ${server.error}`);
    // HAProxy refuses two servers with one name or one id in a backend; nginx keys get distinct ids by position.
    const sameName = server.form === "haproxy" ? names.get(server.name) : undefined;
    if (sameName !== undefined)
      throw new InputError(`--servers: servers ${sameName + 1} and ${i + 1} are both named ${JSON.stringify(server.name)}`);
    const sameId = ids.get(server.id);
    if (sameId !== undefined)
      throw new InputError(`--servers: servers ${sameId + 1} and ${i + 1} both have id ${server.id}`);
    names.set(server.name, i);
    ids.set(server.id, i);
    servers.push(server);
  });
  return servers;
}

/**
 * True when the strategy has a hash-key option (hash-key.ts: `hashKeyOption`, or an option named
 * `key`), so it can hash a session id rather than an address.
 */
function acceptsSessionIds(schema: unknown): boolean {
  const shape = (schema as { shape?: Record<string, unknown> }).shape;
  return shape !== undefined && (shape.key !== undefined || Object.values(shape).includes(hashKeyOption));
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}

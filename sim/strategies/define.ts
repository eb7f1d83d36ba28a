import type { z } from "zod";

/**
 * The balancer's pool as a strategy sees it. Arrays are indexed by server, in configuration
 * order, and keep their identity for the whole run: their length is the pool's capacity (every
 * server the scenario can ever have) and only the first `size` entries describe servers.
 */
export interface PoolView {
  /**
   * Servers that exist so far. It grows when servers are added (scale out, a recovery pool); a
   * server that is removed keeps its index and is then neither eligible nor accepting.
   */
  readonly size: number;
  /** Server names as the scenario gives them (`s1`, `s2`, ... by default). */
  readonly names: readonly string[];
  /** Server addresses (`host:port`), as a real balancer's configuration would list them. */
  readonly addresses: readonly string[];
  /** Numeric server ids as HAProxy numbers them (`id` on the server line; 1, 2, 3, ... by default). */
  readonly ids: Int32Array;
  readonly weights: Int32Array;
  /**
   * 1 where the balancer may send a request that names the server (a cookie, a table entry):
   * up as far as its health checks know.
   */
  readonly eligible: Uint8Array;
  /**
   * 1 where the server may take a new client or session (balancing, hash tables). Never 1 where
   * `eligible` is 0; 0 on an eligible server that is draining where the product keeps its bound
   * clients there.
   */
  readonly accepting: Uint8Array;
  /** Connections each server holds right now: requests in service or queued, and open long-lived connections (WebSockets). */
  readonly active: Int32Array;
  /** The sum of `active` over every server, kept as requests and connections come and go (HAProxy's backend `served`), so no pick adds it up. */
  readonly activeTotal: number;
}

/**
 * One request as the balancer sees it. The balancer refills one object per request, so a
 * pick allocates nothing.
 */
export interface RoutingView {
  /** Simulated time in seconds. */
  now: number;
  /**
   * Client IPv4 address as an unsigned 32-bit integer: the connection's source as the balancer
   * sees it (a proxy's or CDN's address for a client behind one, unless it speaks the PROXY protocol).
   */
  address: number;
  /**
   * The address in the request's X-Forwarded-For header (what a proxy or CDN in front adds: the
   * client's own address, its NAT's if behind one), as an unsigned 32-bit integer; -1 when the
   * request carries no such header (a browser that reaches the balancer directly sends none).
   */
  forwardedFor: number;
  /** 1 when the client keeps cookies; 0 when it keeps none and the session id travels in the URL. */
  cookiesEnabled: number;
  /**
   * The balancer's own affinity cookie as the strategy set it, -1 when the request has none (or it
   * expired): a server index, except for a strategy that says otherwise (ingress-nginx balanced
   * mode numbers the ring keys it issues). The model stores it and never reads it.
   */
  cookie: number;
  /** The application's session id (in a cookie, or in the URL when cookies are off), -1 before it has one. */
  sessionKey: number;
  /**
   * With no session yet: the id the session this request starts will get, as when the balancer
   * generates the hash cookie on the first response and the application adopts it (Envoy's cookie
   * hash policy with a ttl). Hashing strategies use it so a new session is hashed to the server
   * that creates it. -1 when the request already has a session, or outside simulations.
   */
  nextSessionKey: number;
  /**
   * The key as text when the caller has one (`lbsim route` reading arbitrary session ids);
   * null in simulations, where keys come from `address` and `sessionKey` (see hash-key.ts).
   */
  keyText: string | null;
  /** A server this request already found refusing connections (redispatch), -1 when none. */
  excluded: number;
  /** Out: the value (a server index, see `cookie`) to put in the balancer's cookie on the response, -1 for no Set-Cookie. */
  setCookie: number;
  /** Out: that cookie's lifetime in seconds from now; Infinity (the default) for a browser-session cookie. */
  setCookieTtl: number;
}

export interface Strategy {
  /** The server index for this request, or -1 when no server is eligible (the balancer answers 503). */
  pick(request: RoutingView): number;
  /**
   * True when a request whose server refuses connections is sent elsewhere on the balancer's last
   * retry (HAProxy `option redispatch`): `pick` is called again with `excluded` set. It may return
   * that server again (ingress-nginx retries a bound pod); a refused last retry fails at once.
   */
  readonly redispatch?: boolean;
  /**
   * True when the balancer routes connections, not requests (an L4 proxy such as kube-proxy, or
   * Node's cluster primary handing a socket to a worker): a request over a connection the client
   * kept alive (`clients.keepAlive`) goes to that connection's server without `pick` being called.
   */
  readonly perConnection?: boolean;
  /**
   * Called when the response to a request this strategy routed passes back through the balancer,
   * from `server`, the one that served it (after any redispatch): what a balancer learns from
   * responses (HAProxy's stick-table stores) is written here. The view describes the response:
   * `now` is its time, `address` the client's, `sessionKey` the session id the response sets in the
   * application's cookie (the request started the session, or started it over), -1 when it sets
   * none, and `keyText` is as in the request; `routedAt` is when the request was first routed.
   * Requests that get no response (refused, cut by a crash, failed) are not reported.
   */
  responded?(response: RoutingView, server: number, routedAt: number): void;
  /** Called after the pool changed (`what`: eligibility or accepting flags, weights, or size), to rebuild tables. */
  poolChanged?(what: PoolChange): void;
}

/** What changed in the pool: health (eligible/accepting flags), weights, or size (servers added). */
export type PoolChange = "health" | "weights" | "size";

/** A uniform number in [0, 1) from the strategy's own seeded stream. */
export type Random = () => number;

/**
 * Which balancer replica (`balancer.replicas`) an instance routes for, and what the instances of
 * its configured strategy share.
 */
export interface Replica<Shared> {
  /** 0 to replicas - 1. */
  readonly index: number;
  /** What the definition's `shared` returned for this configured strategy: one object for every replica, kept across reloads. */
  readonly shared: Shared;
}

export interface StrategyDef<Options = unknown, Shared = undefined> {
  /** The id used in scenario files and on the command line, e.g. `nginx-ip-hash`. */
  readonly id: string;
  /** One line for `lbsim list`. */
  readonly summary: string;
  /** What real product or algorithm it reproduces, with its primary source (file, docs page or paper). */
  readonly models: string;
  /**
   * The session store this strategy implies, as a scenario would write it (e.g. `{ "kind": "token" }`);
   * used unless the entry sets `store`. Without it, the scenario's store.
   */
  readonly store?: { readonly kind: string } & Record<string, unknown>;
  /** Options a scenario may set on `{ "id": ..., ... }`; a strict object schema. */
  readonly options: z.ZodType<Options>;
  /**
   * Entries of the largest table the strategy builds for servers of these weights (ring points,
   * lookup slots), so a run's memory can be estimated before it starts. Omitted: tables of a few
   * entries per server.
   */
  tableEntries?(weights: readonly number[], options: Options): number;
  /**
   * Whether, with these options, the strategy routes by the application's session id, so
   * `lbsim route` accepts keys that are not addresses. Omitted: when its options have a `key`
   * (hash-key.ts).
   */
  sessionKeys?(options: Options): boolean;
  /**
   * State that every balancer replica's instance of one configured strategy shares, and that
   * outlives a `reload` (what HAProxy `peers` replicate between nodes and hand to a reloaded
   * process). The model calls it once per configured strategy (the entry, each device class the
   * entry names, each `strategy` event) with the number of replicas, and passes the result to every
   * `create` of it. Omitted: instances share nothing, and a reload forgets everything.
   */
  shared?(options: Options, replicas: number): Shared;
  /**
   * A new instance over `pool`. `replica` is absent where there is one balancer and no reload
   * (`lbsim route`, tests): the instance then stands alone.
   */
  create(pool: PoolView, random: Random, options: Options, replica?: Replica<Shared>): Strategy;
}

/** Identity helper that lets TypeScript infer a strategy's option and shared-state types from its definition. */
export function defineStrategy<Options, Shared = undefined>(def: StrategyDef<Options, Shared>): StrategyDef<Options, Shared> {
  return def;
}

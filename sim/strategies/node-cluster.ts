import { z } from "zod";
import { ClusterRing } from "./cluster-ring.js";
import { ClusterWorkers } from "./cluster-workers.js";
import { type RoutingView, type Strategy, defineStrategy } from "./define.js";
import { KeyBytes } from "./hash-key.js";
import { md5Head } from "./md5.js";
import { addressBytes, stickySessionHash } from "./sticky-session-hash.js";

const INT32_MIN = -(2 ** 31), INT32_MAX = 2 ** 31 - 1;

export const nodeClusterOptions = z.strictObject({
  mode: z
    .enum(["session", "address", "ring", "sticky-session"])
    .default("session")
    .describe(
      'How the primary process routes: "session" (a map from the session id in the cookie to a worker id; a new or orphaned session goes to workers[md5(id) mod workers.length]), "address" (the same map keyed by the client address), "ring" (an MD5 consistent-hash ring of the session id over the live workers), or "sticky-session" (the npm module: a seeded hash of the address bytes, workers[hash mod workers.length]).',
    ),
  replicas: z.number().int().min(1).max(10_000).default(150).describe('Ring points per worker (mode "ring"; default 150, the seed\'s ConsistentHash default).'),
  seed: z
    .number()
    .int()
    .min(INT32_MIN)
    .max(INT32_MAX)
    .optional()
    .describe('The sticky-session hash seed, an int32 (mode "sticky-session"). Omitted: drawn from the strategy\'s seeded stream, as the module draws a random int32 at each start.'),
  dualStack: z
    .boolean()
    .default(true)
    .describe(
      'Mode "sticky-session": the primary listens on a dual-stack socket (Node\'s default where IPv6 is available), so an IPv4 client\'s address is hashed as the 16 bytes of ::ffff:a.b.c.d; false: as its 4 bytes (an IPv4-only listener).',
    ),
});
type Options = z.output<typeof nodeClusterOptions>;

/** 2^32: a freshly generated session id's MD5 head is uniform over [0, 2^32). */
const HASH_SPACE = 4294967296;

/**
 * "Master process routing" in a clustered Node.js application: the primary process accepts every
 * connection and hands it to a worker, and the pool's servers are the workers
 * (`cluster-workers.ts`: the array in fork order, a worker that dies leaves it and its replacement
 * is a new worker at the end). The modes are the primary's routing functions in lbsim's seed design
 * document (the guide "Sticky Sessions - Session Affinity Patterns and Implementations"), exactly as
 * its JavaScript is written, and the npm module `sticky-session`:
 *
 * - "session" (`getWorkerByCookie` + `assignNewSession`): the primary reads the session id from
 *   the cookie. A known id whose worker is still alive goes there. A request without one gets a
 *   new id, and a known id whose worker died is reassigned: workers[parseInt(md5(id) hex [0, 8), 16)
 *   mod workers.length], remembered in the map (which never forgets an entry otherwise). A user who
 *   keeps no cookies brings no id, so every request is a new session at a random worker.
 * - "address" (`getWorkerByIP`): the same with the client address (its dotted text hashed) as the
 *   key; every user behind the address shares the entry.
 * - "ring" (`ConsistentHash.getWorker`, `cluster-ring.ts`): the session id on an MD5 ring of
 *   `replicas` points per live worker, keyed by worker id, so a replacement's points are not the
 *   dead worker's.
 * - "sticky-session" (indutny/sticky-session 1.1.2, lib/sticky/master.js, `balance`): no table;
 *   workers[hash(address bytes) mod workers.length], the hash seeded at random when the primary
 *   starts. A worker's death and replacement shift every later slot: a fraction (n − i)/n of the
 *   clients move when the worker at index i is replaced, (n + 1)/(2n) on average.
 *
 * The primary hears of a worker's exit at once; lbsim's balancer learns of a crash through its
 * health checks, so a scenario modelling Node sets them short. Weights are ignored: Node gives
 * workers none.
 */
export const nodeCluster = defineStrategy({
  id: "node-cluster",
  summary: "Node.js cluster primary routing to workers: session-id or address map with MD5 placement, an MD5 ring, or the sticky-session module's seeded address hash.",
  models:
    "Node.js cluster master process routing: getWorkerByCookie, getWorkerByIP and ConsistentHash of lbsim's seed design document (\"Sticky Sessions - Session Affinity Patterns and Implementations\"); the sticky-session npm module 1.1.2 (indutny/sticky-session lib/sticky/master.js); worker ids and order from nodejs/node lib/internal/cluster/primary.js",
  options: nodeClusterOptions,
  tableEntries: (weights, options) => (options.mode === "ring" ? options.replicas * weights.length : weights.length),
  sessionKeys: (options) => options.mode === "session" || options.mode === "ring",
  create(pool, random, options) {
    // The primary hands each connection's socket to a worker: later requests over it go straight there.
    return Object.assign(routeBy(new ClusterWorkers(pool), random, options), { perConnection: true });
  },
});

function routeBy(workers: ClusterWorkers, random: () => number, options: Options): Strategy {
  switch (options.mode) {
    case "session":
      return sessionMap(workers, random);
    case "address":
      return addressMap(workers);
    case "ring":
      return ring(workers, random, options);
    case "sticky-session":
      return stickySession(workers, random, options);
  }
}

/** The seed's `getWorkerByCookie`: session id -> worker id, new and orphaned sessions placed by MD5 modulo the worker count. */
function sessionMap(workers: ClusterWorkers, random: () => number): Strategy {
  const key = new KeyBytes();
  const bySession = new WorkerIdTable();
  const byText = new Map<string, number>(); // `lbsim route`'s session ids, as text
  const assign = (request: RoutingView) => workers.order[md5Head(key.bytes, key.write(request, "session")) % workers.count];
  return {
    poolChanged: () => workers.sync(),
    pick(request) {
      if (workers.count === 0) return -1;
      const text = request.keyText;
      if (text !== null) {
        const known = workers.serverOf(byText.get(text) ?? 0);
        if (known >= 0) return known;
        const server = assign(request);
        byText.set(text, workers.idOf[server]);
        return server;
      }
      if (!hasSessionId(request)) return workers.order[Math.floor(random() * HASH_SPACE) % workers.count];
      if (request.sessionKey >= 0) {
        const known = workers.serverOf(bySession.get(request.sessionKey));
        if (known >= 0) return known;
      }
      // A new session (the id lbsim reserved for it is the one the primary generates), or one whose worker died.
      const server = assign(request);
      bySession.set(request.sessionKey >= 0 ? request.sessionKey : request.nextSessionKey, workers.idOf[server]);
      return server;
    },
  };
}

/** The seed's `getWorkerByIP`: client address -> worker id, placed by MD5 of the dotted address modulo the worker count. */
function addressMap(workers: ClusterWorkers): Strategy {
  const key = new KeyBytes();
  const byAddress = new Map<number, number>();
  return {
    poolChanged: () => workers.sync(),
    pick(request) {
      if (workers.count === 0) return -1;
      const known = workers.serverOf(byAddress.get(request.address) ?? 0);
      if (known >= 0) return known;
      const server = workers.order[md5Head(key.bytes, key.write(request, "address")) % workers.count];
      byAddress.set(request.address, workers.idOf[server]);
      return server;
    },
  };
}

/** The seed's `ConsistentHash` over the live workers: points removed when a worker dies, added when one is forked. */
function ring(workers: ClusterWorkers, random: () => number, options: Options): Strategy {
  const key = new KeyBytes();
  const points = new ClusterRing(options.replicas);
  const died = (id: number) => points.remove(id);
  const forked = (id: number, server: number) => points.add(id, server);
  for (let j = 0; j < workers.count; j++) points.add(workers.idOf[workers.order[j]], workers.order[j]);
  points.sort();
  return {
    poolChanged() {
      workers.sync(died, forked);
      points.sort();
    },
    pick(request) {
      if (workers.count === 0) return -1;
      const hash = request.keyText !== null || hasSessionId(request) ? md5Head(key.bytes, key.write(request, "session")) : Math.floor(random() * HASH_SPACE);
      return points.lookup(hash);
    },
  };
}

/** indutny/sticky-session 1.1.2 `Master.prototype.balance`: workers[hash(address bytes) % workers.length]. */
function stickySession(workers: ClusterWorkers, random: () => number, options: Options): Strategy {
  // The Master constructor draws a random int32 seed at each start; here it comes from the strategy's seeded stream.
  const seed = options.seed ?? ((random() * 0xffffffff) | 0);
  const bytes = new Uint8Array(16);
  return {
    poolChanged: () => workers.sync(),
    pick(request) {
      if (workers.count === 0) return -1;
      const hash = stickySessionHash(seed, bytes, addressBytes(request.address, options.dualStack, bytes));
      return workers.order[hash % workers.count];
    },
  };
}

/**
 * Whether the primary has the request's session id to route by: the one in its cookie (the seed's
 * `extractSessionId`), or on a first request the id lbsim reserved, standing for the one the
 * primary generates. False for a user who keeps no cookies: the primary generates a fresh, random
 * id for every one of their requests.
 */
function hasSessionId(request: RoutingView): boolean {
  return request.cookiesEnabled === 1 && (request.sessionKey >= 0 || request.nextSessionKey >= 0);
}

/** Worker ids per session id (a simulation issues session ids from 0 upward), 0 for none; grown by doubling. */
class WorkerIdTable {
  #ids = new Int32Array(1024);

  get(session: number): number {
    return session < this.#ids.length ? this.#ids[session] : 0;
  }

  set(session: number, id: number): void {
    if (session >= this.#ids.length) {
      let length = this.#ids.length;
      while (length <= session) length *= 2;
      const grown = new Int32Array(length);
      grown.set(this.#ids);
      this.#ids = grown;
    }
    this.#ids[session] = id;
  }
}

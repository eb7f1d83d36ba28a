import { z } from "zod";
import { defineStrategy, type PoolView, type Replica, type RoutingView, type Strategy } from "./define.js";
import { RotatingRoundRobin } from "./rotating-round-robin.js";
import { StickTable } from "./stick-table.js";
import { StickTablePeers } from "./stick-table-peers.js";

/** Entries when the scenario gives no `size` (HAProxy requires one): configuration.txt's `size 200k`, 200 × 2^10. */
const DEFAULT_SIZE = 200 * 1024;
/** HAProxy's largest size suffix is `g` (2^30). */
const MAX_SIZE = 2 ** 30;
/** HAProxy keeps `expire` in milliseconds in a signed 32-bit tick: "slightly above 24 days". */
const MAX_EXPIRE = (2 ** 31 - 1) / 1000;
/**
 * Seconds an update takes from one peer's table to another's when the scenario gives no `delay`:
 * HAProxy sends it as soon as its sync task runs after the touch, so it is a one-way trip on the
 * network between the nodes plus the receiver's turn, under a millisecond on one LAN.
 */
const DEFAULT_PEER_DELAY = 0.001;
/** The longest `delay` a scenario may give: an hour (a link down longer is an outage, which lbsim does not model). */
const MAX_PEER_DELAY = 3600;

const stickTableOptions = z.strictObject({
  on: z
    .enum(["src", "cookie"])
    .default("src")
    .describe('The key: "src" (`stick on src`: the client address the balancer sees) or "cookie" (the application\'s session cookie, `stick match req.cook(SID)` + `stick store-response res.cook(SID)`).'),
  size: z
    .number()
    .int()
    .min(1)
    .max(MAX_SIZE)
    .default(DEFAULT_SIZE)
    .describe("`stick-table ... size`: entries the table holds at most (default 204800, HAProxy's `size 200k`); storing into a full table purges the oldest entries."),
  expire: z
    .number()
    .min(0.001)
    .max(MAX_EXPIRE)
    .optional()
    .describe("`stick-table ... expire`: seconds an entry lives after it was created or last matched; unset, entries never expire."),
  nopurge: z.boolean().default(false).describe("`stick-table ... nopurge`: a full table refuses new entries instead of purging old ones."),
  redispatch: z.boolean().default(false).describe("HAProxy `option redispatch`: the last connection retry to a server that refuses goes to another server, and the entry is rebound to it."),
  persist: z.boolean().default(false).describe("HAProxy `option persist`: an entry naming a server that is down is still followed (only `redispatch` gets such a request elsewhere)."),
  peers: z
    .union([
      z.boolean(),
      z.strictObject({
        delay: z
          .number()
          .min(0)
          .max(MAX_PEER_DELAY)
          .default(DEFAULT_PEER_DELAY)
          .describe("Seconds an update takes to reach the other replicas' tables (default 0.001)."),
      }),
    ])
    .optional()
    .describe(
      "HAProxy `peers`: each balancer replica keeps its own table, and every entry one of them stores or matches reaches the others' tables `delay` seconds later, replacing what they hold; a `reload` hands the table to the new process. `true` is `{ \"delay\": 0.001 }`; absent or false, each replica's table is its own and a reload empties it.",
    ),
});

export type StickTableOptions = z.output<typeof stickTableOptions>;

/**
 * HAProxy 2.6 stick tables over `balance roundrobin` (configuration.txt `stick-table`, `stick on`,
 * `stick match`, `stick store-request`, `stick store-response`, `option redispatch`,
 * `option persist`; src/stream.c `process_sticking_rules`, `sticking_rule_find_target`,
 * `process_store_rules`; src/stick_table.c, see stick-table.ts).
 *
 * - `on: "src"` is `stick on src` on a `type ip` table: a request's client address (as the balancer
 *   sees it, so a whole NAT shares one entry) is looked up; a hit touches the entry. When the
 *   response comes back, the address is stored with the server that served it: every store
 *   overwrites the entry's server, so after a failover the client stays where it went.
 * - `on: "cookie"` learns the application's session cookie: `stick match req.cook(SID)` and
 *   `stick store-response res.cook(SID)`. A request carrying the cookie is looked up (a client
 *   without cookies carries the id in the URL: nothing to match); the entry is stored only from a
 *   response that sets the cookie, the one that starts a session (a request with none is
 *   balanced, and its new session learned), or starts it over.
 * - A hit on a server that is up as health checks know, even one in DRAIN (eligible but not
 *   accepting), goes there (`srv->cur_state != SRV_ST_STOPPED`); on a server that is DOWN or in
 *   MAINT the entry is ignored and the request balanced, and the response rebinds the entry, so
 *   the client does not go back when the server returns. With `persist` (`option persist`) the
 *   entry is used even then. Everything else is balanced round robin in HAProxy's turn order
 *   (see RotatingRoundRobin).
 * - A server that is up but refuses connections: with `redispatch` the balancer's last retry is
 *   balanced to another server (the stick rules do not run again) and the response rebinds the
 *   entry; without it the request fails and nothing is stored.
 * - HAProxy reserves the new entry when it routes the request and writes it when the response
 *   comes: a new entry is queued for purging under the request's time but touched at the
 *   response's (see stick-table.ts for what that does to a full table).
 * - With `peers` (a `peers` section naming every replica, and `peers` on the table): each replica
 *   still routes from its own table, and what it matches or stores reaches the other replicas'
 *   tables `delay` later (see stick-table-peers.ts). A reload hands the old process's table to the
 *   new one (configuration.txt "Peers": during a soft restart the old process pushes all its
 *   entries to the new one, "a fraction of a second even for large tables"; here at once and
 *   whole). Without it, each replica's table is its own and a reload starts empty.
 */
export const haproxyStickTable = defineStrategy({
  id: "haproxy-stick-table",
  summary: "HAProxy stick table over round robin: stick on src, or a learned session cookie; the response rebinds; a full table purges its oldest entries.",
  models: "HAProxy 2.6 stick-table with stick on src, or stick match req.cook + stick store-response res.cook (configuration.txt; src/stream.c, src/stick_table.c)",
  options: stickTableOptions,
  tableEntries: (_weights, options) => options.size,
  sessionKeys: (options) => options.on === "cookie",
  shared: (options, replicas) => peerTables(options, replicas),
  create: (pool, _random, options, replica) => createStickTableStrategy(pool, options, replica),
});

/** The replicas' tables joined as peers, or null when the options share nothing. */
export function peerTables(options: StickTableOptions, replicas: number): StickTablePeers | null {
  if (options.peers === undefined || options.peers === false) return null;
  const delay = options.peers === true ? DEFAULT_PEER_DELAY : options.peers.delay;
  return new StickTablePeers(replicas, options.size, options.expire ?? Infinity, options.nopurge, delay);
}

/**
 * The strategy, with its table to inspect (as HAProxy's `show table` does). With `peers`, its
 * table is its replica's among the peers' (a group of its own when no replica is given).
 */
export function createStickTableStrategy(pool: PoolView, options: StickTableOptions, replica?: Replica<StickTablePeers | null>): Strategy & { readonly table: StickTable } {
  const peers = replica ? replica.shared : peerTables(options, 1);
  const self = replica?.index ?? 0;
  const table = peers ? peers.tables[self] : new StickTable(options.size, options.expire ?? Infinity, options.nopurge);
  const dispatch = new RotatingRoundRobin(pool);
  const byCookie = options.on === "cookie", persist = options.persist;
  // `lbsim route` gives session ids as text: each gets a number, in order of first appearance.
  const textIds = new Map<string, number>();
  const sessionKey = (view: RoutingView) => {
    const text = view.keyText;
    if (text === null) return view.sessionKey;
    let id = textIds.get(text);
    if (id === undefined) textIds.set(text, (id = textIds.size));
    return id;
  };
  return {
    table,
    redispatch: options.redispatch,
    poolChanged(what) {
      if (what !== "health") dispatch.rebuild();
    },
    pick(request) {
      // A redispatched retry is balanced: HAProxy does not run the stick rules again.
      if (request.excluded >= 0) return dispatch.pick(request.excluded);
      // A cookie-less client's request has no req.cook(SID) to match.
      if (!byCookie || (request.cookiesEnabled === 1 && request.sessionKey >= 0)) {
        const key = byCookie ? sessionKey(request) : request.address | 0;
        peers?.deliver(request.now);
        const slot = table.lookup(key, request.now);
        if (slot >= 0) {
          table.touch(slot, request.now);
          const server = table.serverOf(slot);
          // A hit is a local touch too (`stktable_touch_local` in process_sticking_rules): the peers hear of the entry.
          peers?.publish(self, key, server, request.now);
          if (pool.eligible[server] === 1 || persist) return server;
        }
      }
      return dispatch.pick();
    },
    responded(response, server, routedAt) {
      if (byCookie && response.sessionKey < 0) return;
      const key = byCookie ? sessionKey(response) : response.address | 0;
      peers?.deliver(response.now);
      // `stick store-response` reserves its entry when the response comes; `stick on` when the request was routed.
      if (table.store(key, server, response.now, byCookie ? response.now : routedAt)) peers?.publish(self, key, server, response.now);
    },
  };
}

import { z } from "zod";
import { defineStrategy } from "./define.js";
import { HaproxyChashRing, NODES_PER_WEIGHT } from "./haproxy-chash.js";
import { sourceHash } from "./haproxy-hash.js";
import { haproxyAvalancheOption, haproxyRedispatchOption } from "./haproxy-options.js";

/**
 * HAProxy `balance source` with `hash-type consistent` (src/backend.c `get_server_sh`,
 * src/lb_chash.c): full_hash of the client's IPv4 address, looked up on a ring of 16 nodes per unit
 * of weight keyed by the server id, taking the nearer node on either side. A server going down
 * loses only its own clients. No `key` option, for the reason given in haproxy-source.ts.
 */
export const haproxySourceConsistent = defineStrategy({
  id: "haproxy-source-consistent",
  summary: "HAProxy balance source + hash-type consistent: full_hash(address) on a ring of 16 nodes per weight unit; only a lost server's clients move.",
  models: "HAProxy 2.6 balance source, hash-type consistent (src/backend.c get_server_sh; src/lb_chash.c chash_get_server_hash)",
  options: z.strictObject({
    avalanche: haproxyAvalancheOption,
    redispatch: haproxyRedispatchOption,
  }),
  tableEntries: (weights) => NODES_PER_WEIGHT * weights.reduce((a, b) => a + b, 0),
  create(pool, _random, options) {
    const ring = new HaproxyChashRing(pool);
    const avalanche = options.avalanche;
    return {
      redispatch: options.redispatch,
      poolChanged: () => ring.rebuild(),
      pick(request) {
        if (ring.count === 0) return -1;
        const h = ring.used === 1 ? 0 : sourceHash(request.address, avalanche);
        return ring.walk(ring.nearest(h), request.excluded, null);
      },
    };
  },
});

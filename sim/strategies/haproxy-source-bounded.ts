import { z } from "zod";
import { defineStrategy } from "./define.js";
import { HaproxyBoundedLoad } from "./haproxy-bounded-load.js";
import { HaproxyChashRing, NODES_PER_WEIGHT } from "./haproxy-chash.js";
import { sourceHash } from "./haproxy-hash.js";
import { haproxyAvalancheOption, haproxyRedispatchOption } from "./haproxy-options.js";

/**
 * HAProxy `balance source` + `hash-type consistent` + `hash-balance-factor` (src/lb_chash.c,
 * configuration.txt `hash-balance-factor`): the consistent pick, except that a server already
 * serving its share of ceil((in flight + 1) · factor / 100) requests is passed over for the next
 * node clockwise.
 */
export const haproxySourceBounded = defineStrategy({
  id: "haproxy-source-bounded",
  summary: "HAProxy balance source + consistent hashing with bounded loads (hash-balance-factor): full servers pass clients clockwise.",
  models: "HAProxy 2.6 balance source, hash-type consistent, hash-balance-factor (src/lb_chash.c chash_server_is_eligible)",
  options: z.strictObject({
    balanceFactor: z
      .number()
      .int()
      .min(101)
      .max(10_000)
      .default(125)
      .describe(
        "HAProxy `hash-balance-factor`, percent: no server takes more than this share of the average load (weights respected). HAProxy requires more than 100 (0 disables it: use haproxy-source-consistent); its docs call 125 to 200 reasonable.",
      ),
    avalanche: haproxyAvalancheOption,
    redispatch: haproxyRedispatchOption,
  }),
  tableEntries: (weights) => NODES_PER_WEIGHT * weights.reduce((a, b) => a + b, 0),
  create(pool, _random, options) {
    const ring = new HaproxyChashRing(pool);
    const bound = new HaproxyBoundedLoad(pool, ring, options.balanceFactor);
    const avalanche = options.avalanche;
    return {
      redispatch: options.redispatch,
      poolChanged: () => ring.rebuild(),
      pick(request) {
        if (ring.count === 0) return -1;
        const h = ring.used === 1 ? 0 : sourceHash(request.address, avalanche);
        bound.prepare();
        return ring.walk(ring.nearest(h), request.excluded, bound);
      },
    };
  },
});

import { z } from "zod";
import { defineStrategy } from "./define.js";
import { sourceHash } from "./haproxy-hash.js";
import { HaproxyMap } from "./haproxy-map.js";

/**
 * HAProxy `balance source` with the default `hash-type map-based` (src/backend.c `get_server_sh`,
 * src/lb_map.c): the client's IPv4 address, as a 32-bit integer, modulo the length of a table that
 * holds each usable server once per unit of effective weight. The table is rebuilt from the usable
 * servers on every up/down change, so one server going down reshuffles most other clients too.
 *
 * No `key` option: `balance source` hashes the address's 32-bit words, not text, and HAProxy has
 * no way to feed it anything else; hashing a session id (`balance url_param`, `hdr()`) uses the
 * configured string hash function (sdbm, ...) instead, a different algorithm.
 */
export const haproxySource = defineStrategy({
  id: "haproxy-source",
  summary: "HAProxy balance source (map-based): client address mod a weight table rebuilt from live servers; a server going down moves most clients.",
  models: "HAProxy 2.6 balance source, hash-type map-based (src/backend.c get_server_sh; src/lb_map.c map_get_server_hash)",
  options: z.strictObject({
    avalanche: z
      .boolean()
      .default(false)
      .describe("HAProxy `hash-type map-based avalanche`: mix the address with full_hash before the modulo, so neighbouring addresses no longer rotate through the servers."),
  }),
  create(pool, _random, options) {
    const map = new HaproxyMap(pool);
    const avalanche = options.avalanche;
    return {
      poolChanged: () => map.rebuild(),
      pick(request) {
        // With one usable server HAProxy does not hash (h = 0; get_server_sh in src/backend.c).
        return map.lookup(map.used === 1 ? 0 : sourceHash(request.address, avalanche));
      },
    };
  },
});

import { z } from "zod";
import { defineStrategy } from "./define.js";
import { fullHash } from "./haproxy-hash.js";
import { HaproxyMap } from "./haproxy-map.js";
import { sdbm } from "./sdbm.js";
import { writeSessionToken } from "./session-token.js";

/**
 * HAProxy `balance url_param <param>` with the default `hash-type map-based` (sdbm, no avalanche;
 * configuration.txt `balance url_param`; `get_server_ph` and `assign_server` in src/backend.c,
 * `map_get_server_rr` in src/lb_map.c). The parameter's value is the session id: the key's text in
 * `lbsim route`, a 32-hex-digit token in simulations (session-token.ts). It is hashed with sdbm and
 * looked up in the weight map of the usable servers, `map[h mod total]`; the map is rebuilt on
 * every up/down change, so one server going down moves most sessions. Only accepting servers are
 * usable: the hash is no persistence, so a draining server's sessions are hashed elsewhere. A
 * request without the parameter (no session yet) goes round robin along the same map: a pointer
 * that advances one slot per such request and survives map rebuilds (clamped to the new length),
 * as HAProxy's `rr_idx` does.
 *
 * The balancer does not know which server created a session: a fresh id hashes to its creator
 * only 1 time in N, so with sessions kept in server memory the application keeps starting
 * sessions until one's id happens to hash to the server holding it. HAProxy's source says
 * url_param is for "contexts where sessions are shared but cookies are not usable".
 */
export const urlParam = defineStrategy({
  id: "url-param",
  summary: "HAProxy balance url_param: sdbm hash of the session id in the URL over a weight map; requests without one go round robin.",
  models: "HAProxy 2.6 balance url_param, hash-type map-based (src/backend.c get_server_ph; src/lb_map.c)",
  options: z.strictObject({
    avalanche: z
      .boolean()
      .default(false)
      .describe("HAProxy `hash-type map-based sdbm avalanche`: mix the sdbm hash with full_hash before the modulo."),
    urlSessionIds: z
      .enum(["always", "cookieless"])
      .default("always")
      .describe(
        'Which requests carry the session id in the URL: "always" (the application writes it into every link, so every request of a session is hashed) or "cookieless" (URL rewriting only for clients without cookies, as servlet encodeURL does; the others carry it in a cookie the balancer does not read, and go round robin).',
      ),
  }),
  create(pool, _random, options) {
    const map = new HaproxyMap(pool);
    const avalanche = options.avalanche;
    const onlyCookieless = options.urlSessionIds === "cookieless";
    let key = new Uint8Array(256);
    let next = 0; // HAProxy lbprm.map.rr_idx
    return {
      poolChanged: () => map.rebuild(),
      pick(request) {
        const total = map.total;
        if (total === 0) return -1;
        if (request.sessionKey >= 0 && !(onlyCookieless && request.cookiesEnabled === 1)) {
          let length = writeSessionToken(request, key);
          if (length > key.length) {
            key = new Uint8Array(length * 2); // a rare long keyText from `lbsim route`
            length = writeSessionToken(request, key);
          }
          const h = sdbm(key, length);
          return map.slots[(avalanche ? fullHash(h) : h) % total];
        }
        if (next >= total) next = 0;
        return map.slots[next++];
      },
    };
  },
});

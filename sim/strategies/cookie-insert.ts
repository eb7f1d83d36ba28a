import { z } from "zod";
import { defineStrategy } from "./define.js";
import { RotatingRoundRobin } from "./rotating-round-robin.js";

/**
 * HAProxy `cookie SERVERID insert indirect nocache` over `balance roundrobin` (HAProxy
 * configuration.txt `cookie`, src/http_ana.c; recorded behaviour in
 * test/fixtures/real-lb/cookie_observations.txt). A request whose cookie names a server the
 * balancer considers up goes straight there and gets no Set-Cookie (indirect), even a server that
 * takes no new clients (HAProxy `drain` or weight 0, which "will still accept persistent
 * connections", configuration.txt `weight`). A request without a cookie, or whose cookie names a
 * server that is down or unknown, is balanced round robin over the accepting servers (HAProxy's
 * turn order, see RotatingRoundRobin) and the response carries a new cookie. With `redispatch`
 * (HAProxy `option redispatch`), a request whose server refuses connections before health checks
 * have noticed is sent to another server on the last retry, with a new cookie; without it, that
 * request fails.
 */
export const cookieInsert = defineStrategy({
  id: "cookie-insert",
  summary: "HAProxy cookie insert: the balancer sets a server cookie and routes by it; dead or unknown servers are re-dispatched.",
  models: "HAProxy cookie SERVERID insert indirect nocache (configuration.txt `cookie`; src/http_ana.c)",
  options: z.strictObject({
    redispatch: z.boolean().default(false).describe("HAProxy `option redispatch`: the last connection retry may go to another server."),
  }),
  create(pool, _random, options) {
    const dispatch = new RotatingRoundRobin(pool);
    return {
      redispatch: options.redispatch,
      poolChanged(what) {
        if (what !== "health") dispatch.rebuild();
      },
      pick(request) {
        const named = request.cookie;
        if (named >= 0 && named < pool.size && pool.eligible[named] && named !== request.excluded) return named;
        const chosen = dispatch.pick(request.excluded);
        request.setCookie = chosen;
        return chosen;
      },
    };
  },
});

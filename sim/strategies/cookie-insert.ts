import { z } from "zod";
import { defineStrategy } from "./define.js";
import { RotatingRoundRobin } from "./rotating-round-robin.js";

/**
 * HAProxy `cookie SERVERID insert indirect nocache` over `balance roundrobin` (REFERENCE §3.5,
 * recorded behaviour in test/fixtures/cookie_observations.txt). A request whose cookie names
 * a server the balancer considers up goes straight there and gets no Set-Cookie (indirect).
 * A request without a cookie, or whose cookie names a server that is down or unknown, is
 * balanced round robin (HAProxy's turn order, see RotatingRoundRobin) and the response carries
 * a new cookie.
 */
export const cookieInsert = defineStrategy({
  id: "cookie-insert",
  summary: "HAProxy cookie insert: the balancer sets a server cookie and routes by it; dead or unknown servers are re-dispatched.",
  models: "HAProxy cookie SERVERID insert indirect nocache (REFERENCE §3.5)",
  options: z.strictObject({}),
  create(pool) {
    const dispatch = new RotatingRoundRobin(pool);
    return {
      pick(request) {
        const named = request.cookie;
        if (named >= 0 && named < pool.size && pool.eligible[named]) return named;
        const chosen = dispatch.pick();
        request.setCookie = chosen;
        return chosen;
      },
    };
  },
});

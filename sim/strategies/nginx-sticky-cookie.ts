import { z } from "zod";
import { defineStrategy } from "./define.js";
import { SmoothWeightedRoundRobin } from "./smooth-weighted-round-robin.js";

/** Lifetime nginx gives `expires=max`: max-age=315360000 (ngx_http_upstream_sticky_module.c). */
const EXPIRES_MAX = 315_360_000;

/**
 * nginx `sticky cookie NAME [expires=T|max]` over round robin (nginx ≥ 1.29.6, formerly NGINX
 * Plus; ngx_http_upstream_sticky_module.c). The cookie holds the server's SID,
 * the MD5 of its address, so it names a server by address: lbsim keeps the server index and
 * maps it to the first server with that address, as nginx's SID lookup would. A cookie naming
 * an eligible server routes there, even one that takes no new clients (nginx `drain`, "only
 * requests bound to the server will be proxied to it", ngx_http_upstream_module docs); a request
 * without one, or whose server is down or unknown, is balanced round robin over the accepting
 * servers. Every response carries the cookie again (nginx inserts it on every peer selection), so
 * with `expires` its lifetime slides from the latest request.
 */
export const nginxStickyCookie = defineStrategy({
  id: "nginx-sticky-cookie",
  summary: "nginx sticky cookie: the balancer's cookie names the server, re-sent on every response; new or orphaned clients go round robin.",
  models: "nginx sticky cookie over round robin (nginx >= 1.29.6 / NGINX Plus; ngx_http_upstream_sticky_module.c)",
  options: z.strictObject({
    expires: z
      .union([z.number().positive().max(315_360_000), z.literal("max")])
      .optional()
      .describe(
        'Cookie lifetime in seconds (nginx `expires=`), refreshed on every response; "max" is nginx\'s 315360000 s. Unset: a browser-session cookie.',
      ),
  }),
  create(pool, _random, options) {
    const ttl = options.expires === undefined ? Infinity : options.expires === "max" ? EXPIRES_MAX : options.expires;
    const rr = new SmoothWeightedRoundRobin(pool);
    // The SID is a function of the address: a cookie for server i finds the first server with i's
    // address. A server added later brings its address with it, so the lookup is rebuilt then.
    let sidOwner = new Int32Array(0);
    const lookup = () => {
      sidOwner = Int32Array.from(pool.addresses.slice(0, pool.size), (address) => pool.addresses.indexOf(address));
    };
    lookup();
    return {
      poolChanged(what) {
        if (what === "size") lookup();
      },
      pick(request) {
        const cookie = request.cookie;
        let hint = cookie >= 0 && cookie < pool.size ? sidOwner[cookie] : -1;
        if (hint >= 0 && (!pool.eligible[hint] || hint === request.excluded)) hint = -1;
        const chosen = rr.pick(hint, request.excluded);
        if (chosen >= 0) {
          request.setCookie = chosen;
          request.setCookieTtl = ttl;
        }
        return chosen;
      },
    };
  },
});

import { z } from "zod";
import { defineStrategy } from "./define.js";
import { LeastOutstanding } from "./least-outstanding.js";

/**
 * AWS Classic ELB duration-based stickiness, `LBCookieStickinessPolicy` (AWS Classic Load Balancer
 * guide, elb-sticky-sessions.html). A request whose `AWSELB` cookie names a healthy instance goes
 * there; any other goes to the instance with the fewest outstanding requests (the CLB's algorithm
 * for HTTP listeners per AWS's "How Elastic Load Balancing works") and the response carries a new
 * `AWSELB`. The CLB never refreshes the cookie's expiry, so stickiness ends `expiration` seconds
 * after the cookie was issued however busy the client is, and the next request is balanced afresh.
 * A request whose instance failed is routed "as if there is no cookie": lbsim inserts a new cookie
 * for the new instance, as for any cookie-less request. No fail-open: with no healthy instance
 * there is no target. A de-registering instance is treated like a failed one, cookie or not: "a
 * Classic Load Balancer stops sending requests to instances that are de-registering or unhealthy"
 * (AWS Classic Load Balancer guide, config-conn-drain.html), so both balancing and cookies use
 * `accepting`.
 */
export const elbLbCookie = defineStrategy({
  id: "elb-lb-cookie",
  summary: "AWS Classic ELB duration-based stickiness: AWSELB set once (expiry never refreshed) over least outstanding requests.",
  models: "AWS Classic Load Balancer, LBCookieStickinessPolicy over least outstanding requests (AWS Classic Load Balancer guide, elb-sticky-sessions.html)",
  options: z.strictObject({
    expiration: z
      .number()
      .int()
      .positive()
      .max(315_360_000)
      .optional()
      .describe("CookieExpirationPeriod in seconds (at most ten years), counted from when AWSELB is issued and never extended. Unset (the CLB default): a browser-session cookie."),
  }),
  create(pool, _random, options) {
    const ttl = options.expiration ?? Infinity;
    const balance = new LeastOutstanding(pool);
    return {
      pick(request) {
        const named = request.cookie;
        if (named >= 0 && named < pool.size && pool.accepting[named] === 1 && named !== request.excluded) return named; // no Set-Cookie: not refreshed
        const chosen = balance.pick(request.excluded);
        if (chosen >= 0) {
          request.setCookie = chosen;
          request.setCookieTtl = ttl;
        }
        return chosen;
      },
    };
  },
});

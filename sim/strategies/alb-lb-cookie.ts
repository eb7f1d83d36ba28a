import { z } from "zod";
import { albAlgorithmOption, albDurationOption, AlbStickiness } from "./alb-stickiness.js";
import { defineStrategy } from "./define.js";

/**
 * AWS ALB duration-based stickiness, `stickiness.type = lb_cookie` (AWS ALB user guide:
 * sticky-sessions.html, edit-target-group-attributes.html): the first request goes to a target
 * chosen by the target group's algorithm (round robin by default) and the ALB issues `AWSALB`
 * naming it. A request carrying a fresh `AWSALB` for a healthy target goes there; one whose cookie
 * is stale (no request for `duration` seconds), undecodable, or names an unhealthy or deregistered
 * target is re-balanced and gets a new cookie. Every response resets the cookie's expiry. When no
 * target is healthy the ALB fails open and routes to all of them.
 */
export const albLbCookie = defineStrategy({
  id: "alb-lb-cookie",
  summary: "AWS ALB duration-based stickiness: AWSALB cookie refreshed on every response, stale after `duration` idle; unhealthy targets re-balanced; fails open.",
  models: "AWS Application Load Balancer, stickiness.type lb_cookie over round robin (AWS ALB user guide: sticky-sessions.html, edit-target-group-attributes.html)",
  options: z.strictObject({
    duration: albDurationOption("AWSALB"),
    algorithm: albAlgorithmOption,
  }),
  create(pool, _random, options) {
    const alb = new AlbStickiness(pool, options.algorithm, options.duration);
    return {
      poolChanged: (what) => alb.poolChanged(what),
      pick: (request) => alb.route(request, request.cookie),
    };
  },
});

import { z } from "zod";
import { albAlgorithmOption, albDurationOption, AlbStickiness } from "./alb-stickiness.js";
import { defineStrategy } from "./define.js";

/**
 * AWS ALB application-based stickiness, `stickiness.type = app_cookie` (AWS ALB user guide:
 * sticky-sessions.html, edit-target-group-attributes.html). The application sets its own session
 * cookie and the ALB adds `AWSALBAPP` naming the target; the client must send both back for the
 * request to stick. So, unlike `AWSALB`, the ALB cookie only binds while the application's session
 * exists: lbsim reads the application cookie as present while the request carries a session id
 * (`sessionKey` ≥ 0; with cookies off the id rides in the URL, where the ALB does not look, and the
 * browser keeps no ALB cookie either). A request with no application session is balanced even if it
 * still holds `AWSALBAPP` (the application creates a session on it and a new `AWSALBAPP` follows).
 * AWSALBAPP's 7-day expiry and the stickiness duration are reset on every response (AWS
 * sticky-sessions.html), so a session idle for `duration` is re-balanced. A failed or unhealthy
 * target's sessions are re-balanced and stay on their new target after the old one recovers (the
 * new AWSALBAPP names it). Fails open like lb_cookie.
 */
export const albAppCookie = defineStrategy({
  id: "alb-app-cookie",
  summary: "AWS ALB application-based stickiness: AWSALBAPP binds only while the app's session cookie exists; refreshed per response; fails open.",
  models: "AWS Application Load Balancer, stickiness.type app_cookie over round robin (AWS ALB user guide: sticky-sessions.html, edit-target-group-attributes.html)",
  options: z.strictObject({
    duration: albDurationOption("AWSALBAPP"),
    algorithm: albAlgorithmOption,
  }),
  create(pool, _random, options) {
    const alb = new AlbStickiness(pool, options.algorithm, options.duration);
    return {
      poolChanged: (what) => alb.poolChanged(what),
      pick: (request) => alb.route(request, request.sessionKey >= 0 ? request.cookie : -1),
    };
  },
});

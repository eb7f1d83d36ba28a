import { z } from "zod";
import type { PoolChange, PoolView, RoutingView } from "./define.js";
import { FailOpenPool } from "./fail-open-pool.js";
import { LeastOutstanding } from "./least-outstanding.js";
import { RotatingRoundRobin } from "./rotating-round-robin.js";

/** Stickiness duration limits and default, both stickiness types (AWS edit-target-group-attributes.html). */
const MAX_DURATION = 604_800;
const DEFAULT_DURATION = 86_400;

/** `stickiness.{lb,app}_cookie.duration_seconds`. */
export function albDurationOption(cookie: string) {
  return z
    .number()
    .int()
    .min(1)
    .max(MAX_DURATION)
    .default(DEFAULT_DURATION)
    .describe(
      `Stickiness duration in seconds (1 to 604800, default 86400 = 1 day): ${cookie} goes stale after this long without a request, since the ALB resets its expiry on every response.`,
    );
}

/** `load_balancing.algorithm.type` of the target group (AWS edit-target-group-attributes.html). */
export const albAlgorithmOption = z
  .enum(["round_robin", "least_outstanding_requests"])
  .default("round_robin")
  .describe('How the ALB places requests that no valid cookie binds: "round_robin" (the default) or "least_outstanding_requests".');

/**
 * What both ALB stickiness types share (AWS sticky-sessions.html): a request whose cookie names a
 * target the ALB routes to goes there; any other request is placed by the target group's
 * algorithm; either way the response carries the ALB cookie again with its expiry reset, so the
 * cookie works as an inactivity timeout and a re-balanced request is stuck to its new target.
 * Targets are routable when healthy and accepting, or all of them when none is healthy (fail-open).
 *
 * A target that stops accepting (deregistered, draining) is not routable for cookies either: "Elastic
 * Load Balancing stops sending requests to targets that are deregistering" (AWS ALB user guide,
 * target group attributes, "Deregistration delay"), so its bound clients are re-balanced and the
 * new cookie names their new target, as for a failed one (sticky-sessions.html).
 *
 * The generated cookie's browser expiry is a fixed 7 days while the ALB treats it as stale after
 * the stickiness duration (at most 7 days); both are reset on every response, so lbsim lets the
 * browser drop it at the stale time: a stale cookie and no cookie route alike (an assumption: AWS
 * does not document the stale case).
 */
export class AlbStickiness {
  readonly #targets: FailOpenPool;
  /** The target group's algorithm over the routable targets; round robin's cycle follows weights and size. */
  readonly #balance: { pick(excluded: number): number; rebuild?(): void };
  readonly #ttl: number;

  constructor(pool: PoolView, algorithm: z.output<typeof albAlgorithmOption>, duration: number) {
    this.#targets = new FailOpenPool(pool);
    this.#balance = algorithm === "least_outstanding_requests" ? new LeastOutstanding(this.#targets) : new RotatingRoundRobin(this.#targets);
    this.#ttl = duration;
  }

  poolChanged(what: PoolChange): void {
    this.#targets.refresh();
    if (what !== "health") this.#balance.rebuild?.();
  }

  /** Routes `request` given the target its valid stickiness cookie names (-1: none), and sets the cookie. */
  route(request: RoutingView, named: number): number {
    const routable = this.#targets.accepting;
    const stuck = named >= 0 && named < routable.length && routable[named] === 1 && named !== request.excluded;
    const chosen = stuck ? named : this.#balance.pick(request.excluded);
    if (chosen >= 0) {
      request.setCookie = chosen;
      request.setCookieTtl = this.#ttl;
    }
    return chosen;
  }
}

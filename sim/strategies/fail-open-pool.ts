import type { PoolView } from "./define.js";

/**
 * The pool as an AWS ALB routes it (AWS ALB user guide, load-balancer-target-groups.html,
 * "fail-open"): the targets that may take requests, or every target when none passes health
 * checks, since the ALB then sends traffic to all of them. It is a PoolView whose `eligible` and
 * `accepting` are both that routable set, so the balancing helpers work on it unchanged; the other
 * fields are the source pool's. A draining target (eligible, not accepting) is not routable: the
 * ALB stops sending requests to a deregistering target, cookie or not (see alb-stickiness.ts).
 * Call `refresh()` from the strategy's `poolChanged`.
 */
export class FailOpenPool implements PoolView {
  readonly names: readonly string[];
  readonly addresses: readonly string[];
  readonly ids: Int32Array;
  readonly weights: Int32Array;
  readonly active: Int32Array;
  /** 1 where the ALB routes: accepting targets, or all of them while none is healthy. Sized by capacity. */
  readonly eligible: Uint8Array;
  readonly accepting: Uint8Array;
  readonly #source: PoolView;

  constructor(source: PoolView) {
    this.#source = source;
    this.names = source.names;
    this.addresses = source.addresses;
    this.ids = source.ids;
    this.weights = source.weights;
    this.active = source.active;
    this.eligible = this.accepting = new Uint8Array(source.eligible.length);
    this.refresh();
  }

  get activeTotal(): number {
    return this.#source.activeTotal;
  }

  /** The source pool's size: it grows when servers are added. */
  get size(): number {
    return this.#source.size;
  }

  /** Recomputes the routable set from the source pool's flags. */
  refresh(): void {
    const { size, eligible, accepting } = this.#source;
    let healthy = false;
    for (let i = 0; i < size && !healthy; i++) healthy = eligible[i] === 1;
    // Fail open only when no target passes health checks; with healthy targets that all drain, none is routable.
    for (let i = 0; i < this.accepting.length; i++) this.accepting[i] = i >= size ? 0 : healthy ? accepting[i] : 1;
  }
}

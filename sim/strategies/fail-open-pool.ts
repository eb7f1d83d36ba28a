import type { PoolView } from "./define.js";

/**
 * The pool as an AWS ALB routes it (AWS ALB user guide, load-balancer-target-groups.html,
 * "fail-open"): the targets health checks pass, or every target when none passes, since the ALB
 * then sends traffic to all of them. It is a PoolView whose `eligible` is that routable set, so the
 * balancing helpers work on it unchanged; the other fields are the source pool's arrays. Call
 * `refresh()` from the strategy's `poolChanged`.
 */
export class FailOpenPool implements PoolView {
  readonly size: number;
  readonly names: readonly string[];
  readonly addresses: readonly string[];
  readonly ids: Int32Array;
  readonly weights: Int32Array;
  readonly active: Int32Array;
  /** 1 where the ALB routes: healthy targets, or all of them while none is healthy. */
  readonly eligible: Uint8Array;
  readonly #source: PoolView;

  constructor(source: PoolView) {
    this.#source = source;
    this.size = source.size;
    this.names = source.names;
    this.addresses = source.addresses;
    this.ids = source.ids;
    this.weights = source.weights;
    this.active = source.active;
    this.eligible = new Uint8Array(source.size);
    this.refresh();
  }

  /** Recomputes the routable set from the source pool's eligibility. */
  refresh(): void {
    const healthy = this.#source.eligible;
    if (healthy.indexOf(1) >= 0) this.eligible.set(healthy);
    else this.eligible.fill(1);
  }
}

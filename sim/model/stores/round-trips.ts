import { KeyedRandom } from "../../engine/random.js";
import { compileDistribution, type Distribution } from "../distributions.js";
import type { StoreContext } from "./define.js";

/** A store's round-trip time as the scenario gives it (`latency`). */
export type LatencySpec = Parameters<typeof compileDistribution>[0];

/**
 * The round trips of a store reached over the network: each drawn from the latency
 * distribution, keyed by user and operation so every strategy sees the same ones; a constant
 * latency (the common case) needs no draw.
 */
export class RoundTrips {
  readonly #latency: Distribution;
  readonly #constant: number;
  readonly #draw: KeyedRandom;

  constructor(latency: LatencySpec, context: StoreContext) {
    this.#latency = compileDistribution(latency);
    this.#constant = latency.dist === "constant" ? latency.value : -1;
    this.#draw = new KeyedRandom(context.seed, context.purpose("storeLatency"));
  }

  /** Seconds of operation `k` of user `uid`. */
  at(uid: number, k: number): number {
    return this.#constant >= 0 ? this.#constant : this.#latency.quantile(this.#draw.at(uid, k));
  }
}

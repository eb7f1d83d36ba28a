import { z } from "zod";
import { defineStrategy } from "./define.js";
import { VirtualNodeRing, ringSuccessor } from "./hash-ring.js";
import { KeyHasher, sessionKeyOption } from "./key-hash.js";
import { wide } from "./u64.js";

/** Denominator of the capacity factor 1 + ε, so capacities are computed in exact integers. */
const SCALE = 1_000_000;

/**
 * ⌈(A + 1) · factor · w / (W · SCALE)⌉ for non-negative integers below 2^53 (the capacity of a
 * server of weight w when A requests are in flight and the new one is placed).
 */
export function capacity(inFlight: number, factor: number, weight: number, totalWeight: number): number {
  const num = (inFlight + 1) * factor * weight, den = totalWeight * SCALE;
  let q = Math.floor(num / den);
  if (q * den > num) q--;
  else if ((q + 1) * den <= num) q++;
  return q * den === num ? q : q + 1;
}

/**
 * Consistent hashing with bounded loads (Mirrokni, Thorup & Zadimoghaddam, "Consistent Hashing with
 * Bounded Loads", SODA 2018), on the same ketama-style ring as `ring-hash`: the key's ring point is
 * found as usual, then the walk goes clockwise to the first accepting server whose live load
 * (requests in flight and queued, `pool.active`) is below its capacity, ⌈(1 + ε) · (A + 1) · w / W⌉
 * with A the requests in flight on the accepting servers and W their total weight (equal weights:
 * ⌈(1 + ε)(A + 1)/N⌉, the paper's ⌈c·m/n⌉ counting the request being placed). The capacities add up
 * to more than A, so the walk always ends within one lap. No server ever holds more than
 * ⌈(1 + ε) × the average⌉; the price is that a session whose server is full is served elsewhere
 * until the load falls again. Walking the ring node by node is the paper's rule and HAProxy's (src/lb_chash.c);
 * Envoy's hash_balance_factor instead jumps to random hosts (thread_aware_lb_impl.cc).
 */
export const boundedLoad = defineStrategy({
  id: "bounded-load",
  summary: "Consistent hashing with bounded loads (Mirrokni et al.): ring hash, but a full server passes the request clockwise.",
  models: "Consistent hashing with bounded loads, Mirrokni, Thorup & Zadimoghaddam, SODA 2018 (arXiv:1608.01350)",
  options: z.strictObject({
    key: sessionKeyOption,
    balanceFactor: z
      .number()
      .positive()
      .max(100)
      .default(0.25)
      .describe("ε: no server takes more than ⌈(1 + ε) × the average load⌉. 0.25 is HAProxy's hash-balance-factor 125 (its configuration.txt calls 125-200 reasonable; Envoy's hash_balance_factor suggests 120-200); smaller is more even, larger keeps more keys on their own server."),
    virtualNodes: z.number().int().min(1).max(10_000).default(150).describe("Ring points per unit of weight, as ring-hash's virtualNodes."),
  }),
  tableEntries: (weights, options) => options.virtualNodes * weights.reduce((a, b) => a + b, 0),
  create(pool, _random, options) {
    const hasher = new KeyHasher(options.key);
    const hash = wide();
    const factor = Math.round((1 + options.balanceFactor) * SCALE);
    const ring = new VirtualNodeRing(pool, options.virtualNodes);
    let acceptingWeight = 0;
    // The servers not accepting (usually none): their requests are taken off the pool's total.
    let closed = new Int32Array(0);
    const recount = () => {
      acceptingWeight = 0;
      for (let s = 0; s < pool.size; s++) if (pool.accepting[s]) acceptingWeight += Math.max(0, pool.weights[s]);
      closed = Int32Array.from({ length: pool.size }, (_, s) => s).filter((s) => !pool.accepting[s]);
    };
    recount();
    return {
      poolChanged(what) {
        if (what !== "health") ring.rebuild();
        recount();
      },
      pick(request) {
        const { owners } = ring.ring;
        const n = owners.length;
        if (n === 0 || acceptingWeight === 0) return -1;
        const { accepting, active, weights } = pool;
        let inFlight = pool.activeTotal;
        for (let k = 0; k < closed.length; k++) inFlight -= active[closed[k]];
        hasher.hash(request, hash);
        let i = ringSuccessor(ring.ring, hash.hi, hash.lo);
        for (let walked = 0; walked < n; walked++) {
          const s = owners[i];
          if (accepting[s] && active[s] < capacity(inFlight, factor, weights[s], acceptingWeight)) return s;
          if (++i === n) i = 0;
        }
        return -1;
      },
    };
  },
});

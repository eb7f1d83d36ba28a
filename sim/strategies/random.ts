import { z } from "zod";
import { defineStrategy } from "./define.js";
import { SmoothWeightedRoundRobin } from "./smooth-weighted-round-robin.js";
import { WeightRanges } from "./weights.js";

/** nginx gives up drawing after the 21st unusable peer (`++rp->tries > 20`) and falls back to round robin. */
const MAX_TRIES = 20;

/**
 * nginx `random` without `two` (ngx_http_upstream_random_module.c, nginx @ 3f6f7824d4e2). Each
 * server owns a range of the total weight, down servers included (nginx sums `peers->total_weight`
 * over every configured server, as ip_hash does, ngx_http_upstream_init_round_robin); a draw
 * x = random mod total weight is located by binary search over the range starts. A draw that lands on
 * a server that is not accepting is thrown away and drawn again, so the chosen server is
 * weighted-uniform over the accepting ones; after 21 draws without one (only likely when most of the
 * weight is down), or with fewer than two servers, smooth weighted round robin decides
 * (ngx_http_upstream_get_peer).
 */
export const weightedRandom = defineStrategy({
  id: "random",
  summary: "No affinity: nginx random, each request to a server drawn with probability proportional to its weight.",
  models: "nginx random (ngx_http_upstream_random_module; fallback ngx_http_upstream_get_peer)",
  options: z.strictObject({}),
  create(pool, draw) {
    const fallback = new SmoothWeightedRoundRobin(pool);
    // nginx's `ranges`: each server's run of weight units, found by binary search.
    const ranges = new WeightRanges(pool);
    return {
      poolChanged(what) {
        if (what !== "health") ranges.rebuild();
      },
      pick() {
        const { size, accepting } = pool;
        if (size < 2) return fallback.pick();
        for (let tries = 0; tries <= MAX_TRIES; tries++) {
          const i = ranges.serverAt(Math.floor(draw() * ranges.total));
          if (accepting[i]) return i;
        }
        return fallback.pick();
      },
    };
  },
});

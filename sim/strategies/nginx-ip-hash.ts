import { z } from "zod";
import { defineStrategy } from "./define.js";
import { SmoothWeightedRoundRobin } from "./smooth-weighted-round-robin.js";
import { serverAtWeight, totalWeight } from "./weights.js";

/** Candidates evaluated before falling back to round robin: tries 0..20 (REFERENCE §1.3). */
const MAX_TRIES = 20;

/**
 * nginx `ip_hash` (ngx_http_upstream_ip_hash_module.c; REFERENCE §1). The first three octets
 * of the IPv4 address are folded into h = (h * 113 + byte) mod 6271 starting from 89; the
 * candidate is found by walking the weights with h mod (total weight, down servers
 * included). An ineligible candidate folds the same bytes in again, up to 21 candidates,
 * then smooth weighted round robin decides.
 */
export const nginxIpHash = defineStrategy({
  id: "nginx-ip-hash",
  summary: "nginx ip_hash: hash of the client's /24, down servers keep their slot and their clients re-hash.",
  models: "nginx ip_hash (REFERENCE §1)",
  options: z.strictObject({}),
  create(pool) {
    const fallback = new SmoothWeightedRoundRobin(pool);
    let total = totalWeight(pool);
    return {
      poolChanged() {
        total = totalWeight(pool);
      },
      pick(request) {
        const { size, weights, eligible } = pool;
        if (size < 2) return fallback.pick();
        const a = request.address >>> 24, b = (request.address >>> 16) & 0xff, c = (request.address >>> 8) & 0xff;
        let h = 89;
        for (let tries = 0; tries <= MAX_TRIES; tries++) {
          h = (h * 113 + a) % 6271;
          h = (h * 113 + b) % 6271;
          h = (h * 113 + c) % 6271;
          const p = serverAtWeight(weights, h % total);
          if (eligible[p]) return p;
        }
        return fallback.pick();
      },
    };
  },
});

import { z } from "zod";
import { defineStrategy } from "./define.js";
import { SmoothWeightedRoundRobin } from "./smooth-weighted-round-robin.js";
import { WeightRanges } from "./weights.js";

/** Candidates tried before round robin takes over: 0..20 (ngx_http_upstream_get_ip_hash_peer). */
const MAX_TRIES = 20;

/**
 * nginx `ip_hash` (ngx_http_upstream_ip_hash_module.c, ngx_http_upstream_get_ip_hash_peer). The
 * first three octets of the IPv4 address are folded into h = (h * 113 + byte) mod 6271 starting
 * from 89; the candidate is found by walking the weights with h mod (total weight, down servers
 * included). A candidate that is not accepting folds the same bytes in again, up to 21 candidates,
 * then smooth weighted round robin decides. No persistence: the hash decides anew on every request,
 * so a draining server's clients re-hash too.
 */
export const nginxIpHash = defineStrategy({
  id: "nginx-ip-hash",
  summary: "nginx ip_hash: hash of the client's /24, down servers keep their slot and their clients re-hash.",
  models: "nginx ip_hash (src/http/modules/ngx_http_upstream_ip_hash_module.c)",
  options: z.strictObject({}),
  create(pool) {
    const fallback = new SmoothWeightedRoundRobin(pool);
    const ranges = new WeightRanges(pool);
    return {
      poolChanged() {
        ranges.rebuild();
      },
      pick(request) {
        const { size, accepting } = pool;
        if (size < 2) return fallback.pick();
        const a = request.address >>> 24, b = (request.address >>> 16) & 0xff, c = (request.address >>> 8) & 0xff;
        let h = 89;
        for (let tries = 0; tries <= MAX_TRIES; tries++) {
          h = (h * 113 + a) % 6271;
          h = (h * 113 + b) % 6271;
          h = (h * 113 + c) % 6271;
          const p = ranges.serverAt(h % ranges.total);
          if (accepting[p]) return p;
        }
        return fallback.pick();
      },
    };
  },
});

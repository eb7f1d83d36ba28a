import { z } from "zod";
import { defineStrategy } from "./define.js";

/**
 * nginx `least_conn` (ngx_http_upstream_least_conn_module.c, ngx_http_upstream_get_least_conn_peer,
 * nginx @ 3f6f7824d4e2). The accepting server with the fewest active requests per unit of weight
 * wins, compared without division as nginx does (a_i * w_best < a_best * w_i). When several servers
 * tie for the fewest, nginx runs its smooth weighted round robin (as ngx_http_upstream_get_peer)
 * over the tied servers only, starting from the first of them in configuration order: each tied
 * server adds its weight to its current weight, the largest current weight wins (the earliest on
 * equal current weights) and gives back the total weight of the tied servers. The current weights
 * persist between requests and only move on ties. A pool of one server is nginx's `single` case
 * (plain round robin): that server if it is accepting. `pool.active` stands for nginx's
 * `peer->conns`; effective weight equals weight (no passive failure accounting in lbsim).
 */
export const leastConnections = defineStrategy({
  id: "least-connections",
  summary: "No affinity: nginx least_conn, fewest active requests per unit of weight, ties by smooth weighted round robin.",
  models: "nginx least_conn (ngx_http_upstream_least_conn_module; tie-break as ngx_http_upstream_get_peer)",
  options: z.strictObject({}),
  create(pool) {
    // Sized by capacity: servers added later start at current weight 0, the others keep theirs.
    const current = new Float64Array(pool.weights.length);
    return {
      pick() {
        const { size, accepting, weights, active } = pool;
        if (size === 1) return accepting[0] ? 0 : -1;
        let best = -1;
        let many = false;
        for (let i = 0; i < size; i++) {
          if (!accepting[i]) continue;
          if (best < 0 || active[i] * weights[best] < active[best] * weights[i]) {
            best = i;
            many = false;
          } else if (active[i] * weights[best] === active[best] * weights[i]) {
            many = true;
          }
        }
        if (best < 0 || !many) return best;
        const activeBest = active[best], weightBest = weights[best];
        let chosen = best;
        let total = 0;
        for (let i = best; i < size; i++) {
          if (!accepting[i] || active[i] * weightBest !== activeBest * weights[i]) continue;
          current[i] += weights[i];
          total += weights[i];
          if (current[i] > current[chosen]) chosen = i;
        }
        current[chosen] -= total;
        return chosen;
      },
    };
  },
});

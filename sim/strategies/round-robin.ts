import { z } from "zod";
import { defineStrategy } from "./define.js";
import { SmoothWeightedRoundRobin } from "./smooth-weighted-round-robin.js";

export const roundRobin = defineStrategy({
  id: "round-robin",
  summary: "No affinity: nginx smooth weighted round robin over healthy servers.",
  models: "nginx round robin (ngx_http_upstream_round_robin.c, ngx_http_upstream_get_peer)",
  options: z.strictObject({}),
  create(pool) {
    const rr = new SmoothWeightedRoundRobin(pool);
    return { pick: () => rr.pick() };
  },
});

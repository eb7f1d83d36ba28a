import { z } from "zod";
import { defineStrategy } from "./define.js";
import { SmoothWeightedRoundRobin } from "./smooth-weighted-round-robin.js";

export const roundRobin = defineStrategy({
  id: "round-robin",
  summary: "No affinity: nginx smooth weighted round robin over healthy servers.",
  models: "nginx round robin (REFERENCE §2.4)",
  options: z.strictObject({}),
  create(pool) {
    const rr = new SmoothWeightedRoundRobin(pool);
    return { pick: () => rr.pick() };
  },
});

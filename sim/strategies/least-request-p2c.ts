import { z } from "zod";
import { defineStrategy } from "./define.js";
import { EdfScheduler } from "./edf-scheduler.js";

/**
 * Envoy `LEAST_REQUEST` (least_request_lb.cc, load_balancer_impl.cc EdfLoadBalancerBase; Envoy
 * docs, "Weighted least request"). Envoy chooses among the healthy hosts, here the accepting servers
 * in configuration order, in one of two ways, decided again whenever the pool changes:
 *
 * - All accepting weights equal: `N_CHOICES` draws `choiceCount` servers uniformly with
 *   replacement (random mod n) and keeps the first draw unless a later one has strictly fewer
 *   active requests, so with two servers the busier one still wins 1/4 of the time (both draws
 *   land on it). `FULL_SCAN` takes the fewest over all, ties broken uniformly by reservoir
 *   sampling.
 * - Weights differ: earliest-deadline-first weighted round robin (edf-scheduler.ts) where a
 *   server's weight is weight / (active + 1)^activeRequestBias, computed when it is (re)inserted,
 *   i.e. when it is picked; the others keep the weight of their last pick. The schedule is
 *   rebuilt on pool changes as if `seed` picks had been made, `seed` drawn once per balancer.
 */
export const leastRequestP2c = defineStrategy({
  id: "least-request-p2c",
  summary: "No affinity: Envoy LEAST_REQUEST, the less busy of two random servers (weighted: EDF on weight / (active + 1)).",
  models: "Envoy LEAST_REQUEST, power of d choices (least_request_lb.cc; Mitzenmacher, Richa & Sitaraman 2001)",
  options: z.strictObject({
    choiceCount: z.number().int().min(2).max(1000).default(2).describe("Envoy `choice_count`: servers drawn (with replacement) per request with N_CHOICES; at least 2."),
    activeRequestBias: z
      .number()
      .min(0)
      .default(1)
      .describe("Envoy `active_request_bias`, used only when weights differ: weight / (active + 1)^bias; 0 makes it plain weighted round robin."),
    selectionMethod: z
      .enum(["N_CHOICES", "FULL_SCAN"])
      .default("N_CHOICES")
      .describe('Envoy `selection_method` with equal weights: "N_CHOICES" (choiceCount random draws) or "FULL_SCAN" (the least active of all, ties at random).'),
  }),
  create(pool, draw, options) {
    // EdfLoadBalancerBase draws its seed once, in its constructor, before anything else.
    const seed = Math.floor(draw() * 0x1_0000_0000);
    const { choiceCount, activeRequestBias: bias } = options;
    const fullScan = options.selectionMethod === "FULL_SCAN";
    const weightOf = (server: number): number => {
      const w = pool.weights[server], a = pool.active[server] + 1;
      return bias === 1 ? w / a : bias === 0 ? w : w / Math.pow(a, bias);
    };
    const edf = new EdfScheduler(weightOf);
    const hosts = new Int32Array(pool.weights.length); // by capacity: room for servers added later
    let count = 0;
    let weighted = false;

    const refresh = () => {
      count = 0;
      let equal = true;
      for (let i = 0; i < pool.size; i++) {
        if (!pool.accepting[i]) continue;
        if (count > 0 && pool.weights[i] !== pool.weights[hosts[0]]) equal = false;
        hosts[count++] = i;
      }
      weighted = !equal && count > 1;
      if (weighted) edf.build(hosts, count, seed);
    };
    refresh();

    return {
      poolChanged: refresh,
      pick() {
        if (count === 0) return -1;
        if (weighted) return edf.pickAndAdd();
        const active = pool.active;
        if (fullScan) {
          let candidate = hosts[0];
          let tied = 1;
          for (let i = 1; i < count; i++) {
            const s = hosts[i];
            if (active[s] < active[candidate]) {
              candidate = s;
              tied = 1;
            } else if (active[s] === active[candidate] && Math.floor(draw() * ++tied) === 0) {
              candidate = s;
            }
          }
          return candidate;
        }
        let candidate = hosts[Math.floor(draw() * count)];
        for (let c = 1; c < choiceCount; c++) {
          const s = hosts[Math.floor(draw() * count)];
          if (active[s] < active[candidate]) candidate = s;
        }
        return candidate;
      },
    };
  },
});

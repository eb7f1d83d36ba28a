import { z } from "zod";
import { defineStrategy, type RoutingView, type Strategy } from "./define.js";
import { nginxIpHash } from "./nginx-ip-hash.js";
import { RotatingRoundRobin } from "./rotating-round-robin.js";
import { urlParam } from "./url-param.js";

const STEP_NAMES = ["cookie", "url", "address"] as const;
const COOKIE = 0, URL = 1, ADDRESS = 2;

const stepsOption = z
  .array(z.enum(STEP_NAMES))
  .min(1, "a chain needs at least one step")
  .refine((steps) => new Set(steps).size === steps.length, "a step may appear only once")
  .refine((steps) => !steps.includes("address") || steps.at(-1) === "address", 'every client has an address, so "address" answers every request that reaches it: it must be the last step')
  .default(["cookie", "url", "address"])
  .describe(
    'Affinity keys to try in order: "cookie" (the balancer\'s own cookie, when it names an eligible server), "url" (the session id in the URL, hashed as url-param does for clients without cookies), "address" (the client address, as nginx ip_hash). A request no step answers goes round robin.',
  );

/**
 * A fallback chain of affinity keys: cookie, else URL session id, else client address (HAProxy
 * `cookie` and `balance url_param`, src/http_ana.c and src/backend.c; nginx `ip_hash`). The chain
 * asks other strategies rather than re-implementing them: the "url" step is `url-param` (HAProxy
 * url_param, sdbm over the weight map) reading the id only from clients without cookies (cookie
 * clients carry it in a cookie, which that step does not read), and the "address" step is
 * `nginx-ip-hash` (the client's /24). The "cookie" step is the balancer's own cookie (honoured for
 * any eligible server, a draining one included, as cookie-insert does), which the
 * chain sets, as a browser-session cookie, on every response to a request it did not direct
 * (HAProxy `insert indirect`), so a client routed by URL or address sticks to that server
 * afterwards even if its address changes. Each step is asked only when its key is present, so its
 * own fallback never runs.
 */
export const chain = defineStrategy({
  id: "chain",
  summary: "Fallback chain: balancer cookie, else URL session id hash, else client /24 hash (configurable order); sets the cookie.",
  models: "cookie → url_param → ip_hash fallback chain (HAProxy cookie insert and balance url_param; nginx ip_hash)",
  options: z.strictObject({ steps: stepsOption }),
  create(pool, random, options) {
    const steps = Int8Array.from(options.steps, (name) => STEP_NAMES.indexOf(name));
    const setsCookie = options.steps.includes("cookie");
    const url: Strategy | null = options.steps.includes("url") ? urlParam.create(pool, random, urlParam.options.parse({ urlSessionIds: "cookieless" })) : null;
    const address: Strategy | null = options.steps.includes("address") ? nginxIpHash.create(pool, random, nginxIpHash.options.parse({})) : null;
    const fallback = new RotatingRoundRobin(pool);
    return {
      poolChanged(what) {
        url?.poolChanged?.(what);
        address?.poolChanged?.(what);
        if (what !== "health") fallback.rebuild();
      },
      pick(request) {
        for (let k = 0; k < steps.length; k++) {
          const step = steps[k];
          if (step === COOKIE) {
            const named = request.cookie;
            if (named >= 0 && named < pool.size && pool.eligible[named] === 1 && named !== request.excluded) return named;
          } else if (step === URL) {
            if (url !== null && request.sessionKey >= 0 && request.cookiesEnabled === 0) return remember(request, url.pick(request), setsCookie);
          } else if (step === ADDRESS && address !== null) {
            return remember(request, address.pick(request), setsCookie);
          }
        }
        return remember(request, fallback.pick(request.excluded), setsCookie);
      },
    };
  },
});

function remember(request: RoutingView, server: number, setsCookie: boolean): number {
  if (setsCookie && server >= 0) request.setCookie = server;
  return server;
}

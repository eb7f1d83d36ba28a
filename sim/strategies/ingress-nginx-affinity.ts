import { z } from "zod";
import { crc32 } from "./crc32.js";
import { defineStrategy } from "./define.js";
import { writeDecimal } from "./hash-key.js";
import { RESTY_CHASH_POINTS, RestyChashRing } from "./resty-chash.js";

/** New keys tried before giving up on avoiding the failed upstream (`MAX_UPSTREAM_CHECKS_COUNT`, sticky_balanced.lua). */
const KEY_TRIES = 20;
/** `math.random(999999)`: the random part of a key, 1..999999. */
const KEY_RANDOM_RANGE = 999_999;
/** The Unix time (`ngx.now()`) at simulated time 0: any whole second; it only enters the key text. */
const CLOCK_AT_START = 1_700_000_000;
/** `ngx.worker.pid()` in the key text: one nginx worker, any pid. */
const WORKER_PID = 31;

/** Ten years, the longest duration a scenario takes. */
const MAX_COOKIE_SECONDS = 315_360_000;
const cookieSeconds = z.number().int().min(1).max(MAX_COOKIE_SECONDS);

/**
 * Writes the key `sticky_balanced.pick_new_upstream` makes on its `attempt`-th try (1-based),
 * `string.format("%s.%s.%s", ngx.now() + attempt, ngx.worker.pid(), math.random(999999))`, as
 * ASCII into `out` (at least 32 bytes), and returns its length. `ngx.now()` has millisecond
 * resolution and Lua prints numbers with "%.14g", so the time reads "1700000001.25" (trailing
 * zeros dropped) or "1700000001" on a whole second.
 */
export function writeStickyKey(now: number, attempt: number, random: number, out: Uint8Array): number {
  const ms = Math.floor(now * 1000);
  const fraction = ms % 1000;
  let n = writeDecimal(CLOCK_AT_START + (ms - fraction) / 1000 + attempt, out, 0);
  if (fraction > 0) {
    out[n++] = 0x2e;
    out[n++] = 0x30 + Math.floor(fraction / 100);
    if (fraction % 100 !== 0) out[n++] = 0x30 + (Math.floor(fraction / 10) % 10);
    if (fraction % 10 !== 0) out[n++] = 0x30 + (fraction % 10);
  }
  out[n++] = 0x2e;
  n = writeDecimal(WORKER_PID, out, n);
  out[n++] = 0x2e;
  return writeDecimal(random, out, n);
}

/**
 * ingress-nginx cookie affinity, `nginx.ingress.kubernetes.io/affinity: cookie`, as its Lua
 * balancer does it (kubernetes/ingress-nginx rootfs/etc/nginx/lua/balancer/sticky.lua,
 * sticky_balanced.lua, sticky_persistent.lua, util/nodemap.lua, util.lua `get_nodes`):
 *
 * - The endpoints are the ready pods (the controller leaves out EndpointSlice endpoints with
 *   `ready=false`, so a terminating pod drops out at once): lbsim's accepting servers, one per
 *   `ip:port`, every weight 1.
 * - Per request (`balance`): the cookie's key is looked up; a new upstream is picked when the
 *   lookup finds none, or when `session-cookie-change-on-failure` is on and this attempt follows a
 *   failed one. Otherwise the bound upstream is used, also on a retry after it failed. A new pick
 *   avoids the upstreams this request already tried, and only a new pick writes the cookie, so its
 *   `Expires`/`Max-Age` counts from the assignment and does not slide.
 * - `balanced` (the default): the cookie holds a random key, and the upstream is the key's owner on
 *   a resty.chash ring of the current endpoints (see resty-chash.ts). A new key is drawn up to 20
 *   times until its owner is not a failed upstream. Every change of the endpoints moves keys:
 *   scaling from c to n pods moves about (n − c)/n of the sessions, and a pod's removal sends its
 *   keys to their ring successors, with the cookie left as it was.
 * - `persistent`: the cookie names the endpoint (`md5(backend name ‖ "ip:port")`, a function of the
 *   address), which is used while it is among the endpoints; a new session, or one whose pod is
 *   gone, gets a uniformly random endpoint other than the failed ones, and a new cookie.
 *
 * lbsim's cookie is a number. In persistent mode it is the server index (mapped, as the MD5 key is,
 * to the first endpoint with that address). In balanced mode it is the key's CRC-32, all the ring
 * needs of it, so the cookie alone routes the client, as the product's key does, and a reload
 * (a new strategy instance) keeps every cookie's server. The key's text is the product's
 * (`writeStickyKey`), from the simulated clock and the strategy's random stream.
 *
 * The strategy redispatches: lbsim calls `pick` again for the balancer's last retry, with the
 * refused server in `excluded`, which is what `ngx.var.upstream_addr` lists for the product.
 */
export const ingressNginxAffinity = defineStrategy({
  id: "ingress-nginx-affinity",
  summary: "ingress-nginx cookie affinity: balanced (cookie holds a key on a resty.chash ring of ready pods; scaling moves sessions) or persistent (cookie names the pod).",
  models: "ingress-nginx affinity: cookie, affinity-mode balanced | persistent (rootfs/etc/nginx/lua/balancer/sticky*.lua; lua-resty-balancer lib/resty/chash.lua, chash.c)",
  options: z.strictObject({
    mode: z
      .enum(["balanced", "persistent"])
      .default("balanced")
      .describe(
        '`nginx.ingress.kubernetes.io/affinity-mode`: "balanced" (the default: the cookie holds a key on a consistent-hash ring of the ready pods, so scaling out moves about (n - c)/n of the sessions) or "persistent" (the cookie names the pod, kept while it is ready).',
      ),
    changeOnFailure: z
      .boolean()
      .default(false)
      .describe("`session-cookie-change-on-failure`: the retry of a request whose bound pod refused the connection gets a new pod and a new cookie (default false: it is retried on the bound pod)."),
    expires: cookieSeconds
      .optional()
      .describe("`session-cookie-expires`: the cookie expires this many seconds after the whole second it was issued in. Unset, and maxAge unset: a browser-session cookie."),
    maxAge: cookieSeconds.optional().describe("`session-cookie-max-age`: the cookie's Max-Age in seconds from when it was issued; a browser prefers it to expires."),
  }),
  tableEntries: (weights, options) => (options.mode === "balanced" ? RESTY_CHASH_POINTS * weights.length : weights.length),
  create(pool, draw, options) {
    const balanced = options.mode === "balanced";
    const { changeOnFailure, expires, maxAge } = options;
    const capacity = pool.weights.length;

    // Servers sharing an address are one endpoint (the node table is keyed by "ip:port"): each
    // server's group is the first server with its address, and a group's endpoint its first
    // accepting server. Addresses arrive with the servers, so groups are found as the pool grows.
    const group = new Int32Array(capacity);
    const firstWith = new Map<string, number>();
    let grouped = 0;
    const groupEndpoint = new Int32Array(capacity).fill(-1);
    const endpoints = new Int32Array(capacity);
    const position = new Int32Array(capacity);
    let count = 0;
    const ring = balanced ? new RestyChashRing(pool.addresses, capacity) : null;

    const refresh = () => {
      for (; grouped < pool.size; grouped++) {
        const first = firstWith.get(pool.addresses[grouped]) ?? grouped;
        firstWith.set(pool.addresses[grouped], first);
        group[grouped] = first;
      }
      groupEndpoint.fill(-1);
      let changed = false;
      let n = 0;
      for (let s = 0; s < pool.size; s++) {
        if (!pool.accepting[s] || groupEndpoint[group[s]] >= 0) continue;
        groupEndpoint[group[s]] = s;
        if (n >= count || endpoints[n] !== s) changed = true;
        endpoints[n] = s;
        position[s] = n++;
      }
      if (n !== count) changed = true;
      count = n;
      // ingress-nginx rebuilds the ring only when the node table changed (balancer/resty.lua `sync`).
      if (changed) ring?.rebuild(endpoints, count);
    };
    refresh();

    /** The endpoint standing for server s's address, -1 when that address is not an endpoint. */
    const endpointOf = (s: number) => (s >= 0 && s < pool.size ? groupEndpoint[group[s]] : -1);

    const keyText = new Uint8Array(32);

    const bound = (cookie: number) => {
      if (!balanced) return endpointOf(cookie);
      return cookie >= 0 ? (ring as RestyChashRing).find(cookie) : -1;
    };

    const lifetime = (now: number) => (maxAge !== undefined ? maxAge : expires !== undefined ? Math.floor(now) + expires - now : Infinity);

    /** `nodemap:random_except`: a uniformly random endpoint other than `avoid`. */
    const pickPersistent = (avoid: number) => {
      const n = avoid >= 0 ? count - 1 : count;
      if (n <= 0) return -1;
      let i = Math.floor(draw() * n);
      if (avoid >= 0 && i >= position[avoid]) i++;
      return endpoints[i];
    };

    /**
     * `sticky_balanced.pick_new_upstream`: fresh keys until one's owner is not `avoid`; the owner,
     * with the key's CRC-32 left in `pickedHash`, or -1.
     */
    let pickedHash = 0;
    const pickBalanced = (now: number, avoid: number): number => {
      if (count === 0) return -1;
      for (let attempt = 1; attempt <= KEY_TRIES; attempt++) {
        const length = writeStickyKey(now, attempt, 1 + Math.floor(draw() * KEY_RANDOM_RANGE), keyText);
        const hash = crc32(keyText, 0, length);
        const chosen = (ring as RestyChashRing).find(hash);
        if (chosen === avoid) continue;
        pickedHash = hash;
        return chosen;
      }
      return -1;
    };

    return {
      redispatch: true,
      poolChanged(what) {
        if (what !== "weights") refresh();
      },
      pick(request) {
        const failed = request.excluded;
        const upstream = bound(request.cookie);
        if (upstream >= 0 && !(failed >= 0 && changeOnFailure)) return upstream;
        const avoid = endpointOf(failed);
        if (!balanced) {
          const chosen = pickPersistent(avoid);
          if (chosen >= 0) {
            request.setCookie = chosen;
            request.setCookieTtl = lifetime(request.now);
          }
          return chosen;
        }
        const chosen = pickBalanced(request.now, avoid);
        // A client that keeps no cookies drops the key: nothing to remember for it.
        if (chosen >= 0 && request.cookiesEnabled === 1) {
          request.setCookie = pickedHash;
          request.setCookieTtl = lifetime(request.now);
        }
        return chosen;
      },
    };
  },
});

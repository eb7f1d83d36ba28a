import type { RoutingView, Strategy } from "../../sim/strategies/define.js";
import { request } from "../helpers.js";

/** One client's cookie jar as the model keeps it: the cookie is gone from its expiry on; a Set-Cookie replaces it. */
export function client(strategy: Strategy, cookiesEnabled = 1) {
  let cookie = -1, expires = Infinity;
  return (now: number, fields: Partial<RoutingView> = {}) => {
    if (now >= expires) cookie = -1;
    const r = request({ now, cookiesEnabled, cookie: cookiesEnabled ? cookie : -1, ...fields });
    const server = strategy.pick(r);
    if (r.setCookie >= 0 && cookiesEnabled) [cookie, expires] = [r.setCookie, now + r.setCookieTtl];
    return { server, setCookie: r.setCookie, ttl: r.setCookieTtl, cookie, expires };
  };
}

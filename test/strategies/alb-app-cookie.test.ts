import { describe, expect, it } from "vitest";
import { albAppCookie } from "../../sim/strategies/alb-app-cookie.js";
import type { RoutingView, Strategy } from "../../sim/strategies/define.js";
import { pool, request } from "../helpers.js";
import { client as jarClient } from "./cookie-jar.js";

const create = (p: ReturnType<typeof pool>, options: Record<string, unknown> = {}) => albAppCookie.create(p, Math.random, albAppCookie.options.parse(options));

/** The shared cookie jar, with the session id as the second argument. */
function client(strategy: Strategy, cookiesEnabled = 1) {
  const jar = jarClient(strategy, cookiesEnabled);
  return (now: number, sessionKey: number, fields: Partial<RoutingView> = {}) => jar(now, { sessionKey, ...fields });
}

describe("alb-app-cookie (AWS ALB application-based stickiness)", () => {
  it("balances the request that creates the application session and issues AWSALBAPP with the 1-day default (AWS ALB sticky-sessions docs)", () => {
    const visit = client(create(pool(3)));
    expect(visit(0, -1)).toMatchObject({ server: 0, setCookie: 0, ttl: 86_400 });
    // Later requests carry the application cookie and AWSALBAPP: stuck, expiry reset each time.
    expect(visit(10, 5)).toMatchObject({ server: 0, setCookie: 0, expires: 86_410 });
    expect(visit(20, 5)).toMatchObject({ server: 0, expires: 86_420 });
  });

  it("does not stick once the application's session is gone, even with AWSALBAPP still in the jar", () => {
    const s = create(pool(3));
    const visit = client(s);
    expect(visit(0, -1).server).toBe(0);
    expect(visit(1, 5).server).toBe(0);
    // The session ended (logout, idle expiry): no application cookie, so the ALB balances; the
    // application creates a session and a new AWSALBAPP names the new target.
    expect(visit(2, -1)).toMatchObject({ server: 1, setCookie: 1 });
    expect(visit(3, 6).server).toBe(1);
  });

  it("re-balances a session idle for `duration` seconds", () => {
    const visit = client(create(pool(3), { duration: 1 }));
    expect(visit(0, -1).server).toBe(0);
    expect(visit(0.5, 5).server).toBe(0);
    expect(visit(1.4, 5).server).toBe(0);
    expect(visit(2.5, 5)).toMatchObject({ server: 1, setCookie: 1 }); // 1.1 s idle: AWS's "set a 1-second duration" rebalancing
  });

  it("moves a failed target's sessions and keeps them on the new target after the old one recovers", () => {
    const p = pool(3);
    const s = create(p);
    const visit = client(s);
    expect(visit(0, -1).server).toBe(0);
    p.eligible[0] = p.accepting[0] = 0;
    s.poolChanged?.("health");
    expect(visit(1, 5)).toMatchObject({ server: 1, setCookie: 1 });
    p.eligible[0] = p.accepting[0] = 1;
    s.poolChanged?.("health");
    expect(visit(2, 5).server).toBe(1);
  });

  it("fails open when every target is unhealthy (AWS ALB target group docs)", () => {
    const s = create(pool(2, { down: [0, 1] }));
    s.poolChanged?.("health");
    expect([s.pick(request()), s.pick(request()), s.pick(request({ sessionKey: 3, cookie: 0 }))]).toEqual([0, 1, 0]);
  });

  it("gives clients without cookies no affinity (their session id rides in the URL, which the ALB does not read)", () => {
    const visit = client(create(pool(3)), 0);
    expect([0, 1, 2, 3].map((t) => visit(t, t === 0 ? -1 : 9).server)).toEqual([0, 1, 2, 0]);
  });

  it("validates the duration: 1 s to 7 days", () => {
    expect(albAppCookie.options.safeParse({ duration: 604_801 }).success).toBe(false);
    expect(albAppCookie.options.safeParse({ duration: 1 }).success).toBe(true);
    expect(albAppCookie.options.safeParse({ cookieName: "JSESSIONID" }).success).toBe(false);
  });
});

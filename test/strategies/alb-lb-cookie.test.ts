import { describe, expect, it } from "vitest";
import { albLbCookie } from "../../sim/strategies/alb-lb-cookie.js";
import { pool, request } from "../helpers.js";
import { client } from "./cookie-jar.js";

const create = (p: ReturnType<typeof pool>, options: Record<string, unknown> = {}) => albLbCookie.create(p, Math.random, albLbCookie.options.parse(options));


describe("alb-lb-cookie (AWS ALB duration-based stickiness)", () => {
  it("issues AWSALB with the default 1-day duration and balances new clients round robin (AWS ALB sticky-sessions and target group docs)", () => {
    const s = create(pool(3));
    const picks = [0, 1, 2, 3].map(() => {
      const r = request();
      const server = s.pick(r);
      expect([r.setCookie, r.setCookieTtl]).toEqual([server, 86_400]);
      return server;
    });
    expect(picks).toEqual([0, 1, 2, 0]);
  });

  it("resets the cookie's expiry on every response, so it lapses only after `duration` idle", () => {
    const visit = client(create(pool(3), { duration: 60 }));
    expect(visit(0)).toMatchObject({ server: 0, expires: 60 });
    expect(visit(50)).toMatchObject({ server: 0, setCookie: 0, expires: 110 }); // refreshed
    expect(visit(105)).toMatchObject({ server: 0, expires: 165 }); // 105 s after issue, still stuck
    expect(visit(164)).toMatchObject({ server: 0, expires: 224 });
    // 60 s idle: the cookie is stale, the request is balanced (round robin's next turn) and re-issued.
    expect(visit(224)).toMatchObject({ server: 1, setCookie: 1, expires: 284 });
  });

  it("re-balances a cookie naming an unhealthy target and replaces the cookie; the client stays on the new target", () => {
    const p = pool(3);
    const s = create(p);
    const visit = client(s);
    expect(visit(0).server).toBe(0);
    expect(visit(1).server).toBe(0);
    p.eligible[0] = p.accepting[0] = 0;
    s.poolChanged?.("health");
    expect(visit(2)).toMatchObject({ server: 1, setCookie: 1 }); // round robin's next turn among 1, 2
    p.eligible[0] = p.accepting[0] = 1;
    s.poolChanged?.("health");
    expect(visit(3)).toMatchObject({ server: 1, setCookie: 1 }); // the new cookie names target 1
  });

  it("re-balances a cookie naming no known target (undecodable, deregistered)", () => {
    const s = create(pool(3));
    const r = request({ cookie: 7 });
    expect(s.pick(r)).toBe(0);
    expect(r.setCookie).toBe(0);
  });

  it("fails open when every target is unhealthy: routes to all of them, and cookies still stick (AWS ALB target group docs)", () => {
    const p = pool(3, { down: [0, 1, 2] });
    const s = create(p);
    s.poolChanged?.("health");
    expect([0, 1, 2, 3].map(() => s.pick(request()))).toEqual([0, 1, 2, 0]);
    expect(s.pick(request({ cookie: 2 }))).toBe(2);
    // One target passes its checks again: only it is routable.
    p.eligible[1] = p.accepting[1] = 1;
    s.poolChanged?.("health");
    expect(s.pick(request({ cookie: 2 }))).toBe(1);
    expect([0, 1].map(() => s.pick(request()))).toEqual([1, 1]);
  });

  it("keeps no affinity for clients without cookies: every request is balanced", () => {
    const visit = client(create(pool(3)), 0);
    expect([0, 1, 2, 3, 4].map((t) => visit(t, { sessionKey: 42 }).server)).toEqual([0, 1, 2, 0, 1]);
  });

  it("with least_outstanding_requests places new clients on the target with the fewest requests in flight", () => {
    const p = pool(3);
    const s = create(p, { algorithm: "least_outstanding_requests" });
    p.active.set([4, 1, 2]);
    expect(s.pick(request())).toBe(1);
    p.active[1] = 5;
    expect(s.pick(request())).toBe(2);
    expect(s.pick(request({ cookie: 0 }))).toBe(0); // a valid cookie still wins
  });

  it("validates the duration: 1 s to 7 days", () => {
    expect(albLbCookie.options.parse({}).duration).toBe(86_400);
    expect(albLbCookie.options.safeParse({ duration: 604_800 }).success).toBe(true);
    expect(albLbCookie.options.safeParse({ duration: 604_801 }).success).toBe(false);
    expect(albLbCookie.options.safeParse({ duration: 0 }).success).toBe(false);
    expect(albLbCookie.options.safeParse({ algorithm: "random" }).success).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import { elbLbCookie } from "../../sim/strategies/elb-lb-cookie.js";
import { pool, request } from "../helpers.js";
import { client } from "./cookie-jar.js";

const create = (p: ReturnType<typeof pool>, options: Record<string, unknown> = {}) => elbLbCookie.create(p, Math.random, elbLbCookie.options.parse(options));


describe("elb-lb-cookie (AWS Classic ELB duration-based stickiness)", () => {
  it("issues AWSELB once and never refreshes it: stickiness ends `expiration` after issue however busy the client (AWS Classic Load Balancer sticky-sessions docs)", () => {
    const visit = client(create(pool(3), { expiration: 300 }));
    expect(visit(0)).toMatchObject({ server: 0, setCookie: 0, ttl: 300, expires: 300 });
    for (const t of [100, 200, 299]) expect(visit(t)).toMatchObject({ server: 0, setCookie: -1, expires: 300 });
    // The same activity under ALB would have kept the cookie; here it lapsed at 300 s.
    expect(visit(300)).toMatchObject({ server: 1, setCookie: 1, expires: 600 });
  });

  it("defaults to a browser-session cookie when no expiration is set", () => {
    const r = request();
    create(pool(2)).pick(r);
    expect(r.setCookieTtl).toBe(Infinity);
  });

  it("balances cookie-less requests by least outstanding requests, ties taking turns", () => {
    const p = pool(3);
    const s = create(p);
    expect([0, 1, 2, 3].map(() => s.pick(request()))).toEqual([0, 1, 2, 0]); // all idle
    p.active.set([5, 1, 3]);
    expect(s.pick(request())).toBe(1);
    p.active.set([2, 2, 0]);
    expect(s.pick(request())).toBe(2);
    expect(s.pick(request({ cookie: 0 }))).toBe(0); // a valid cookie wins over load
  });

  it("routes a request whose instance is unhealthy as if it had no cookie, with a new cookie", () => {
    const p = pool(3);
    const s = create(p);
    const visit = client(s);
    expect(visit(0).server).toBe(0);
    p.eligible[0] = p.accepting[0] = 0;
    p.active.set([0, 4, 1]);
    expect(visit(1)).toMatchObject({ server: 2, setCookie: 2 });
    p.eligible[0] = p.accepting[0] = 1;
    expect(visit(2)).toMatchObject({ server: 2, setCookie: -1 }); // stuck to the new instance
    expect(s.pick(request({ cookie: 9 }))).toBe(0); // an unknown instance: balanced (0 is idle)
  });

  it("does not fail open: no healthy instance, no target", () => {
    const s = create(pool(2, { down: [0, 1] }));
    expect(s.pick(request())).toBe(-1);
    expect(s.pick(request({ cookie: 1 }))).toBe(-1);
  });

  it("gives clients without cookies no affinity: each request goes to the least loaded instance", () => {
    const p = pool(3);
    const visit = client(create(p), 0);
    p.active.set([1, 0, 1]);
    expect(visit(0).server).toBe(1);
    p.active.set([1, 2, 0]);
    expect(visit(1).server).toBe(2);
  });

  it("validates the expiration period", () => {
    expect(elbLbCookie.options.parse({}).expiration).toBeUndefined();
    expect(elbLbCookie.options.safeParse({ expiration: 0 }).success).toBe(false);
    expect(elbLbCookie.options.safeParse({ expiration: 1.5 }).success).toBe(false);
  });
});

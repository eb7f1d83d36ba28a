import { describe, expect, it } from "vitest";
import { nginxStickyCookie } from "../../sim/strategies/nginx-sticky-cookie.js";
import { pool, request } from "../helpers.js";

type Pool = ReturnType<typeof pool>;
const create = (p: Pool, options: object = {}) => nginxStickyCookie.create(p, Math.random, nginxStickyCookie.options.parse(options));

describe("nginx-sticky-cookie (ngx_http_upstream_sticky_module.c)", () => {
  it("balances requests without a cookie round robin and gives each a cookie for its server", () => {
    const s = create(pool(3));
    const picks = [1, 2, 3, 4].map(() => {
      const r = request();
      const server = s.pick(r);
      expect(r.setCookie).toBe(server);
      expect(r.setCookieTtl).toBe(Infinity); // no expires: a browser-session cookie
      return server;
    });
    expect(picks).toEqual([0, 1, 2, 0]);
  });

  it("sends a request with a valid cookie to its server and sets the cookie again on the response", () => {
    const s = create(pool(3), { expires: 3600 });
    for (const cookie of [2, 0, 2]) {
      const r = request({ cookie });
      expect(s.pick(r)).toBe(cookie);
      expect(r.setCookie).toBe(cookie); // re-inserted on every response: the expiry slides
      expect(r.setCookieTtl).toBe(3600);
    }
  });

  it("re-balances a cookie naming a down or unknown server, and rewrites the cookie", () => {
    const p = pool(3, { down: [1] });
    const s = create(p);
    const a = request({ cookie: 1 }), b = request({ cookie: 7 }), c = request({ cookie: 1 });
    expect([s.pick(a), s.pick(b), s.pick(c)]).toEqual([0, 2, 0]);
    expect([a.setCookie, b.setCookie, c.setCookie]).toEqual([0, 2, 0]);
    p.eligible[1] = p.accepting[1] = 1; // back up: its old cookies route to it again
    const d = request({ cookie: 1 });
    expect(s.pick(d)).toBe(1);
    expect(d.setCookie).toBe(1);
  });

  it("counts a bound request as a round-robin win, so bound-heavy servers get fewer new clients (ngx_http_upstream_get_peer)", () => {
    // Two equal servers. One bound request to s1 leaves its current weight at -1 and s2's at +1,
    // so the next unbound request goes to s2 (plain round robin would start with s1). Further
    // bound requests change nothing while s1 sits at -(total - weight) = -1.
    const s = create(pool(2));
    expect(s.pick(request({ cookie: 0 }))).toBe(0);
    expect(s.pick(request({ cookie: 0 }))).toBe(0);
    expect(s.pick(request({ cookie: 0 }))).toBe(0);
    expect([1, 2, 3, 4].map(() => s.pick(request()))).toEqual([1, 0, 1, 0]);

    // Three equal servers, every other request bound to s1: the unbound ones never go to s1.
    const t = create(pool(3));
    const unbound = [0, 0, 0];
    for (let i = 0; i < 300; i++) {
      expect(t.pick(request({ cookie: 0 }))).toBe(0);
      unbound[t.pick(request())]++;
    }
    expect(unbound).toEqual([0, 150, 150]);
  });

  it("identifies servers by address (the SID is the MD5 of the address): a cookie finds the first server with it", () => {
    const p = pool(3, { addresses: ["10.0.0.1:80", "10.0.0.2:80", "10.0.0.1:80"] });
    const s = create(p);
    const r = request({ cookie: 2 });
    expect(s.pick(r)).toBe(0);
    expect(r.setCookie).toBe(0);
  });

  it("does not reuse a server this request already found refusing connections", () => {
    const s = create(pool(3));
    const r = request({ cookie: 1, excluded: 1 });
    const chosen = s.pick(r);
    expect(chosen).not.toBe(1);
    expect(r.setCookie).toBe(chosen);
  });

  it("answers -1 without a cookie when no server is eligible", () => {
    const s = create(pool(2, { down: [0, 1] }));
    const r = request({ cookie: 0 });
    expect(s.pick(r)).toBe(-1);
    expect(r.setCookie).toBe(-1);
  });

  it("sets the cookie lifetime from expires: seconds, or max = 315,360,000 s", () => {
    const ttl = (options: object) => {
      const r = request();
      create(pool(2), options).pick(r);
      return r.setCookieTtl;
    };
    expect(ttl({})).toBe(Infinity);
    expect(ttl({ expires: 600 })).toBe(600);
    expect(ttl({ expires: "max" })).toBe(315_360_000);
    expect(nginxStickyCookie.options.safeParse({ expires: 0 }).success).toBe(false);
    expect(nginxStickyCookie.options.safeParse({ expires: "1h" }).success).toBe(false);
    expect(nginxStickyCookie.options.safeParse({ name: "srv" }).success).toBe(false);
  });

  it("follows weights for unbound requests (smooth weighted round robin)", () => {
    const s = create(pool(3, { weights: [5, 1, 1] }));
    expect(Array.from({ length: 7 }, () => s.pick(request()))).toEqual([0, 0, 1, 0, 2, 0, 0]);
  });

  it("honours cookies naming a server added later, whose address arrives with it (as the balancer grows its pool)", () => {
    // The balancer's pool lists the addresses of the servers that exist; an added one's is pushed when it joins.
    const p = pool(2, { capacity: 3 });
    (p.addresses as string[]).length = 2;
    const s = create(p);
    (p.addresses as string[]).push("127.0.1.3:8080");
    p.size = 3;
    p.eligible[2] = p.accepting[2] = 1;
    s.poolChanged?.("size");
    const r = request({ cookie: 2 });
    expect(s.pick(r)).toBe(2);
    expect(r.setCookie).toBe(2);
  });
});

import { describe, expect, it } from "vitest";
import { cookieInsert } from "../../sim/strategies/cookie-insert.js";
import { pool, request } from "../helpers.js";

// Replays test/fixtures/real-lb/cookie_observations.txt (HAProxy 2.6, 3 servers, insert indirect nocache).
describe("cookie-insert (HAProxy cookie SERVERID insert indirect nocache)", () => {
  it("balances cookie-less requests round robin and sets a cookie for the chosen server", () => {
    const s = cookieInsert.create(pool(3), Math.random, { redispatch: false });
    const picks = [1, 2, 3, 4].map(() => {
      const r = request();
      const server = s.pick(r);
      expect(r.setCookie).toBe(server);
      return server;
    });
    expect(picks).toEqual([0, 1, 2, 0]); // web1, web2, web3, web1
  });

  it("sends a request with a valid cookie straight to its server without a new Set-Cookie", () => {
    const s = cookieInsert.create(pool(3), Math.random, { redispatch: false });
    const r = request({ cookie: 1 });
    expect(s.pick(r)).toBe(1);
    expect(r.setCookie).toBe(-1);
  });

  it("re-dispatches an unknown cookie value and re-issues the cookie", () => {
    const s = cookieInsert.create(pool(3), Math.random, { redispatch: false });
    for (const cookie of [-1, -1, -1, -1, 1]) s.pick(request({ cookie }));
    const first = request({ cookie: 7 }), again = request({ cookie: 7 });
    expect([s.pick(first), s.pick(again)]).toEqual([1, 2]); // web2 then web3, as recorded
    expect([first.setCookie, again.setCookie]).toEqual([1, 2]);
  });

  it("re-dispatches a cookie naming a server that health checks marked down, with a new cookie", () => {
    const p = pool(3);
    const s = cookieInsert.create(p, Math.random, { redispatch: false });
    // The recorded session before s2 died: 4 cookie-less, 1 valid, 2 unknown, 1 cookie-less, 1 valid.
    for (const cookie of [-1, -1, -1, -1, 1, 7, 7, -1, 0]) s.pick(request({ cookie }));
    p.eligible[1] = p.accepting[1] = 0; // s2 DOWN
    const a = request({ cookie: 1 }), b = request({ cookie: 1 }), c = request();
    expect([s.pick(a), s.pick(b), s.pick(c)]).toEqual([2, 0, 2]); // web3, web1, web3 as recorded
    expect([a.setCookie, b.setCookie, c.setCookie]).toEqual([2, 0, 2]);
    p.eligible[1] = p.accepting[1] = 1; // s2 back: its cookie routes to it again
    const d = request({ cookie: 1 });
    expect(s.pick(d)).toBe(1);
    expect(d.setCookie).toBe(-1);
  });
});

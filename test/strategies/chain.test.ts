import { describe, expect, it } from "vitest";
import { chain } from "../../sim/strategies/chain.js";
import { nginxIpHash } from "../../sim/strategies/nginx-ip-hash.js";
import { urlParam } from "../../sim/strategies/url-param.js";
import { ipv4, pool, request } from "../helpers.js";

const create = (p: ReturnType<typeof pool>, options: Record<string, unknown> = {}) => chain.create(p, Math.random, chain.options.parse(options));

describe("chain (cookie, else URL session id, else client address)", () => {
  it("uses the balancer cookie first, with no new Set-Cookie", () => {
    const s = create(pool(3));
    // 192.168.1.77 would hash to index 1 (nginx ip_hash, h = 154); the cookie says 2.
    const r = request({ cookie: 2, address: ipv4("192.168.1.77"), sessionKey: 4 });
    expect(s.pick(r)).toBe(2);
    expect(r.setCookie).toBe(-1);
  });

  it("without a cookie, hashes the session id of a client without cookies as url-param does, and sets the cookie", () => {
    const p = pool(5);
    const s = create(p);
    const url = urlParam.create(p, Math.random, urlParam.options.parse({}));
    for (const sessionKey of [3, 11, 12345]) {
      const r = request({ cookiesEnabled: 0, sessionKey, address: ipv4("192.168.1.77") });
      const expected = url.pick(request({ sessionKey }));
      expect(s.pick(r)).toBe(expected);
      expect(r.setCookie).toBe(expected); // set as always; a browser without cookies drops it
    }
    // Session 3's token hashes to 2069024756, mod 5 = 1; the address step would say 4 (h = 154 for 192.168.1.x).
    expect(s.pick(request({ cookiesEnabled: 0, sessionKey: 3, address: ipv4("192.168.1.77") }))).toBe(1);
    expect(create(p, { steps: ["address"] }).pick(request({ address: ipv4("192.168.1.77") }))).toBe(4);
  });

  it("without a cookie or URL session id, hashes the client's /24 as nginx ip_hash does (h = 154, hand-worked from ngx_http_upstream_get_ip_hash_peer), and sets the cookie", () => {
    const s = create(pool(3));
    const r = request({ address: ipv4("192.168.1.77") });
    expect(s.pick(r)).toBe(1); // h = 154
    expect(r.setCookie).toBe(1);
    // A client with cookies carries its session id in a cookie, not the URL: still the address.
    expect(s.pick(request({ address: ipv4("10.0.0.1"), sessionKey: 3 }))).toBe(0); // h = 2565
    const ipHash = nginxIpHash.create(pool(7), Math.random, {});
    const wide = create(pool(7));
    for (let i = 0; i < 500; i++) {
      const address = (Math.imul(i, 2654435761) >>> 0);
      expect(wide.pick(request({ address }))).toBe(ipHash.pick(request({ address })));
    }
  });

  it("keeps a client on the server its cookie names after its address changes", () => {
    const s = create(pool(3));
    const first = request({ address: ipv4("192.168.1.77") });
    const server = s.pick(first);
    expect(s.pick(request({ address: ipv4("10.0.0.1"), cookie: first.setCookie }))).toBe(server); // 10.0.0.x alone would go to 0
    expect(server).toBe(1);
  });

  it("passes a cookie naming a down server on to the next step, which re-issues the cookie", () => {
    const p = pool(3, { down: [1] });
    const s = create(p);
    // 192.168.1.x: candidate 1 is down, nginx re-hashes to 2 (ip_hash retry chain 154, 5654).
    const r = request({ cookie: 1, address: ipv4("192.168.1.77") });
    expect(s.pick(r)).toBe(2);
    expect(r.setCookie).toBe(2);
  });

  it("follows the configured steps: address alone ignores cookies and sets none; no address step falls back to round robin", () => {
    const addressOnly = create(pool(3), { steps: ["address"] });
    const r = request({ cookie: 2, address: ipv4("192.168.1.77") });
    expect(addressOnly.pick(r)).toBe(1);
    expect(r.setCookie).toBe(-1);
    const noAddress = create(pool(3), { steps: ["cookie", "url"] });
    const turns = [0, 1, 2, 3].map(() => {
      const q = request({ address: ipv4("192.168.1.77") });
      const server = noAddress.pick(q);
      expect(q.setCookie).toBe(server);
      return server;
    });
    expect(turns).toEqual([0, 1, 2, 0]);
    expect(noAddress.pick(request({ cookie: 2 }))).toBe(2);
  });

  it("forwards pool changes to its steps", () => {
    const p = pool(5);
    const s = create(p);
    const before = s.pick(request({ cookiesEnabled: 0, sessionKey: 3 })); // 2069024756 mod 5 = 1
    p.eligible[4] = p.accepting[4] = 0;
    s.poolChanged?.("health");
    expect([before, s.pick(request({ cookiesEnabled: 0, sessionKey: 3 }))]).toEqual([1, 0]); // 2069024756 mod 4 = 0
  });

  it("validates the steps: non-empty, known names, no repeats, address last", () => {
    expect(chain.options.parse({}).steps).toEqual(["cookie", "url", "address"]);
    expect(chain.options.safeParse({ steps: [] }).success).toBe(false);
    expect(chain.options.safeParse({ steps: ["cookie", "cookie"] }).success).toBe(false);
    expect(chain.options.safeParse({ steps: ["cookie", "header"] }).success).toBe(false);
    expect(chain.options.safeParse({ steps: ["address", "cookie"] }).success).toBe(false);
    expect(chain.options.safeParse({ steps: ["url"] }).success).toBe(true);
  });
});

import { describe, expect, it } from "vitest";
import { nginxIpHash } from "../../sim/strategies/nginx-ip-hash.js";
import { ipv4, pool, request } from "../helpers.js";
import { recordedAddresses, recordedCases } from "./recorded.js";

const pick = (p: ReturnType<typeof pool>, address: string) => nginxIpHash.create(p, Math.random, {}).pick(request({ address: ipv4(address) }));

describe("nginx-ip-hash", () => {
  it("reproduces first candidates with 3 and 4 servers, hand-worked from ngx_http_upstream_get_ip_hash_peer", () => {
    expect(pick(pool(3), "192.168.1.77")).toBe(1); // h = 154
    expect(pick(pool(3), "10.0.0.1")).toBe(0); // h = 2565
    expect(pick(pool(3), "10.0.1.1")).toBe(1); // h = 2566
    expect(pick(pool(3), "203.0.113.9")).toBe(0); // h = 2592
    expect(pick(pool(4), "192.168.1.77")).toBe(2);
    expect(pick(pool(4), "10.0.1.1")).toBe(2);
  });

  it("follows the retry chain when candidates are down (h kept between tries, as nginx does)", () => {
    // 192.168.1.x chain with 3 servers: 154 (1), 5654 (2), 1196 (2), 723 (0), 2185 (1).
    expect(pick(pool(3, { down: [1] }), "192.168.1.5")).toBe(2);
    expect(pick(pool(3, { down: [1, 2] }), "192.168.1.5")).toBe(0);
    // 10.0.0.x: 2565 (0), 1753 (1): index 0 down moves it to 1.
    expect(pick(pool(3, { down: [0] }), "10.0.0.200")).toBe(1);
  });

  it("keeps a whole /24 on one server, whatever the last octet", () => {
    const p = pool(5);
    const servers = new Set(Array.from({ length: 256 }, (_, i) => pick(p, `172.16.9.${i}`)));
    expect(servers.size).toBe(1);
  });

  it("falls back to round robin after 21 ineligible candidates, and answers -1 with nothing eligible", () => {
    const strategy = nginxIpHash.create(pool(3, { down: [0, 1] }), Math.random, {});
    // Every candidate chain ends on 2 or falls back to round robin, which can only pick 2.
    for (const a of ["1.2.3.4", "10.0.0.1", "192.168.1.1"]) expect(strategy.pick(request({ address: ipv4(a) }))).toBe(2);
    expect(nginxIpHash.create(pool(3, { down: [0, 1, 2] }), Math.random, {}).pick(request({ address: ipv4("1.2.3.4") }))).toBe(-1);
  });

  for (const c of recordedCases("nginx_ip_hash")) {
    it(`matches real nginx 1.22 on all 2,000 recorded addresses: ${c.variant}, ${c.servers.length} servers`, () => {
      const strategy = nginxIpHash.create(pool(c.servers.length, { weights: c.weights, down: c.down, addresses: c.servers }), Math.random, {});
      const mismatches = recordedAddresses.filter((a, i) => strategy.pick(request({ address: ipv4(a) })) !== parseInt(c.backends[i], 36));
      expect(mismatches).toEqual([]);
    });
  }
});

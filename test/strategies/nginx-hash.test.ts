import { describe, expect, it } from "vitest";
import { crc32 } from "../../sim/strategies/crc32.js";
import { nginxHash } from "../../sim/strategies/nginx-hash.js";
import { ipv4, pool, request } from "../helpers.js";
import { recordedAddresses, recordedCases } from "./recorded.js";

type Pool = ReturnType<typeof pool>;
const bytes = (text: string) => new TextEncoder().encode(text);
const byText = (p: Pool) => nginxHash.create(p, Math.random, { key: "session" });
const pickText = (p: Pool, key: string) => byText(p).pick(request({ keyText: key }));
/** nginx's 15-bit value of one try: (CRC32([rehash] key) >> 16) & 0x7fff. */
const v = (input: string) => (crc32(bytes(input)) >>> 16) & 0x7fff;

describe("nginx-hash", () => {
  it("computes the 15-bit values of ngx_http_upstream_get_hash_peer, rehash prefix included", () => {
    expect(v("user42")).toBe(31791);
    expect(v("1user42")).toBe(24213); // acc 56004
    expect(v("2user42")).toBe(28541); // acc 84545
    expect(v("/index.html")).toBe(27170);
    expect(v("abc")).toBe(13604);
  });

  it("reproduces the hand-worked first candidates with 3 equal servers", () => {
    expect(pickText(pool(3), "user42")).toBe(0);
    expect(pickText(pool(3), "/index.html")).toBe(2);
    expect(pickText(pool(3), "abc")).toBe(2);
  });

  it("follows nginx's rehash retry chains when candidates are down", () => {
    // "user42": 0, 0 (acc 56004), 2 (acc 84545).
    expect(pickText(pool(3, { down: [0] }), "user42")).toBe(2);
    expect(pickText(pool(3, { down: [2] }), "user42")).toBe(0);
    // "/index.html": 2, 2 (acc 57374), 0 (acc 57984).
    expect(pickText(pool(3, { down: [2] }), "/index.html")).toBe(0);
    expect(pickText(pool(3, { down: [0, 2] }), "/index.html")).toBe(1); // then 2, 2, 1 (acc 64583, 92582, 123040)
    // "abc": 2, 0 (acc 22746), 1 (acc 35293).
    expect(pickText(pool(3, { down: [2] }), "abc")).toBe(0);
    expect(pickText(pool(3, { down: [0, 2] }), "abc")).toBe(1);
  });

  it("hashes the address as $remote_addr text, or the session id, as the key option says", () => {
    const p = pool(5);
    const byAddress = nginxHash.create(p, Math.random, nginxHash.options.parse({}));
    const bySession = nginxHash.create(p, Math.random, { key: "session" });
    for (const a of ["10.0.0.7", "192.168.1.77", "203.0.113.9", "1.2.3.4"]) {
      expect(byAddress.pick(request({ address: ipv4(a), sessionKey: 99 }))).toBe(pickText(p, a));
    }
    for (const id of [0, 42, 123456789]) expect(bySession.pick(request({ sessionKey: id, address: ipv4("10.0.0.1") }))).toBe(pickText(p, String(id)));
  });

  it("balances an empty key (no session yet) round robin", () => {
    const s = nginxHash.create(pool(3), Math.random, { key: "session" });
    expect([1, 2, 3, 4].map(() => s.pick(request({ sessionKey: -1 })))).toEqual([0, 1, 2, 0]);
    const t = byText(pool(3));
    expect([1, 2, 3].map(() => t.pick(request({ keyText: "" })))).toEqual([0, 1, 2]);
  });

  it("falls back to smooth weighted round robin after 21 ineligible candidates", () => {
    // Weights 100, 1, 1 with server 0 down: W = 102 keeps the down server's 100 slots.
    const p = pool(3, { weights: [100, 1, 1], down: [0] });
    // All 21 candidates of "k0" land in server 0's slots (acc mod 102 < 100) ...
    let acc = 0;
    for (let rehash = 0; rehash <= 20; rehash++) {
      acc += v(rehash === 0 ? "k0" : `${rehash}k0`);
      expect(acc % 102).toBeLessThan(100);
    }
    // ... so every request for it is balanced round robin over the two servers that are up,
    const s = byText(p);
    expect([1, 2, 3, 4].map(() => s.pick(request({ keyText: "k0" })))).toEqual([1, 2, 1, 2]);
    // while a key whose chain reaches an up server keeps it.
    expect([1, 2, 3].map(() => s.pick(request({ keyText: "k6" })))).toEqual([2, 2, 2]);
  });

  it("answers -1 with nothing eligible, and uses the only server of a one-server pool", () => {
    expect(pickText(pool(3, { down: [0, 1, 2] }), "user42")).toBe(-1);
    expect(pickText(pool(1), "user42")).toBe(0);
    expect(pickText(pool(1, { down: [0] }), "user42")).toBe(-1);
  });

  it("honours weights through the weight walk, and follows weight changes after poolChanged", () => {
    const p = pool(3, { weights: [1, 1, 1] });
    const s = byText(p);
    expect(s.pick(request({ keyText: "/index.html" }))).toBe(2); // 27170 mod 3 = 2
    p.weights.set([3, 1, 1]);
    s.poolChanged?.("weights");
    expect(s.pick(request({ keyText: "/index.html" }))).toBe(pickText(pool(3, { weights: [3, 1, 1] }), "/index.html"));
    expect(s.pick(request({ keyText: "/index.html" }))).toBe(0); // 27170 mod 5 = 0
    expect(s.pick(request({ keyText: "user42" }))).toBe(0); // 31791 mod 5 = 1: server 0 owns slots 0..2
    expect(s.pick(request({ keyText: "abc" }))).toBe(2); // 13604 mod 5 = 4: slot 3 is server 1, slot 4 server 2
  });

  it("accepts long keys (lbsim route reading long session ids)", () => {
    const long = "x".repeat(5000);
    expect(pickText(pool(3), long)).toBe(v(long) % 3);
  });

  for (const c of recordedCases("nginx_hash")) {
    it(`matches real nginx 1.22 (hash $remote_addr) on all 2,000 recorded addresses: ${c.variant}, ${c.servers.length} servers`, () => {
      const strategy = nginxHash.create(pool(c.servers.length, { weights: c.weights, down: c.down, addresses: c.servers }), Math.random, { key: "address" });
      const mismatches = recordedAddresses.filter((a, i) => strategy.pick(request({ address: ipv4(a) })) !== parseInt(c.backends[i], 36));
      expect(mismatches).toEqual([]);
    });
  }

  describe("theory (modulo hashing, N → N+1: N/(N+1) of keys move)", () => {
    const servers = (n: number) => Array.from({ length: n }, (_, i) => `127.0.1.${i + 1}:8080`);
    const route = (p: Pool) => {
      const s = nginxHash.create(p, Math.random, { key: "address" });
      return recordedAddresses.map((a) => s.pick(request({ address: ipv4(a) })));
    };

    it("adding a 5th server to 4 moves 79.55% of the 2,000 recorded addresses (modulo: expected 4/5)", () => {
      const before = route(pool(4, { addresses: servers(4) }));
      const after = route(pool(5, { addresses: servers(5) }));
      const moved = before.filter((b, i) => b !== after[i]).length;
      expect(moved).toBe(1591); // the same count real nginx's recordings give (fixture cases N = 4 and N = 5)
      // A key stays only when acc mod 4 = acc mod 5: 1/5 of keys. Binomial SD over 2,000 keys is
      // 0.9 points, so 3 SD is ±2.7 points around 80%.
      expect(Math.abs(moved / 2000 - 0.8)).toBeLessThan(0.027);
    });

    it("a down server keeps its slot: only its own keys move, and they spread over the others", () => {
      const up = route(pool(5, { addresses: servers(5) }));
      const down = route(pool(5, { addresses: servers(5), down: [2] }));
      const displaced = up.map((b, i) => (b === 2 ? down[i] : -1)).filter((b) => b >= 0);
      expect(up.every((b, i) => b === 2 || down[i] === b)).toBe(true);
      expect(displaced.length).toBeGreaterThan(300);
      expect(new Set(displaced)).toEqual(new Set([0, 1, 3, 4]));
    });
  });
});

import { describe, expect, it } from "vitest";
import { CRC32_INIT, crc32, crc32Final, crc32Update } from "../../sim/strategies/crc32.js";
import { buildKetamaRing, nginxHashConsistent, type KetamaRing } from "../../sim/strategies/nginx-hash-consistent.js";
import { ipv4, pool, request } from "../helpers.js";
import { recordedAddresses, recordedCases } from "./recorded.js";

type Pool = ReturnType<typeof pool>;
const bytes = (text: string) => new TextEncoder().encode(text);
const ones = (n: number) => new Int32Array(n).fill(1);
const byText = (p: Pool) => nginxHashConsistent.create(p, Math.random, { key: "session" });
const pickText = (p: Pool, key: string) => byText(p).pick(request({ keyText: key }));
const TEN = ["10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80"];

/** The first `count` points of one server's chain, computed from ngx_http_upstream_update_chash's formula. */
function chain(host: string, port: string, count: number): number[] {
  const prefix = bytes(`${host}\u0000${port}`);
  const prev = new Uint8Array(4);
  const out: number[] = [];
  for (let j = 0; j < count; j++) {
    const point = crc32Final(crc32Update(crc32Update(CRC32_INIT, prefix, 0, prefix.length), prev, 0, 4));
    out.push(point);
    new DataView(prev.buffer).setUint32(0, point, true);
  }
  return out;
}

/** Each server's share of the 2^32 hash space under the successor rule (a point owns the arc ending at it). */
function shares(ring: KetamaRing, servers: number): number[] {
  const { points, owners } = ring;
  const n = points.length;
  const out = new Array<number>(servers).fill(0);
  for (let i = 0; i < n; i++) out[owners[i]] += i === 0 ? points[0] + 2 ** 32 - points[n - 1] : points[i] - points[i - 1];
  return out.map((s) => s / 2 ** 32);
}

describe("nginx-hash-consistent", () => {
  describe("ring (ngx_http_upstream_update_chash, worked by hand)", () => {
    const ring = buildKetamaRing(TEN, ones(3));

    it("has 480 points, sorted, and starts 10.0.0.1:80's chain at 0xA2AD5D56, 0x0BDEB0AB, 0x75F00C5B", () => {
      expect(ring.points.length).toBe(480);
      for (let i = 1; i < 480; i++) expect(ring.points[i]).toBeGreaterThan(ring.points[i - 1]);
      const first = chain("10.0.0.1", "80", 3);
      expect(first).toEqual([0xa2ad5d56, 0x0bdeb0ab, 0x75f00c5b]);
      for (const point of first) expect(ring.owners[ring.points.indexOf(point)]).toBe(0);
    });

    it("holds exactly each server's 160-point chain", () => {
      for (let s = 0; s < 3; s++) {
        const mine = [...ring.points].filter((_, i) => ring.owners[i] === s).sort((a, b) => a - b);
        expect(mine).toEqual(chain(`10.0.0.${s + 1}`, "80", 160).sort((a, b) => a - b));
      }
    });

    it("gives ring shares 0.3479 / 0.3002 / 0.3519", () => {
      const [a, b, c] = shares(ring, 3);
      expect(a).toBeCloseTo(0.3479, 4);
      expect(b).toBeCloseTo(0.3002, 4);
      expect(c).toBeCloseTo(0.3519, 4);
    });

    it("gives 160 points per unit of weight", () => {
      const weighted = buildKetamaRing(TEN, Int32Array.from([3, 1, 2]));
      expect(weighted.points.length).toBe(960);
      expect([0, 1, 2].map((s) => weighted.owners.filter((o) => o === s).length)).toEqual([480, 160, 320]);
    });

    it("splits host and port as nginx does: no port hashes an empty port, unix: paths drop the prefix", () => {
      const cases: [address: string, host: string, port: string][] = [
        ["backend1.example.com", "backend1.example.com", ""],
        ["10.0.0.1", "10.0.0.1", ""],
        ["UNIX:/run/app.sock", "/run/app.sock", ""],
        ["[::1]:8080", "[::1]", "8080"],
        ["host:80x", "host:80x", ""],
        ["a:b:443", "a:b", "443"],
      ];
      for (const [address, host, port] of cases) {
        expect([...buildKetamaRing([address], ones(1)).points], address).toEqual(chain(host, port, 160).sort((a, b) => a - b));
      }
      // "10.0.0.1" is not "10.0.0.1:80": a missing port is empty, not 80.
      expect(buildKetamaRing(["10.0.0.1"], ones(1)).points).not.toEqual(buildKetamaRing(["10.0.0.1:80"], ones(1)).points);
    });
  });

  it("routes the keys hand-worked from ngx_http_upstream_get_chash_peer: user42 → 10.0.0.3:80, /index.html → 10.0.0.1:80, abc → 10.0.0.2:80", () => {
    expect(crc32(bytes("user42"))).toBe(2083503798);
    const p = pool(3, { addresses: TEN });
    expect(pickText(p, "user42")).toBe(2);
    expect(pickText(p, "/index.html")).toBe(0);
    expect(pickText(p, "abc")).toBe(1);
  });

  it("takes the first point at or after the key's CRC-32 (successor rule), wrapping past the last", () => {
    const ring = buildKetamaRing(TEN, ones(3));
    const p = pool(3, { addresses: TEN });
    const s = byText(p);
    const n = ring.points.length;
    for (let k = 0; k < 300; k++) {
      const key = `key-${k}`;
      const h = crc32(bytes(key));
      let i = ring.points.findIndex((point) => point >= h);
      if (i < 0) i = 0;
      expect(s.pick(request({ keyText: key })), key).toBe(ring.owners[i % n]);
    }
  });

  it("hashes the address as $remote_addr text, or the session id, as the key option says", () => {
    const p = pool(5);
    const byAddress = nginxHashConsistent.create(p, Math.random, nginxHashConsistent.options.parse({}));
    const bySession = nginxHashConsistent.create(p, Math.random, { key: "session" });
    for (const a of ["10.0.0.7", "192.168.1.77", "203.0.113.9", "1.2.3.4"]) expect(byAddress.pick(request({ address: ipv4(a), sessionKey: 7 }))).toBe(pickText(p, a));
    for (const id of [0, 42, 123456789]) expect(bySession.pick(request({ sessionKey: id }))).toBe(pickText(p, String(id)));
  });

  it("steps point by point past a down server, so its keys go to its ring successors", () => {
    const ring = buildKetamaRing(TEN, ones(3));
    const s = byText(pool(3, { addresses: TEN, down: [2] }));
    // "user42" lands on a point of 10.0.0.3:80; the next point not owned by it decides.
    let i = ring.points.findIndex((point) => point >= 2083503798);
    while (ring.owners[i % 480] === 2) i++;
    expect(s.pick(request({ keyText: "user42" }))).toBe(ring.owners[i % 480]);
  });

  it("balances an empty key round robin, and falls back to round robin after 21 ineligible points", () => {
    const s = nginxHashConsistent.create(pool(3), Math.random, { key: "session" });
    expect([1, 2, 3, 4].map(() => s.pick(request({ sessionKey: -1 })))).toEqual([0, 1, 2, 0]);

    // Weights 50, 1, 1 with server 0 down: its 8,000 of 8,320 points leave long runs.
    const p = pool(3, { weights: [50, 1, 1], down: [0] });
    const ring = buildKetamaRing(p.addresses, p.weights);
    const start = ring.points.findIndex((point) => point >= crc32(bytes("k0")));
    for (let t = 0; t <= 20; t++) expect(ring.owners[(start + t) % ring.points.length]).toBe(0); // 21 points of server 0
    const t = byText(p);
    expect([1, 2, 3, 4].map(() => t.pick(request({ keyText: "k0" })))).toEqual([1, 2, 1, 2]);
    expect([1, 2, 3].map(() => t.pick(request({ keyText: "k1" })))).toEqual([1, 1, 1]); // reaches an up server: stays
  });

  it("answers -1 with nothing eligible, and uses the only server of a one-server pool", () => {
    expect(pickText(pool(3, { down: [0, 1, 2] }), "user42")).toBe(-1);
    expect(pickText(pool(1), "user42")).toBe(0);
  });

  it("rebuilds the ring when weights change, not when eligibility does", () => {
    const p = pool(3, { addresses: TEN });
    const s = byText(p);
    const keys = Array.from({ length: 200 }, (_, k) => `u${k}`);
    const before = keys.map((k) => s.pick(request({ keyText: k })));
    p.eligible[1] = p.accepting[1] = 0;
    s.poolChanged?.("health");
    p.eligible[1] = p.accepting[1] = 1;
    s.poolChanged?.("health");
    expect(keys.map((k) => s.pick(request({ keyText: k })))).toEqual(before);
    p.weights.set([1, 4, 1]);
    s.poolChanged?.("weights");
    const fresh = byText(pool(3, { addresses: TEN, weights: [1, 4, 1] }));
    const after = keys.map((k) => s.pick(request({ keyText: k })));
    expect(after).toEqual(keys.map((k) => fresh.pick(request({ keyText: k }))));
    expect(after).not.toEqual(before);
  });

  for (const c of recordedCases("nginx_hash_consistent")) {
    it(`matches real nginx 1.22 (hash $remote_addr consistent) on all 2,000 recorded addresses: ${c.variant}, ${c.servers.length} servers`, () => {
      const strategy = nginxHashConsistent.create(pool(c.servers.length, { weights: c.weights, down: c.down, addresses: c.servers }), Math.random, { key: "address" });
      const mismatches = recordedAddresses.filter((a, i) => strategy.pick(request({ address: ipv4(a) })) !== parseInt(c.backends[i], 36));
      expect(mismatches).toEqual([]);
    });
  }

  describe("theory (ring share CV ≈ 1/√V; adding a server moves ≈ 1/(N+1))", () => {
    const servers = (n: number) => Array.from({ length: n }, (_, i) => `127.0.1.${i + 1}:8080`);

    it("adding a 5th server to 4 moves 21.65% of the 2,000 recorded addresses, all to the new server", () => {
      const route = (n: number) => {
        const s = nginxHashConsistent.create(pool(n, { addresses: servers(n) }), Math.random, { key: "address" });
        return recordedAddresses.map((a) => s.pick(request({ address: ipv4(a) })));
      };
      const before = route(4), after = route(5);
      const moved = after.filter((b, i) => b !== before[i]);
      expect(moved.length).toBe(433); // the same count real nginx's recordings give (fixture cases N = 4 and N = 5)
      expect(new Set(moved)).toEqual(new Set([4]));
      // Expected: the new server's ring share (Beta(160, 640): mean 1/5, SD 0.0141 = 1.41 points)
      // plus binomial noise over 2,000 keys (0.9 points). Against its actual share, 3 SD of the
      // binomial part is ±2.7 points; against 1/5, 3 SD of both is ±5 points.
      const share = shares(buildKetamaRing(servers(5), ones(5)), 5)[4];
      expect(Math.abs(moved.length / 2000 - share)).toBeLessThan(0.027);
      expect(Math.abs(moved.length / 2000 - 0.2)).toBeLessThan(0.05);
    });

    it("ring shares of 10 servers vary with CV ≈ √((N−1)/(NV+1)) = 0.075 ≈ 1/√160", () => {
      // 20 rings of 10 servers (addresses 10.k.0.1..10:8080) give 200 shares. The CV estimated
      // from 200 values has a relative standard error of about 1/√(2·200) = 5%, so ±15% (3 SE)
      // around 0.075: 0.064..0.086. Measured: 0.0710 (a simulation with uniform random points: 0.071).
      const all: number[] = [];
      let maxOverMean = 0;
      for (let k = 0; k < 20; k++) {
        const addresses = Array.from({ length: 10 }, (_, i) => `10.${k}.0.${i + 1}:8080`);
        const relative = shares(buildKetamaRing(addresses, ones(10)), 10).map((s) => s * 10);
        all.push(...relative);
        maxOverMean += Math.max(...relative) / 20;
      }
      const mean = all.reduce((a, b) => a + b) / all.length;
      const cv = Math.sqrt(all.reduce((a, b) => a + (b - mean) ** 2, 0) / all.length) / mean;
      expect(mean).toBeCloseTo(1, 12);
      expect(cv).toBeGreaterThan(0.075 * 0.85);
      expect(cv).toBeLessThan(0.075 * 1.15);
      expect(cv).toBeCloseTo(0.071, 3);
      // The same uniform-points simulation: mean max/avg 1.12 for N = 10, V = 160. The max of 10 shares has an SD of
      // about 0.04, so the mean of 20 has about 0.01: ±0.03.
      expect(Math.abs(maxOverMean - 1.12)).toBeLessThan(0.03);
    });
  });
});

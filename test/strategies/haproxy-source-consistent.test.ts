import { describe, expect, it } from "vitest";
import type { PoolView } from "../../sim/strategies/define.js";
import { HaproxyChashRing } from "../../sim/strategies/haproxy-chash.js";
import { fullHash } from "../../sim/strategies/haproxy-hash.js";
import { haproxySourceConsistent } from "../../sim/strategies/haproxy-source-consistent.js";
import { ipv4, pool, request } from "../helpers.js";
import { recordedAddresses, recordedCases } from "./recorded.js";

const create = (p: PoolView, options: Record<string, unknown> = {}) =>
  haproxySourceConsistent.create(p, Math.random, haproxySourceConsistent.options.parse(options));
const pickAll = (p: PoolView, addresses: readonly number[]) => {
  const strategy = create(p);
  return addresses.map((address) => strategy.pick(request({ address })));
};
const recorded = recordedAddresses.map(ipv4);
const counts = (picks: number[], n: number) => picks.reduce((c, s) => (c[s]++, c), new Array<number>(n).fill(0));

/** Each server's share of the hash space under the nearest-node rule: half of the gap on either side of each node. */
function ringShares(ring: HaproxyChashRing, n: number): number[] {
  const shares = new Array<number>(n).fill(0);
  for (let k = 0; k < ring.count; k++) {
    const prev = k === 0 ? ring.count - 1 : k - 1;
    const half = ((ring.keys[k] - ring.keys[prev]) >>> 0) / 2 / 2 ** 32;
    shares[ring.servers[prev]] += half;
    shares[ring.servers[k]] += half;
  }
  return shares;
}

describe("haproxy-source-consistent", () => {
  it("places 16 nodes per weight unit at full_hash(id·4096 + j) (chash_compute_node_key in src/lb_chash.c)", () => {
    const one = new HaproxyChashRing(pool(1));
    expect(one.count).toBe(16);
    expect([fullHash(4096), fullHash(4097), fullHash(4098)]).toEqual([1237450891, 2761370759, 3040967754]);
    expect(Array.from(one.keys.subarray(0, 16))).toEqual(Array.from({ length: 16 }, (_, j) => fullHash(4096 + j)).sort((a, b) => a - b));
    expect(new HaproxyChashRing(pool(3, { weights: [3, 1, 1] })).count).toBe(80);
    expect(new HaproxyChashRing(pool(3, { down: [1] })).count).toBe(32);
  });

  it("sends 10.0.0.7, 192.168.1.10 and 203.0.113.7 to puid 2, and splits the ring 0.351 / 0.295 / 0.354", () => {
    const strategy = create(pool(3));
    for (const a of ["10.0.0.7", "192.168.1.10", "203.0.113.7"]) expect(strategy.pick(request({ address: ipv4(a) }))).toBe(1);
    const shares = ringShares(new HaproxyChashRing(pool(3)), 3);
    expect(shares[0]).toBeCloseTo(0.351, 3);
    expect(shares[1]).toBeCloseTo(0.295, 3);
    expect(shares[2]).toBeCloseTo(0.354, 3);
  });

  it("takes the nearer node on either side, a tie going to the node before (not ketama's successor)", () => {
    const ring = new HaproxyChashRing(pool(3));
    let k = 1;
    while (ring.servers[k] === ring.servers[k - 1] || (ring.keys[k] - ring.keys[k - 1]) % 2 !== 0) k++;
    const middle = ring.keys[k - 1] + (ring.keys[k] - ring.keys[k - 1]) / 2;
    expect(ring.servers[ring.nearest(middle)]).toBe(ring.servers[k - 1]);
    expect(ring.servers[ring.nearest(middle + 1)]).toBe(ring.servers[k]);
    expect(ring.servers[ring.nearest(ring.keys[k - 1] + 1)]).toBe(ring.servers[k - 1]);
    // Across the wrap: above the last node and below the first.
    const last = ring.keys[ring.count - 1], first = ring.keys[0];
    const gap = (first - last + 2 ** 32) % 2 ** 32;
    expect(ring.nearest((last + 1) % 2 ** 32)).toBe(ring.count - 1);
    expect(ring.nearest((last + gap - 1) % 2 ** 32)).toBe(0);
  });

  it("remaps 20.3% of the recorded addresses when a 5th server is added, all onto the new server (theory 1/(N+1) = 20%)", () => {
    const four = pickAll(pool(4), recorded), five = pickAll(pool(5), recorded);
    const moved = recorded.map((_, i) => i).filter((i) => four[i] !== five[i]);
    expect(moved.length).toBe(407);
    expect(moved.every((i) => five[i] === 4)).toBe(true);
  });

  it("moves only the down server's own clients", () => {
    const up = pickAll(pool(5), recorded), down = pickAll(pool(5, { down: [2] }), recorded);
    const moved = recorded.map((_, i) => i).filter((i) => up[i] !== down[i]);
    expect(moved.length).toBe(438);
    expect(moved.every((i) => up[i] === 2)).toBe(true);
  });

  it("balances 5 servers of weight 1 to max/mean 1.22 over the recorded addresses (V = 16, CV ≈ 1/√16 = 25%)", () => {
    const c = counts(pickAll(pool(5), recorded), 5);
    expect(c).toEqual([487, 324, 438, 344, 407]);
    expect(Math.max(...c) / 400).toBeCloseTo(1.22, 2);
    // The hash space itself: max share · N = 1.20.
    expect(Math.max(...ringShares(new HaproxyChashRing(pool(5)), 5)) * 5).toBeCloseTo(1.2, 2);
  });

  it("keys the ring by server id only, not name or address", () => {
    const base = pickAll(pool(3), recorded);
    const renamed = pickAll({ ...pool(3, { addresses: ["10.9.9.9:80", "10.9.9.8:80", "10.9.9.7:80"] }), names: ["a", "b", "c"] }, recorded);
    expect(renamed).toEqual(base);
    // Ids 3, 1, 2: the server with id k gets the clients id k had.
    const permuted = pickAll({ ...pool(3), ids: Int32Array.of(3, 1, 2) }, recorded);
    expect(permuted).toEqual(base.map((s) => [1, 2, 0][s]));
  });

  it("rebuilds on pool changes; a higher weight adds nodes and only pulls clients to that server", () => {
    const p = pool(5);
    const strategy = create(p);
    const before = recorded.map((address) => strategy.pick(request({ address })));
    p.eligible[2] = p.accepting[2] = 0;
    strategy.poolChanged?.("health");
    const expected = recordedCases("haproxy_source_consistent").find((c) => c.variant === "haproxy_source_consistent_down2")!;
    expect(recorded.filter((address, i) => strategy.pick(request({ address })) !== parseInt(expected.backends[i], 36))).toEqual([]);
    p.eligible[2] = p.accepting[2] = 1;
    strategy.poolChanged?.("health");
    p.weights[0] = 3;
    strategy.poolChanged?.("weights");
    const after = recorded.map((address) => strategy.pick(request({ address })));
    const moved = recorded.map((_, i) => i).filter((i) => before[i] !== after[i]);
    expect(moved.length).toBeGreaterThan(0);
    expect(moved.every((i) => after[i] === 0)).toBe(true);
  });

  it("on redispatch, walks clockwise past the refusing server", () => {
    const p = pool(4);
    const strategy = create(p, { redispatch: true });
    const ring = new HaproxyChashRing(p);
    expect(strategy.redispatch).toBe(true);
    expect(create(p).redispatch).toBe(false);
    for (const address of recorded.slice(0, 300)) {
      const first = strategy.pick(request({ address }));
      let node = ring.nearest(fullHash(address));
      while (ring.servers[node] === first) node = (node + 1) % ring.count;
      expect(strategy.pick(request({ address, excluded: first }))).toBe(ring.servers[node]);
      expect(strategy.pick(request({ address, excluded: (first + 1) % 4 }))).toBe(first);
    }
  });

  it("hashes the raw address without `avalanche`, and answers -1 with no server up", () => {
    const ring = new HaproxyChashRing(pool(3));
    const strategy = create(pool(3), { avalanche: false });
    for (const address of recorded.slice(0, 200)) expect(strategy.pick(request({ address }))).toBe(ring.servers[ring.nearest(address)]);
    expect(create(pool(2, { down: [0, 1] })).pick(request({ address: 7 }))).toBe(-1);
  });

  for (const c of recordedCases("haproxy_source_consistent")) {
    it(`matches real HAProxy 2.6 on all 2,000 recorded addresses: ${c.variant}, ${c.servers.length} servers`, () => {
      const p = { ...pool(c.servers.length, { weights: c.weights, down: c.down, addresses: c.servers }), ids: Int32Array.from(c.servers, (s) => Number(s.split("/")[1])) };
      const picks = pickAll(p, recorded);
      expect(recorded.filter((_, i) => picks[i] !== parseInt(c.backends[i], 36))).toEqual([]);
    });
  }
});

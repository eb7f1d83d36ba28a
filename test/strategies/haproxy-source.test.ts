import { describe, expect, it } from "vitest";
import type { PoolView } from "../../sim/strategies/define.js";
import { fullHash } from "../../sim/strategies/haproxy-hash.js";
import { HaproxyMap } from "../../sim/strategies/haproxy-map.js";
import { haproxySource } from "../../sim/strategies/haproxy-source.js";
import { ipv4, pool, request } from "../helpers.js";
import { recordedAddresses, recordedCases } from "./recorded.js";

const create = (p: PoolView, avalanche = false) => haproxySource.create(p, Math.random, haproxySource.options.parse({ avalanche }));
const pickAll = (p: PoolView, addresses: readonly number[]) => {
  const strategy = create(p);
  return addresses.map((address) => strategy.pick(request({ address })));
};
const recorded = recordedAddresses.map(ipv4);
const movedCount = (before: number[], after: number[]) => before.filter((s, i) => s !== after[i]).length;

describe("HAProxy full_hash (__full_hash, include/haproxy/intops.h)", () => {
  it("reproduces hand-computed values of full_hash(0), full_hash(1) and full_hash(10.0.0.7)", () => {
    expect(fullHash(0)).toBe(2874071335);
    expect(fullHash(1)).toBe(881230262);
    expect(fullHash(ipv4("10.0.0.7"))).toBe(2050063967);
  });
});

describe("haproxy-source (map-based)", () => {
  it("sends 10.0.0.7 to the third of 3 equal servers, and consecutive addresses rotate (map-based: address mod 3)", () => {
    const p = pool(3);
    const pick = (a: string) => create(p).pick(request({ address: ipv4(a) }));
    expect(pick("10.0.0.7")).toBe(2); // 167772167 mod 3 = 2
    expect(pick("192.168.1.10")).toBe(2);
    expect(pick("192.168.1.11")).toBe(0);
    expect(pick("192.168.1.12")).toBe(1);
  });

  it("spreads weights by HAProxy's score walk and divides them by their GCD (recalc_server_map in src/lb_map.c)", () => {
    const map = (weights: number[], down: number[] = []) => {
      const m = new HaproxyMap(pool(weights.length, { weights, down }));
      return Array.from(m.slots.subarray(0, m.total));
    };
    // Worked by hand: scores +3/+1/+1 per slot, the first server with the largest (score + 5) / 5 wins.
    expect(map([3, 1, 1])).toEqual([0, 0, 1, 0, 2]);
    expect(map([2, 2, 2])).toEqual([0, 1, 2]);
    expect(map([2, 4])).toEqual([0, 1, 1]);
    // The GCD covers down servers too: the down server's weight 3 keeps it at 1, so 6 slots, not 3.
    expect(map([2, 4, 3], [2])).toEqual([0, 1, 1, 0, 1, 1]);
    expect(map([1, 1, 1], [0, 1, 2])).toEqual([]);
  });

  it("moves 75% of clients when 1 of 4 equal servers goes down and 80% when a 5th is added (modulo arithmetic: 1/(N+1) stay)", () => {
    // 1,200 consecutive addresses cover every residue mod lcm(3, 4) = 12 and mod lcm(4, 5) = 20
    // equally often, so the fractions are exact, as in the derivation (exactly N of the N(N+1) residue pairs agree).
    const addresses = Array.from({ length: 1200 }, (_, k) => ipv4("10.20.0.0") + k);
    const four = pickAll(pool(4), addresses);
    for (let down = 0; down < 4; down++) expect(movedCount(four, pickAll(pool(4, { down: [down] }), addresses)) / 1200).toBe(0.75);
    expect(movedCount(four, pickAll(pool(5), addresses)) / 1200).toBe(0.8);
  });

  it("remaps 82.0% of the recorded addresses when a 5th server is added (theory for uniform keys: 80%)", () => {
    expect(movedCount(pickAll(pool(4), recorded), pickAll(pool(5), recorded))).toBe(1641);
  });

  it("reshuffles clients of servers that stayed up when one goes down (recorded 5 servers, index 2 down: 76%)", () => {
    const up = pickAll(pool(5), recorded);
    const down = pickAll(pool(5, { down: [2] }), recorded);
    const others = up.map((s, i) => i).filter((i) => up[i] !== 2);
    expect(up.length - others.length).toBe(396); // forced: the down server's own clients
    expect(others.filter((i) => down[i] !== up[i]).length).toBe(1221); // 1221 / 1604 = 76.1% collateral
  });

  it("rebuilds its table when the pool changes", () => {
    const p = pool(5);
    const strategy = create(p);
    p.eligible[2] = p.accepting[2] = 0;
    strategy.poolChanged?.("health");
    const expected = recordedCases("haproxy_source_map").find((c) => c.variant === "haproxy_source_map_down2")!;
    expect(recorded.filter((address, i) => strategy.pick(request({ address })) !== parseInt(expected.backends[i], 36))).toEqual([]);
  });

  it("with one usable server sends everything there; with none, -1; never picks a weight-0 server", () => {
    expect(pickAll(pool(3, { down: [0, 2] }), recorded.slice(0, 50)).every((s) => s === 1)).toBe(true);
    expect(create(pool(3, { down: [0, 1, 2] })).pick(request({ address: 1 }))).toBe(-1);
    expect(pickAll(pool(3, { weights: [0, 1, 1] }), recorded).includes(0)).toBe(false);
  });

  it("with `avalanche`, takes full_hash(address) modulo the table", () => {
    const strategy = create(pool(3), true);
    for (const address of recorded.slice(0, 200)) expect(strategy.pick(request({ address }))).toBe(fullHash(address) % 3);
  });

  for (const c of recordedCases("haproxy_source_map")) {
    it(`matches real HAProxy 2.6 on all 2,000 recorded addresses: ${c.variant}, ${c.servers.length} servers`, () => {
      const p = { ...pool(c.servers.length, { weights: c.weights, down: c.down, addresses: c.servers }), ids: Int32Array.from(c.servers, (s) => Number(s.split("/")[1])) };
      const picks = pickAll(p, recorded);
      expect(recorded.filter((_, i) => picks[i] !== parseInt(c.backends[i], 36))).toEqual([]);
    });
  }
});

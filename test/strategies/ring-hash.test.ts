import { describe, expect, it } from "vitest";
import { VirtualNodeRing, buildRing, envoyRingPoints, ringSuccessor, type HashRing } from "../../sim/strategies/hash-ring.js";
import { ringHash } from "../../sim/strategies/ring-hash.js";
import { wide } from "../../sim/strategies/u64.js";
import { xxh64String } from "../../sim/strategies/xxhash64.js";
import { pool, request } from "../helpers.js";

const U64 = (x: bigint): [number, number] => [Number(x >> 32n), Number(x & 0xffffffffn)];
const ENVOY_MAX = 8_388_608;

/** Envoy's ring for these hosts (all healthy), with `minimum` as minimum_ring_size. */
function envoyRing(addresses: string[], weights: number[], minimum: number, maximum = ENVOY_MAX): HashRing {
  const w = Int32Array.from(weights);
  return buildRing(addresses, envoyRingPoints(w, new Uint8Array(w.length).fill(1), minimum, maximum));
}
const owner = (ring: HashRing, h: bigint) => ring.owners[ringSuccessor(ring, ...U64(h))];
const positions = (ring: HashRing) => Array.from(ring.hi, (hi, i) => (BigInt(hi) << 32n) | BigInt(ring.lo[i]));
const ports = (first: number, n: number) => Array.from({ length: n }, (_, i) => `127.0.0.1:${first + i}`);

/** Each session id 1..count routed by a fresh strategy on this pool. */
function route(p: ReturnType<typeof pool>, options: object, count: number): Int32Array {
  const strategy = ringHash.create(p, Math.random, ringHash.options.parse(options));
  strategy.poolChanged?.("health");
  const r = request();
  return Int32Array.from({ length: count }, (_, k) => {
    r.sessionKey = k + 1;
    return strategy.pick(r);
  });
}

describe("ring-hash, Envoy RING_HASH ring (ring_hash_lb.cc)", () => {
  it("builds Envoy's 12-entry ring for 127.0.0.1:90..95 and looks keys up as Envoy does (ring_hash_lb_test.cc, Basic)", () => {
    const ring = envoyRing(ports(90, 6), [1, 1, 1, 1, 1, 1], 12);
    expect(positions(ring)).toEqual([
      833437586790550860n, 928266305478181108n, 1033482794131418490n, 3551244743356806947n, 3851675632748031481n, 5583722120771150861n,
      6311230543546372928n, 7700377290971790572n, 13144177310400110813n, 13444792449719432967n, 15516499411664133160n, 16117243373044804889n,
    ]);
    expect(Array.from(ring.owners)).toEqual([4, 2, 0, 5, 3, 1, 1, 3, 5, 2, 4, 0]); // ports 94, 92, 90, 95, 93, 91, ...
    expect(owner(ring, 0n)).toBe(4);
    expect(owner(ring, 2n ** 64n - 1n)).toBe(4); // above every entry: wraps to entry 0
    expect(owner(ring, 3551244743356806947n)).toBe(5); // equal to an entry: that entry
    expect(owner(ring, 3551244743356806948n)).toBe(3);
    expect(owner(ring, 16117243373044804880n)).toBe(0);
  });

  it("sizes rings as Envoy does: 2 hosts with minimum 3 get 2 entries each (UnevenHosts)", () => {
    const ring = envoyRing(ports(80, 2), [1, 1], 3);
    expect(positions(ring)).toEqual([5454692015285649509n, 7859399908942313493n, 13838424394637650569n, 16064866803292627174n]);
    expect(Array.from(ring.owners)).toEqual([0, 1, 0, 1]);
    const replaced = envoyRing(ports(81, 2), [1, 1], 3);
    expect(positions(replaced)).toEqual([7859399908942313493n, 8241336090459785962n, 12882406409176325258n, 16064866803292627174n]);
    expect(Array.from(replaced.owners)).toEqual([0, 1, 1, 0]);
  });

  it("spreads entries in proportion to weight: weights 1, 2, 3 on a ring of exactly 6 (HostWeightedTinyRing)", () => {
    const ring = envoyRing(ports(90, 3), [1, 2, 3], 6, 6);
    const expected: [bigint, number][] = [
      [928266305478181108n, 2], [4443673547860492590n, 2], [5583722120771150861n, 1],
      [6311230543546372928n, 1], [13444792449719432967n, 2], [16117243373044804889n, 0],
    ];
    for (const [h, host] of expected) expect(owner(ring, h), String(h)).toBe(host);
  });

  it("gives Envoy's entry counts with the default minimum ring size 1024 (ring_hash_lb.cc scale rule, worked by hand)", () => {
    const counts = (weights: number[]) => Array.from(envoyRingPoints(Int32Array.from(weights), new Uint8Array(weights.length).fill(1), 1024, ENVOY_MAX));
    expect(counts([1, 1, 1])).toEqual([342, 342, 342]); // ring 1026
    expect(counts([1, 2])).toEqual([342, 684]);
    expect(counts(Array(10).fill(1))).toEqual(Array(10).fill(103)); // ring 1030
    expect(new Set(counts(Array(1000).fill(1)))).toEqual(new Set([2])); // only 2 each: ring 2000
    // Only the included (healthy) hosts share the ring: 3 of 4 healthy get 342 each, not 256.
    expect(Array.from(envoyRingPoints(Int32Array.from([1, 1, 1, 1]), Uint8Array.from([1, 0, 1, 1]), 1024, ENVOY_MAX))).toEqual([342, 0, 342, 342]);
  });

  it("routes a session by xxHash64 of its id text on that ring", () => {
    const addresses = ports(90, 6);
    const strategy = ringHash.create(pool(6, { addresses }), Math.random, ringHash.options.parse({ semantics: "envoy", minimumRingSize: 12 }));
    const ring = envoyRing(addresses, [1, 1, 1, 1, 1, 1], 12);
    const h = wide();
    for (let id = 1; id <= 200; id++) {
      xxh64String(String(id), 0, h);
      expect(strategy.pick(request({ sessionKey: id }))).toBe(ring.owners[ringSuccessor(ring, h.hi, h.lo)]);
    }
  });

  it("rebuilds from the healthy servers when one goes down: its keys move, and some keys move between survivors", () => {
    const p = pool(4);
    const before = route(p, { semantics: "envoy" }, 20_000);
    p.eligible[1] = p.accepting[1] = 0;
    const after = route(p, { semantics: "envoy" }, 20_000);
    let survivorsMoved = 0, survivors = 0;
    for (let k = 0; k < before.length; k++) {
      expect(after[k]).not.toBe(1);
      if (before[k] !== 1) {
        survivors++;
        if (after[k] !== before[k]) survivorsMoved++;
      }
    }
    // 256 entries each become 342 each: the new entries take arcs from the other survivors too.
    expect(survivorsMoved / survivors).toBeGreaterThan(0.02);
    expect(survivorsMoved / survivors).toBeLessThan(0.2);
  });
});

describe("ring-hash, ketama semantics (virtual nodes on a fixed ring)", () => {
  it("puts virtualNodes × weight points per server on the ring (150 by default)", () => {
    expect(ringHash.options.parse({}).virtualNodes).toBe(150);
    const ring = new VirtualNodeRing(pool(3, { weights: [1, 2, 3] }), 150).ring;
    const counts = [0, 0, 0];
    for (const s of ring.owners) counts[s]++;
    expect(counts).toEqual([150, 300, 450]);
    const hiSorted = Array.from(ring.hi).every((hi, i, a) => i === 0 || a[i - 1] < hi || (a[i - 1] === hi && ring.lo[i - 1] <= ring.lo[i]));
    expect(hiSorted).toBe(true);
  });

  it("moves only a down server's keys, each to the next eligible server clockwise, and brings them back", () => {
    const p = pool(10);
    const before = route(p, {}, 20_000);
    p.eligible[3] = p.accepting[3] = 0;
    const down = route(p, {}, 20_000);
    const ring = new VirtualNodeRing(p, 150).ring;
    const h = wide();
    const receivers = new Set<number>();
    for (let k = 0; k < before.length; k++) {
      if (before[k] !== 3) {
        expect(down[k]).toBe(before[k]);
        continue;
      }
      xxh64String(String(k + 1), 0, h);
      let i = ringSuccessor(ring, h.hi, h.lo);
      while (ring.owners[i] === 3) i = (i + 1) % ring.owners.length;
      expect(down[k]).toBe(ring.owners[i]);
      receivers.add(down[k]);
    }
    expect(receivers.size).toBeGreaterThan(5); // 150 arcs spread the load over most survivors
    p.eligible[3] = p.accepting[3] = 1;
    expect(route(p, {}, 20_000)).toEqual(before);
  });

  it("gives shares in proportion to weight", () => {
    const chosen = route(pool(3, { weights: [1, 2, 3] }), {}, 60_000);
    const share = [0, 1, 2].map((s) => chosen.filter((c) => c === s).length / chosen.length);
    // Ring shares vary by about 1/√(150·w) around w/6 (CV ≈ 1/√V for V points): 0.08 of 1/6 is 0.013.
    expect(share[0]).toBeCloseTo(1 / 6, 1);
    expect(share[1]).toBeCloseTo(2 / 6, 1);
    expect(share[2]).toBeCloseTo(3 / 6, 1);
  });

  it("hashes the address until the client has a session, and the address only with key: address", () => {
    const strategy = ringHash.create(pool(8), Math.random, ringHash.options.parse({}));
    const byAddress = ringHash.create(pool(8), Math.random, ringHash.options.parse({ key: "address" }));
    let differs = 0;
    for (let a = 1; a <= 500; a++) {
      const address = 0x0a000000 + a * 977;
      const first = strategy.pick(request({ address, sessionKey: -1 }));
      expect(first).toBe(strategy.pick(request({ keyText: `${address >>> 24}.${(address >>> 16) & 255}.${(address >>> 8) & 255}.${address & 255}` })));
      expect(byAddress.pick(request({ address, sessionKey: a }))).toBe(first);
      if (strategy.pick(request({ address, sessionKey: a })) !== first) differs++;
    }
    expect(differs).toBeGreaterThan(300); // the session id, not the address, decides once there is one
  });

  it("answers -1 when no server is eligible, in both semantics", () => {
    for (const semantics of ["ketama", "envoy"]) {
      const strategy = ringHash.create(pool(3, { down: [0, 1, 2] }), Math.random, ringHash.options.parse({ semantics }));
      expect(strategy.pick(request({ sessionKey: 7 }))).toBe(-1);
    }
  });

  it("rejects a minimum ring size above the maximum, as Envoy does", () => {
    expect(ringHash.options.safeParse({ semantics: "envoy", minimumRingSize: 20, maximumRingSize: 10 }).success).toBe(false);
    expect(ringHash.options.safeParse({ virtualNodes: 0 }).success).toBe(false);
  });
});
